import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COUNTERS as C, HISTOGRAMS as H } from '../../src/artillery-interop/metric-names.ts';
import { artilleryResults, summaryOf } from '../../src/artillery-interop/output-results.ts';
import { ArtilleryOutput } from '../../src/artillery-interop/output-schema.ts';
import { readArtilleryOutput, readExportedScript } from '../../src/artillery-interop/read-output.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { exitCodeOf } from '../../src/verdict/exit-codes.ts';

// Artillery's --output JSON → fanout-bench's results, from a real run: test/fixtures/artillery
// holds the output of `artillery run --output` of an exported script (two workers, a drop with
// $disconnect lost, so stale connections were cleaned by 410s) against the emulator, and that
// script. The command itself (files, flags, exit codes) is in test/e2e/artillery-commands.test.ts.

const FIXTURES = fileURLToPath(new URL('../fixtures/artillery/', import.meta.url));
const OUTPUT = join(FIXTURES, 'output.json');
const SCRIPT = join(FIXTURES, 'script.yml');

const raw = () => JSON.parse(readFileSync(OUTPUT, 'utf8'));

describe('results from an Artillery run of the fanout engine', () => {
  const output = readArtilleryOutput(OUTPUT);
  const script = readExportedScript(SCRIPT);
  const counters = output.aggregate.counters;
  const results = artilleryResults({ output, outputFile: OUTPUT, script, runId: 'r1' });

  it('carries the delivery ledger, sends, connections and stale cleanup summed over the workers', () => {
    expect(Results.parse(results)).toEqual(results);
    expect(results.status).toBe('completed');
    expect(results.config.shards).toBe(2);
    expect(results.config.artillery).toMatchObject({ workers: 2, plannedWorkers: 2, virtualUsers: { created: 2, completed: 2, failed: 0 } });
    expect(results.config).toMatchObject({ clients: 40, rooms: 4, target: { kind: 'remote', url: script.config.target } });
    expect(results.scenario.name).toBe('artillery-fixture');
    expect(results.deliveries).toMatchObject({
      expected: counters[C.expected],
      received: counters[C.received],
      lost: 0,
      lossTimeoutMs: 30_000,
      graceMs: 2_000,
    });
    expect(results.deliveries.expected).toBe(606);
    expect(results.sends).toEqual({ intended: 70, sent: 70, acked: 70, failed: 0, missedSlots: 1, skipped: 0 });
    expect(results.connections).toEqual({ attempted: 40, opened: 40, failed: 0, missedSlots: 11, joined: 40, joinFailed: 0, openAtEnd: 30 });
    // both workers dropped 5 of their 20 clients; each still saw broadcasts run clean: the slower of the two
    expect(results.stale).toEqual({ dropped: 10, gone410: 10, wastedPosts: 10, timeToCleanMs: output.aggregate.summaries[H.staleTimeToClean].max });
    expect(results.errors).toEqual({});
    expect(results.histograms).toEqual({});
    expect(results.cloudwatch).toBeUndefined();
    expect(results.cost).toBeUndefined();
  });

  it('takes latencies from Artillery\'s summaries, percentiles clipped into the recorded min and max', () => {
    const broadcast = output.aggregate.summaries[H.broadcast];
    expect(results.metrics.broadcast).toMatchObject({ count: broadcast.count, min: broadcast.min, max: broadcast.max, mean: broadcast.mean });
    expect(results.metrics.broadcast.count).toBe(counters[C.received]);
    expect(results.metrics.fanoutCompletion.count).toBe(70);
    for (const s of Object.values(results.metrics)) {
      if (!s) continue;
      for (const p of [s.p50, s.p90, s.p99, s.p999]) {
        expect(p).toBeGreaterThanOrEqual(s.min);
        expect(p).toBeLessThanOrEqual(s.max);
      }
    }
    // in this very run the sketch put a median below the smallest value recorded
    const clean = output.aggregate.summaries[H.staleTimeToClean];
    expect(clean.p50).toBeLessThan(clean.min);
    expect(summaryOf(clean)!.p50).toBe(clean.min);
  });

  it('has one interval per Artillery period, the first from the first metric and the last to the last', () => {
    expect(results.intervals).toHaveLength(output.intermediate.length);
    const sum = (f: (i: (typeof results.intervals)[number]) => number) => results.intervals.reduce((a, i) => a + f(i), 0);
    expect(sum((i) => i.delivered)).toBe(counters[C.arrived]);
    expect(sum((i) => i.sent)).toBe(counters[C.sendsSent]);
    expect(sum((i) => i.connects)).toBe(counters[C.connectsOpened]);
    expect(sum((i) => i.periodMs ?? 0)).toBe(results.durationMs);
    expect(results.intervals[0].t).toBe(Date.parse(results.startedAt));
    expect(results.intervals.at(-1)!.openClients).toBe(0); // every socket closed at the end
    // phases by their names in the script: the last period saw the last phase begin
    expect(results.intervals.at(-1)!.phase).toBe('after');
  });

  it('is judged like a run: built-in checks, the script\'s thresholds and the flags\'', () => {
    const verdict = evaluate(results);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.checks.map((c) => [c.name, c.passed])).toEqual([
      ['run completed', true],
      ['sends went out', true],
      ['no lost deliveries', true],
      ['harness not saturated', true],
      ['no unexpected errors', true],
    ]);
  });

  it('says when a worker failed, and why', () => {
    const o = raw();
    o.aggregate.counters['vusers.failed'] = 1;
    o.aggregate.counters['vusers.completed'] = 1;
    o.aggregate.counters['errors.fanout: none of the 20 connects opened (20 failed)'] = 1;
    o.aggregate.counters['errors.handshake:403'] = 20;
    const r = artilleryResults({ output: ArtilleryOutput.parse(o), outputFile: OUTPUT, script });
    expect(r.status).toBe('failed');
    expect(r.statusReason).toBe('1 of 2 workers failed: none of the 20 connects opened (20 failed)');
    expect(r.errors).toEqual({ 'fanout: none of the 20 connects opened (20 failed)': 1, 'handshake:403': 20 });
    expect(exitCodeOf(evaluate(r))).toBe(1);
  });

  it('says when fewer workers ran than the script was planned for', () => {
    const o = raw();
    o.aggregate.counters[C.workers] = 1;
    const r = artilleryResults({ output: ArtilleryOutput.parse(o), outputFile: OUTPUT, script });
    expect(r.harness.warnings).toContain('the script was planned for 2 workers and 1 ran: this run carried 1/2 of the scenario\'s load');
  });

  it('without the script: the counts, with the scenario and its target unknown', () => {
    const r = artilleryResults({ output, outputFile: OUTPUT });
    expect(r.scenario).toEqual({ name: 'artillery', definition: {} });
    expect(r.config.target.url).toBe('unknown (no --script)');
    expect(r.deliveries.received).toBe(606);
    expect(r.deliveries.lossTimeoutMs).toBeUndefined();
    expect(r.intervals.at(-1)!.phase).toBe('phase 4');
  });
});
