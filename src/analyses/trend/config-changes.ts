import type { Results } from '../../contracts/results-schema.ts';
import { fmtInt } from '../../number-format.ts';

/**
 * Where the functions' configuration changed between two runs of a trend (memory per function):
 * a 256 MB and a 512 MB run are one scenario on one target and machine, so they stay in the trend,
 * but their noisy metrics (latencies, Duration, cost, CPU) differ by what the configuration did,
 * not by the night-to-night noise: no noise rule may call that step noise. The trend judges each
 * stretch of one configuration on its own and names every change of configuration.
 */

/** One change of configuration: between run `lastBefore` and run `index`, what changed. */
export interface ConfigChange {
  index: number;
  lastBefore: number;
  /** "fanout-send-message 256 → 512 MB" */
  what: string[];
}

/** Each function's memory size in a run, MB: the cost model's (from the REPORT lines), else the REPORT lines' own. */
export function memoryOf(r: Results): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [fn, rep] of Object.entries(r.cloudwatch?.reports ?? {})) if (rep.memorySizeMB !== null && rep.memorySizeMB !== undefined) out[fn] = rep.memorySizeMB;
  for (const [fn, f] of Object.entries(r.lambda?.functions ?? {})) if (typeof f.memoryMB === 'number') out[fn] = f.memoryMB;
  return out;
}

/** Every change of a function's memory between consecutive runs (functions either run did not report are not compared). */
export function configChanges(runs: readonly Results[]): ConfigChange[] {
  const out: ConfigChange[] = [];
  let last: { index: number; memory: Record<string, number> } | undefined;
  runs.forEach((r, index) => {
    const memory = memoryOf(r);
    if (last) {
      const before = last.memory;
      const what = Object.keys(memory)
        .filter((fn) => before[fn] !== undefined && before[fn] !== memory[fn])
        .sort()
        .map((fn) => `${fn} ${fmtInt(before[fn]!)} → ${fmtInt(memory[fn]!)} MB`);
      if (what.length > 0) out.push({ index, lastBefore: last.index, what });
    }
    // a run that reported no function keeps the last configuration known
    if (Object.keys(memory).length > 0 || !last) last = { index, memory: { ...(last?.memory ?? {}), ...memory } };
  });
  return out;
}
