import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/contracts/results-schema.ts';
import { searchStep } from '../../src/analyses/search/search-step.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { buildResults } from '../report/fixtures.ts';

/**
 * Whether a search step met its SLOs, from its results as run's verdict judged them: every SLO
 * and built-in check, except that a harness saturated by a busy host does not fail a step whose
 * SLOs held anyway (its delay only adds to what it measured).
 */
const AT = { index: 1, load: 20, role: 'grow' as const, dir: 'step-1-20' };

/** The fixture's run with every built-in check passing, judged against `slo`. */
function judged(slo: string, change: (r: Results) => void = () => {}) {
  const r = buildResults();
  r.errors = {};
  r.harness.saturated = false;
  r.harness.warnings = [];
  r.deliveries.lost = 0;
  change(r);
  return { ...r, verdict: evaluate(r, { thresholds: [parseThreshold(slo, '--slo')] }) };
}

describe('a search step met its SLOs', () => {
  it('when its SLOs and checks all held, and not when an SLO was crossed', () => {
    const p99 = buildResults().metrics.broadcast.p99!;
    expect(searchStep(judged(`broadcast.p99 < ${Math.ceil(p99) + 1}ms`), AT)).toMatchObject({ passed: true, failedChecks: [] });
    const crossed = searchStep(judged(`broadcast.p99 < ${Math.floor(p99) - 1}ms`), AT);
    expect(crossed.passed).toBe(false);
    expect(crossed.slos[0]).toMatchObject({ outcome: 'fail', observed: p99 });
  });

  it('with its harness saturated by a busy host, when its SLOs held anyway; the check is still listed', () => {
    const p99 = buildResults().metrics.broadcast.p99!;
    const saturate = (r: Results) => {
      r.harness.saturated = true;
      r.harness.warnings = ['harness saturated: shard 0 event-loop lag p99 70.5 ms > 50 ms'];
    };
    const met = searchStep(judged(`broadcast.p99 < ${Math.ceil(p99) + 1}ms`, saturate), AT);
    expect(met.passed).toBe(true);
    expect(met.failedChecks).toEqual([expect.stringMatching(/^harness not saturated: the harness was the bottleneck/)]);
    // crossed with a saturated harness: not met, and the evidence names the harness
    const crossed = searchStep(judged(`broadcast.p99 < ${Math.floor(p99) - 1}ms`, saturate), AT);
    expect(crossed.passed).toBe(false);
    expect(crossed.evidence.map((e) => e.factor)).toContain('harness-saturated');
  });

  it('not when another check failed, saturated harness or not: lost deliveries', () => {
    const p99 = buildResults().metrics.broadcast.p99!;
    const step = searchStep(
      judged(`broadcast.p99 < ${Math.ceil(p99) + 1}ms`, (r) => {
        r.harness.saturated = true;
        r.deliveries.lost = 3;
      }),
      AT,
    );
    expect(step.passed).toBe(false);
    expect(step.failedChecks.map((c) => c.replace(/:.*/, ''))).toEqual(['no lost deliveries', 'harness not saturated']);
  });
});
