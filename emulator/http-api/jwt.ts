import { verify } from 'node:crypto';
import type { IssuerKeys } from './jwks.ts';

/**
 * A JWT authorizer's check of a token, as "Control access to HTTP APIs with JWT authorizers"
 * lists it: decode the token; check its algorithm and signature with the issuer's key its header's
 * `kid` names ("Currently, only RSA-based algorithms are supported": RS256, RS384, RS512); then
 * `iss` must be the authorizer's issuer, `aud` (or, only without one, `client_id`) one of its
 * audiences, `exp` after the current time, `nbf` and `iat` before it. Scopes are the route's
 * business (scopesOf). Each failure is said in the words AWS's `www-authenticate` header uses
 * where AWS shows them ("the token does not have a valid audience"), in like words elsewhere.
 */

export type JwtCheck = { ok: true; claims: Record<string, unknown> } | { ok: false; why: string };

const HASHES: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

export function verifyJwt(token: string, keys: IssuerKeys | undefined, issuer: string, audience: readonly string[], nowSeconds: number): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return fail('the token is not a JWT (header.payload.signature)');
  const [h, p, s] = parts as [string, string, string];
  const header = jsonPart(h);
  const claims = jsonPart(p);
  if (!header || !claims) return fail('the token could not be decoded');
  const hash = typeof header.alg === 'string' ? HASHES[header.alg] : undefined;
  if (hash === undefined) return fail(`the token's algorithm ${String(header.alg)} is not supported: only RS256, RS384 and RS512`);
  const key = typeof header.kid === 'string' ? keys?.get(header.kid) : undefined;
  if (!key) return fail(`no key of the issuer's JWKS has the token's kid ${String(header.kid)}`);
  if (key.alg !== undefined && key.alg !== header.alg) return fail(`the key ${key.kid} is for ${key.alg}, not ${String(header.alg)}`);
  if (!verify(hash, Buffer.from(`${h}.${p}`), key.key, Buffer.from(s, 'base64url'))) return fail('the token has an invalid signature');
  if (claims.iss !== issuer) return fail('the token does not have a valid issuer');
  const aud = claims.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : undefined;
  // "API Gateway validates client_id only if aud is not present"
  const audienceOk = aud !== undefined ? (audiences ?? []).some((a) => audience.includes(a)) : typeof claims.client_id === 'string' && audience.includes(claims.client_id);
  if (!audienceOk) return fail('the token does not have a valid audience');
  if (typeof claims.exp !== 'number') return fail('the token has no expiry (exp)');
  if (claims.exp <= nowSeconds) return fail('the token has expired');
  if (claims.nbf !== undefined && !(typeof claims.nbf === 'number' && claims.nbf <= nowSeconds)) return fail('the token is not valid yet (nbf)');
  if (claims.iat !== undefined && !(typeof claims.iat === 'number' && claims.iat <= nowSeconds)) return fail('the token was issued in the future (iat)');
  return { ok: true, claims };
}

/** A token's scopes: its `scp` claim, else its `scope` (a list, or one space-separated string); undefined when it has neither. */
export function scopesOf(claims: Record<string, unknown>): string[] | undefined {
  for (const name of ['scp', 'scope']) {
    const v = claims[name];
    if (typeof v === 'string' && v.trim() !== '') return v.trim().split(/\s+/);
    if (Array.isArray(v) && v.length > 0) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  }
  return undefined;
}

/**
 * The claims as an integration receives them (requestContext.authorizer.jwt.claims): every value a
 * string. AWS documents string values only; a capture against AWS (floci PR #2011) shows numbers
 * and booleans as their text, a list as `[a b]`, a null claim left out, an object as its JSON.
 */
export function renderedClaims(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(claims)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') out[name] = v;
    else if (Array.isArray(v)) out[name] = `[${v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ')}]`;
    else if (typeof v === 'object') out[name] = JSON.stringify(v);
    else out[name] = String(v);
  }
  return out;
}

function fail(why: string): JwtCheck {
  return { ok: false, why };
}

function jsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
