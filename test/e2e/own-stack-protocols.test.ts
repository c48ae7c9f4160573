import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectAllDelivered, ownStackWork, SENDMESSAGE } from './own-stack-measure.ts';

/**
 * Stacks of other protocols, measured through the CLI as a user measures them (issue 29's "done
 * when"): our sendmessage-broadcast fixture with `protocol: sendmessage` on the emulator, a
 * dropped client's stale connection included. The SAM rooms fixture with a described protocol
 * (room in the connect URL, raw deliveries, no acks) by `--template` is measured, every delivery
 * and its publish invocations counted, by the runs of template-knobs.test.ts ("run --repeat 2: …"),
 * a run of its own here was a stack, a CLI and a shard more; the same fixture through `--target
 * aws:` and `aws-api:` is aws-metrics-own-stack-targets.test.ts.
 */
const { dir, scenario, measure } = ownStackWork('fb-own-protocols-');

describe('protocol: sendmessage against the sendmessage-broadcast fixture', () => {
  it('accounts for every delivery, before and after a drop, and shows the dropped clients cleaned on the emulator, from its gateway', { timeout: 240_000 }, async () => {
    const file = scenario('scan-broadcast', [
      'clients: 6',
      'rooms: 1',
      'seed: 7',
      'protocol: sendmessage',
      // a dropped connection is not disconnected: its row stays until a post to it answers 410;
      // no environment prepared (INIT in the cold invocation): this counts, it does not time
      'target: { lostDisconnectShare: 1, preparedPerFunction: 0 }',
      'timeouts: { loss: 8s, grace: 4s }',
      'phases:',
      // 0.1 s apart: each connect mostly finds the environment the one before it left warm
      '  - connect: { rate: 10 }',
      '  - send: { name: before, duration: 2s, rate: 3 }',
      // what is in flight arrives before anyone is dropped
      '  - idle: { duration: 4s }',
      '  - drop: { share: 0.34 }',
      '  - send: { name: after, duration: 2s, rate: 3 }',
    ]);
    const r = await measure('sendmessage', [file, '--template', SENDMESSAGE]);
    const [before, after] = [r.phases!.find((p) => p.name === 'before')!, r.phases!.find((p) => p.name === 'after')!];
    expect(r.stale!.dropped).toBe(2);
    // membership all: every open client receives every message, the sender too
    expect(before.deliveries.expected).toBe(before.sends.sent * 6);
    expect(after.deliveries.expected).toBe(after.sends.sent * 4);
    expectAllDelivered(r, before.deliveries.expected + after.deliveries.expected);
    // the emulator's view of the stale rows: no $disconnect ran, the first posts after the drop
    // answered 410 (ClientError) and the function deleted each dropped connection's row
    const cw = r.cloudwatch!;
    const fn = (part: string) => cw.lambda[cw.functions.find((f) => f.includes(part))!]!;
    expect(fn('OnDisconnectFunction').invocations).toBe(0);
    expect(fn('SendMessageFunction').invocations).toBe(r.sends.sent);
    expect(cw.apiGatewayTotals!.clientError).toBeGreaterThanOrEqual(2);
    const table = Object.values(cw.dynamodb!)[0]!;
    expect(table.operations!.DeleteItem!.requests).toBeGreaterThanOrEqual(2);
    expect(table.operations!.PutItem!.requests).toBe(6);
    // no ack counts 410s, so the stale figures come from the emulator's gateway: every post to the
    // two dropped clients' connections (each at least once, each a ClientError), then clean
    const stale = r.stale!;
    expect(stale.source).toMatch(/^the emulator's gateway: \d+ @connections posts? answered 410 to the 2 connections that ended without a close frame/);
    expect(stale.gone410).toBeGreaterThanOrEqual(2);
    expect(stale.gone410).toBeLessThanOrEqual(cw.apiGatewayTotals!.clientError);
    expect(stale.wastedPosts).toBe(stale.gone410);
    const drop = r.phases!.find((p) => p.kind === 'drop')!;
    expect(stale.timeToCleanMs).toEqual(expect.any(Number));
    expect(stale.timeToCleanMs!).toBeGreaterThanOrEqual(0);
    expect(stale.timeToCleanMs!).toBeLessThan(after.startedAt + after.durationMs - drop.startedAt);
    for (const f of ['stale.gone410', 'stale.timeToCleanMs', 'stale.wastedPosts']) expect(r.protocol!.notObservable[f]).toBe(`from ${stale.source}`);
    // every request traced to its invocation through the stage's access log (the local default,
    // --access-log enable): connects by $connect's, deliveries by the send function's; the first
    // invocation of each function is a cold start (INIT inside it, no environment being prepared)
    const a = r.attribution!;
    expect(a).toMatchObject({ source: 'access-log', accessLog: 'enable' });
    expect(a.requests).toMatchObject({ unattributed: 0, attributed: a.requests.timed });
    expect(a.requests.timed).toBe(r.connections!.opened + r.metrics.broadcast.count);
    for (const kind of ['connect', 'broadcast'] as const) {
      const split = a[kind]!;
      expect((split.cold?.count ?? 0) + (split.warm?.count ?? 0)).toBe(split.all.count);
      expect(split.cold!.count).toBeGreaterThanOrEqual(1);
      expect(split.tailColdShare).not.toBeNull();
      expect(split.stack!.all.p99).toBeLessThanOrEqual(split.all.p99);
    }
    const route = (kind: string) => a.routes.find((x) => x.kind === kind)!;
    expect(route('connect')).toMatchObject({ route: '$connect', functionName: expect.stringContaining('OnConnectFunction') });
    expect(route('broadcast')).toMatchObject({ route: 'sendmessage', functionName: expect.stringContaining('SendMessageFunction') });
    expect(route('broadcast').initP50Ms).toBeGreaterThan(0);
    expect(a.notes).toContain('deliveries attributed to the invocation that handled their message (first hop only)');
    // and the reports show the figures with their source
    const runDir = join(dir, 'out-sendmessage', readdirSync(join(dir, 'out-sendmessage'))[0]!);
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain('### Cold against warm');
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain(`${stale.gone410} × 410 Gone · time to clean`);
    expect(readFileSync(join(runDir, 'index.html'), 'utf8')).toContain('from the emulator&#39;s gateway: ');
  });
});
