import { parseThreshold, thresholdError, type Threshold } from '../contracts/threshold.ts';

/** Where `--threshold` flags are named in messages and results. */
export const THRESHOLD_FLAG = '--threshold';

export interface ThresholdInputs {
  /** the scenario's `thresholds:` and where the scenario came from (its file, or "built-in scenario x") */
  scenario?: { thresholds: readonly string[]; source: string };
  /** `--threshold` flags, in the order given */
  flags?: readonly string[];
  /** whether a baseline was given (`--baseline`): a threshold on `baseline` needs one */
  hasBaseline: boolean;
}

/**
 * The run's thresholds: the scenario file's first, then the `--threshold` flags; the same
 * expression twice is kept once (the first). Every mistake is a UserError naming the expression
 * and where it came from, raised before any load is sent.
 */
export function collectThresholds(inputs: ThresholdInputs): Threshold[] {
  const written = [
    ...(inputs.scenario?.thresholds ?? []).map((e, i) => ({ expression: e, source: `${inputs.scenario!.source}: thresholds[${i}]` })),
    ...(inputs.flags ?? []).map((e) => ({ expression: e, source: THRESHOLD_FLAG })),
  ];
  const out: Threshold[] = [];
  for (const w of written) {
    const t = parseThreshold(w.expression, w.source);
    if (t.bound.baseline && !inputs.hasBaseline) {
      throw thresholdError(w.source, w.expression, 'compares with the baseline, but no --baseline <results.json> was given');
    }
    if (!out.some((o) => o.expression === t.expression)) out.push(t);
  }
  return out;
}
