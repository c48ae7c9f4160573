import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare, expectHarnessNamed, readComparison } from './compare-sweep-helpers.ts';
import { scenarioFiles } from './scenario-files.ts';

/**
 * `fanout-bench compare` sweeping payload and stack variants against the local emulator, as a
 * user runs it: each point on a stack of its own (no minute of waiting between them), one
 * comparison written. Kept small for CI: short send phases, one repeat, no warm-up, two payload
 * points, no prepared environments (what is asserted holds whatever the cold starts cost); the
 * reference stack's direct and queued server push at two room sizes (a grid: the targets code path
 * at each size). The room-size sweep, drawn in Chromium, is compare-room-size-cli.test.ts.
 */
const { dir, scenario } = scenarioFiles('fb-sweep-');

/**
 * 5 clients in one room, 2 s of sends at 4 messages/s: the payload sweep's scenario.
 * Connects and joins one at a time: each function boots one environment per stack. One room
 * keeps the posts most of API Gateway's messages (what the payload test weighs: in 2 rooms of 5
 * the joins' share took the larger payload's cost to 1.498 times the smaller's). In one room of 5
 * the 8 messages' 40 posts are 40 of the 68 messages billed at 32,000 B and 80 of the 108 at
 * 32,600 B (the rest, the joins and replies, are one unit either way): 1.59 times, a count that
 * holds whatever the host's load, as every delivery arrived (10 clients gave 1.68, for 30 % more CPU).
 */
const SMALL = `clients: 5
rooms: 1
seed: 7
phases:
  - connect: { rate: 100, maxInFlight: 1 }
  - join: { rate: 100, maxInFlight: 1 }
  - send: { duration: 2s, rate: 4 }
`;

/**
 * 4 clients in one room, 1 s of server pushes at 2 a second through the reference stack's bus: the
 * variants grid's scenario (rooms of 2 and 4), the direct push against the queued one. What it
 * asserts is each stack's own path and room size and the rule of the pick, none of which needs a
 * load: fewer clients and pushes boot and invoke fewer environments on each variant's stack. The
 * push functions have no prepared environment (a push's first invocation is cold, as on AWS): a
 * loss timeout no cold start on a busy host reaches.
 */
const TINY_PUSH = `clients: 4
rooms: 1
seed: 7
timeouts: { loss: 15s, grace: 1s }
phases:
  - connect: { rate: 100, maxInFlight: 1 }
  - join: { rate: 100, maxInFlight: 1 }
  - publish: { name: push, via: eventbridge, to: PushBus, rate: 2, duration: 1s, recipients: { room: 0 }, payload: { source: fanout-bench.push, detailType: push, detail: { room: "{{room}}", payload: "{{probe}}" } } }
`;

