import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { UserError } from '../../common/errors.ts';
import type { HttpApiDescription, HttpJwtAuthorizerDescription } from '../stack-model/stack-description.ts';

/**
 * The signing keys of each JWT authorizer's issuer. On AWS, API Gateway fetches them from the
 * issuer: the `jwks_uri` its `{issuer}/.well-known/openid-configuration` names. Offline nothing is
 * fetched: the stack config names a local copy of each issuer's JWKS (`template.jwks`: issuer →
 * file, relative to the current directory as the config's other paths are), read once at start. A
 * JWT authorizer a route uses whose issuer has no copy is refused before anything starts, in one
 * line saying how to give it.
 *
 * API Gateway checks RSA signatures only ("Currently, only RSA-based algorithms are supported"),
 * by the key whose `kid` the token's header names: the RSA keys with a `kid` are kept (and usable
 * for signing: no `use`, or `sig`); others are passed over.
 */

export interface SigningKey {
  kid: string;
  /** the JWK's `alg` where it names one: a token signed with another algorithm is refused */
  alg?: string;
  key: KeyObject;
}

/** An issuer's keys by kid. */
export type IssuerKeys = ReadonlyMap<string, SigningKey>;

/** "Response size from JSON Web Key Set endpoint: 150000 bytes" (HTTP API quotas): a larger copy is refused as AWS refuses the endpoint's answer. */
const MAX_JWKS_BYTES = 150_000;

export interface JwksSources {
  /** the template file, naming where an authorizer is written */
  templateFile: string;
  /** where a `template.jwks` entry was given: the config file, or the flag (config.ts's sourceOf) */
  sourceOf(issuer: string): string;
}

/** The JWT authorizers a route of `api` uses. */
export function usedJwtAuthorizers(api: Pick<HttpApiDescription, 'routes' | 'authorizers'>): HttpJwtAuthorizerDescription[] {
  const used = new Set(api.routes.flatMap((r) => (r.authorization?.type === 'JWT' ? [r.authorization.authorizerId] : [])));
  return (api.authorizers ?? []).filter((a): a is HttpJwtAuthorizerDescription => a.type === 'JWT' && used.has(a.id));
}

/** The OpenID discovery document an issuer publishes (OpenID Connect Discovery 1.0, §4): where API Gateway reads the issuer's jwks_uri. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** Each used JWT authorizer's issuer → its keys, read from the files `jwks` names; a mistake is one UserError line. */
export function readJwks(apis: ReadonlyArray<Pick<HttpApiDescription, 'logicalId' | 'routes' | 'authorizers'>>, jwks: Readonly<Record<string, string>> | undefined, o: JwksSources): Map<string, IssuerKeys> {
  const out = new Map<string, IssuerKeys>();
  for (const api of apis) {
    for (const a of usedJwtAuthorizers(api)) {
      if (out.has(a.issuer)) continue;
      const file = jwks?.[a.issuer];
      if (file === undefined) {
        throw new UserError(
          `${o.templateFile}: HTTP API ${api.logicalId}: authorizer ${a.name} (JWT, issuer ${a.issuer}): its signing keys (the jwks_uri of ${discoveryUrl(a.issuer)}) cannot be fetched offline: give a local copy in the stack config as template.jwks["${a.issuer}"]: <file>`,
        );
      }
      out.set(a.issuer, readJwksFile(file, `${o.sourceOf(a.issuer)}: template.jwks["${a.issuer}"]: ${file}`));
    }
  }
  return out;
}

function readJwksFile(file: string, where: string): IssuerKeys {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_JWKS_BYTES) throw new UserError(`${where}: ${size} bytes, more than the ${MAX_JWKS_BYTES} API Gateway takes from a JWKS endpoint`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${where}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${where}: not JSON (${(err as Error).message}): a JWKS is {"keys": [...]}`);
  }
  const keys = typeof doc === 'object' && doc !== null ? (doc as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) throw new UserError(`${where}: not a JWKS: expected {"keys": [...]}, as the issuer's jwks_uri answers`);
  const out = new Map<string, SigningKey>();
  keys.forEach((jwk: unknown, i) => {
    if (typeof jwk !== 'object' || jwk === null) throw new UserError(`${where}: keys[${i}]: not a JSON Web Key (an object)`);
    const k = jwk as JsonWebKey & { kid?: unknown; use?: unknown; alg?: unknown };
    if (k.kty !== 'RSA' || typeof k.kid !== 'string' || (k.use !== undefined && k.use !== 'sig')) return;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: k, format: 'jwk' });
    } catch (err) {
      throw new UserError(`${where}: keys[${i}] (kid ${k.kid}): not a usable RSA public key (${(err as Error).message})`);
    }
    out.set(k.kid, { kid: k.kid, ...(typeof k.alg === 'string' ? { alg: k.alg } : {}), key });
  });
  if (out.size === 0) throw new UserError(`${where}: holds no RSA signing key with a kid: API Gateway checks a token's RSA signature by the key its kid names`);
  return out;
}
