import { describe, expect, it } from 'vitest';
import { catalogueMetrics, figureOf, lookupMetric, type Metric } from '../../src/contracts/metric-catalogue.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { limitEvidence } from '../../src/diagnosis/limit-evidence.ts';
import { recorded } from '../verdict/recorded-runs.ts';
import { withStack } from '../verdict/stack-results.ts';

// A recorded run against the local emulator (broadcast p99 4,502 ms as the clients timed it, on a
// busy host), given the stack's figures the access log would have: the same requests with the
// host's wait for a slot taken out. Decisions read the stack's figure; client.* the client's.

const metric = (name: string) => lookupMetric(name) as Metric;

describe('latency metrics read the stack figure where the results have it', () => {
  it('broadcast.p99 < 1s passes on the stack figure where the client figure fails, and says "stack"', async () => {
    const base = await recorded('base-1');
    const r = withStack(base);
    const client = base.metrics.broadcast.p99;
    expect(client).toBeGreaterThan(1000);
    expect(r.attribution!.stack!.broadcast!.p99).toBeLessThan(1000);

    const judged = evaluate(r, { thresholds: [parseThreshold('broadcast.p99 < 1s', '--threshold')] }).thresholds[0];
    expect(judged.outcome).toBe('pass');
    expect(judged.observed).toBeCloseTo(client * 0.1, 6);
    expect(judged.detail).toMatch(/\(stack: host waits taken out; client 4,50\d ms\)/);

    // the same threshold on a run without the stack's figure (AWS, older results) judges the client's
    const plain = evaluate(base, { thresholds: [parseThreshold('broadcast.p99 < 1s', '--threshold')] }).thresholds[0];
    expect(plain.outcome).toBe('fail');
    expect(plain.observed).toBe(client);
    expect(plain.detail).not.toMatch(/stack|client/);
  });

  it('client.broadcast.p99 always reads the client figure, and its label says so', async () => {
    const r = withStack(await recorded('base-1'));
    const m = metric('client.broadcast.p99');
    expect(m.label).toBe('broadcast p99 (client)');
    expect(m.read(r)).toEqual({ value: r.metrics.broadcast.p99 });
    const judged = evaluate(r, { thresholds: [parseThreshold('client.broadcast.p99 < 1s', '--threshold')] }).thresholds[0];
    expect(judged.outcome).toBe('fail');
    expect(judged.observed).toBe(r.metrics.broadcast.p99);

    expect(figureOf(metric('broadcast.p99'), r)).toBe('stack');
    expect(figureOf(metric('join.p99'), r)).toBe('client'); // no stack figure for join in this run
    expect(metric('connectCold.p50').figures).toBeDefined();
    expect((lookupMetric('client.nope.p99') as { problem: string }).problem).toMatch(/client\.<latency>\.<stat>/);
    expect((lookupMetric('client.broadcast.p12') as { problem: string }).problem).toMatch(/client\.broadcast has p50/);
    // a repeated run records both figures, so a later baseline has each
    const names = catalogueMetrics(r).map((x) => x.name);
    expect(names).toContain('broadcast.p99');
    expect(names).toContain('client.broadcast.p99');
  });

  it('a baseline without stack figures: both sides compared on the client figure, and the notes say so', async () => {
    const base = await recorded('base-1');
    const other = await recorded('base-2');
    const v = evaluate(withStack(other), { baseline: base, thresholds: [parseThreshold('broadcast.p99 <= baseline * 1.5', '--threshold')] });
    const t = v.thresholds[0];
    expect(t.observed).toBe(other.metrics.broadcast.p99);
    expect(t.baseline).toBe(base.metrics.broadcast.p99);
    expect(t.detail).toMatch(/\(client\)/);
    expect(v.notes.join(' ')).toMatch(/the baseline has no stack figures/);
    expect(v.diff!.find((d) => d.metric === 'broadcast.p99')!.label).toBe('broadcast p99 (client)');

    // both with stack figures: the stack's against the stack's
    const both = evaluate(withStack(other), { baseline: withStack(base), thresholds: [parseThreshold('broadcast.p99 <= baseline * 1.5', '--threshold')] });
    expect(both.thresholds[0].observed).toBeCloseTo(other.metrics.broadcast.p99 * 0.1, 6);
    expect(both.thresholds[0].baseline).toBeCloseTo(base.metrics.broadcast.p99 * 0.1, 6);
    expect(both.diff!.find((d) => d.metric === 'broadcast.p99')!.label).toBe('broadcast p99 (stack)');
  });

  it('repeats are judged like with like: the stack figure only where every repeat has it', async () => {
    const [a, b] = [await recorded('base-1'), await recorded('base-2')];
    const mixed = evaluate(withStack(a), { repeats: [withStack(a), b], thresholds: [parseThreshold('broadcast.p99 < 1s', '--threshold')] });
    expect(mixed.thresholds[0].detail).toMatch(/\(client\)/);
    const stacked = evaluate(withStack(a), { repeats: [withStack(a), withStack(b)], thresholds: [parseThreshold('broadcast.p99 < 1s', '--threshold')] });
    expect(stacked.thresholds[0].detail).toMatch(/\(stack/);
    expect(stacked.repeats!.values['broadcast.p99']).toEqual([a.metrics.broadcast.p99 * 0.1, b.metrics.broadcast.p99 * 0.1].map((x) => expect.closeTo(x, 6)));
    expect(stacked.repeats!.values['client.broadcast.p99']).toEqual([a.metrics.broadcast.p99, b.metrics.broadcast.p99]);
  });

  it("the fan-out's share of broadcast p99 is a share of the stack's figure", async () => {
    const r = withStack(await recorded('base-1'));
    r.cloudwatch!.emf.FanoutDurationMs = { sum: 1000, average: 100, p99: r.attribution!.stack!.broadcast!.p99 * 0.8 };
    const line = limitEvidence(r, new Set(['latency'])).find((e) => e.factor === 'posts-per-invocation');
    expect(line?.line).toMatch(/80 % of broadcast p99 \(stack\)/);
  });

  it("the fan-out is no cause of a latency that crossed on the host's waits alone, the stack's own figure within the limit", async () => {
    const r = withStack(await recorded('base-1'));
    const stack = r.attribution!.stack!.broadcast!.p99;
    r.cloudwatch!.emf.FanoutDurationMs = { sum: 1000, average: 100, p99: stack * 0.8 };
    const posts = (crossed: Array<{ metric: string; limit: number }>) =>
      limitEvidence(r, new Set(['latency']), crossed.map((c) => ({ ...c, op: '<' as const }))).find((e) => e.factor === 'posts-per-invocation');
    // the client's figure (waits in it) crossed a limit the stack's own figure is within: the waits crossed it, not the fan-out
    expect(r.metrics.broadcast.p99).toBeGreaterThan(stack * 2);
    expect(posts([{ metric: 'client.broadcast.p99', limit: stack * 2 }])).toBeUndefined();
    // the stack's own figure crossed too: the fan-out is a share of it
    expect(posts([{ metric: 'client.broadcast.p99', limit: stack / 2 }])?.line).toMatch(/80 % of broadcast p99 \(stack\)/);
    expect(posts([{ metric: 'broadcast.p99', limit: stack / 2 }])?.line).toMatch(/80 % of broadcast p99 \(stack\)/);
  });
});
