import type { Results } from '../contracts/results-schema.ts';
import { unexpectedErrors } from '../contracts/unexpected-errors.ts';
import { fmtNum } from '../number-format.ts';
import type { CrossedLatency } from './local-host-waits.ts';

/**
 * What every detector of limit-evidence.ts is written in: the symptoms a cause is weighed against,
 * what a detector finds (a line, the share of the symptom it accounts for, what would move it),
 * and the reckonings several detectors share (whether a function fans out, the share of the
 * client-facing errors or of the messages a count accounts for).
 */

/** What a failed check or crossed SLO shows: errors the clients met, deliveries lost, or latency. */
export type Symptom = 'errors' | 'loss' | 'latency';
export const SYMPTOMS: readonly Symptom[] = ['errors', 'loss', 'latency'];

/**
 * What the evidence is weighed against: the symptoms, and the latency thresholds crossed (their
 * figure decides whether the host's held-back waits are in them). `asTimed`: a latency with no
 * threshold behind it (a failed check's, or any, for a run without a verdict): as the clients timed it.
 */
export interface Judged {
  symptoms: ReadonlySet<Symptom>;
  crossed: readonly CrossedLatency[];
  asTimed: boolean;
}

/** One cause found: its line, the share of the symptom it accounts for (0–1) where its figures say, and what would move it. */
export interface Finding {
  line: string;
  share?: number;
  remedy?: string;
}
export type Detector = (r: Results, symptoms: ReadonlySet<Symptom>, judged: Judged) => Finding | Finding[] | string | undefined;

export const sum = (xs: Iterable<number>) => {
  let n = 0;
  for (const x of xs) n += x;
  return n;
};
export const ms = (v: number | null | undefined) => (v === null || v === undefined ? '?' : `${fmtNum(v)} ms`);
export const shareOf = (part: number, whole: number) => (whole > 0 ? Math.min(1, part / whole) : undefined);

/** The client-facing errors the run did not expect (502s, error frames, 429s …). */
export function unexpectedCount(r: Results): number {
  return sum(unexpectedErrors(r).map(([, n]) => n));
}

/** The symptom asked about is a loss and nothing else: what could not lose deliveries is no cause of it. */
export const onlyLoss = (symptoms: ReadonlySet<Symptom>) => symptoms.has('loss') && !symptoms.has('errors') && !symptoms.has('latency');

/** Routes whose function's failure loses no delivery: it fans nothing out. */
export const NO_FANOUT_ROUTES = new Set(['$connect', '$disconnect']);

/** Whether a function's failure can lose deliveries (unknown functions are taken to fan out). */
export function fansOutOf(r: Results, fn: string): boolean {
  const f = r.config.target.functions?.functions.find((x) => x.name === fn);
  return f === undefined || (!NO_FANOUT_ROUTES.has(f.route) && !f.authorizer);
}

/** The errors DynamoDB's throttling raises in a function that does not retry them away. */
export const DYNAMODB_THROTTLE_KINDS = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

/**
 * The share of the symptom that failed invocations account for: of the client-facing errors; of
 * the messages sent, for a loss (only invocations that fan out can lose a delivery). The larger,
 * where both symptoms are asked about; undefined where neither applies or nothing was counted.
 */
export function errorShare(r: Results, symptoms: ReadonlySet<Symptom>, failed: number, failedFanningOut: number): number | undefined {
  const shares = [
    ...(symptoms.has('errors') ? [shareOf(failed, unexpectedCount(r))] : []),
    ...(symptoms.has('loss') && r.deliveries.lost > 0 ? [shareOf(failedFanningOut, r.sends.sent)] : []),
  ].filter((x): x is number => x !== undefined);
  return shares.length > 0 ? Math.max(...shares) : undefined;
}