describe('fanout-bench compare sweeps', () => {
  it('--payload 32000,32600: the second crosses a 32 KB message unit, and API Gateway bills each post twice', { timeout: 120_000 }, async () => {
    const file = scenario('payload', `name: payload\n${SMALL}`);
    const out = join(dir, 'payload');
    const r = await compare([file, '--payload', '32600,32000', '--prepared', '0', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { c, at } = readComparison(out);
    expect(c.points.map((p) => [p.label, p.setting.payloadBytes])).toEqual([
      ['32,000 B', 32_000],
      ['32,600 B', 32_600],
    ]);
    const [small, large] = c.points;
    // both are within the stack's 32,768-byte limit: every delivery arrived
    for (const p of c.points) expect(p.metrics.deliveriesLost!.median).toBe(0);
    // a post of 32,000 bytes + its envelope is one 32 KB unit, of 32,600 + envelope two: API
    // Gateway's part per delivery nearly doubles; the bytes themselves cost nothing more, as AWS
    // charges no data transfer out on WebSocket APIs
    expect(large!.costs.apiGateway!.median).toBeGreaterThan(small!.costs.apiGateway!.median * 1.5);
    expect(c.points.map((p) => p.costs.dataTransfer)).toEqual([null, null]);
    expect(readFileSync(join(at, 'summary.md'), 'utf8')).not.toContain('data out');
    expectHarnessNamed(c);
    // the largest payload that met the SLO (on a busy host the harness may miss one: the rule holds either way)
    const met = c.points.filter((p) => p.slo?.met);
    expect(c.recommendation.pick?.label ?? null).toBe(met.at(-1)?.label ?? null);
    expect(r.stdout).toContain('largest payload within the SLO:');
  });

  it("--targets with a variants file and --room-size: the reference stack's direct and queued server push side by side at each room size (a grid), the cheaper one that met the SLO picked at each", { timeout: 180_000 }, async () => {
    const file = scenario('push-paths', `name: push-paths\n${TINY_PUSH}`);
    const variants = join(dir, 'variants.yaml');
    writeFileSync(
      variants,
      `variants:
  - { name: direct, target: local, knobs: { pushFanout: direct, preparedPerFunction: 0 } }
  - { name: queued, target: local, knobs: { pushFanout: queued, preparedPerFunction: 0 } }
`,
    );
    const out = join(dir, 'targets');
    const r = await compare([file, '--targets', variants, '--room-size', '4,2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { c, at } = readComparison(out);
    expect(c.parameter).toBe('targets');
    // the cells: room sizes ascending, the variants in the order given, each at its own load (the deliveries held: a push to a room divided like a send)
    expect(c.points.map((p) => [p.label, p.variant, p.setting.membersPerRoom, p.setting.messagesPerSecond, p.setting.knobs])).toEqual([
      ['direct · 2 members', 'direct', 2, 4, { pushFanout: 'direct', preparedPerFunction: 0 }],
      ['queued · 2 members', 'queued', 2, 4, { pushFanout: 'queued', preparedPerFunction: 0 }],
      ['direct · 4 members', 'direct', 4, 2, { pushFanout: 'direct', preparedPerFunction: 0 }],
      ['queued · 4 members', 'queued', 4, 2, { pushFanout: 'queued', preparedPerFunction: 0 }],
    ]);
    // each variant ran on a stack of its own at each size, in rooms of that size, every push reaching its room
    // through its own path: the queued one through the push queue and its posting workers, the direct one without
    const stackLogs = new Set<string>();
    for (const p of c.points) {
      const run = JSON.parse(readFileSync(join(at, p.runs[0]!.dir!, 'results.json'), 'utf8'));
      expect(run.scenario.definition.rooms).toBe(4 / p.setting.membersPerRoom);
      expect(run.publish[0].deliveries, p.label).toMatchObject({ lost: 0 });
      expect(run.publish[0].deliveries.received, p.label).toBe(run.publish[0].calls.acked * p.setting.membersPerRoom!);
      const hops: string[] = (run.hopLatency?.hops ?? []).map((h: { hop: string }) => h.hop);
      if (p.variant === 'queued') expect(hops, p.label).toEqual(expect.arrayContaining(['events:fanout-push', 'lambda:fanout-push-fanout', 'sqs:fanout-push-queue', 'lambda:fanout-push-worker', '@connections']));
      else expect(hops, p.label).toEqual(['events:fanout-push', 'lambda:fanout-push', '@connections']);
      stackLogs.add(`${p.runs[0]!.dir!.replace(/-1$/, '')}-stack.log`);
    }
    for (const log of stackLogs) expect(readFileSync(join(at, log), 'utf8').length, log).toBeGreaterThan(0);
    expect(stackLogs.size).toBe(4);
    expectHarnessNamed(c);
    // at each size the cheapest that met the SLO (a tie within 1 % to the faster), and the grid's sentence over them
    expect(c.grid!.roomSizes).toEqual([2, 4]);
    for (const s of c.grid!.bySize) {
      const cells = c.points.filter((p) => p.setting.membersPerRoom === s.roomSize && p.slo?.met && p.metrics.totalCostPerMillionDeliveries);
      const cheapest = cells.sort((a, b) => a.metrics.totalCostPerMillionDeliveries!.median - b.metrics.totalCostPerMillionDeliveries!.median)[0];
      if (!s.recommendation.reason.includes('tie')) expect(s.recommendation.pick?.label ?? null).toBe(cheapest?.label ?? null);
    }
    expect(c.recommendation.reason).toBe(c.grid!.line);
    expect(r.stdout).toContain('by room size ($ per 1M deliveries');
    expect(r.stdout).toContain(`cheapest variant within the SLO, by room size: ${c.recommendation.pick?.label ?? 'none'} — ${c.grid!.line}`);
    expect(readFileSync(join(at, 'summary.md'), 'utf8')).toContain('### By room size');
  });

  it('refuses a second sweep flag, a flag of another sweep and a room larger than the clients in one line, exit 2', async () => {
    // one process per place the CLI refuses (its flags, then the points of the loaded scenario);
    // the value lists' own lines (--payload 64,200000, --targets local) are numberList's and
    // parseVariants' (test/modes/sweep-points.test.ts, test/modes/compare-variants.test.ts)
    const lines = [
      [['fanout', '--room-size', '10,50', '--payload', '64,128'], 'fanout-bench: compare: give exactly one of --memory, --room-size, --payload, --provisioned, --snapstart or --targets, or --targets with --room-size (got --room-size and --payload)'],
      // the one pair a comparison takes is --targets with --room-size (a grid): --targets with another is refused
      [['fanout', '--targets', 'local,local', '--payload', '64,128'], 'fanout-bench: compare: give exactly one of --memory, --room-size, --payload, --provisioned, --snapstart or --targets, or --targets with --room-size (got --payload and --targets)'],
      [['fanout', '--room-size', '10,5000'], 'fanout-bench: --room-size: rooms of 5,000 members need at least 5,000 clients; built-in scenario fanout has 200 (raise --clients)'],
      [['fanout', '--payload', '64,128', '--hold-constant', 'clients'], 'fanout-bench: --hold-constant: applies to --room-size only'],
      [['fanout', '--payload', '64,128', '--function', 'x'], 'fanout-bench: --function: applies to --memory, --provisioned and --snapstart only'],
      [['fanout', '--provisioned', '0,2', '--function', 'a,b'], "fanout-bench: --function: --provisioned compares one function's provisioned concurrency, got 2 (a, b)"],
      [['fanout', '--provisioned', '0,2', '--warm-up', '3s'], 'fanout-bench: --warm-up: --provisioned measures without a warm-up (the cold starts are what it compares): give 0 or leave it out'],
      [['fanout', '--provisioned', '0,-1'], 'fanout-bench: --provisioned: each value must be a whole number from 0 to 10,000 environments, got "-1" in "0,-1"'],
    ] as const;
    for (const [args, line] of lines) {
      const r = await compare([...args, '--out', join(dir, 'bad')]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(line);
    }
  });
});
