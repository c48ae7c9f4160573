import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare, expectHarnessNamed, readComparison } from './compare-sweep-helpers.ts';
import { scenarioFiles } from './scenario-files.ts';

/**
 * `fanout-bench compare` sweeping payload and stack variants against the local emulator, as a
 * user runs it: each point on a stack of its own (no minute of waiting between them), one
 * comparison written. Kept small for CI: short send phases, one repeat, no warm-up, two payload
 * points, no prepared environments (what is asserted holds whatever the cold starts cost). The
 * room-size sweep, drawn in Chromium, is compare-room-size-cli.test.ts.
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
 * 4 clients in one room, 1 s of sends at 2 messages/s: the variants sweep's scenario. What it
 * asserts is each stack's own memory size and the rule of the pick, neither of which needs a
 * load: fewer clients and sends boot and invoke fewer environments on each variant's stack.
 */
const TINY = `clients: 4
rooms: 1
seed: 7
phases:
  - connect: { rate: 100, maxInFlight: 1 }
  - join: { rate: 100, maxInFlight: 1 }
  - send: { duration: 1s, rate: 2 }
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

  it('--targets with a variants file: two local stacks side by side, the cheaper one that met the SLO picked', { timeout: 120_000 }, async () => {
    const file = scenario('two-stacks', `name: two-stacks\n${TINY}`);
    const variants = join(dir, 'variants.yaml');
    writeFileSync(
      variants,
      `variants:
  - { name: small, target: local, knobs: { memory: { fanout-send-message: 512 }, preparedPerFunction: 0 } }
  - { name: large, target: local, knobs: { memory: { fanout-send-message: 2048 }, preparedPerFunction: 0 } }
`,
    );
    const out = join(dir, 'targets');
    const r = await compare([file, '--targets', variants, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { c, at } = readComparison(out);
    expect(c.parameter).toBe('targets');
    expect(c.points.map((p) => [p.label, p.setting.target, p.setting.knobs])).toEqual([
      ['small', 'local', { memory: { 'fanout-send-message': 512 }, preparedPerFunction: 0 }],
      ['large', 'local', { memory: { 'fanout-send-message': 2048 }, preparedPerFunction: 0 }],
    ]);
    // each variant ran on its own stack, with its own memory
    for (const [k, mb] of [[1, 512], [2, 2048]] as const) {
      const p = c.points[k - 1]!;
      const run = JSON.parse(readFileSync(join(at, p.runs[0]!.dir!, 'results.json'), 'utf8'));
      expect(run.lambda.functions['fanout-send-message'].memoryMB).toBe(mb);
    }
    expectHarnessNamed(c);
    const met = c.points.filter((p) => p.slo?.met && p.metrics.totalCostPerMillionDeliveries);
    const cheapest = met.sort((a, b) => a.metrics.totalCostPerMillionDeliveries!.median - b.metrics.totalCostPerMillionDeliveries!.median)[0];
    if (cheapest && !c.recommendation.reason.includes('tie')) expect(c.recommendation.pick?.label).toBe(cheapest.label);
    expect(r.stdout).toContain('cheapest variant within the SLO:');
  });

  it('refuses a second sweep flag, a flag of another sweep and a room larger than the clients in one line, exit 2', async () => {
    // one process per place the CLI refuses (its flags, then the points of the loaded scenario);
    // the value lists' own lines (--payload 64,200000, --targets local) are numberList's and
    // parseVariants' (test/harness/sweep-points.test.ts, test/harness/compare-variants.test.ts)
    const lines = [
      [['fanout', '--room-size', '10,50', '--payload', '64,128'], 'fanout-bench: compare: give exactly one of --memory, --room-size, --payload or --targets (got --room-size and --payload)'],
      [['fanout', '--room-size', '10,5000'], 'fanout-bench: --room-size: rooms of 5,000 members need at least 5,000 clients; built-in scenario fanout has 200 (raise --clients)'],
      [['fanout', '--payload', '64,128', '--hold-constant', 'clients'], 'fanout-bench: --hold-constant: applies to --room-size only'],
    ] as const;
    for (const [args, line] of lines) {
      const r = await compare([...args, '--out', join(dir, 'bad')]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(line);
    }
  });
});
