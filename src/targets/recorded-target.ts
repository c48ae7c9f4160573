import type { Target } from './target.ts';

/**
 * What names a recorded target the same from one run to the next (a trend's group): the label the
 * target recorded; for results older than labels, the local emulator (a new port each run) or its
 * URL without the query.
 */
export function recordedTargetLabel(t: { kind: Target['kind']; url: string; label?: string }): string {
  if (t.label) return t.label;
  return t.kind === 'local' ? 'local emulator' : t.url.replace(/[?#].*$/, '');
}

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
