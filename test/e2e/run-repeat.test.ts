import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { runBenchmark } from '../../src/modes/run.ts';

/**
 * `run --repeat`: every measurement against one local target (the real emulator, real shards)
 * finished in a directory of its own through the same finish() as any run (judged, results.json,
 * reports), and the run directory's results the last repeat judged over all of them.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-repeat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (runDir: string) => Results.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));

describe('run --repeat 2', () => {
  it('finishes each repeat like a run, and the run directory judges the last over both', { timeout: 240_000 }, async () => {
    const scenario = join(dir, 'repeat.yaml');
    // four clients in two rooms: what is asserted is the repeats' files and verdicts, not the load
    writeFileSync(scenario, 'name: repeat\nclients: 4\nrooms: 2\nseed: 5\nphases:\n  - connect: { rate: 40 }\n  - join: { rate: 40 }\n  - send: { duration: 2s, rate: 4 }\n');
    const { results, runDir } = await runBenchmark({
      scenario,
      outDir: join(dir, 'out'),
      repeat: 2,
      shards: 1,
      thresholds: ['deliveries.lostShare < 100%'],
      // no INITs ahead (2 for each of the stack's 10 functions by default): repeats are the subject, not cold starts
      stackKnobs: { preparedPerFunction: 0 },
    });

    expect(readdirSync(runDir).sort()).toEqual(['index.html', 'junit.xml', 'repeat-1', 'repeat-2', 'results.json', 'stack.log', 'summary.md']);
    const repeats = ['repeat-1', 'repeat-2'].map((r) => join(runDir, r));
    for (const r of repeats) {
      expect(readdirSync(r).sort()).toEqual(['index.html', 'intervals.ndjson', 'junit.xml', 'results.json', 'summary.md']);
      const own = read(r);
      expect(own.status, own.statusReason).toBe('completed');
      // judged on its own: the run's threshold, no repeats
      expect(own.verdict!.thresholds.map((t) => t.expression)).toEqual(['deliveries.lostShare < 100%']);
      expect(own.verdict!.repeats).toBeUndefined();
      expect(readFileSync(join(r, 'junit.xml'), 'utf8')).toContain(`<property name="verdict" value="${own.verdict!.outcome}"/>`);
    }
    const [first, second] = repeats.map(read);
    expect(first.runId).not.toBe(second.runId);

    // the run directory: the last repeat's measurements, judged over both
    const whole = read(runDir);
    expect(whole.runId).toBe(second.runId);
    expect(whole.verdict!.repeats!.runIds).toEqual([first.runId, second.runId]);
    expect(whole.verdict!.notes).toContain(`values are medians of 2 runs (${first.runId}, ${second.runId})`);
    expect(whole.verdict).toEqual(results.verdict);
  });
});
