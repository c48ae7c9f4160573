import { buildSweep, type PointInput } from '../analyses/compare/build-sweep.ts';
import type { HoldConstant, LatencyMetric, PointSetting, PointSlo, SweepComparison } from '../analyses/compare/compare-schema.ts';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { createLambdaClient } from '../aws/lambda-client.ts';
import { monthlyAllocationUsd, provisionedSubject, setProvisioned, type ProvisionedSubject } from './provisioned-setting.ts';
import { monthlyCacheUsd, restoreSnapStart, setSnapStart, snapStartOrigin, snapStartSubject, type SnapStartOrigin, type SnapStartSubject } from './snapstart-setting.ts';
import type { Quotas } from '../contracts/quotas-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { newRunId } from '../metrics/results/run-id.ts';
import { writeComparison } from '../report/compare/write.ts';
import { UserError } from '../../common/errors.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';
import { withKnobs } from '../local-stack/stack-knobs.ts';
import { checkStackKnobs } from '../local-stack/stack-knobs-check.ts';
import type { Target } from '../targets/target.ts';
import { evaluate } from '../verdict/evaluate.ts';
import type { Threshold } from '../contracts/threshold.ts';
import { HARNESS_CHECK } from '../verdict/checks.ts';
import { firstSaturationText } from '../diagnosis/saturation-text.ts';
import { sloMet } from '../verdict/slo-met.ts';
import { checkFailed, failsVerdict } from '../contracts/verdict-schema.ts';
import { checkRunInput, type RunInput } from '../session/run-input.ts';
import { FailedStart, withSession } from '../session/session.ts';
import { checkVerdictInput } from '../session/verdict-input.ts';
import { DEFAULT_WARM_UP_MS } from '../session/warm-up.ts';
import type { CompareOptions } from './compare.ts';
import type { Variant } from './compare-variants.ts';
import { loadOf, payloadPoints, roomSizePoints } from './sweep-points.ts';

/**
 * `compare --room-size`, `--payload`, `--targets`: one scenario at each value of the swept
 * parameter, each measurement a complete run directory judged by the scenario's thresholds and
 * `--threshold`, then one comparison (compare.json, index.html, summary.md) whose recommendation
 * fits the parameter.
 *
 * - room-size, payload: the points run in order. A local target gets a stack of its own per point
 *   (started for it, stopped after it): points share no state; a deployed target serves every
 *   point, each measurement in a CloudWatch window of its own (src/session/fresh-window.ts).
 * - provisioned: as those, each point's provisioned concurrency set through Lambda's API before
 *   it is measured (provisioned-setting.ts) and no warm-up: the cold starts are what it compares.
 *   A local stack of its own per point starts every point cold; a deployed target keeps the
 *   on-demand environments an earlier point left warm (the notes say so).
 * - snapstart: as provisioned, each point's version published with the function's SnapStart off
 *   or on and the route's alias moved to it (snapstart-setting.ts); a deployed target gets its
 *   alias and SnapStart back after the last point.
 * - targets: every variant is resolved first and stays up; then round after round (`--repeat`),
 *   one measurement of each variant in turn, the order rotating each round, so that no variant
 *   owns a quieter or a busier stretch of time.
 * - targets with room sizes (a grid): at each room size, ascending, the variants as a targets
 *   sweep measures them, each local one on a stack of its own for that size (stopped after it).
 * Each target is warmed up once (`--warm-up`, 0: not at all) before its first measurement.
 */
export type Sweep =
  | { parameter: 'room-size'; sizes: number[]; holdConstant: HoldConstant }
  | { parameter: 'payload'; bytes: number[] }
  /** one function's provisioned concurrency (`--function`, else the stack's one configured), environments at each point */
  | { parameter: 'provisioned'; counts: number[]; function?: string }
  /** one function's SnapStart (`--function`, else the stack's one with it on): off (x 0) and on (x 1) */
  | { parameter: 'snapstart'; settings: Array<'off' | 'on'>; function?: string }
  | { parameter: 'targets'; variants: Variant[]; roomSizes?: { sizes: number[]; holdConstant: HoldConstant } };

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
  /** provisioned: the function, its alias or version, and the environments this point allocates */
  provisioned?: ProvisionedSubject & { environments: number };
  /** snapstart: the function, its alias, SnapStart at this point, and the version the alias named while measured */
  snapStart?: SnapStartSubject & { on: boolean; version: string };
}

