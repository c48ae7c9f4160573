import { join } from 'node:path';
import { buildSweep, type PointInput } from '../analyses/compare/build-sweep.ts';
import type { HoldConstant, LatencyMetric, PointSlo, SweepComparison } from '../analyses/compare/compare-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { createRunDir } from '../metrics/results/run-dir.ts';
import { newRunId } from '../metrics/results/run-id.ts';
import { writeComparison } from '../report/write-comparison.ts';
import { UserError } from '../../common/errors.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';
import { withKnobs } from '../local-stack/stack-knobs.ts';
import { resolveTarget } from '../targets/resolve-target.ts';
import type { Target } from '../targets/target.ts';
import { evaluate } from '../verdict/evaluate.ts';
import type { Threshold } from '../contracts/threshold.ts';
import { HARNESS_CHECK } from '../verdict/checks.ts';
import { sloMet } from '../verdict/slo-met.ts';
import { failsVerdict } from '../contracts/verdict-schema.ts';
import { warmUp, type CompareOptions } from './compare.ts';
import type { Variant } from './compare-variants.ts';
import { measureInto, measuringOptions } from './measure-into.ts';
import { preflightQuotas } from './quota-preflight.ts';
import { checkRunInput, type RunInput } from './run-input.ts';
import { loadOf, payloadPoints, roomSizePoints } from './sweep-points.ts';
import { checkVerdictInput } from './verdict-input.ts';

/**
 * `compare --room-size`, `--payload`, `--targets`: one scenario at each value of the swept
 * parameter, each measurement a complete run directory judged by the scenario's thresholds and
 * `--threshold`, then one comparison (compare.json, index.html, summary.md) whose recommendation
 * fits the parameter.
 *
 * - room-size, payload: the points run in order. A local target gets a stack of its own per point
 *   (started for it, stopped after it): points share no state; a deployed target serves every
 *   point, each measurement in a CloudWatch window of its own (src/modes/fresh-window.ts).
 * - targets: every variant is resolved first and stays up; then round after round (`--repeat`),
 *   one measurement of each variant in turn, the order rotating each round, so that no variant
 *   owns a quieter or a busier stretch of time.
 * Each target is warmed up once (`--warm-up`, 0: not at all) before its first measurement.
 */
export type Sweep =
  | { parameter: 'room-size'; sizes: number[]; holdConstant: HoldConstant }
  | { parameter: 'payload'; bytes: number[] }
  | { parameter: 'targets'; variants: Variant[] };

export interface SweepOptions extends Omit<CompareOptions, 'sizes' | 'balancedWeights'> {
  sweep: Sweep;
  /** `--threshold` expressions, after the scenario's own: the SLO every point is judged by */
  thresholds?: string[];
}

export interface SweepOutcome {
  comparison: SweepComparison;
  dir: string;
  complete: boolean;
}

/** One point (or variant) to measure: its scenario, where, and its measurements so far. */
interface Plan {
  x: number;
  label: string;
  /** run directory names: <slug>-<repeat> */
  slug: string;
  scenario: Scenario;
  input: RunInput;
  variant?: Variant;
  runs: PointInput['runs'];
  results: Results[];
}

