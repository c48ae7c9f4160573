import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runOptionsFromFlags } from '../../src/commands/run.ts';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import type { IntervalSink } from '../../src/metrics/measurement/interval-sink.ts';
import { newRunId } from '../../src/metrics/results/run-id.ts';
import { Results, type IntervalRecord } from '../../src/contracts/results-schema.ts';
import { checkRunInput } from '../../src/session/run-input.ts';
import { finish } from '../../src/session/finish.ts';
import { measure } from '../../src/session/measure.ts';
import { parseTargetSpec } from '../../src/contracts/target-spec.ts';
import { resolveTarget } from '../../src/targets/resolve-target.ts';
import type { Target } from '../../src/targets/target.ts';

/**
 * The run core's seams against the real emulator: one resolved local target (started with
 * `--memory`, as the CLI passes it), two measurements against it, each with its own results and
 * no file of its own, then finishing one of them into a run directory.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-core-'));
let target: Target | undefined;
afterAll(async () => {
  await target?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Interval records kept in memory: a test's sink (a run streams them to its intervals.ndjson). */
class MemorySink implements IntervalSink {
  readonly list: IntervalRecord[] = [];
  append(record: IntervalRecord): void {
    this.list.push(record);
  }
  records(): IntervalRecord[] {
    return [...this.list];
  }
}

function diag(r: Results): string {
  return JSON.stringify({ status: r.status, reason: r.statusReason, sends: r.sends, deliveries: r.deliveries, errors: r.errors, warnings: r.harness.warnings });
}