export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  const sweep = o.sweep;
  const first = sweep.parameter === 'targets' ? sweep.variants[0]! : undefined;
  const base = checkRunInput(first ? { ...o, target: first.target, targetField: first.field.target } : o);
  const { thresholds } = await checkVerdictInput(base.scenario, { thresholds: o.thresholds });
  const repeat = o.repeat ?? 1;
  const plans = planPoints(o, sweep, base);
  const compareId = newRunId(`compare-${base.scenario.name}`);
  let complete = true;
  let failedStart: FailedStart | undefined;

  const dir = await withSession(o, compareId, async (session) => {
    // every point held against its target's quotas before anything starts
    const quotas = new Map<Plan, Quotas | undefined>();
    for (const p of plans) quotas.set(p, await session.planQuotas(p.scenario, p.input, p.label));
    const start = (p: Plan, log: string) => session.start(p.input, { scenario: p.scenario, log, ...(p.variant ? { stackKnobs: undefined } : {}) });
    const measureOnce = async (p: Plan, target: Target, i: number) => {
      const runDir = session.subdir(`${p.slug}-${i}`);
      const results = await session.measure({
        dir: runDir,
        runId: `${compareId}-${p.slug}-${i}`,
        scenario: p.scenario,
        target,
        input: p.input,
        quotas: quotas.get(p),
        judge: { thresholds },
        ...(p.variant?.arch ? { cost: { ...o.cost, architecture: p.variant.arch } } : {}),
        // a room-size point's rate is its own (the deliveries held constant), not --rate
        ...(sweep.parameter === 'room-size' || (sweep.parameter === 'targets' && sweep.roomSizes) ? { rate: undefined } : {}),
      });
      p.runs.push({ results, dir: runDir });
      if (results.status === 'completed') p.results.push(results);
      else complete = false;
    };
    // provisioned, snapstart: the point's setting, made through the target's Lambda API (READY, Active) before it is measured
    let subject: ProvisionedSubject | undefined;
    let snapSubject: SnapStartSubject | undefined;
    let origin: SnapStartOrigin | undefined;
    const withLambda = async (p: Plan, target: Target, use: (lambda: LambdaClient) => Promise<void>) => {
      const where = target.lambdaApi;
      if (!where) throw new UserError(`--target ${p.input.target.spec}: compare sets ${sweep.parameter === 'snapstart' ? 'SnapStart' : 'provisioned concurrency'} through Lambda's API, which this target does not name (use --target local, --template or aws:<stack>)`);
      const lambda = createLambdaClient(where);
      try {
        await use(lambda);
      } finally {
        lambda.destroy();
      }
    };
    const setPoint = async (p: Plan, target: Target) => {
      if ((sweep.parameter !== 'provisioned' && sweep.parameter !== 'snapstart') || session.aborted) return;
      await withLambda(p, target, async (lambda) => {
        if (sweep.parameter === 'provisioned') {
          subject ??= provisionedSubject((await target.describeFunctions()).functions, sweep.function);
          p.provisioned = { ...subject, environments: p.x };
          session.say(`${p.label}: ${subject.function}:${subject.qualifier} set to ${p.x} provisioned environment${p.x === 1 ? '' : 's'}, waiting until READY`);
          await setProvisioned(lambda, subject, p.x, o.signal);
        } else {
          snapSubject ??= snapStartSubject((await target.describeFunctions()).functions, sweep.function);
          // a deployed target's alias and SnapStart as found, put back after the last point
          if (!base.target.startsLocalStack) origin ??= await snapStartOrigin(lambda, snapSubject);
          session.say(`${p.label}: ${snapSubject.function}:${snapSubject.alias} moving to a version with SnapStart ${p.x === 1 ? 'on' : 'off'}, waiting until it is Active`);
          const version = await setSnapStart(lambda, snapSubject, p.x === 1, o.signal);
          p.snapStart = { ...snapSubject, on: p.x === 1, version };
        }
      });
    };
    const putBack = async (p: Plan, target: Target) => {
      if (!origin || !snapSubject) return;
      const [s, back] = [snapSubject, origin];
      session.say(`${s.function}:${s.alias}: back to version ${back.version}, SnapStart ${back.applyOn}`);
      await withLambda(p, target, (lambda) => restoreSnapStart(lambda, s, back));
    };
    const warm = async (p: Plan, target: Target) => {
      const warmUpMs = sweep.parameter === 'provisioned' || sweep.parameter === 'snapstart' ? 0 : (o.warmUpMs ?? DEFAULT_WARM_UP_MS);
      if (warmUpMs === 0 || session.aborted) return;
      session.say(`${p.label}: warming up`);
      await session.warmUp(p.scenario, target, p.input, { runId: `${compareId}-${p.slug}-warm`, warmUpMs });
    };

    try {
      // targets: every variant started (or reached) and warmed, then measured round-robin; a grid
      // does that at each room size, its variants then stopped (the next size's local stacks are their own)
      const sideBySide = async (group: Plan[], stopAfter: boolean) => {
        const targets = new Map<Plan, Target>();
        try {
          for (const p of group) {
            if (session.aborted) break;
            session.say(`${p.label}: starting ${p.variant!.target}`);
            targets.set(p, await start(p, `${p.slug}-stack.log`));
          }
          for (const p of group) if (targets.has(p)) await warm(p, targets.get(p)!);
          for (let round = 0; round < repeat && !session.aborted; round++) {
            // the order rotates each round: variant k starts round k
            const order = group.map((_, k) => group[(k + round) % group.length]!);
            for (const p of order) {
              if (session.aborted) break;
              session.say(`${p.label}: measuring (round ${round + 1} of ${repeat})`);
              await measureOnce(p, targets.get(p)!, round + 1);
            }
          }
        } finally {
          if (stopAfter) for (const t of targets.values()) await session.stop(t);
        }
      };
      if (sweep.parameter === 'targets' && sweep.roomSizes) {
        for (const size of [...new Set(plans.map((p) => p.x))]) {
          if (session.aborted) break;
          await sideBySide(plans.filter((p) => p.x === size), true);
        }
      } else if (sweep.parameter === 'targets') {
        await sideBySide(plans, false);
      } else if (base.target.startsLocalStack) {
        for (const p of plans) {
          if (session.aborted) break;
          session.say(`${p.label}: starting a local stack of its own`);
          const target = await start(p, `${p.slug}-stack.log`);
          try {
            await setPoint(p, target);
            await warm(p, target);
            for (let i = 1; i <= repeat && !session.aborted; i++) await measureOnce(p, target, i);
          } finally {
            await session.stop(target);
          }
        }
      } else {
        const target = await start(plans[0]!, 'stack.log');
        await warm(plans[0]!, target);
        try {
          for (const p of plans) {
            await setPoint(p, target);
            for (let i = 1; i <= repeat && !session.aborted; i++) {
              session.say(`${p.label}: measuring`);
              await measureOnce(p, target, i);
            }
          }
        } finally {
          await putBack(plans[0]!, target);
        }
      }
    } catch (err) {
      // a point's stack that does not start after others were measured: the comparison of those is still written
      if (!(err instanceof FailedStart) || !plans.some((p) => p.runs.length > 0)) throw err;
      failedStart = err;
    }
    return session.dir;
  });

  if (o.signal?.aborted || failedStart || plans.some((p) => p.runs.length < repeat)) complete = false;
  const measured = plans.filter((p) => p.runs.length > 0);
  if (measured.length === 0) throw new UserError('compare: interrupted before any point was measured', 130);
  const grid = sweep.parameter === 'targets' && sweep.roomSizes ? { ...sweep.roomSizes, variants: sweep.variants.map((v) => v.name) } : undefined;
  const comparison = buildSweep({
    parameter: sweep.parameter,
    ...(sweep.parameter === 'room-size' ? { holdConstant: sweep.holdConstant } : {}),
    ...(grid ? { holdConstant: grid.holdConstant, grid: { variants: grid.variants } } : {}),
    slo: thresholds.map((t) => t.expression),
    functions: measured[0]?.provisioned ? [measured[0].provisioned.function] : measured[0]?.snapStart ? [measured[0].snapStart.function] : o.functions,
    repeat,
    latencyMetric: o.latencyMetric,
    architecture: o.cost?.architecture,
    points: measured.map((p) => ({
      x: p.x,
      label: p.label,
      ...(grid ? { variant: p.variant!.name } : {}),
      setting: settingOf(p, o),
      runs: p.runs,
      slo: judgePoint(p.results, thresholds),
    })),
  });
  await writeComparison(comparison, dir);
  if (failedStart) throw failedStart;
  return { comparison, dir, complete };
}

