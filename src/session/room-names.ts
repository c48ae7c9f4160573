/**
 * The names of a run's rooms: `fb-<run id>-r<n>` (and `fb-<run id>-probe` for the protocol's
 * preflight client). Letters, digits, `-` and `_` only: stacks commonly check a room name they
 * take from a connect URL or a frame against such a set (a dot or a space is refused), and the
 * harness must not be refused for its own naming.
 */
export function roomPrefix(runId: string): string {
  return `fb-${runId.replace(/[^A-Za-z0-9_-]/g, '-')}-`;
}
