import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LONGEST_RETENTION_MS } from '../../common/cloudwatch-resolution.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore, type SeriesPoint, type SeriesQuery } from '../../emulator/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { repull } from '../../src/modes/repull.ts';
import { readResults } from '../../src/report/run/results-file.ts';

/**
 * `report --repull` of a run 20 days old. AWS keeps 1-minute data for 15 days, 5-minute data for
 * 63: asked at the first pull's period (1 s here, the emulator's), the emulator's CloudWatch
 * answers no data points, as AWS does, and the run would turn "missing". The repull asks at
 * 300 s instead, and gets the run back. The run is a real one (test/fixtures/compare, the
 * `fanout` scenario against the emulator), moved 20 days back; the emulator's CloudWatch server
 * holds what its functions published then (the recorded series, put again at their old times, and
 * a REPORT line per invocation), through the store its gateway and runtime write to.
 */
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'fb-late-repull-'));

/** The emulator's store, noting the periods it was asked for. */
class AskedPeriods extends MetricStore {
  readonly periods = new Set<number>();
  override query(q: SeriesQuery): SeriesPoint[] {
    this.periods.add(q.periodSeconds);
    return super.query(q);
  }
}

let store: AskedPeriods;
let server: CloudWatchServer;
let before: Results;
let runDir: string;
/** how far the recorded run was moved back, ms */
let shift: number;

