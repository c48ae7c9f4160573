import type { Results } from '../../src/contracts/results-schema.ts';
import { readResults } from '../../src/report/run/results-file.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import type { JudgedResults } from '../../src/verdict/judged.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';

/**
 * results.json files recorded from real runs against the local emulator (fixtures/; version 1
 * files, as runs before the verdict wrote them): a 40-client scenario run three times as it is
 * (base-*) and three times with 1,500 ms added to every sendMessage invocation (slow-*, the
 * emulator's addedLatencyMs), on a shared, busy 2-core host. The host's noise is in the numbers:
 * broadcast p50 of the unchanged build spans 473–1,359 ms. Recorded with
 *
 *   fanout-bench run fast.yaml   (×3)      fast.yaml: name: verdict-fixture, clients: 40, rooms: 4,
 *   fanout-bench run slow.yaml   (×3)        seed: 7, phases: connect, join, send { duration: 5s, rate: 5 }
 *                                           slow.yaml: the same + target: { config: slow-stack.yaml }
 *   slow-stack.yaml: functions: { fanout-send-message: { addedLatencyMs: 1500 } }
 *
 * and stored as compact JSON (each ~40 KB).
 */
export const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

export const recorded = (name: string) => readResults(`${FIXTURES}${name}.json`);

export async function recordedRuns(): Promise<{ base: Results[]; slow: Results[] }> {
  const base = await Promise.all(['base-1', 'base-2', 'base-3'].map(recorded));
  const slow = await Promise.all(['slow-1', 'slow-2', 'slow-3'].map(recorded));
  return { base, slow };
}

/** The baseline as a `--repeat 3` run stores it: its verdict keeps each run's values. */
export function baselineWithRepeats(base: Results[]): Results {
  return { ...base[1], verdict: evaluate(base[1], { repeats: base }) };
}

/**
 * The slow build judged against the baseline, as a nightly check would: two thresholds from a
 * scenario file, three flags; one crossed beyond noise, one within noise, one without data.
 */
export async function slowAgainstBaseline(): Promise<JudgedResults> {
  const { base, slow } = await recordedRuns();
  const thresholds = [
    parseThreshold('broadcast.p50 <= baseline * 1.10', 'nightly.yaml: thresholds[0]'),
    parseThreshold('broadcast.p99 <= baseline * 1.10', 'nightly.yaml: thresholds[1]'),
    parseThreshold('deliveries.lost == 0', '--threshold'),
    parseThreshold('dynamodb.readUnitsPerMessage <= 2', '--threshold'),
    // no client was dropped in these runs: the stale-cleanup threshold has no data
    parseThreshold('stale.timeToCleanMs < 5s', '--threshold'),
  ];
  return { ...slow[0], verdict: evaluate(slow[0], { thresholds, baseline: baselineWithRepeats(base), repeats: slow }) };
}
