/** "30s", "500ms", "2m", "1h", or a plain number of seconds → milliseconds; undefined if not a duration. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v * 1000 : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  return n * factor;
}

export const DURATION_HINT = 'must be a duration like "30s", "500ms", "2m" or a number of seconds';

/** 1500 → "1.5s", 120000 → "2m", 86400000 → "24h" (for messages and the progress line). */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && (ms % 3_600_000 === 0 || ms % 60_000 !== 0)) return `${Math.round(ms / 360_000) / 10}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${Math.round(ms / 100) / 10}s`;
  return `${Math.round(ms)}ms`;
}