beforeAll(async () => {
  const recordedFile = join(dir, 'recorded.results.json');
  writeFileSync(recordedFile, gunzipSync(readFileSync(new URL('../fixtures/compare/send-message-256-1.results.json.gz', import.meta.url))));
  const recorded = await readResults(recordedFile);
  const cw = recorded.cloudwatch!;
  shift = Math.round((Date.now() - 20 * DAY - cw.window.startMs) / 1000) * 1000;

  let clock = cw.window.startMs + shift;
  store = new AskedPeriods({ retentionMs: LONGEST_RETENTION_MS, now: () => clock });
  const logs = new LogStore({ now: () => clock });
  clock = cw.window.endMs + shift;
  // counts and maxima put again, one datum per recorded second (a percentile or average is not a datum)
  for (const s of cw.series) {
    if (s.stat !== 'Sum' && s.stat !== 'Maximum') continue;
    s.timestamps.forEach((t, i) => store.put({ namespace: s.namespace, name: s.metric, dimensions: s.dimensions, value: s.values[i], unit: 'Count', timestamp: t + shift + 100 }));
  }
  for (const [table, units] of Object.entries(cw.dynamodb ?? {})) {
    store.put({ namespace: 'AWS/DynamoDB', name: 'ConsumedWriteCapacityUnits', dimensions: { TableName: table }, value: units.writeUnits, unit: 'Count', timestamp: cw.window.startMs + shift + 10_000 });
    store.put({ namespace: 'AWS/DynamoDB', name: 'ConsumedReadCapacityUnits', dimensions: { TableName: table }, value: units.readUnits, unit: 'Count', timestamp: cw.window.startMs + shift + 10_000 });
  }
  const day = new Date(cw.window.startMs + shift).toISOString().slice(0, 10).replaceAll('-', '/');
  for (const s of cw.series.filter((x) => x.namespace === 'AWS/Lambda' && x.metric === 'Invocations')) {
    const fn = s.dimensions.FunctionName;
    s.timestamps.forEach((t, i) => {
      for (let k = 0; k < s.values[i]; k++) {
        logs.append(`/aws/lambda/${fn}`, `${day}/[$LATEST]${fn}`, {
          timestamp: t + shift + 200,
          message: `REPORT RequestId: ${fn}-${t}-${k}\tDuration: 20.00 ms\tBilled Duration: 20 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t`,
        });
      }
    });
  }
  clock = Date.now();
  store.periods.clear();
  server = await startCloudWatchServer({ store, logs, region: cw.region });

  // results.json as the run wrote it 20 days ago, pulled from this endpoint
  const at = (ms: number) => ms + shift;
  const iso = (s: string) => new Date(Date.parse(s) + shift).toISOString();
  before = structuredClone(recorded);
  before.startedAt = iso(before.startedAt);
  before.endedAt = iso(before.endedAt);
  for (const p of before.phases ?? []) p.startedAt = at(p.startedAt);
  for (const r of before.intervals) r.t = at(r.t);
  const bc = before.cloudwatch!;
  bc.window = { ...bc.window, startMs: at(bc.window.startMs), endMs: at(bc.window.endMs) };
  bc.pulledAt = iso(bc.pulledAt);
  bc.endpoint = server.url;
  for (const s of bc.series) s.timestamps = s.timestamps.map(at);
  for (const r of Object.values(bc.reports)) r.coldStartsOverTime.timestamps = r.coldStartsOverTime.timestamps.map(at);
  runDir = join(dir, 'run');
  mkdirSync(runDir);
  writeFileSync(join(runDir, 'results.json'), JSON.stringify(before));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('report --repull of a run 20 days old', () => {
  it('asks for 300 s periods, gets the run back complete, and notes that the series are coarser', async () => {
    const files = await repull(runDir);
    expect(files).toContain(join(runDir, 'results.json'));
    const after = Results.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));
    const cw = after.cloudwatch!;
    const first = before.cloudwatch!;

    // series and totals at 300 s (and multiples of it), never the first pull's 1 s
    expect([...store.periods].every((p) => p % 300 === 0)).toBe(true);
    expect(store.periods.has(300)).toBe(true);
    expect(cw.window.periodSec).toBe(300);
    expect(cw.window.startMs % 300_000).toBe(0);
    expect(cw.window.endMs % 300_000).toBe(0);
    expect(cw.window.startMs).toBeLessThanOrEqual(first.window.startMs);
    expect(cw.window.endMs).toBeGreaterThanOrEqual(first.window.endMs);
    for (const s of cw.series) for (const t of s.timestamps) expect((t - cw.window.startMs) % 300_000).toBe(0);

    // the run's counts, as the first pull had them
    for (const fn of Object.keys(first.lambda)) expect(cw.lambda[fn]?.invocations, fn).toBe(first.lambda[fn].invocations);
    expect(cw.apiGatewayTotals?.connectCount).toBe(first.apiGatewayTotals?.connectCount);
    expect(cw.emf.FanoutDeliveries?.sum).toBe(first.emf.FanoutDeliveries?.sum);
    expect(cw.problems).toEqual([]);
    expect(cw.completeness?.lambda?.status).toBe('complete');
    expect(cw.completeness?.apiGateway?.status).toBe('complete');
    expect(cw.completeness?.emf?.status).toBe('complete');
    expect(cw.completeness?.dynamodb?.status).toBe('complete');
    expect(cw.completeness?.reports?.status).toBe('complete');
    expect(cw.status).toBe('complete');

    expect(cw.notes).toContain(
      'the window starts 20 days ago, and CloudWatch serves data older than 15 days only in periods of 300 s or a multiple: the series and totals were asked at 300 s (not 1 s) over the window widened to whole periods, so they are coarser than first asked',
    );
    expect(cw.notes.some((n) => n.startsWith('pulled again with `fanout-bench report --repull`'))).toBe(true);
    // the reports say so too
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain('CloudWatch serves data older than 15 days only in periods of 300 s');
  });

  it('the first pull\'s 1 s period, asked now, answers nothing: the emulator serves old data as AWS does', () => {
    const fn = Object.keys(before.cloudwatch!.lambda).find((f) => before.cloudwatch!.lambda[f].invocations > 0)!;
    const q = { namespace: 'AWS/Lambda', metricName: 'Invocations', dimensions: { FunctionName: fn }, stat: 'Sum', startTime: before.cloudwatch!.window.startMs, endTime: before.cloudwatch!.window.endMs };
    expect(store.query({ ...q, periodSeconds: 1 })).toEqual([]);
    expect(store.query({ ...q, periodSeconds: 60 })).toEqual([]);
    expect(store.query({ ...q, periodSeconds: 300 }).reduce((n, p) => n + p.value, 0)).toBe(before.cloudwatch!.lambda[fn].invocations);
  });
});
