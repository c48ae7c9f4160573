import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackForAws, stopAwsTimedStacks, type AwsTimedStack } from './aws-timed-stack.ts';
import { expectAllDelivered, ownStackWork, publishInvocations, ROOMS } from './own-stack-measure.ts';

/**
 * The SAM rooms fixture with its described protocol, through `--target aws:sam-rooms` and
 * `--target aws-api:<id>/<stage>` against `stack up --template --aws-metrics` (AWS's metric
 * timing, a 1 s lag) reached only through AWS_ENDPOINT_URL, as a user reaches it after pasting the
 * export block. Each pull waits a minute or two for AWS's minute periods: CI's waiting lane.
 */
const { dir, roomsScenario, measure } = ownStackWork('fb-own-aws-');
afterAll(stopAwsTimedStacks);

describe('a described protocol against the SAM rooms fixture, through the emulator\'s AWS APIs (stack up --template --aws-metrics)', () => {
  // One stack per target kind, measured at once: a stack of its own keeps each run's CloudWatch counts its own.
  const stacks = new Map<string, AwsTimedStack>();
  beforeAll(async () => {
    // The target's probe connects once before the run, so the run's first connect finds the join
    // function warm; each connect held 400 ms makes the run's connects (20 ms apart) need
    // environments of their own, so a cold connect is the test's doing, not the host's pace.
    const up = () => stackForAws(dir, { template: ROOMS, awsMetricsLag: '1s', endpoint: 'edge', parameters: ['JoinDelayMs=400'] });
    const [byName, byId] = await Promise.all([up(), up()]);
    stacks.set('aws:sam-rooms', byName).set('aws-api', byId);
  }, 160_000);

  it.concurrent.each([['aws:sam-rooms'], ['aws-api']])('--target %s: CloudWatch complete, publish invocations equal to the sends, cost and quotas', { timeout: 300_000 }, async (kind) => {
    const { ready, env } = stacks.get(kind)!;
    const target = kind === 'aws-api' ? `aws-api:${ready.apiId}/${ready.stage}` : kind;
    const name = kind.replace(':', '-');
    // the stage's access logging set for the run: a stack of the user's own, cold against warm by invocation
    const r = await measure(name, [roomsScenario(name), '--target', target, '--access-log', 'enable'], env);
    expectAllDelivered(r, r.sends.sent * 3);
    expect(r.config.target).toMatchObject({ kind: 'remote', url: ready.websocketUrl, label: target });
    expect(r.cloudwatch!.source).toBe('aws');
    expect(publishInvocations(r)).toBe(r.sends.sent);
    expect(r.cost!.lines.length).toBeGreaterThan(0);
    expect(r.cost!.totals.total).toBeGreaterThan(0);
    expect(r.cost!.totals.lambda).toBeGreaterThan(0);
    expect(r.quotas!.limits).toBeDefined();
    expect(r.attribution).toMatchObject({ source: 'access-log', accessLog: 'enable' });
    // through AWS's APIs (the emulator's endpoints), every connect and delivery traced to its invocation:
    // a cold start of each function (the publish function's first; a connect beside a held one), each
    // route with its cold rate and Init Duration, and no host wait taken out (an aws: target's figures are AWS's)
    const a = r.attribution!;
    expect(a.requests).toMatchObject({ unattributed: 0, attributed: r.connections!.opened + r.metrics.broadcast.count });
    expect(a.stack).toBeUndefined();
    for (const kind of ['connect', 'broadcast'] as const) {
      expect(a[kind]!.cold!.count).toBeGreaterThanOrEqual(1);
      const route = a.routes.find((x) => x.kind === kind)!;
      expect(route.cold).toBeGreaterThanOrEqual(1);
      expect(route.initP50Ms).toBeGreaterThan(0);
    }
    expect(a.routes.find((x) => x.kind === 'broadcast')!.route).toBe('publish');
  });
});
