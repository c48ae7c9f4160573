/** A message quoted in an evidence line: its first `n` characters, an ellipsis where it was cut. */
export function clipText(s: string, n = 160): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
