import type { Target } from './target.ts';

/**
 * What a recorded target's kind (results.json's config.target.kind) means for reading its
 * measurements, where results are read back and no Target object is left: one line per caveat.
 */
export function measuredOnNotes(kind: Target['kind'] | null): string[] {
  if (kind !== 'local') return [];
  return [
    "Measured on the local emulator: Duration follows its CPU-share model (1,769 MB = one vCPU, on each thread's own CPU time); end-to-end latencies also carry this host's load.",
  ];
}
