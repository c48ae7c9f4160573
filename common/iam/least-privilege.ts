import { statementJson, type PolicyStatement } from './policy-document.ts';
import { evaluate } from './policy-evaluation.ts';

/**
 * What a role grants beside what its function used: each grant (an Allow's action pattern on a
 * resource pattern) with the calls it covered, those that covered none named unused, those written
 * with wildcards that covered some named broader than used; and the policy that allows exactly
 * the calls made, one statement per set of resources that share their actions. Pure: the calls come
 * from the access ledger, the statements from the role.
 */
export interface Use {
  action: string;
  resource: string;
}

export interface GrantUse {
  /** `dynamodb:*`, or `NotAction dynamodb:Scan` */
  action: string;
  resource: string;
  source: string;
  used: Use[];
}

export interface LeastPrivilege {
  /** grants no call used */
  unused: GrantUse[];
  /** grants written with a wildcard (or Not…) that covered only some of what they allow */
  broader: GrantUse[];
  /** allows exactly the calls made (that the role allowed) */
  policy: { Version: '2012-10-17'; Statement: Record<string, unknown>[] };
}

export function leastPrivilege(used: readonly Use[], granted: readonly PolicyStatement[]): LeastPrivilege {
  const allowed = dedupe(used).filter((u) => evaluate(granted, u.action, u.resource).allowed);
  const grants: GrantUse[] = [];
  for (const { condition: _unevaluated, ...s } of granted) {
    if (s.effect !== 'Allow') continue;
    const actions = s.action ?? [`NotAction ${s.notAction!.join(',')}`];
    const resources = s.resource ?? [`NotResource ${s.notResource!.join(',')}`];
    for (const action of actions) {
      for (const resource of resources) {
        // the one-pattern statement this grant is, judged as IAM would
        const one: PolicyStatement = { ...s, ...(s.action ? { action: [action] } : {}), ...(s.resource ? { resource: [resource] } : {}) };
        grants.push({ action, resource, source: s.source, used: allowed.filter((u) => evaluate([one], u.action, u.resource).allowed) });
      }
    }
  }
  const wide = (g: GrantUse) => /[*?]/.test(g.action) || /[*?]/.test(g.resource) || g.action.startsWith('Not') || g.resource.startsWith('Not');
  return {
    unused: grants.filter((g) => g.used.length === 0),
    broader: grants.filter((g) => g.used.length > 0 && wide(g)),
    policy: policyOf(allowed),
  };
}

/** The policy that allows exactly these calls (what Access Analyzer's policy generation writes of a role's activity). */
export function policyOf(used: readonly Use[]): LeastPrivilege['policy'] {
  return { Version: '2012-10-17', Statement: minimalStatements(dedupe(used)) };
}

/** One statement per set of resources whose used actions are the same. */
function minimalStatements(used: readonly Use[]): Record<string, unknown>[] {
  const actionsByResource = new Map<string, Set<string>>();
  for (const u of used) {
    let set = actionsByResource.get(u.resource);
    if (!set) actionsByResource.set(u.resource, (set = new Set()));
    set.add(u.action);
  }
  const resourcesByActions = new Map<string, string[]>();
  for (const [resource, actions] of [...actionsByResource].sort(([a], [b]) => a.localeCompare(b))) {
    const key = [...actions].sort().join(' ');
    resourcesByActions.set(key, [...(resourcesByActions.get(key) ?? []), resource]);
  }
  return [...resourcesByActions].map(([actions, resources]) => statementJson({ effect: 'Allow', action: actions.split(' '), resource: resources }));
}

function dedupe(used: readonly Use[]): Use[] {
  const seen = new Map<string, Use>();
  for (const u of used) seen.set(`${u.action}\u0000${u.resource}`, { action: u.action, resource: u.resource });
  return [...seen.values()];
}
