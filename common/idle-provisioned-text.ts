/**
 * The most common provisioned-concurrency mistake, in one set of words for the local stack (its
 * template: emulator/stack-model/idle-provisioned.ts) and a deployed one (its integrations:
 * src/targets/idle-provisioned-deployed.ts): an alias or version holds provisioned environments
 * while what invokes the function names no qualifier, so they serve nothing and are paid for.
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

function round(n: number): string {
  return n >= 10 ? n.toFixed(0) : n.toFixed(2).replace(/\.?0+$/, '');
}

