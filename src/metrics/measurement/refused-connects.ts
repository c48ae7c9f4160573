/**
 * Whether a stack's $connect authorizer refuses everyone: no connect has opened and every one
 * tried was refused with 401 (no token reached the authorizer) or 403 (it denied the token). A run
 * in that state measures nothing; it stops early and says why in one line, naming what to fix.
 * Judged once at least `minAttempts` connects were tried, so a fleet of thousands stops within its
 * first second instead of ramping every client into the same refusal.
 *
 * The advice is the stack's own: `identitySource` is its authorizer's IdentitySource (the local
 * stack's ready line, the API's GetAuthorizers on AWS). Where the run's token goes nowhere it
 * reads (`fills`, connect-token.ts), setting a token changes nothing: the line names what the
 * stack reads and where a protocol puts a value. `expected` says where the stack's expected token
 * comes from (target/token-parameter.ts), when the harness knows.
 */
export const MIN_REFUSED_ATTEMPTS = 20;

/** What the harness knows of the stack's authorizer and of where the run puts its token. */
export interface AuthorizerAdvice {
  /** the authorizer's identity source, as API Gateway names it (`route.request.header.Auth`) */
  identitySource?: readonly string[];
  /** where the run's handshakes carry its token, named the same way */
  fills?: readonly string[];
  /** where the token it expects comes from */
  expected?: string;
}

/**
 * Every connect tried refused by the authorizer: how many with 401 and with 403, and what the run
 * could change (worded by report/run/status-reason-text.ts, the run's status reason).
 */
export interface RefusedConnects {
  unauthorized: number;
  denied: number;
  /** the identity source the run puts no token in (absent: the token goes where it reads, or that is not known) */
  unfilled?: readonly string[];
  /** where the token the stack expects comes from */
  expected?: string;
}

export function refusedConnects(
  counts: { connects: number; connectFailures: number },
  errors: Readonly<Record<string, number>>,
  minAttempts: number,
  auth: AuthorizerAdvice = {},
): RefusedConnects | undefined {
  const unauthorized = errors['handshake:401'] ?? 0;
  const denied = errors['handshake:403'] ?? 0;
  const refused = unauthorized + denied;
  if (counts.connects > 0 || refused === 0 || refused < minAttempts || refused !== counts.connectFailures) return undefined;
  const unfilled = unfilledSources(auth);
  return { unauthorized, denied, ...(unfilled ? { unfilled } : {}), ...(auth.expected ? { expected: auth.expected } : {}) };
}

/**
 * The identity source where the run's token fills none of it (header names compared without
 * case, as HTTP does); undefined where it is not known, or the token goes where it reads.
 */
function unfilledSources(auth: AuthorizerAdvice): readonly string[] | undefined {
  const sources = auth.identitySource;
  if (!sources || sources.length === 0) return undefined;
  const key = (s: string) => (/^route\.request\.header\./i.test(s) ? s.toLowerCase() : s);
  const filled = new Set((auth.fills ?? []).map(key));
  return sources.some((s) => filled.has(key(s))) ? undefined : sources;
}
