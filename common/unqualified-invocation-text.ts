/**
 * What a version holds, wasted by an invocation that names no qualifier, in one set of words for
 * the local stack (its template: emulator/stack-model/idle-provisioned.ts, unqualified-snapstart.ts)
 * and a deployed one (its integrations: src/targets/unqualified-invocations.ts): provisioned
 * environments that serve nothing and are paid for; SnapStart that restores nothing.
 */

/** Provisioned concurrency nothing in the stack invokes, while something invokes its function unqualified. */
export interface IdleProvisioned {
  /** the function's physical name */
  functionName: string;
  /** the alias or version whose provisioned concurrency it is */
  qualifier: string;
  environments: number;
  memoryMB: number;
  /** what invokes the function unqualified (`route $connect`, `mapping FromJobs`, `subscription of Alerts`, `rule OnOrder`) */
  unqualifiedBy: string[];
}

/** The warning's words: one line naming both ends, with what the idle environments hold. */
export function idleProvisionedText(idle: IdleProvisioned): string {
  const gb = (idle.environments * idle.memoryMB) / 1024;
  return (
    `${idle.unqualifiedBy.join(', ')} ${idle.unqualifiedBy.length === 1 ? 'invokes' : 'invoke'} ${idle.functionName} unqualified ($LATEST) while its ${/^\d+$/.test(idle.qualifier) ? 'version' : 'alias'} ${idle.qualifier} ` +
    `holds ${idle.environments} provisioned environment${idle.environments === 1 ? '' : 's'}: nothing invokes ${idle.qualifier}, so they serve no request (0 % utilized) ` +
    `and are paid for all the same (${idle.environments} × ${idle.memoryMB} MB, ${round(gb)} GB-seconds each second); invoke ${idle.functionName}:${idle.qualifier} instead ` +
    '(its ARN in the integration URI or the FunctionName; in SAM, ${Fn.Alias})'
  );
}

/**
 * SnapStart nothing uses: `unqualifiedBy` invokes the function unqualified, and SnapStart applies
 * to its published versions only. `instead`: what to invoke (its alias, a version, or publish one).
 */
export function unqualifiedSnapStartText(functionName: string, unqualifiedBy: readonly string[], instead: string): string {
  return (
    `${unqualifiedBy.join(', ')} ${unqualifiedBy.length === 1 ? 'invokes' : 'invoke'} ${functionName} unqualified ($LATEST) while its SnapStart applies to published versions only: ` +
    `every cold start is an INIT on demand, never a restore from a snapshot; ${instead}`
  );
}

function round(n: number): string {
  return n >= 10 ? n.toFixed(0) : n.toFixed(2).replace(/\.?0+$/, '');
}

