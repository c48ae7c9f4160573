import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';
import { awsTimedStack, cliIn, onlyRun, PROBE, results, SCENARIO, sleep, stopAwsTimedStacks, workCounts, type AwsTimedStack } from './aws-timed-stack.ts';

/**
 * A run with `--target aws:FanoutBenchChat` against a stack that publishes CloudWatch as AWS does
 * (aws-timed-stack.ts): A for the run that waits, B for the one whose wait runs out (then
 * --repull). The two start together in beforeAll. Compare and search on the same path are
 * aws-metrics-compare.test.ts and aws-metrics-search.test.ts, run beside this file.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-aws-wait-'));
const cli = cliIn(dir);

let B: AwsTimedStack;
let partial: Promise<CliResult>;
let waited: Promise<CliResult>;

beforeAll(async () => {
  const [A, stackB] = await Promise.all([awsTimedStack(dir), awsTimedStack(dir)]);
  B = stackB;
  partial = cli(['run', ...SCENARIO, '--target', 'aws:FanoutBenchChat', '--metrics-wait', '1s', '--threshold', 'emf.FanoutDeliveries > 0', '--out', join(dir, 'partial')], B.env);
  waited = cli(['run', ...SCENARIO, '--target', 'aws:FanoutBenchChat', '--threshold', 'emf.FanoutDeliveries > 0', '--out', join(dir, 'aws')], A.env);
}, 200_000);

afterAll(async () => {
  stopAwsTimedStacks();
  await Promise.all([partial, waited].map((p) => p?.catch(() => undefined)));
  rmSync(dir, { recursive: true, force: true });
});

describe('the harness waits for CloudWatch on an AWS-timed target', { timeout: 400_000 }, () => {
  let partialDir: string;
  /** the built-in checks the partial run failed (judged again unchanged by --repull) */
  let partialFailedChecks: string[];
  let awsRun: ReturnType<typeof results>;

  it('with --metrics-wait shorter than the lag: partial or missing with counts, the cost says which lines, a threshold on them is no data (exit 99)', async () => {
    const r = await partial;
    expect(r.code, r.stdout + r.stderr).toBe(99);
    partialDir = onlyRun(join(dir, 'partial'));
    const res = results(partialDir);
    partialFailedChecks = res.verdict.checks.filter((x: { passed: boolean }) => !x.passed).map((x: { name: string }) => x.name);
    const c = res.cloudwatch.completeness;
    expect(res.cloudwatch.wait).toMatchObject({ rule: 'published', maxMs: 1000, done: false });
    expect(res.cloudwatch.status).toBe('partial');
    for (const family of ['lambda', 'apiGateway', 'emf']) {
      expect(['partial', 'missing'], `${family}: ${JSON.stringify(c[family])}`).toContain(c[family].status);
      // short of what the run owes, or all of it but not yet unchanged for a full period (a
      // family whose minutes closed before the run ended, under load, can be fully published)
      if (c[family].published >= c[family].expected) expect(c[family].detail).toContain('the counts were still changing');
    }
    expect(c.lambda.expected).toBe(res.sends.acked + res.connections.opened + res.connections.joined);
    expect(c.apiGateway.expected).toBe(res.connections.opened);
    expect(res.cost.lines.some((l: { partial?: string }) => l.partial)).toBe(true);
    expect(res.cost.lines.find((l: { service: string }) => l.service === 'DynamoDB').partial).toMatch(/^dynamodb (partial|missing)/);
    expect(res.verdict.thresholds[0]).toMatchObject({ outcome: 'no-data' });
    expect(res.verdict.thresholds[0].detail).toMatch(/CloudWatch's emf metrics were (partial|missing) when pulled/);
    expect(readFileSync(join(partialDir, 'summary.md'), 'utf8')).toContain('partial data:');
  });

  it('waits until the run is published: complete, and the same work as the scenario run locally (plus the probe connection of an aws: target)', async () => {
    const r = await waited;
    expect(r.stderr).toMatch(/waiting for CloudWatch: .* \d+ s \(at most 300 s\)/);
    awsRun = results(onlyRun(join(dir, 'aws')));
    // the threshold on the EMF metric holds; a CI host busy with the suites beside this lane may
    // saturate the harness, its own check, and nothing else
    expect(awsRun.verdict.thresholds[0]).toMatchObject({ outcome: 'pass' });
    expectPassedButForHost(r.code, awsRun, r.stderr);
    const cw = awsRun.cloudwatch;
    expect(cw.wait).toMatchObject({ rule: 'published', done: true });
    expect(cw.status, JSON.stringify(cw.problems)).toBe('complete');
    for (const family of ['lambda', 'apiGateway', 'dynamodb', 'emf', 'reports']) expect(cw.completeness[family].status, family).toBe('complete');
    // per-route metrics found by ListMetrics, no advice to turn on what the stage has on
    expect(Object.keys(cw.apiGatewayRoutes ?? {})).toContain('sendMessage');
    expect(cw.notes.join('\n')).not.toMatch(/detailed metrics/);

    const local = join(dir, 'local');
    const l = await cli(['run', ...SCENARIO, '--target', 'local', '--out', local]);
    const localRun = results(onlyRun(local));
    expectPassedButForHost(l.code, localRun, l.stderr);
    const invocations = (x: typeof awsRun) => Object.fromEntries(Object.entries(x.cloudwatch.lambda as Record<string, { invocations: number }>).map(([fn, t]) => [fn, t.invocations]));
    const localInvocations = invocations(localRun);
    expect(invocations(awsRun)).toEqual({
      ...localInvocations,
      'fanout-connect': localInvocations['fanout-connect']! + PROBE.connects,
      'fanout-disconnect': localInvocations['fanout-disconnect']! + PROBE.connects,
    });
    expect(cw.apiGatewayTotals.connectCount).toBe(localRun.cloudwatch.apiGatewayTotals.connectCount + PROBE.connects);
    expect(awsRun.deliveries.received).toBe(localRun.deliveries.received);
    expect(cw.emf.FanoutDeliveries.sum).toBe(localRun.cloudwatch.emf.FanoutDeliveries.sum);
    const units = (x: typeof awsRun, table: string) => [x.cloudwatch.dynamodb[table].readUnits, x.cloudwatch.dynamodb[table].writeUnits];
    expect(units(awsRun, 'fanout-room-members')).toEqual(units(localRun, 'fanout-room-members'));
    expect(units(awsRun, 'fanout-messages')[1]).toBe(units(localRun, 'fanout-messages')[1]);
    expect(units(awsRun, 'fanout-connections')[1]).toBe(units(localRun, 'fanout-connections')[1]! + PROBE.writeUnits);
    const work = workCounts(localRun);
    expect(workCounts(awsRun)).toEqual({
      ...work,
      'Lambda requests': work['Lambda requests']! + 2 * PROBE.connects,
      'DynamoDB write request units': work['DynamoDB write request units']! + PROBE.writeUnits,
    });
    expect(awsRun.cost.lines.some((x: { partial?: string }) => x.partial)).toBe(false);
  });

  it('report --repull, once CloudWatch has published the run: complete, the threshold judged again and passing', async () => {
    const ended = Date.parse(results(partialDir).endedAt);
    // the run's last minute is published 10 s (DynamoDB, EMF) after it ends
    await sleep(Math.ceil(ended / 60_000) * 60_000 + 12_000 - Date.now());
    const r = await cli(['report', '--repull', partialDir], B.env);
    const res = results(partialDir);
    // the exit code is the verdict's: the threshold now passes; the built-in checks (a saturated
    // harness on a busy CI host, say) are judged as they were
    expect(r.code, r.stdout + r.stderr).toBe(res.verdict.outcome === 'pass' ? 0 : 99);
    expect(res.verdict.checks.filter((x: { passed: boolean }) => !x.passed).map((x: { name: string }) => x.name)).toEqual(partialFailedChecks);
    for (const family of ['lambda', 'apiGateway', 'dynamodb', 'emf', 'reports']) expect(res.cloudwatch.completeness[family].status, family).toBe('complete');
    expect(res.cloudwatch.status).toBe('complete');
    expect(res.cost.lines.some((l: { partial?: string }) => l.partial)).toBe(false);
    expect(res.verdict.thresholds[0]).toMatchObject({ outcome: 'pass' });
    expect(workCounts(res)).toEqual(workCounts(awsRun));
  });
});
