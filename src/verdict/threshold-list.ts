import { parseThreshold, thresholdError, type Threshold } from '../contracts/threshold.ts';

/** Where `--threshold` flags are named in messages and results. */
export const THRESHOLD_FLAG = '--threshold';

export interface ThresholdInputs {
  /** the scenario's `thresholds:`, parsed when it was loaded (each named `<file>: thresholds[i]`) */
  scenario?: readonly Threshold[];
  /** the flags' expressions, in the order given */
  flags?: readonly string[];
  /** how the flags are named (default `--threshold`; a search's SLOs are `--slo`) */
  flagName?: string;
  /**
   * a threshold on `baseline`: allowed when a baseline was given (`--baseline`), refused without
   * one, or refused with `reason` where there can be none (a search)
   */
  baseline: { given: boolean } | { none: string };
}

/**
 * The thresholds a verdict is judged by: the scenario file's first, then the flags; the same
 * expression twice is kept once (the first). Every mistake is a UserError naming the expression
 * and where it came from, raised before any load is sent. Each expression is parsed once: the
 * scenario's when it was loaded, the flags' here.
 */
export function collectThresholds(inputs: ThresholdInputs): Threshold[] {
  const flagName = inputs.flagName ?? THRESHOLD_FLAG;
  const all = [...(inputs.scenario ?? []), ...(inputs.flags ?? []).map((e) => parseThreshold(e, flagName))];
  const out: Threshold[] = [];
  for (const t of all) {
    if (t.bound.baseline) {
      if ('none' in inputs.baseline) throw thresholdError(t.source, t.expression, inputs.baseline.none);
      if (!inputs.baseline.given) throw thresholdError(t.source, t.expression, 'compares with the baseline, but no --baseline <results.json> was given');
    }
    if (!out.some((o) => o.expression === t.expression)) out.push(t);
  }
  return out;
}