function planPoints(o: SweepOptions, sweep: Sweep, base: RunInput): Plan[] {
  const plan = (x: number, label: string, slug: string, scenario: Scenario, input: RunInput, variant?: Variant): Plan => ({ x, label, slug, scenario, input, ...(variant ? { variant } : {}), runs: [], results: [] });
  if (sweep.parameter === 'room-size') return roomSizePoints(base.scenario, sweep.sizes, sweep.holdConstant).map((p) => plan(p.x, p.label, `members-${p.x}`, p.scenario, base));
  if (sweep.parameter === 'payload') return payloadPoints(base.scenario, sweep.bytes).map((p) => plan(p.x, p.label, `payload-${p.x}b`, p.scenario, base));
  if (sweep.parameter === 'provisioned') return [...sweep.counts].sort((a, b) => a - b).map((n) => plan(n, `${n} provisioned`, `provisioned-${n}`, base.scenario, base));
  if (sweep.parameter === 'snapstart') return (['off', 'on'] as const).filter((s) => sweep.settings.includes(s)).map((s) => plan(s === 'on' ? 1 : 0, `SnapStart ${s}`, `snapstart-${s}`, base.scenario, base));
  const variants = sweep.variants.map((v, k) => {
    // each variant's own input: its target's token and host limits; the same seed for all
    const input = k === 0 ? base : checkRunInput({ ...o, target: v.target, targetField: v.field.target, seed: base.seed });
    if (v.knobs && !input.target.startsLocalStack) throw new UserError(`${v.field.knobs ?? v.field.target}: apply to a local target only (this one is ${v.target})`);
    checkStackKnobs([{ knobs: base.scenario.target, field: `${base.scenario.source}: target` }, { knobs: o.stackKnobs }, { knobs: v.knobs, field: v.field.knobs }]);
    const knobs = withKnobs(withKnobs(base.scenario.target, o.stackKnobs), v.knobs);
    return plan(k + 1, v.name, `${k + 1}-${v.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}`, { ...base.scenario, target: knobs }, input, v);
  });
  if (!sweep.roomSizes) return variants;
  // a grid: each variant (its own input and knobs) at each room size, the sizes ascending
  return roomSizePoints(base.scenario, sweep.roomSizes.sizes, sweep.roomSizes.holdConstant).flatMap((pt) =>
    variants.map((v) => plan(pt.x, `${v.label} · ${pt.label}`, `members-${pt.x}-${v.slug}`, { ...pt.scenario, target: v.scenario.target }, v.input, v.variant)),
  );
}

