import { actionMatches, resourceMatches } from './policy-patterns.ts';
import { conditionOutcome, type ConditionContext } from './policy-conditions.ts';
import type { PolicyPrincipal, PolicyStatement } from './policy-document.ts';

/**
 * IAM's evaluation of identity-based policies within one account (IAM User Guide, "Policy
 * evaluation logic"): denied by default; a matching Deny wins over everything; otherwise a
 * matching Allow allows. Actions match case-insensitively, resources case-sensitively; both take
 * `*` (any run of characters) and `?` (one character). A resource pattern is matched field by
 * field (`arn:partition:service:region:account:resource`), as IAM matches ARNs: a wildcard in the
 * region matches a region, one in the resource part may span `/` and `:`.
 *
 * Conditions of identity policies: the emulator builds no request context for a function's call
 * (`aws:SourceIp`, `aws:PrincipalTag/…`, a service's own keys are not here). Such a statement is
 * taken the way that can only deny more than AWS would, never allow more: an Allow with a
 * condition grants nothing, a Deny with a condition denies. The role's reader names each such
 * statement once at start, so a denial it causes is explained.
 *
 * A resource-based policy on a service's delivery (a queue's policy letting SNS send) is asked with
 * a `request`: the principal (a service, `sns.amazonaws.com`) each statement's Principal or
 * NotPrincipal must cover, and the context its conditions are evaluated against
 * (policy-conditions.ts: `aws:SourceArn`, `aws:SourceAccount`, …). A condition with an operator not
 * evaluated there is taken as above.
 */
export interface PolicyRequest {
  /** the calling service's principal, `sns.amazonaws.com` */
  service: string;
  context: ConditionContext;
}

export type DenyReason = 'explicit-deny' | 'no-allow';

export interface Decision {
  allowed: boolean;
  /** why it was denied (absent when allowed) */
  reason?: DenyReason;
  /** the statement that decided: the Deny that matched, or the Allow that allowed */
  statement?: PolicyStatement;
}

export const ALLOWED_BY_NO_ONE: Decision = { allowed: false, reason: 'no-allow' };

export function evaluate(statements: readonly PolicyStatement[], action: string, resource: string, request?: PolicyRequest): Decision {
  let allow: PolicyStatement | undefined;
  for (const s of statements) {
    if (s.effect === 'Deny') {
      if (matches(s, action, resource, true, request)) return { allowed: false, reason: 'explicit-deny', statement: s };
    } else if (allow === undefined && matches(s, action, resource, false, request)) {
      allow = s;
    }
  }
  return allow ? { allowed: true, statement: allow } : ALLOWED_BY_NO_ONE;
}

/** Whether a statement applies to the request; a condition not evaluated counts as met for a Deny, unmet for an Allow. */
function matches(s: PolicyStatement, action: string, resource: string, isDeny: boolean, request: PolicyRequest | undefined): boolean {
  if (s.condition) {
    const outcome = request ? conditionOutcome(s.condition, request.context) : 'unsupported';
    if (outcome === 'unmet' || (outcome === 'unsupported' && !isDeny)) return false;
  }
  if (request && (s.principal || s.notPrincipal)) {
    if (s.principal ? !coversService(s.principal, request.service) : coversService(s.notPrincipal!, request.service)) return false;
  }
  const actionHit = s.action ? s.action.some((p) => actionMatches(p, action)) : !s.notAction!.some((p) => actionMatches(p, action));
  if (!actionHit) return false;
  return s.resource ? s.resource.some((p) => resourceMatches(p, resource)) : !s.notResource!.some((p) => resourceMatches(p, resource));
}

/** Whether a Principal names a service: `*`, `{AWS: "*"}` (everyone, services too) or `{Service: …}` listing it. */
function coversService(p: PolicyPrincipal, service: string): boolean {
  if (p === '*') return true;
  return (p.AWS ?? []).includes('*') || (p.Service ?? []).some((s) => s === '*' || s.toLowerCase() === service.toLowerCase());
}
