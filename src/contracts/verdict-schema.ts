import { z } from 'zod';
import { LimitFactor } from './limit-factors.ts';

/**
 * results.verdict — what the verdict stage decided about a run: the built-in checks, every
 * threshold with the value it saw, and (with a baseline) the comparison. Renderers only show it.
 * Its own module so the results schema can hold it without the verdict code importing back.
 */

/**
 * One built-in check (run completed, sends went out, no lost deliveries, …). A check with nothing
 * to judge (no lost deliveries of a run that sent nothing) is `judged: false`: it never passes
 * (`passed` false) and, judging nothing, fails nothing; its detail says why. What it cannot judge
 * because the run went wrong (publishes accepted while no client could receive them) is judged,
 * and fails.
 */
export const Check = z.object({
  name: z.string(),
  passed: z.boolean(),
  /** why it failed, or what was checked, or (not judged) why there was nothing to judge */
  detail: z.string(),
  /** false: nothing to judge (absent: judged) */
  judged: z.literal(false).optional(),
});
export type Check = z.infer<typeof Check>;

/** A check with nothing to judge, saying why: it never passes, and fails nothing (checkFailed). */
export function notJudged(name: string, why: string): Check {
  return { name, passed: false, judged: false, detail: `not judged: ${why}` };
}

/** Whether a check had something to judge (`judged` absent). */
export function checkJudged(c: Pick<Check, 'judged'>): boolean {
  return c.judged !== false;
}

/** Whether a check fails the verdict: judged, and not passed. */
export function checkFailed(c: Pick<Check, 'passed' | 'judged'>): boolean {
  return !c.passed && checkJudged(c);
}

/** How a check's state is said beside its name. */
export function checkState(c: Pick<Check, 'passed' | 'judged'>): 'passed' | 'failed' | 'not judged' {
  return !checkJudged(c) ? 'not judged' : c.passed ? 'passed' : 'failed';
}

/**
 * pass; fail (crossed); no-data (the metric is not in the results, e.g. CloudWatch was not pulled:
 * counts as failed); within-noise (crossed, but by no more than the spread of the repeats: not
 * called a regression, does not fail)
 */
export const ThresholdOutcome = z.enum(['pass', 'fail', 'no-data', 'within-noise']);
export type ThresholdOutcome = z.infer<typeof ThresholdOutcome>;

/** Lowest and highest value of one metric over repeated runs of one scenario (`--repeat`). */
export const RepeatRange = z.object({ min: z.number(), max: z.number(), runs: z.number().int().positive() });
export type RepeatRange = z.infer<typeof RepeatRange>;

export const MetricUnit = z.enum(['ms', '%', 'USD', 'GB-s', 'MB', '']);
export type MetricUnit = z.infer<typeof MetricUnit>;

export const ThresholdResult = z.object({
  /** as written */
  expression: z.string(),
  /** where it came from: `--threshold`, or `<scenario file>: thresholds[i]` */
  source: z.string(),
  /** the metric name as the catalogue knows it, e.g. broadcast.p99 */
  metric: z.string(),
  unit: MetricUnit,
  /** a latency-like value that varies from run to run (compared through medians and spreads) */
  noisy: z.boolean(),
  op: z.enum(['<', '<=', '>', '>=', '==', '!=']),
  /** the value compared against (the baseline's, scaled), null when it could not be computed */
  limit: z.number().nullable(),
  /** this run's value (the median of the repeats when there were repeats), null: no data */
  observed: z.number().nullable(),
  /** the baseline's value (its repeats' median when it has them), for any threshold when a baseline was given */
  baseline: z.number().nullable(),
  outcome: ThresholdOutcome,
  /** one line for people: the value, the limit, the spread or why there is no data */
  detail: z.string(),
  spread: RepeatRange.optional(),
  baselineSpread: RepeatRange.optional(),
});
export type ThresholdResult = z.infer<typeof ThresholdResult>;

/** One row of the comparison with the baseline. */
export const DiffRow = z.object({
  metric: z.string(),
  label: z.string(),
  unit: MetricUnit,
  noisy: z.boolean(),
  baseline: z.number().nullable(),
  current: z.number().nullable(),
  /** (current − baseline) / baseline × 100; null when either is missing or the baseline is 0 */
  changePct: z.number().nullable(),
  /** the thresholds' outcome on this metric (the worst), or within-noise for a noisy metric that moved by no more than its spread; null: nothing to say */
  outcome: ThresholdOutcome.nullable(),
});
export type DiffRow = z.infer<typeof DiffRow>;

/**
 * Why a failed check failed (src/diagnosis/explanations.ts): the evidence of the run's window that
 * can produce its symptom, ranked, each line with what would move it (the functions' own errors
 * among it); where lost deliveries went missing; or, when nothing explains it, that sentence.
 */
export const Explanation = z.object({
  /** the failed check's name, or the crossed threshold's expression (kind threshold) */
  check: z.string(),
  /** absent: a check */
  kind: z.literal('threshold').optional(),
  /** ranked: the largest share of the symptom first (share: how much of it the line accounts for, where its figures say) */
  evidence: z.array(z.object({ factor: LimitFactor, line: z.string(), remedy: z.string(), share: z.number().min(0).max(1).optional() })),
  /** results written before the functions' errors were evidence: "fn: N errors in M invocations (AWS/Lambda Errors)" */
  functionErrors: z.array(z.string()).optional(),
  where: z.array(z.string()).optional(),
  unexplained: z.string().optional(),
});
export type Explanation = z.infer<typeof Explanation>;

/**
 * One run's failed checks and their explanations, told beside its figures wherever several runs
 * stand side by side: each repeat of `--repeat` (verdict.repeats.runs), each run of a comparison.
 */
export const RunExplanation = z.object({
  failed: z.array(z.object({ check: z.string(), detail: z.string() })),
  explanations: z.array(Explanation),
});
export type RunExplanation = z.infer<typeof RunExplanation>;

export const Verdict = z.object({
  /** pass; fail (a check failed or a threshold was crossed or had no data); run-failed; interrupted */
  outcome: z.enum(['pass', 'fail', 'run-failed', 'interrupted']),
  /** one line: what decided the outcome */
  summary: z.string(),
  checks: z.array(Check),
  /** one per failed check, in their order */
  explanations: z.array(Explanation).optional(),
  thresholds: z.array(ThresholdResult),
  /** the run compared against (--baseline) */
  baseline: z
    .object({ runId: z.string(), scenario: z.string(), startedAt: z.string(), runs: z.number().int().positive() })
    .optional(),
  /** with a baseline: the thresholds' metrics and the headline metrics, side by side */
  diff: z.array(DiffRow).optional(),
  /** with repeats: each run's value of every metric the catalogue knows, so this file can serve as a baseline with its spread */
  repeats: z
    .object({
      runIds: z.array(z.string()),
      values: z.record(z.string(), z.array(z.number().nullable())),
      /** per run, in runIds' order: its status and, when a check failed, why (absent from older results) */
      runs: z.array(RunExplanation.partial().extend({ status: z.string() })).optional(),
    })
    .optional(),
  notes: z.array(z.string()),
});
export type Verdict = z.infer<typeof Verdict>;

/** Whether a threshold's outcome fails the verdict (a crossing, or no data to judge by). */
export function failsVerdict(outcome: ThresholdOutcome): boolean {
  return outcome === 'fail' || outcome === 'no-data';
}
