import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { runBenchmark } from '../../src/modes/run.ts';

/**
 * The built-in scenarios against the real emulator through the local target (the harness starts
 * the stack program on a free port with the scenario's knobs and stops it). Here connect-storm;
 * the others are each measured by a run that asserts the same of them, on a stack of its own:
 * fanout twice in run-core.test.ts; the cold-start burst after idling past the reap time and the
 * stale-cleanup drop with lost $disconnects in default-run.test.ts (the default scenario is those
 * phases on one fleet, with both scenarios' knobs), their definitions in
 * test/scenarios/builtin-scenario-shapes.test.ts. Small client counts: the machine is slow
 * and shared, so no timing is asserted, only accounting.
 */
const out = mkdtempSync(join(tmpdir(), 'fb-e2e-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const TIMEOUT = 180_000;
/** No environments initialised ahead (`--prepared 0`): this test counts connects, not cold starts, and the stack then starts without INITs for functions the scenario never calls. */
const NONE_PREPARED = { preparedPerFunction: 0 };

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
});
