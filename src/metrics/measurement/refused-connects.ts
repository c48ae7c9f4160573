/**
 * Whether a stack's $connect authorizer refuses everyone: no connect has opened and every one
 * tried was refused with 401 (no token reached the authorizer) or 403 (it denied the token). A run
 * in that state measures nothing; it stops early and says why in one line, naming what to fix.
 * Judged once at least `minAttempts` connects were tried, so a fleet of thousands stops within its
 * first second instead of ramping every client into the same refusal. `expected` says where the
 * stack's expected token comes from (target/token-parameter.ts), when the harness knows.
 */
export const MIN_REFUSED_ATTEMPTS = 20;

export function refusedConnectsReason(
  counts: { connects: number; connectFailures: number },
  errors: Readonly<Record<string, number>>,
  minAttempts: number,
  expected?: string,
): string | undefined {
  const unauthorized = errors['handshake:401'] ?? 0;
  const denied = errors['handshake:403'] ?? 0;
  const refused = unauthorized + denied;
  if (counts.connects > 0 || refused === 0 || refused < minAttempts || refused !== counts.connectFailures) return undefined;
  const fix = `set FANOUT_BENCH_TOKEN or --token-file to the token the stack expects${expected ? `: ${expected}` : ''}`;
  if (unauthorized === 0) return `all ${refused} connects tried were refused with 403: the authorizer denied the token (${fix})`;
  if (denied === 0) {
    return `all ${refused} connects tried were refused with 401: no token reached the authorizer (${fix}; --token-in header|query must be where the stack looks for it)`;
  }
  return `all ${refused} connects tried were refused (${unauthorized} with 401, ${denied} with 403): the authorizer did not accept the token (${fix})`;
}
