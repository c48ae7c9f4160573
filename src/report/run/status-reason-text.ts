import type { LostTarget } from '../../metrics/measurement/lost-target.ts';
import type { RefusedConnects } from '../../metrics/measurement/refused-connects.ts';
import { fmtInt } from '../../number-format.ts';

/**
 * The words of why a run failed though its phases ran (results.json's statusReason): the
 * measurement found it (metrics/measurement), the session says it here.
 */

/** The target lost mid-run: "the target stopped answering: 30 of 40 connections closed unexpectedly". */
export function lostTargetText(l: LostTarget): string {
  if (l.sign === 'closed') return `the target stopped answering: ${fmtInt(l.closed)} of ${fmtInt(l.opened)} connections closed unexpectedly`;
  return `the target stopped answering: send phase "${l.phase}" skipped ${fmtInt(l.skipped)} of ${fmtInt(l.intended)} sends (the sockets of its senders and their rooms had closed)`;
}

/**
 * Every connect refused by the authorizer, in one line naming what to fix: where the stack's
 * authorizer reads an identity the run does not fill, that place and how a protocol puts a value
 * there; else the token to set (and where the stack's comes from).
 */
export function refusedConnectsText(r: RefusedConnects): string {
  const refused = fmtInt(r.unauthorized + r.denied);
  if (r.unfilled) {
    const reads = `the stack's authorizer reads ${r.unfilled.join(' and ')}, where the run puts no token: put it there with the protocol's connect.headers or connect.query ({{token}})`;
    if (r.unauthorized === 0) return `all ${refused} connects tried were refused with 403: the authorizer denied what its identity source carried (${reads})`;
    return `all ${refused} connects tried were refused${r.denied === 0 ? ' with 401' : ` (${fmtInt(r.unauthorized)} with 401, ${fmtInt(r.denied)} with 403)`}: no identity the authorizer accepts reached it (${reads})`;
  }
  const fix = `set FANOUT_BENCH_TOKEN or --token-file to the token the stack expects${r.expected ? `: ${r.expected}` : ''}`;
  if (r.unauthorized === 0) return `all ${refused} connects tried were refused with 403: the authorizer denied the token (${fix})`;
  if (r.denied === 0) return `all ${refused} connects tried were refused with 401: no token reached the authorizer (${fix}; --token-in header|query must be where the stack looks for it)`;
  return `all ${refused} connects tried were refused (${fmtInt(r.unauthorized)} with 401, ${fmtInt(r.denied)} with 403): the authorizer did not accept the token (${fix})`;
}
