import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { EXIT } from '../../common/exit-codes.ts';
import { exitCodeOf } from '../../src/verdict/exit-codes.ts';
import { catalogueMetrics, lookupMetric, type Metric } from '../../src/contracts/metric-catalogue.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { Verdict } from '../../src/contracts/verdict-schema.ts';
import { buildResults } from '../report/fixtures.ts';

// Evaluation on the report fixture: a 2-minute run with real HDR histograms and a CloudWatch
// pull, derived (work per message, cost) by the same code a run uses.

const t = (...expressions: string[]) => expressions.map((e) => parseThreshold(e, '--threshold'));

function metric(name: string): Metric {
  const m = lookupMetric(name);
  if ('problem' in m) throw new Error(m.problem);
  return m;
}

/** The fixture made clean: nothing lost, no errors, so only thresholds decide. */
function clean(): Results {
  const r = buildResults();
  r.deliveries = { ...r.deliveries, expected: r.deliveries.received, lost: 0 };
  r.errors = {};
  return Results.parse(r);
}

describe('the metric catalogue reads results.json', () => {
  const r = buildResults();

  it('reads latencies, counts, work per message and costs from where the results keep them', () => {
    const read = (name: string) => metric(name).read(r);
    expect(read('broadcast.p99')).toEqual({ value: r.metrics.broadcast.p99 });
    expect(read('broadcastCold.count')).toEqual({ value: r.metrics.broadcastCold!.count });
    expect(read('deliveries.lost')).toEqual({ value: 12 });
    expect(read('deliveries.lostShare')).toEqual({ value: (12 / r.deliveries.expected) * 100 });
    expect(read('errors.total')).toEqual({ value: 23 });
    expect(read('errors["frame:Internal server error"]')).toEqual({ value: 18 });
    // an error kind that never happened counted nothing
    expect(read('errors["frame:Forbidden"]')).toEqual({ value: 0 });
    expect(read('dynamodb.readUnitsPerMessage')).toEqual({ value: r.dynamodb!.readUnitsPerMessage });
    expect(read('dynamodb.requests.Query')).toEqual({ value: 4050 });
    expect(read('dynamodb.requests.Scan')).toEqual({ value: 0 });
    expect(read('lambda.fanout-send-message.invocations')).toEqual({ value: 2100 });
    expect(read('lambda.fanout-send-message.invocationsPerMessage')).toEqual({ value: 2100 / r.sends.sent });
    expect(read('lambda.fanout-send-message.durationP99')).toEqual({ value: r.cloudwatch!.reports['fanout-send-message'].duration!.p99 });
    expect(read('lambda.fanout-send-message.initP99')).toEqual({ value: r.cloudwatch!.reports['fanout-send-message'].initDuration!.p99 });
    expect(read('lambda.fanout-send-message.coldStartShare')).toEqual({ value: (8 / 2100) * 100 });
    expect(read('lambda.fanout-send-message.memoryMB')).toEqual({ value: 1024 });
    expect(read('fanout.postsPerMessage')).toEqual({ value: 103_200 / r.sends.sent });
    expect(read('apiGateway.integrationLatencyP99Ms')).toEqual({ value: 140 });
    expect(read('cost.perMillionDeliveries')).toEqual({ value: r.cost!.perMillionDeliveries });
    expect(read('cost.total')).toEqual({ value: r.cost!.totals.total });
    expect(read('phases.steady.broadcast.p99')).toEqual({ value: r.phases![1].broadcast!.p99 });
    expect(read('phases[1].sends.failed')).toEqual({ value: 18 });
    expect(read('stale.timeToCleanMs')).toEqual({ value: 1840 });
  });

  it('dynamodb.throttleEvents sums the tables\' and their indexes\' Read/WriteThrottleEvents (older results without them: 0)', () => {
    const copy = Results.parse(JSON.parse(JSON.stringify(r)));
    expect(metric('dynamodb.throttleEvents').read(copy)).toEqual({ value: 0 });
    const [first, second] = Object.values(copy.dynamodb!.tables);
    Object.assign(first!, { readThrottleEvents: 2, writeThrottleEvents: 5 });
    const [index] = Object.values(second!.indexes).length > 0 ? Object.values(second!.indexes) : Object.values(first!.indexes);
    if (index) index.writeThrottleEvents = 3;
    expect(metric('dynamodb.throttleEvents').read(copy)).toEqual({ value: 2 + 5 + (index ? 3 : 0) });
    expect(metric('dynamodb.throttleEvents').read(buildResults({ cloudwatch: false }))).toEqual({ missing: 'no DynamoDB metrics in these results (CloudWatch not pulled, or no AWS/DynamoDB data)' });
  });

  it('says why when there is no value', () => {
    const bare = buildResults({ cloudwatch: false });
    expect(metric('dynamodb.readUnitsPerMessage').read(bare)).toEqual({ missing: 'no DynamoDB metrics in these results (CloudWatch not pulled, or no AWS/DynamoDB data)' });
    expect(metric('lambda.fanout-send-message.durationP99').read(bare)).toEqual({ missing: 'CloudWatch was not pulled for this run' });
    expect(metric('lambda.fanout-sendmessage.durationP99').read(r)).toEqual({
      missing: 'function fanout-sendmessage is not in this run\'s CloudWatch data (functions: fanout-connect, fanout-create-room, fanout-join-room, fanout-send-message, fanout-disconnect)',
    });
    expect(metric('connectCold.p99').read({ ...r, metrics: { ...r.metrics, connectCold: { ...r.metrics.connectCold!, count: 0 } } })).toEqual({
      missing: 'no connect (cold) samples in this run',
    });
    expect(metric('stale.timeToCleanMs').read({ ...r, stale: { ...r.stale!, timeToCleanMs: null } })).toEqual({ missing: 'stale.timeToCleanMs is null in these results' });
    expect(metric('phases.nosuch.broadcast.p99').read(r)).toEqual({ missing: 'phases.nosuch is not in these results' });
  });

  it('lists every named metric that applies, per function too', () => {
    const names = catalogueMetrics(r).map((m) => m.name);
    expect(names).toContain('broadcast.p99');
    expect(names).toContain('deliveries.late');
    expect(names).toContain('lambda.fanout-join-room.durationP99');
    expect(names).toContain('emf.StaleConnectionsRemoved');
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('evaluate', () => {
  it('without thresholds the verdict is the built-in checks, and fails when one fails (exit 99)', () => {
    const v = evaluate(buildResults());
    expect(Verdict.parse(v)).toEqual(v);
    expect(v.outcome).toBe('fail');
    expect(v.summary).toBe('2 of 5 checks failed (no lost deliveries, no unexpected errors)');
    expect(v.thresholds).toEqual([]);
    expect(exitCodeOf(v)).toBe(EXIT.thresholdsCrossed);
    const ok = evaluate(clean());
    expect(ok.outcome).toBe('pass');
    expect(ok.summary).toBe('all 5 checks passed');
    expect(exitCodeOf(ok)).toBe(EXIT.pass);
  });

  it('judges absolute thresholds: value, limit and a line saying so', () => {
    const r = clean();
    const p99 = r.metrics.broadcast.p99;
    const v = evaluate(r, { thresholds: t(`broadcast.p99 < ${Math.ceil(p99) + 1}ms`, `broadcast.p99 < ${Math.floor(p99) - 1}`, 'deliveries.lost == 0', 'dynamodb.readUnitsPerMessage <= 2') });
    expect(v.thresholds.map((x) => [x.expression, x.outcome])).toEqual([
      [`broadcast.p99 < ${Math.ceil(p99) + 1}ms`, 'pass'],
      [`broadcast.p99 < ${Math.floor(p99) - 1}`, 'fail'],
      ['deliveries.lost == 0', 'pass'],
      ['dynamodb.readUnitsPerMessage <= 2', 'fail'],
    ]);
    expect(v.thresholds[1]).toMatchObject({ metric: 'broadcast.p99', unit: 'ms', noisy: true, op: '<', observed: p99, limit: Math.floor(p99) - 1, baseline: null, source: '--threshold' });
    expect(v.thresholds[3].detail).toBe(`${r.dynamodb!.readUnitsPerMessage!.toFixed(2)}; limit <= 2: crossed`);
    expect(v.outcome).toBe('fail');
    expect(v.summary).toBe('all 5 checks passed; 2 of 4 thresholds crossed');
    expect(exitCodeOf(v)).toBe(99);
  });

  it('a threshold with no data fails the verdict and says why', () => {
    const r = clean();
    delete r.cloudwatch;
    delete r.dynamodb;
    delete r.lambda;
    const v = evaluate(r, { thresholds: t('dynamodb.readUnitsPerMessage <= 2', 'lambda.fanout-send-message.initP99 < 1s', 'deliveries.lost == 0') });
    expect(v.thresholds.map((x) => x.outcome)).toEqual(['no-data', 'no-data', 'pass']);
    expect(v.thresholds[0]).toMatchObject({ observed: null, detail: 'no data: no DynamoDB metrics in these results (CloudWatch not pulled, or no AWS/DynamoDB data); counts as failed' });
    expect(v.thresholds[1].detail).toBe('no data: CloudWatch was not pulled for this run; counts as failed');
    expect(v.outcome).toBe('fail');
    expect(v.summary).toBe('all 5 checks passed; 2 of 3 without data');
    expect(exitCodeOf(v)).toBe(99);
  });

  it('the run\'s status comes first: a failed run exits 1, an interrupted one 130 (143 after SIGTERM)', () => {
    const failed = { ...clean(), status: 'failed' as const, statusReason: 'the target stopped answering' };
    const vf = evaluate(failed, { thresholds: t('deliveries.lost == 0') });
    expect(vf.outcome).toBe('run-failed');
    expect(vf.summary).toBe('the run failed: the target stopped answering; 1 of 5 checks failed (run completed); the threshold passed');
    expect(exitCodeOf(vf)).toBe(EXIT.runFailed);
    const vi = evaluate({ ...clean(), status: 'interrupted' as const });
    expect(vi.outcome).toBe('interrupted');
    expect(exitCodeOf(vi)).toBe(130);
    expect(exitCodeOf(vi, 'SIGTERM')).toBe(143);
  });
});

describe('the sends check says why sends did not go out', () => {
  it('names the skipped senders\' state, and the stand-ins that kept a room sending', () => {
    const r = clean();
    r.sends = { ...r.sends, intended: 100, sent: 90, failed: 0, skipped: 10, skippedWhy: { 'handshake:500': 8, dropped: 2 }, standIns: { total: 3, first: [] } };
    const check = evaluate(r).checks.find((c) => c.name === 'sends went out')!;
    expect(check.passed).toBe(false);
    expect(check.detail).toBe(
      "10 skipped and 0 failed of 100 intended sends (10 %; at most 1 % allowed) (skipped: no member of the sender's room open and joined; the sender's state: handshake:500 ×8, dropped ×2); 3 senders not open stood in for by a member of the room",
    );
  });
});
