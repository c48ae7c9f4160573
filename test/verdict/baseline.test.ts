import { beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/contracts/results-schema.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { Verdict, type ThresholdResult } from '../../src/contracts/verdict-schema.ts';
import { baselineWithRepeats as withRepeats, recordedRuns } from './recorded-runs.ts';

// Baselines and repeats on results.json recorded from real emulator runs (recorded-runs.ts).
let base: Results[];
let slow: Results[];
beforeAll(async () => {
  ({ base, slow } = await recordedRuns());
});

const t = (...expressions: string[]) => expressions.map((e) => parseThreshold(e, '--threshold'));
const byExpression = (v: Verdict) => Object.fromEntries(v.thresholds.map((x) => [x.expression, x])) as Record<string, ThresholdResult>;

const baselineWithRepeats = () => withRepeats(base);

describe('a baseline recorded with repeats', () => {
  it('keeps each run\'s value of every named metric, readable back from results.json', () => {
    const b = baselineWithRepeats();
    const repeats = b.verdict!.repeats!;
    expect(repeats.runIds).toEqual(base.map((r) => r.runId));
    expect(repeats.values['broadcast.p50']).toEqual(base.map((r) => r.metrics.broadcast.p50));
    expect(repeats.values['dynamodb.readUnitsPerMessage']).toEqual(base.map((r) => r.dynamodb!.readUnitsPerMessage));
    expect(repeats.values['lambda.fanout-send-message.durationP99']).toHaveLength(3);
    // it survives a round trip through the schema, as a --baseline file would be read
    expect(Verdict.parse(JSON.parse(JSON.stringify(b.verdict)))).toEqual(b.verdict);
  });
});

describe('the same build against its own baseline', () => {
  it('passes its thresholds: the medians are the baseline\'s', () => {
    const v = evaluate(base[1], {
      repeats: base,
      baseline: baselineWithRepeats(),
      thresholds: t('broadcast.p50 <= baseline * 1.10', 'broadcast.p99 <= baseline * 1.10', 'dynamodb.readUnitsPerMessage <= baseline', 'deliveries.lost == 0'),
    });
    expect(v.thresholds.map((x) => x.outcome)).toEqual(['pass', 'pass', 'pass', 'pass']);
    // what still fails is the host: two of the three runs had a saturated harness
    expect(v.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(['harness not saturated']);
    expect(v.checks.find((c) => c.name === 'harness not saturated')!.detail).toMatch(/^run 1 of 3 \(.*\): the harness was the bottleneck.*; failed in 2 runs$/);
    expect(v.summary).toBe('1 of 5 checks failed (harness not saturated); all 4 thresholds passed');
  });
});

describe('a slower build against the baseline, with repeats', () => {
  let v: Verdict;
  let th: Record<string, ThresholdResult>;
  beforeAll(() => {
    v = evaluate(slow[0], {
      repeats: slow,
      baseline: baselineWithRepeats(),
      thresholds: t(
        'broadcast.p50 <= baseline * 1.10',
        'broadcast.p99 <= baseline * 1.10',
        'dynamodb.writeUnitsPerMessage <= baseline * 0.85',
        'fanout.postsPerMessage <= baseline',
        'ack.p50 < baseline + 1s',
      ),
    });
    th = byExpression(v);
  });

  it('compares medians, and calls a difference beyond the spread of the repeats a regression', () => {
    const p50 = th['broadcast.p50 <= baseline * 1.10'];
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    expect(p50.observed).toBe(median(slow.map((r) => r.metrics.broadcast.p50)));
    expect(p50.baseline).toBe(median(base.map((r) => r.metrics.broadcast.p50)));
    expect(p50.spread).toEqual({ min: 1722.367, max: 2318.335, runs: 3 });
    expect(p50.baselineSpread).toEqual({ min: 472.831, max: 1358.847, runs: 3 });
    // 2,304 − 948 = 1,356 ms, more than the wider spread (886 ms): a regression
    expect(p50.outcome).toBe('fail');
    expect(p50.detail).toBe(
      "2,304 ms (median of 3 runs, 1,722 ms to 2,318 ms); limit <= 1,042 ms (baseline 948 ms × 1.10; the baseline's median of 3 runs): crossed (the difference from the baseline, 1,356 ms, exceeds the spread of the repeats, 886 ms)",
    );
  });

  it('says when a crossing is within the spread of the repeats instead of calling it a regression', () => {
    const p99 = th['broadcast.p99 <= baseline * 1.10'];
    // 4,903 − 3,559 = 1,343 ms, within the baseline's own spread of 2,220 ms
    expect(p99).toMatchObject({ outcome: 'within-noise', observed: 4902.911, baseline: 3559.423 });
    expect(p99.detail).toMatch(/: crossed, but the difference from the baseline \(1,343 ms\) is within the spread of the repeats \(2,220 ms\): not a regression$/);
  });

  it('compares work counts exactly, whatever their spread', () => {
    const w = th['dynamodb.writeUnitsPerMessage <= baseline * 0.85'];
    expect(w.noisy).toBe(false);
    // the difference (0.75) is within both spreads (1.0 and 1.25), but a work count has no noise allowance
    expect(w.spread!.max - w.spread!.min).toBeGreaterThan(Math.abs(w.observed! - w.baseline!));
    expect(w.outcome).toBe('fail');
    expect(w.detail).toMatch(/: crossed \(a work count: compared exactly\)$/);
    expect(th['fanout.postsPerMessage <= baseline']).toMatchObject({ outcome: 'pass', observed: 10, baseline: 10, limit: 10 });
  });

  it('sees the added 1,500 ms in the send ack, beyond the noise', () => {
    // the emulator adds the latency before the invocation starts: the send's ack waits for it,
    // the function's own Duration does not include it
    const ack = th['ack.p50 < baseline + 1s'];
    expect(ack).toMatchObject({ observed: 2510.847, baseline: 1167.359, limit: 2167.359, outcome: 'fail' });
  });

  it('fails the verdict with exit 99 and a diff table naming the metrics', () => {
    expect(v.outcome).toBe('fail');
    expect(v.summary).toBe('1 of 5 checks failed (harness not saturated); 3 of 5 thresholds crossed');
    expect(v.baseline).toEqual({ runId: base[1].runId, scenario: 'verdict-fixture', startedAt: base[1].startedAt, runs: 3 });
    const diff = Object.fromEntries(v.diff!.map((d) => [d.metric, d]));
    expect(Object.keys(diff).slice(0, 5)).toEqual([
      'broadcast.p50',
      'broadcast.p99',
      'dynamodb.writeUnitsPerMessage',
      'fanout.postsPerMessage',
      'ack.p50',
    ]);
    expect(diff['broadcast.p50']).toMatchObject({ outcome: 'fail', baseline: 947.711, current: 2303.999 });
    expect(diff['broadcast.p50'].changePct).toBeCloseTo(((2303.999 - 947.711) / 947.711) * 100, 6);
    expect(diff['broadcast.p99'].outcome).toBe('within-noise');
    // headline metrics without a threshold: shown, judged only for noise
    expect(diff['connect.p99']).toMatchObject({ noisy: true });
    expect(diff['deliveries.lost']).toMatchObject({ baseline: 0, current: 0, changePct: null, outcome: null });
    expect(v.notes).toContain(`values are medians of 3 runs (${slow.map((r) => r.runId).join(', ')})`);
  });
});

describe('one run each: no spread to allow for', () => {
  it('a crossing fails, and the detail says why there was no allowance', () => {
    const v = evaluate(slow[0], { baseline: base[1], thresholds: t('broadcast.p99 <= baseline * 1.10', 'dynamodb.readUnitsPerMessage <= baseline') });
    const [p99, units] = v.thresholds;
    expect(p99).toMatchObject({ outcome: 'fail', observed: 4902.911, baseline: 3559.423 });
    expect(p99.spread).toBeUndefined();
    expect(p99.detail).toMatch(/: crossed \(one run each: no spread to allow for; --repeat gives one\)$/);
    expect(units).toMatchObject({ outcome: 'pass', observed: 4.5625, baseline: 4.6875 });
    expect(v.baseline!.runs).toBe(1);
  });

  it('a baseline without the metric gives no data, which fails', () => {
    const { cloudwatch: _cw, dynamodb: _d, lambda: _l, ...bare } = base[1];
    const v = evaluate(slow[0], { baseline: { ...bare, runId: 'bare' }, thresholds: t('dynamodb.readUnitsPerMessage <= baseline') });
    expect(v.thresholds[0]).toMatchObject({
      outcome: 'no-data',
      observed: 4.5625,
      baseline: null,
      limit: null,
      detail: 'no data: the baseline has no value: no DynamoDB metrics in these results (CloudWatch not pulled, or no AWS/DynamoDB data); counts as failed',
    });
  });

  it('notes a baseline of another scenario or size', () => {
    const other = { ...base[1], scenario: { ...base[1].scenario, name: 'fanout' }, config: { ...base[1].config, clients: 200 } };
    const v = evaluate(slow[0], { baseline: other });
    expect(v.notes).toEqual([
      'the baseline ran scenario fanout, this run verdict-fixture: the comparison may not be like for like',
      'the baseline had 200 clients, this run 40',
    ]);
  });
});
