import type { PolicyStatement } from '../../common/iam/policy-document.ts';
import { evaluate } from '../../common/iam/policy-evaluation.ts';
import { QueryApiError, type QueryValue } from '../query-api.ts';
import { localCallerArn } from './caller-identity.ts';

/**
 * IAM's SimulatePrincipalPolicy over the stack's roles, with the evaluation the services enforce
 * calls with (common/iam/policy-evaluation.ts: one code path), so what it answers is what a call
 * of that role meets. A role of the template is simulated with its identity policies as read;
 * the local caller (caller-identity.ts) is the account's admin and allowed everything, as the
 * services let it do everything. Answered in IAM's shape: one EvaluationResult per action, its
 * EvalDecision the most restrictive over the resources asked (explicitDeny, then implicitDeny,
 * then allowed), each resource's own in ResourceSpecificResults. Not answered: MatchedStatements,
 * context keys, resource policies, permissions boundaries, organizations' policies.
 */

export type EvalDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface SimulationFacts {
  accountId: string;
  /** role ARN → its identity policies' statements (what the services evaluate) */
  roles: ReadonlyMap<string, readonly PolicyStatement[]>;
}

/** The answer to SimulatePrincipalPolicy's Query parameters (`ActionNames.member.N`, `ResourceArns.member.N`). */
export function simulatePrincipalPolicy(p: URLSearchParams, facts: SimulationFacts): Record<string, QueryValue> {
  const source = p.get('PolicySourceArn');
  if (!source) throw new QueryApiError('ValidationError', "1 validation error detected: Value null at 'policySourceArn' failed to satisfy constraint: Member must not be null");
  const actions = members(p, 'ActionNames');
  if (actions.length === 0) throw new QueryApiError('ValidationError', "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null");
  const resources = members(p, 'ResourceArns');
  const decide = decider(source, facts);
  const results = actions.map((action) => {
    const each = (resources.length > 0 ? resources : ['*']).map((resource) => ({ resource, decision: decide(action, resource) }));
    return {
      EvalActionName: action,
      EvalResourceName: resources.length === 1 ? resources[0] : resources.length === 0 ? '*' : undefined,
      EvalDecision: mostRestrictive(each.map((e) => e.decision)),
      ...(resources.length > 0 ? { ResourceSpecificResults: each.map((e) => ({ EvalResourceName: e.resource, EvalResourceDecision: e.decision })) } : {}),
    };
  });
  return { EvaluationResults: results, IsTruncated: false };
}

function decider(source: string, facts: SimulationFacts): (action: string, resource: string) => EvalDecision {
  if (source === localCallerArn(facts.accountId)) return () => 'allowed';
  const statements = facts.roles.get(source);
  if (!statements) {
    const kind = /^arn:aws[\w-]*:iam::\d+:(user|role|group)\/(?:.*\/)?([^/]+)$/.exec(source);
    if (!kind) throw new QueryApiError('InvalidInput', `ARN ${source} is not valid.`);
    throw new QueryApiError('NoSuchEntity', `The ${kind[1]} with name ${kind[2]} cannot be found.`, 404);
  }
  return (action, resource) => {
    const d = evaluate(statements, action, resource);
    return d.allowed ? 'allowed' : d.reason === 'explicit-deny' ? 'explicitDeny' : 'implicitDeny';
  };
}

function mostRestrictive(decisions: EvalDecision[]): EvalDecision {
  if (decisions.includes('explicitDeny')) return 'explicitDeny';
  return decisions.includes('implicitDeny') ? 'implicitDeny' : 'allowed';
}

/** A Query list: `Name.member.1`, `Name.member.2`, … in order. */
function members(p: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; p.has(`${name}.member.${i}`); i++) out.push(p.get(`${name}.member.${i}`)!);
  return out;
}
