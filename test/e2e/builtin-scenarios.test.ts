import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { runBenchmark } from '../../src/modes/run.ts';

/**
 * Every built-in scenario, briefly, against the real emulator through the local target (the
 * harness starts the stack program on a free port with the scenario's knobs and stops it). Small
 * client counts: the machine is slow and shared, so no timing is asserted, only accounting.
 */
const out = mkdtempSync(join(tmpdir(), 'fb-e2e-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const TIMEOUT = 180_000;
/**
 * No environments initialised ahead (`--prepared 0`): these tests count deliveries, not cold
 * starts, and a stack then starts without INITs for functions the scenario never calls. The
 * cold-start scenario keeps the default: its claim is about which environments serve the burst.
 */
const NONE_PREPARED = { preparedPerFunction: 0 };

/** What to look at when an assertion fails on a loaded machine. */
function diag(r: Results): string {
  return JSON.stringify({ status: r.status, reason: r.statusReason, connections: r.connections, sends: r.sends, deliveries: r.deliveries, stale: r.stale, errors: r.errors });
}

function expectAllDelivered(r: Results): void {
  const d = diag(r);
  expect(r.status, d).toBe('completed');
  expect(r.sends.sent, d).toBeGreaterThan(0);
  expect(r.deliveries.expected, d).toBeGreaterThan(0);
  expect(r.deliveries.received, d).toBe(r.deliveries.expected);
  expect(r.deliveries.lost, d).toBe(0);
  expect(r.deliveries.duplicates, d).toBe(0);
}

function writtenResults(runDir: string): Results {
  return Results.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));
}

describe('built-in scenarios against the local emulator', () => {
  it('connect-storm: every client opens, connect latency measured', { timeout: TIMEOUT }, async () => {
    const { results, runDir } = await runBenchmark({ scenario: 'connect-storm', clients: 60, rooms: 6, outDir: out, shards: 2, stackKnobs: NONE_PREPARED });
    expect(results.status).toBe('completed');
    expect(results.config.target.kind).toBe('local');
    expect(results.config.target.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\//);
    // Every attempt is accounted for: opened, or failed with its kind counted in errors. (On a
    // loaded machine the emulator's $connect can outlast the handshake timeout: that is data.)
    const c = results.connections!;
    expect(c.attempted).toBe(60);
    expect(c.opened + c.failed).toBe(60);
    expect(c.opened).toBeGreaterThan(30);
    const connectErrors = Object.entries(results.errors)
      .filter(([kind]) => /^(handshake:|connect:|close:|timeout:connect$)/.test(kind))
      .reduce((a, [, n]) => a + n, 0);
    expect(connectErrors, JSON.stringify(results.errors)).toBe(c.failed);
    expect(results.metrics.connect.count).toBe(c.opened);
    expect(results.metrics.connect.p50).toBeGreaterThan(0);
    expect(writtenResults(runDir).runId).toBe(results.runId);
  });

  it('fanout: with nothing dropped every expected delivery arrives', { timeout: TIMEOUT }, async () => {
    const { results } = await runBenchmark({ scenario: 'fanout', clients: 40, rooms: 4, durationMs: 3_000, rate: 10, outDir: out, stackKnobs: NONE_PREPARED });
    expectAllDelivered(results);
    expect(results.connections!.joined).toBeGreaterThan(20);
    expect(results.metrics.broadcast.count).toBe(results.deliveries.received);
    expect(results.metrics.fanoutCompletion.count).toBe(results.sends.acked);
  });

  it('cold-start: deliveries after the idle period come from cold environments', { timeout: TIMEOUT }, async () => {
    const { results } = await runBenchmark({ scenario: 'cold-start', clients: 30, rooms: 3, outDir: out });
    expectAllDelivered(results);
    expect(results.config.stackArgs).toEqual(['--idle-reap-seconds', '3']);
    // deliveries received after the idle period (the burst, and the drain that follows it)
    const afterIdle = results.intervals.filter((i) => i.phase === 'burst' || i.phase === 'drain');
    expect(afterIdle.reduce((a, i) => a + (i.deliveredCold ?? 0), 0)).toBeGreaterThan(0);
    expect(results.metrics.broadcastCold!.count).toBeGreaterThan(0);
    expect(results.metrics.broadcastWarm!.count).toBeGreaterThan(0);
  });

  it('stale-cleanup: dropped clients with lost $disconnects cause 410s until cleaned up', { timeout: TIMEOUT }, async () => {
    const { results } = await runBenchmark({ scenario: 'stale-cleanup', clients: 40, rooms: 4, outDir: out, stackKnobs: NONE_PREPARED });
    expectAllDelivered(results);
    expect(results.config.stackArgs).toEqual(['--lost-disconnect-share', '1', '--prepared', '0']);
    const stale = results.stale!;
    const d = diag(results);
    expect(stale.dropped, d).toBe(8);
    expect(stale.gone410, d).toBeGreaterThan(0);
    expect(stale.timeToCleanMs, d).not.toBeNull();
    expect(stale.wastedPosts, d).toBeGreaterThan(0);
    expect(results.phases!.find((p) => p.name === 'before')!.gone410, d).toBe(0);
  });
});
