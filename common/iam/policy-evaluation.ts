import type { PolicyStatement } from './policy-document.ts';

/**
 * IAM's evaluation of identity-based policies within one account (IAM User Guide, "Policy
 * evaluation logic"): denied by default; a matching Deny wins over everything; otherwise a
 * matching Allow allows. Actions match case-insensitively, resources case-sensitively; both take
 * `*` (any run of characters) and `?` (one character). A resource pattern is matched field by
 * field (`arn:partition:service:region:account:resource`), as IAM matches ARNs: a wildcard in the
 * region matches a region, one in the resource part may span `/` and `:`.
 *
 * Conditions: the emulator evaluates no condition key (none of the request context IAM builds,
 * `aws:SourceIp`, `aws:PrincipalTag/…`, a service's own keys, is here). A statement with a
 * Condition is taken the way that can only deny more than AWS would, never allow more: an Allow
 * with a condition grants nothing, a Deny with a condition denies. The role's reader names each
 * such statement once at start, so a denial it causes is explained.
 */

export type DenyReason = 'explicit-deny' | 'no-allow';

export interface Decision {
  allowed: boolean;
  /** why it was denied (absent when allowed) */
  reason?: DenyReason;
  /** the statement that decided: the Deny that matched, or the Allow that allowed */
  statement?: PolicyStatement;
}

export const ALLOWED_BY_NO_ONE: Decision = { allowed: false, reason: 'no-allow' };

export function evaluate(statements: readonly PolicyStatement[], action: string, resource: string): Decision {
  let allow: PolicyStatement | undefined;
  for (const s of statements) {
    if (s.effect === 'Deny') {
      if (matches(s, action, resource, true)) return { allowed: false, reason: 'explicit-deny', statement: s };
    } else if (allow === undefined && matches(s, action, resource, false)) {
      allow = s;
    }
  }
  return allow ? { allowed: true, statement: allow } : ALLOWED_BY_NO_ONE;
}

/** Whether a statement applies to the request; a condition counts as met for a Deny, unmet for an Allow. */
function matches(s: PolicyStatement, action: string, resource: string, isDeny: boolean): boolean {
  if (s.condition && !isDeny) return false;
  const actionHit = s.action ? s.action.some((p) => actionMatches(p, action)) : !s.notAction!.some((p) => actionMatches(p, action));
  if (!actionHit) return false;
  return s.resource ? s.resource.some((p) => resourceMatches(p, resource)) : !s.notResource!.some((p) => resourceMatches(p, resource));
}

export function actionMatches(pattern: string, action: string): boolean {
  return globMatches(pattern.toLowerCase(), action.toLowerCase());
}

export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  const p = arnFields(pattern);
  const r = arnFields(resource);
  if (!p || !r) return globMatches(pattern, resource);
  for (let i = 0; i < 6; i++) if (!globMatches(p[i]!, r[i]!)) return false;
  return true;
}

/** The six fields of an ARN, the resource part whole; undefined for anything that is not one. */
function arnFields(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

const compiled = new Map<string, RegExp>();

/** `*` any run, `?` one character, everything else literal; whole-string. */
export function globMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.test(value);
}
