import { invokersOf, type idleProvisioned } from './idle-provisioned.ts';
import { unqualifiedSnapStartText } from '../../common/unqualified-invocation-text.ts';

/**
 * SnapStart nothing in the stack uses: a function's SnapStart applies to its published versions
 * only, and what invokes it names no qualifier (an integration URI of `${Fn.Arn}`), so every cold
 * start is an INIT on demand on `$LATEST`, never a restore. Said when something invokes the
 * function unqualified and nothing invokes one of its versions, in one line naming both ends and
 * what to invoke instead (its alias where it has one). Sources in docs/aws-facts.md.
 */
export function unqualifiedSnapStart(stack: Parameters<typeof idleProvisioned>[0]): string[] {
  const out: string[] = [];
  for (const fn of stack.functions) {
    if (!fn.snapStart) continue;
    const invokers = invokersOf(stack, fn);
    const unqualifiedBy = invokers.filter((i) => i.qualifier === undefined || i.qualifier === '$LATEST').map((i) => i.by);
    if (unqualifiedBy.length === 0 || invokers.some((i) => i.qualifier !== undefined && i.qualifier !== '$LATEST')) continue;
    const alias = fn.aliases?.find((a) => a.version !== '$LATEST');
    const instead = alias
      ? `invoke ${fn.name}:${alias.name} instead (its ARN in the integration URI or the FunctionName; in SAM, \${${fn.logicalId}.Alias})`
      : (fn.versions ?? []).length > 0
        ? `invoke one of its versions (${fn.name}:1) or an alias of one instead`
        : 'publish a version (AutoPublishAlias in SAM) and invoke it or an alias of it';
    out.push(unqualifiedSnapStartText(fn.name, unqualifiedBy, instead));
  }
  return out;
}
