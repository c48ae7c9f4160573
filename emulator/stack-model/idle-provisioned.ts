import { lambdaNameOf, lambdaQualifierOf } from './physical-ids.ts';
import type { FunctionDescription, StackDescription } from './stack-description.ts';
import type { IdleProvisioned } from '../../common/unqualified-invocation-text.ts';

/**
 * The most common provisioned-concurrency mistake, found in the template: an alias (or version)
 * of a function holds provisioned environments, but what invokes the function names no qualifier
 * (an integration URI of `${Fn.Arn}`, a mapping's FunctionName `!Ref Fn`), so every request runs
 * `$LATEST` on demand, with its cold starts, and the provisioned environments serve nothing while
 * they are paid for. Said when no route, authorizer, mapping, subscription or rule of the stack
 * invokes the provisioned alias or version, and one of them invokes the function unqualified.
 * Sources in docs/aws-facts.md.
 */
export function idleProvisioned(stack: Pick<StackDescription, 'functions' | 'routes' | 'authorizer' | 'eventSourceMappings' | 'topics' | 'rules'>): IdleProvisioned[] {
  const out: IdleProvisioned[] = [];
  for (const fn of stack.functions) {
    const provisioned = provisionedOf(fn);
    if (provisioned.length === 0) continue;
    const invokers = invokersOf(stack, fn);
    const unqualifiedBy = invokers.filter((i) => i.qualifier === undefined).map((i) => i.by);
    if (unqualifiedBy.length === 0) continue;
    for (const p of provisioned) {
      const reached = invokers.some((i) => i.qualifier !== undefined && versionOf(fn, i.qualifier) === p.version);
      if (!reached) out.push({ functionName: fn.name, qualifier: p.qualifier, environments: p.environments, memoryMB: fn.memoryMB, unqualifiedBy });
    }
  }
  return out;
}

/** The provisioned concurrency a function holds: on which alias or version, the version that holds it, how many environments. */
export function provisionedOf(fn: FunctionDescription): Array<{ qualifier: string; version: string; environments: number }> {
  const out: Array<{ qualifier: string; version: string; environments: number }> = [];
  (fn.versions ?? []).forEach((v, i) => v.provisionedConcurrency && out.push({ qualifier: String(i + 1), version: String(i + 1), environments: v.provisionedConcurrency }));
  for (const a of fn.aliases ?? []) if (a.provisionedConcurrency) out.push({ qualifier: a.name, version: String(a.version), environments: a.provisionedConcurrency });
  return out;
}

function versionOf(fn: FunctionDescription, qualifier: string): string {
  const alias = fn.aliases?.find((a) => a.name === qualifier);
  return alias ? String(alias.version) : qualifier;
}

/** What in the stack invokes `fn`, and with which qualifier (undefined: unqualified). */
export function invokersOf(stack: Parameters<typeof idleProvisioned>[0], fn: FunctionDescription): Array<{ by: string; qualifier: string | undefined }> {
  const out: Array<{ by: string; qualifier: string | undefined }> = [];
  for (const r of stack.routes) if (r.functionId === fn.logicalId) out.push({ by: `route ${r.routeKey}`, qualifier: r.qualifier });
  if (stack.authorizer?.functionId === fn.logicalId) out.push({ by: 'the $connect authorizer', qualifier: stack.authorizer.qualifier });
  for (const m of stack.eventSourceMappings ?? []) if (m.functionName === fn.name) out.push({ by: `mapping ${m.logicalId}`, qualifier: m.qualifier });
  const arnOf = (arn: string, by: string) => {
    if (/^arn:[^:]+:lambda:/.test(arn) && lambdaNameOf(arn) === fn.name) out.push({ by, qualifier: lambdaQualifierOf(arn) });
  };
  for (const t of stack.topics ?? []) for (const s of t.subscriptions) if (s.protocol === 'lambda') arnOf(s.endpoint, `a subscription of ${t.logicalId}`);
  for (const rule of stack.rules ?? []) for (const target of rule.targets) arnOf(target.arn, `rule ${rule.logicalId}`);
  return out;
}
