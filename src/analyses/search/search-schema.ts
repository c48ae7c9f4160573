import { z } from 'zod';
import { Evidence, LimitFactor } from '../../contracts/limit-factors.ts';
import { MetricUnit, ThresholdOutcome } from '../../contracts/verdict-schema.ts';

/**
 * search.json: a capacity search (`fanout-bench search`), its steps in the order they ran, each
 * with its run directory, its SLO judgement, its figures and the evidence of what limited it, and
 * the answer: the highest load that met every SLO, the first that did not, and the limiting factor
 * named from evidence. Written after every step, so an interrupted search keeps what it measured.
 */
export const SEARCH_SCHEMA_VERSION = 1;

/** What a search varies from step to step. */
export const SEARCH_VARY = ['rate', 'clients', 'room-size'] as const;
export const SearchVary = z.enum(SEARCH_VARY);
export type SearchVary = z.infer<typeof SearchVary>;

/** The unit each varied load is counted in. */
export const VARY_UNIT: Record<SearchVary, string> = { rate: 'messages/s', clients: 'clients', 'room-size': 'members per room' };

/** Why a step was measured: growing geometrically, bisecting the boundary, or measuring a boundary again. */
export const StepRole = z.enum(['grow', 'bisect', 'confirm']);
export type StepRole = z.infer<typeof StepRole>;

/** One SLO as one step's verdict judged it (a threshold of the step's results.json). */
export const StepSlo = z.object({
  expression: z.string(),
  metric: z.string(),
  unit: MetricUnit,
  observed: z.number().nullable(),
  limit: z.number().nullable(),
  outcome: ThresholdOutcome,
  /** a latency: whose figure was judged, the stack's (the local host's waits taken out) or the client's (absent: AWS, or older files) */
  figure: z.enum(['stack', 'client']).optional(),
});
export type StepSlo = z.infer<typeof StepSlo>;

export const SearchStep = z.object({
  /** 1-based, in the order measured */
  index: z.number().int().positive(),
  load: z.number().positive(),
  role: StepRole,
  runId: z.string(),
  /** the step's run directory, relative to the search's directory */
  dir: z.string(),
  status: z.enum(['completed', 'interrupted', 'failed']),
  /** every SLO and every built-in check held */
  passed: z.boolean(),
  slos: z.array(StepSlo),
  /** built-in checks that failed, by name, with their detail */
  failedChecks: z.array(z.string()),
  figures: z.object({
    /** length of the measured send phases, ms */
    holdMs: z.number().nonnegative(),
    /** messages the schedule asked for, per second of hold */
    offeredMessagesPerSec: z.number().nonnegative(),
    /** deliveries the offered messages meant (each to its room's members), per second of hold */
    offeredDeliveriesPerSec: z.number().nonnegative(),
    /** deliveries received, per second of hold */
    deliveredPerSec: z.number().nonnegative(),
    /** the metric catalogue's figures: the stack's where the step has them (see latencyFigure) */
    broadcastP50Ms: z.number().nullable(),
    broadcastP99Ms: z.number().nullable(),
    fanoutCompletionP99Ms: z.number().nullable(),
    /** whose the latencies are: the stack's (the local host's waits taken out) or the client's (absent: AWS, or older files) */
    latencyFigure: z.enum(['stack', 'client']).optional(),
    lost: z.number().int().nonnegative(),
    errors: z.number().int().nonnegative(),
  }),
  /** what the step's results say about what limited it (empty: nothing did) */
  evidence: z.array(Evidence),
  /** the step had so many errors that the search stopped at once */
  massErrors: z.string().optional(),
});
export type SearchStep = z.infer<typeof SearchStep>;

export const SearchAnswer = z.object({
  /**
   * limit-found: a passing and a failing load inside from…to; to-passed: every load up to --to met
   * the SLOs; first-step-failed: --from already did not; stopped: mass errors or an interruption
   * ended the search before it had an answer
   */
  kind: z.enum(['limit-found', 'to-passed', 'first-step-failed', 'stopped']),
  /** the highest load that met every SLO (in the majority of its measurements) */
  maxPassing: z.number().nullable(),
  /** the lowest load that did not */
  firstFailing: z.number().nullable(),
  /** the gap between them is within --resolution */
  withinResolution: z.boolean(),
  /** the limiting factor at the first failing load, named from its evidence */
  limitingFactor: LimitFactor.nullable(),
  /** its evidence, and whatever else the failing load's results point at */
  evidence: z.array(Evidence),
  /** the boundary loads measured again: where they disagreed, and SLO values inside each other's noise */
  noise: z.array(z.string()),
  /** one line */
  summary: z.string(),
});
export type SearchAnswer = z.infer<typeof SearchAnswer>;

export const Search = z.object({
  schemaVersion: z.literal(SEARCH_SCHEMA_VERSION),
  searchId: z.string(),
  scenario: z.object({ name: z.string(), source: z.string() }),
  /** the --target as given */
  target: z.string(),
  vary: SearchVary,
  unit: z.string(),
  from: z.number().positive(),
  to: z.number().positive(),
  /** bisection stops when the gap is at most this share of the passing load */
  resolution: z.number().positive(),
  holdMs: z.number().positive(),
  warmUpMs: z.number().nonnegative(),
  slos: z.array(z.string()),
  status: z.enum(['completed', 'interrupted', 'stopped']),
  statusReason: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string(),
  steps: z.array(SearchStep),
  answer: SearchAnswer,
  /** --expect: the CI check on the answer */
  expect: z.object({ expression: z.string(), held: z.boolean(), detail: z.string() }).optional(),
  /** what the search changed on the target and put back */
  restored: z.array(z.string()),
});
export type Search = z.infer<typeof Search>;
