import { idleProvisionedText } from '../../common/idle-provisioned-text.ts';
import { PATH_ROUTE } from '../../common/stack-ready.ts';
import type { TargetFunction } from '../contracts/target-schema.ts';

/**
 * The provisioned-concurrency mistake on a deployed stack, read from what the target lists: a
 * function whose alias or version holds provisioned environments (ListProvisionedConcurrencyConfigs)
 * while each of its routes' integrations invokes it unqualified (its URI names no alias or
 * version) and none invokes what is provisioned. One line each, in the local stack's words.
 * Functions the target lists without their routes' integrations (a queue's consumer) are not judged.
 */
export function idleProvisionedDeployed(functions: readonly TargetFunction[]): string[] {
  const out: string[] = [];
  for (const name of new Set(functions.map((f) => f.name))) {
    const entries = functions.filter((f) => f.name === name && !f.authorizer);
    const configured = entries.find((f) => (f.provisioned ?? []).length > 0);
    if (!configured) continue;
    const unqualifiedBy = entries.filter((f) => f.qualifier === undefined && f.route !== PATH_ROUTE).map((f) => `route ${f.route}`);
    if (unqualifiedBy.length === 0) continue;
    for (const p of configured.provisioned!) {
      if (entries.some((f) => f.qualifier === p.qualifier || f.qualifier === p.version)) continue;
      out.push(idleProvisionedText({ functionName: name, qualifier: p.qualifier, environments: p.environments, memoryMB: configured.memoryMB, unqualifiedBy: [...new Set(unqualifiedBy)] }));
    }
  }
  return out;
}