describe('resolve → measure → finish', () => {
  it('measures twice against one local target, each into its own results, writing nothing; the stack\'s functions and --memory reach results and cost', { timeout: 300_000 }, async () => {
    const options = await runOptionsFromFlags('fanout', {
      target: 'local',
      out: dir,
      progress: true,
      // six clients in two rooms: enough for fan-out to several members, few cold starts
      clients: '6',
      rooms: '2',
      duration: '2s',
      rate: '5',
      shards: '1',
      memory: ['fanout-send-message=512'],
      // no INITs ahead (2 for each of the stack's 10 functions by default): not what this test is about
      prepared: '0',
    });
    const { scenario, seed, shards } = checkRunInput(options);
    target = await resolveTarget({ spec: parseTargetSpec('local'), knobs: scenario.target, stackKnobs: options.stackKnobs, logFile: join(dir, 'stack.log') });
    // What the local kind says of itself: its metrics are the emulator's, read by the second with
    // a 5 s margin once its invocations stop (its wait rule: settle), its host's own metrics with them; memory changes go
    // through its Lambda API; no scenario misfits; results record how it was started.
    expect(target.cloudWatch).toMatchObject({ source: 'local', endpoint: target.endpoints.cloudwatch, periodSec: 1, marginSec: 2, wait: expect.objectContaining({ rule: 'settle' }), hostMetrics: true });
    expect(target.lambdaApi).toMatchObject({ endpoint: target.endpoints.lambda, region: target.endpoints.region });
    expect(target.scenarioWarnings(scenario)).toEqual([]);
    expect(target.startedWith.stackArgs).toEqual(['--memory', 'fanout-send-message=512', '--prepared', '0']);
    expect(target.startedWith.stack).toMatchObject({ ready: true, websocketUrl: target.url });
    expect(target.startedWith.stack).not.toHaveProperty('functions');

    const warnings: string[] = [];
    const statuses: string[] = [];
    type SoFar = { status: Results['status']; cloudwatch: boolean; cost: boolean };
    const runs: Array<{ results: Results; sink: MemorySink; sofar: SoFar[]; midRun: Results | undefined }> = [];
    for (let k = 0; k < 2; k++) {
      const sink = new MemorySink();
      const kept: Array<() => Results> = [];
      // the results the process would write, were it to end while the fleet runs and messages flow
      let midRun: Results | undefined;
      const results = await measure(scenario, target, {
        runId: newRunId(`core-${k}`),
        onWarning: (m) => warnings.push(m),
        onStatus: (m) => statuses.push(m),
        seed,
        shards,
        intervals: sink,
        onResults: (soFar) => kept.push(soFar),
        onInterval: () => {
          const soFar = kept.length === 1 ? kept[0]!() : undefined;
          if (midRun === undefined && soFar && soFar.sends.acked > 0) midRun = soFar;
        },
      });
      runs.push({ results, sink, midRun, sofar: kept.slice(1).map((soFar) => soFar()).map((r) => ({ status: r.status, cloudwatch: r.cloudwatch !== undefined, cost: r.cost !== undefined })) });
    }

    // Measuring wrote nothing: the only file is the stack's log, and no run directory appeared.
    expect(readdirSync(dir)).toEqual(['stack.log']);
    for (const { results } of runs) expect(existsSync(join('reports', results.runId))).toBe(false);

    const [first, second] = runs;
    expect(first.results.runId).not.toBe(second.results.runId);
    // CloudWatch counts whole minutes: the second measurement waited for a minute of its own, so
    // its window starts after the first one ended and counts none of the first one's work.
    expect(statuses.filter((s) => /^waiting \d+ s, so CloudWatch's one-minute totals/.test(s)).length).toBeLessThanOrEqual(1);
    expect(second.results.cloudwatch!.window.startMs).toBeGreaterThanOrEqual(Date.parse(first.results.endedAt));
    const overlap = /starts \d+ s before the previous measurement on this target ended/;
    for (const { results } of runs) expect(results.cloudwatch!.notes.some((n) => overlap.test(n))).toBe(false);
    expect(second.results.cloudwatch!.lambda['fanout-send-message']!.invocations).toBe(second.results.sends.acked);
    for (const { results, sink, sofar, midRun } of runs) {
      const d = diag(results);
      expect(results.status, d).toBe('completed');
      expect(results.sends.sent, d).toBeGreaterThan(0);
      expect(results.deliveries.received, d).toBe(results.deliveries.expected);
      expect(results.deliveries.lost, d).toBe(0);
      // the built-in fanout's accounting (its one run here rather than in builtin-scenarios.test.ts):
      // every delivery once, timed in broadcast, every acknowledged send's fan-out timed to its last member
      expect(results.deliveries.expected, d).toBeGreaterThan(0);
      expect(results.deliveries.duplicates, d).toBe(0);
      expect(results.connections!.joined, d).toBeGreaterThan(3);
      expect(results.metrics.broadcast.count, d).toBe(results.deliveries.received);
      expect(results.metrics.fanoutCompletion.count, d).toBe(results.sends.acked);
      // its own fleet: every client of this measurement connected once
      expect(results.connections!.attempted).toBe(6);
      expect(results.intervals).toEqual(sink.list);
      expect(sink.list.length).toBeGreaterThan(0);
      // the results so far: while the fleet ran, what it had measured, valid results an exit writes as
      // they are; then the fleet's before anything was asked of CloudWatch, then with each step's finding
      expect(midRun, 'no interval saw an acknowledged send').toBeDefined();
      expect(Results.safeParse(midRun).success).toBe(true);
      expect(midRun!.status).toBe('interrupted');
      expect(midRun!.statusReason).toMatch(/^the process ended before the scenario finished/);
      expect(midRun!.sends.acked).toBeGreaterThan(0);
      expect(midRun!.sends.acked).toBeLessThanOrEqual(results.sends.acked);
      expect(sofar[0]).toEqual({ status: 'completed', cloudwatch: false, cost: false });
      expect(sofar.length).toBeGreaterThan(1);
      expect(sofar.slice(1).every((s) => s.cloudwatch)).toBe(true);
      expect(results.cloudwatch?.status, JSON.stringify(results.cloudwatch?.problems)).toBe('complete');

      // The target described itself: the emulator's endpoints, its functions from its ready line
      // with their configuration read through its Lambda API.
      const t = results.config.target;
      expect(t.endpoints).toMatchObject({ websocket: t.url, services: 'local', cloudwatch: target.local!.cloudwatchEndpoint, dynamodb: target.local!.dynamodbEndpoint });
      expect(t.endpoints!.lambda).toBe(target.local!.lambdaEndpoint);
      expect(t.functions!.source).toBe('lambda-api');
      const memory = Object.fromEntries(t.functions!.functions.map((f) => [f.name, f.memoryMB]));
      expect(memory['fanout-send-message']).toBe(512);
      expect(memory['fanout-join-room']).toBe(256);
      expect(Results.parse(JSON.parse(JSON.stringify(results))).config.target.functions).toEqual(t.functions);

      // Cost and work per message at the size the stack was given, not the reference default (1,024 MB).
      expect(results.cost!.lines.map((l) => l.item)).toContain('fanout-send-message compute (512 MB, x86_64)');
      expect(results.lambda!.functions['fanout-send-message'].memoryMB).toBe(512);
      // Without REPORT lines or CloudWatch the estimate takes the memory from the target's functions.
      const blind = estimateCost({ ...results, cloudwatch: undefined, dynamodb: undefined });
      expect(blind.lines.find((l) => l.item.startsWith('fanout-send-message compute'))?.item).toBe('fanout-send-message compute (512 MB, x86_64)');
    }

    expect(warnings.filter((w) => !overlap.test(w))).toEqual([]);

    // Finishing puts one measurement's results and reports into a run directory.
    const runDir = join(dir, first.results.runId);
    mkdirSync(runDir);
    const { files, results: judged } = await finish(first.results, runDir);
    expect(files.map((f) => f.slice(runDir.length + 1)).sort()).toEqual(['index.html', 'junit.xml', 'results.json', 'summary.md']);
    const written = Results.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));
    expect(written.runId).toBe(first.results.runId);
    expect(written.config.target.functions).toEqual(first.results.config.target.functions);
    // judged on the way: the verdict (the built-in checks) is stored in results.json with them
    expect(judged.verdict.checks.length).toBeGreaterThan(0);
    expect(written.verdict).toEqual(judged.verdict);
  });
});