/** What a point ran: its load, where, at which architecture; a provisioned point what it allocated, a SnapStart point which version, and their month at the run's prices. */
function settingOf(p: Plan, o: SweepOptions): PointSetting {
  const architecture = p.variant?.arch ?? o.cost?.architecture ?? 'x86_64';
  const pc = p.provisioned;
  const snap = p.snapStart;
  const prices = p.results[0]?.cost?.prices ?? o.cost?.prices;
  return {
    ...loadOf(p.scenario),
    target: p.input.target.spec,
    ...(p.variant?.knobs ? { knobs: p.variant.knobs } : {}),
    architecture,
    ...(pc ? { provisioned: { function: pc.function, qualifier: pc.qualifier, environments: pc.environments, memoryMB: pc.memoryMB, monthlyUsd: monthlyAllocationUsd(pc.environments, pc.memoryMB, prices, architecture) } } : {}),
    ...(snap ? { snapStart: { function: snap.function, alias: snap.alias, version: snap.version, on: snap.on, memoryMB: snap.memoryMB, monthlyUsd: monthlyCacheUsd(snap.on, snap.memoryMB, prices) } } : {}),
  };
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
  const failedChecks = verdict.checks.filter(checkFailed);
  const failed = [...failedChecks.map((c) => `${c.name}: ${c.detail}`), ...verdict.thresholds.filter((t) => failsVerdict(t.outcome)).map((t) => `${t.expression}: ${t.detail}`)];
  if (verdict.outcome === 'pass') return { met: true, failed };
  const saturated = results.filter((r) => r.harness.saturated);
  if (saturated.length === 0 || !failedChecks.some((c) => c.name === HARNESS_CHECK)) return { met: false, failed, missedBy: 'stack' };
  const where = `${results.length > 1 ? `in ${saturated.length} of ${results.length} repeats, ` : ''}${firstSaturationText(saturated[0]!.harness) ?? 'its CPU or event loop was the bottleneck'}`;
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
