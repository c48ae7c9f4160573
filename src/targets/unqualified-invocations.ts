import { idleProvisionedText, unqualifiedSnapStartText } from '../../common/unqualified-invocation-text.ts';
import { PATH_ROUTE } from '../../common/stack-ready.ts';
import type { TargetFunction } from '../contracts/target-schema.ts';

/**
 * The two mistakes of an unqualified invocation on a deployed stack, read from what the target
 * lists (each route's integration URI, ListProvisionedConcurrencyConfigs, GetFunctionConfiguration):
 * provisioned concurrency nothing invokes (an alias or version holds provisioned environments, a
 * route invokes the function unqualified, none invokes what is provisioned), and SnapStart nothing
 * uses (every route invokes unqualified a function whose SnapStart applies to published versions).
 * One line each, in the local stack's words. Functions listed without a route's integration (a
 * queue's consumer) are not judged.
 */
export function unqualifiedInvocations(functions: readonly TargetFunction[]): string[] {
  const out: string[] = [];
  for (const name of new Set(functions.map((f) => f.name))) {
    const entries = functions.filter((f) => f.name === name && !f.authorizer);
    const unqualifiedBy = [...new Set(entries.filter((f) => f.qualifier === undefined && f.route !== PATH_ROUTE).map((f) => `route ${f.route}`))];
    if (unqualifiedBy.length === 0) continue;
    if (entries.some((f) => f.snapStart) && !entries.some((f) => f.qualifier !== undefined)) {
      out.push(unqualifiedSnapStartText(name, unqualifiedBy, 'invoke an alias of one of its published versions instead (its ARN in the integration URI)'));
    }
    const configured = entries.find((f) => (f.provisioned ?? []).length > 0);
    if (!configured) continue;
    for (const p of configured.provisioned!) {
      if (entries.some((f) => f.qualifier === p.qualifier || f.qualifier === p.version)) continue;
      out.push(idleProvisionedText({ functionName: name, qualifier: p.qualifier, environments: p.environments, memoryMB: configured.memoryMB, unqualifiedBy }));
    }
  }
  return out;
}