export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  const sweep = o.sweep;
  const base = checkRunInput(sweep.parameter === 'targets' ? { ...o, target: sweep.variants[0]!.target } : o);
  const { thresholds } = await checkVerdictInput(base.scenario, { thresholds: o.thresholds });
  const repeat = o.repeat ?? 1;
  const say = o.onStatus ?? (() => {});
  const plans = planPoints(o, sweep, base);
  // every point held against its target's quotas before anything starts
  const quotas = new Map<Plan, Awaited<ReturnType<typeof preflightQuotas>>>();
  for (const p of plans) {
    const q = await preflightQuotas(p.scenario, p.input.target, { aws: o.aws });
    for (const line of q?.plan ?? []) o.onWarning?.(`${p.label}: ${line}`);
    quotas.set(p, q);
  }
  const compareId = newRunId(`compare-${base.scenario.name}`);
  const dir = createRunDir(o.outDir ?? 'reports', compareId);
  let complete = true;

  const resolve = (p: Plan, log: string) =>
    resolveTarget({
      spec: p.input.targetSpec,
      aws: o.aws,
      knobs: p.scenario.target,
      stackKnobs: p.variant ? undefined : o.stackKnobs,
      token: p.input.token,
      logFile: p.input.target.startsLocalStack ? join(dir, log) : undefined,
      onWarning: o.onWarning,
    });
  const measureOnce = async (p: Plan, target: Target, i: number) => {
    const runDir = createRunDir(dir, `${p.slug}-${i}`);
    const cost = p.variant?.arch ? { ...o.cost, architecture: p.variant.arch } : o.cost;
    const measuring = measuringOptions({ ...o, cost, rate: sweep.parameter === 'room-size' ? undefined : o.rate }, { seed: base.seed, shards: base.shards, token: p.input.token });
    const results = await measureInto(runDir, p.scenario, target, { ...measuring, quotas: quotas.get(p), runId: `${compareId}-${p.slug}-${i}` }, { thresholds });
    p.runs.push({ results, dir: runDir });
    if (results.status === 'completed') p.results.push(results);
    else complete = false;
  };
  const warm = async (p: Plan, target: Target) => {
    if (o.warmUpMs === 0 || o.signal?.aborted) return;
    say(`${p.label}: warming up`);
    await warmUp(p.scenario, target, { ...o, seed: base.seed, shards: base.shards, token: p.input.token, runId: `${compareId}-${p.slug}-warm` });
  };

  if (sweep.parameter === 'targets') {
    const targets = new Map<Plan, Target>();
    try {
      for (const p of plans) {
        if (o.signal?.aborted) break;
        say(`${p.label}: starting ${p.variant!.target}`);
        targets.set(p, await resolve(p, `${p.slug}-stack.log`));
      }
      for (const p of plans) if (targets.has(p)) await warm(p, targets.get(p)!);
      for (let round = 0; round < repeat && !o.signal?.aborted; round++) {
        // the order rotates each round: variant k starts round k
        const order = plans.map((_, k) => plans[(k + round) % plans.length]!);
        for (const p of order) {
          if (o.signal?.aborted) break;
          say(`${p.label}: measuring (round ${round + 1} of ${repeat})`);
          await measureOnce(p, targets.get(p)!, round + 1);
        }
      }
    } finally {
      for (const t of targets.values()) await t.stop();
    }
  } else if (base.target.startsLocalStack) {
    for (const p of plans) {
      if (o.signal?.aborted) break;
      say(`${p.label}: starting a local stack of its own`);
      const target = await resolve(p, `${p.slug}-stack.log`);
      try {
        await warm(p, target);
        for (let i = 1; i <= repeat && !o.signal?.aborted; i++) await measureOnce(p, target, i);
      } finally {
        await target.stop();
      }
    }
  } else {
    const target = await resolve(plans[0]!, 'stack.log');
    try {
      await warm(plans[0]!, target);
      for (const p of plans) {
        for (let i = 1; i <= repeat && !o.signal?.aborted; i++) {
          say(`${p.label}: measuring`);
          await measureOnce(p, target, i);
        }
      }
    } finally {
      await target.stop();
    }
  }

  if (o.signal?.aborted || plans.some((p) => p.runs.length < repeat)) complete = false;
  const measured = plans.filter((p) => p.runs.length > 0);
  if (measured.length === 0) throw new UserError('compare: interrupted before any point was measured', 130);
  const comparison = buildSweep({
    parameter: sweep.parameter,
    ...(sweep.parameter === 'room-size' ? { holdConstant: sweep.holdConstant } : {}),
    slo: thresholds.map((t) => t.expression),
    functions: o.functions,
    repeat,
    latencyMetric: o.latencyMetric,
    architecture: o.cost?.architecture,
    points: measured.map((p) => ({
      x: p.x,
      label: p.label,
      setting: {
        ...loadOf(p.scenario),
        target: p.input.targetSpec,
        ...(p.variant?.knobs ? { knobs: p.variant.knobs } : {}),
        architecture: p.variant?.arch ?? o.cost?.architecture ?? 'x86_64',
      },
      runs: p.runs,
      slo: judgePoint(p.results, thresholds),
    })),
  });
  await writeComparison(comparison, dir);
  return { comparison, dir, complete };
}

function planPoints(o: SweepOptions, sweep: Sweep, base: RunInput): Plan[] {
  const plan = (x: number, label: string, slug: string, scenario: Scenario, input: RunInput, variant?: Variant): Plan => ({ x, label, slug, scenario, input, ...(variant ? { variant } : {}), runs: [], results: [] });
  if (sweep.parameter === 'room-size') return roomSizePoints(base.scenario, sweep.sizes, sweep.holdConstant).map((p) => plan(p.x, p.label, `members-${p.x}`, p.scenario, base));
  if (sweep.parameter === 'payload') return payloadPoints(base.scenario, sweep.bytes).map((p) => plan(p.x, p.label, `payload-${p.x}b`, p.scenario, base));
  return sweep.variants.map((v, k) => {
    // each variant's own input: its target's token and host limits; the same seed for all
    const input = k === 0 ? base : checkRunInput({ ...o, target: v.target, seed: base.seed });
    const knobs = withKnobs(withKnobs(base.scenario.target, o.stackKnobs), v.knobs);
    return plan(k + 1, v.name, `${k + 1}-${v.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}`, { ...base.scenario, target: knobs }, input, v);
  });
}

/**
 * A point's verdict over its completed repeats (their medians, as `run --repeat` judges): met
 * when its SLOs held (sloMet: every threshold and built-in check, a saturated harness aside, as
 * `search` judges a step); otherwise the failed checks and thresholds, one phrase each, and whose
 * the miss is: the stack's, or the stack's with the harness saturated too (its delay is in the
 * latencies judged). A point met with the harness saturated says so in its note. Null: none
 * completed.
 */
export function judgePoint(results: readonly Results[], thresholds: readonly Threshold[]): PointSlo | null {
  if (results.length === 0) return null;
  const verdict = evaluate(results.at(-1)!, { thresholds, ...(results.length > 1 ? { repeats: results } : {}) });
  const failedChecks = verdict.checks.filter((c) => !c.passed);
  const failed = [...failedChecks.map((c) => `${c.name}: ${c.detail}`), ...verdict.thresholds.filter((t) => failsVerdict(t.outcome)).map((t) => `${t.expression}: ${t.detail}`)];
  if (verdict.outcome === 'pass') return { met: true, failed };
  const saturated = results.filter((r) => r.harness.saturated);
  if (saturated.length === 0 || !failedChecks.some((c) => c.name === HARNESS_CHECK)) return { met: false, failed, missedBy: 'stack' };
  const where = `${results.length > 1 ? `in ${saturated.length} of ${results.length} repeats, ` : ''}${saturated[0]!.harness.warnings[0]?.replace(/^harness saturated: /, '') ?? 'its CPU or event loop was the bottleneck'}`;
  if (sloMet(verdict)) {
    return {
      met: true,
      failed,
      note: `the harness was saturated (${where}), and the SLO held even with the harness's own delay in the latencies: the stack met it at least as well`,
    };
  }
  return {
    met: false,
    failed,
    missedBy: 'harness-and-stack',
    note: `the harness was saturated as well (${where}): the latencies judged include its own delay, so a latency miss here may be partly the harness's`,
  };
}
