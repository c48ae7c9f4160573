import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Trend } from '../../src/analyses/trend/trend-schema.ts';
import { expectOneLine, runCli } from './cli.ts';
import { startStack, stopStacks } from './stack-up.ts';

/**
 * `fanout-bench trend` through the real CLI. Eight real runs against the emulator, the last four
 * with the emulator's `addedLatencyMs` fault on fanout-send-message (the same emulator config a
 * scenario's `target: { config: file }` gives a local run), each run as the nightly's CI would
 * record it (its own GITHUB_SHA): the trend names a change point at the fault's first run, with
 * the commits between. To keep it short the emulator is started once per half, on one port, and
 * the runs reach it by URL (a run with a local target starts a stack of its own, twice as long),
 * each half after a warm-up run that is not kept.
 * Also: an unreadable or foreign file is one line naming it and is skipped; nothing readable
 * left is exit 2.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-trend-'));
afterAll(() => {
  stopStacks();
  rmSync(dir, { recursive: true, force: true });
});

const RUNS = 8;
const FAULT_FROM = 4;
const sha = (i: number) => `${String(i + 1).repeat(8)}${'0'.repeat(32)}`;
// 2 clients in one room, connects and joins one at a time: the warm-up's few environments serve
// every kept run, and each run's closing $disconnects boot few more (the signal is the 1 s the
// fault adds to every message, not a load: ten runs of the least a message to a room needs)
const SCENARIO = `name: trend-e2e
clients: 2
rooms: 1
seed: 3
phases:
  - connect: { rate: 40, maxInFlight: 1 }
  - join: { rate: 40, maxInFlight: 1 }
  - send: { duration: 2s, rate: 3 }
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('fanout-bench trend: bad input', () => {
  it('skips an unreadable or foreign file with one line naming it; nothing readable left is exit 2', async () => {
    const garbage = join(dir, 'garbage.json');
    const foreign = join(dir, 'package.json');
    writeFileSync(garbage, '{ not json');
    writeFileSync(foreign, JSON.stringify({ name: 'something else', version: '1.0.0' }));
    const r = await runCli(['trend', garbage, foreign, join(dir, 'nope'), '--out', join(dir, 'bad-trend')]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(`fanout-bench: ${join(dir, 'nope')}: no such file or directory: skipped`);
    expect(lines[1]).toMatch(new RegExp(`^fanout-bench: ${garbage}: not valid JSON .*: skipped$`));
    expect(lines[2]).toMatch(new RegExp(`^fanout-bench: ${foreign}: schemaVersion: .*: skipped$`));
    expect(lines[3]).toBe(`fanout-bench: trend: nothing readable as results in ${garbage}, ${foreign}, ${join(dir, 'nope')}`);
    expect(r.stdout).toBe('');
  });

  it('refuses an unknown --metric in one line', async () => {
    expectOneLine(await runCli(['trend', dir, '--metric', 'broadcast.p77']), /^fanout-bench: --metric broadcast\.p77: unknown metric "broadcast\.p77": /);
  });
});

describe('fanout-bench trend over real emulator runs with a fault from half-way', () => {
  const runs = join(dir, 'runs');
  let trend: Trend;
  let out: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    mkdirSync(runs);
    writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
    writeFileSync(join(dir, 'healthy.yaml'), 'functions: {}\n');
    writeFileSync(join(dir, 'slow.yaml'), 'functions:\n  fanout-send-message: { addedLatencyMs: 1000 }\n');
    const port = await freePort();
    for (const [from, to, config] of [[0, FAULT_FROM, 'healthy.yaml'], [FAULT_FROM, RUNS, 'slow.yaml']] as const) {
      // no prepared environments: the warm-up run starts the ones the kept runs use
      const stack = await startStack(['--port', String(port), '--config', join(dir, config), '--prepared', '0']);
      try {
        // a stack's first run meets environments still starting (a second or more on a busy
        // host): a warm-up run, not kept, so that every kept run meets the stack as the others do
        const warm = await runCli(['run', join(dir, 'scenario.yaml'), '--target', stack.ready.websocketUrl, '--out', join(dir, 'warm-up'), '--duration', '1s', '--no-progress'], { timeoutMs: 90_000 });
        expect(warm.code === 0 || warm.code === 99, `warm-up: exit ${warm.code}: ${warm.stderr}`).toBe(true);
        for (let i = from; i < to; i++) {
          const env = { ...process.env, GITHUB_ACTIONS: 'true', GITHUB_SHA: sha(i), GITHUB_REF_NAME: 'main' };
          const r = await runCli(['run', join(dir, 'scenario.yaml'), '--target', stack.ready.websocketUrl, '--out', runs, '--no-progress'], { env, timeoutMs: 90_000 });
          expect(r.code === 0 || r.code === 99, `run ${i}: exit ${r.code}: ${r.stderr}`).toBe(true);
        }
      } finally {
        await stack.stop();
      }
    }
    const baseline = join(runs, readdirSync(runs).sort()[0]!, 'results.json');
    out = await runCli(['trend', runs, '--out', join(dir, 'trend'), '--baseline', baseline, '--metric', 'broadcast.p50', '--metric', 'broadcast.p99', '--metric', 'fanoutCompletion.p50', '--metric', 'deliveries.lost']);
    trend = Trend.parse(JSON.parse(readFileSync(join(dir, 'trend', 'trend.json'), 'utf8')));
  }, 240_000);

  it('names a change point at the first run with the fault, with the commits between, and no other', () => {
    expect(out.code, out.stderr).toBe(0);
    expect(trend.runs.map((r) => r.commit)).toEqual(Array.from({ length: RUNS }, (_, i) => sha(i)));
    const p50 = trend.changePoints.filter((c) => c.metric === 'broadcast.p50');
    expect(p50, JSON.stringify(trend.metrics[0]!.values)).toEqual([
      expect.objectContaining({ method: 'e-divisive', index: FAULT_FROM, lastBeforeCommit: sha(FAULT_FROM - 1), commit: sha(FAULT_FROM) }),
    ]);
    expect(p50[0]!.after.median - p50[0]!.before.median).toBeGreaterThan(800);
    expect(trend.changePoints.every((c) => c.index === FAULT_FROM), JSON.stringify(trend.changePoints)).toBe(true);
    // the runs agree on what they share: one scenario, one target (one port), one machine
    expect(trend.setApart).toEqual([]);
    expect(trend.group.target).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/local$/);
    expect(trend.metrics.find((m) => m.name === 'broadcast.p50')!.baseline).toBe(trend.metrics[0]!.values[0]);
  });

  it('prints the files and the change points, and writes a summary with the change point first', () => {
    expect(out.stdout).toContain('index.html');
    expect(out.stdout).toMatch(new RegExp(`broadcast\\.p50 at .*: .* → .* \\(${sha(FAULT_FROM - 1).slice(0, 12)}\\.\\.${sha(FAULT_FROM).slice(0, 12)}\\)`));
    const summary = readFileSync(join(dir, 'trend', 'summary.md'), 'utf8');
    expect(summary.split('\n')[0]).toMatch(/^## fanout-bench trend: trend-e2e — \d+ change points?$/);
    expect(summary).toContain(`\`${sha(FAULT_FROM - 1).slice(0, 12)}..${sha(FAULT_FROM).slice(0, 12)}\``);
  });
});
