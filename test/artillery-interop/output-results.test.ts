import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { COUNTERS as C, HISTOGRAMS as H } from '../../src/artillery-interop/metric-names.ts';
import { exportArtilleryScript } from '../../src/artillery-interop/export-script.ts';
import { artilleryNotes, artilleryResults, summaryOf } from '../../src/artillery-interop/output-results.ts';
import { ArtilleryOutput } from '../../src/artillery-interop/output-schema.ts';
import { readArtilleryOutput, readExportedScript } from '../../src/artillery-interop/read-output.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { consoleSummary } from '../../src/report/run/console.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import type { JudgedResults } from '../../src/verdict/judged.ts';
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

describe('the protocol the workers spoke, in the report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-artillery-protocol-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const output = readArtilleryOutput(OUTPUT);

  /** The script `artillery export` writes for a scenario speaking `protocol`, read back as `report --artillery --script` reads it. */
  function exportedWith(protocol: string) {
    const scenario = join(dir, `${protocol}.yaml`);
    // sendmessage's membership all: one room, so one worker; chat-v1 joins its rooms
    const [rooms, join_] = protocol === 'sendmessage' ? [1, ''] : [4, '  - join: { rate: 50 }\n'];
    writeFileSync(scenario, `name: mine\nclients: 40\nrooms: ${rooms}\nprotocol: ${protocol}\nphases:\n  - connect: { rate: 50 }\n${join_}  - send: { duration: 2s, rate: 4 }\n  - drop: { share: 0.25 }\n  - send: { duration: 2s, rate: 4 }\n`);
    const file = join(dir, `${protocol}.yml`);
    writeFileSync(file, exportArtilleryScript(loadScenario(scenario), { workers: 1, targetUrl: 'ws://127.0.0.1:9/local', tokenIn: 'header', seed: 5 }).text);
    return readExportedScript(file);
  }

  it('names it, with its membership and acks, and what it cannot show, as a run\'s report does: no silent 410s', () => {
    const script = exportedWith('sendmessage');
    const r = artilleryResults({ output, outputFile: OUTPUT, script });
    expect(Results.parse(r)).toEqual(r);
    expect(r.protocol).toMatchObject({ name: 'sendmessage', kind: 'described', membership: 'all', recipients: 'room', sendAcks: false });
    expect(Object.keys(r.protocol!.notObservable)).toEqual(
      expect.arrayContaining(['metrics.connectCold', 'sends.acked', 'deliveries.underreported', 'stale.gone410', 'stale.timeToCleanMs', 'stale.wastedPosts']),
    );
    expect(r.protocol!.notObservable['stale.gone410']).toMatch(/^not observable with protocol sendmessage: /);
    r.verdict = evaluate(r, { notes: artilleryNotes(r, { outputFile: OUTPUT, script }) });
    const md = renderSummaryMarkdown(r as JudgedResults);
    expect(md).toContain('Protocol: sendmessage (described, membership all, no acks).');
    expect(md).toMatch(/`stale\.gone410`: not observable with protocol sendmessage/);
    expect(md).toContain('410s and time to clean not observable');
    expect(consoleSummary(r, 'results.json')).toMatch(/\n {2}protocol {5}sendmessage \(described, membership all, no acks\)\n/);
    expect(consoleSummary(r, 'results.json')).toMatch(/\n {2}stale {8}dropped 10 {2}410s, time to clean, wasted posts: not observable/);
    expect(renderHtml(r as JudgedResults)).toContain('sendmessage (described, membership all, no acks)');
  });

  it('chat-v1 shows everything: no protocol section, as in a run\'s results', () => {
    expect(artilleryResults({ output, outputFile: OUTPUT, script: exportedWith('chat-v1') }).protocol).toBeUndefined();
    expect(artilleryResults({ output, outputFile: OUTPUT, script: readExportedScript(SCRIPT) }).protocol).toBeUndefined();
  });
});
