/**
 * The emulator's own log of the calls it refused a function (IAM denied them), and of the posts
 * a function made to an API that is not the stack's: JSON lines in a log group of the emulator's
 * own, never an AWS one, so a run reads it only from the local emulator (on AWS a denial shows only
 * in the function's log, as the AccessDeniedException its code threw or logged). The emulator
 * writes (emulator/iam/denial-log.ts), the harness reads (src/metrics/permissions/denials-pull.ts).
 *
 * One line per function, action, resource and decision each time its count grew: `count` is the
 * calls since that key's previous line, so a key's lines sum to its calls. A post to another API:
 * one line per function and endpoint alike.
 */
export const LOCAL_IAM_DENIALS_LOG_GROUP = '/fanout-bench/emulator/iam-denials';

export interface DeniedCallLine {
  kind: 'denied';
  /** the function whose execution role was asked */
  function: string;
  role: string;
  action: string;
  /** the resource as a policy grants it (`…/POST/@connections/*`: the ledger's one line per grant) */
  resource: string;
  /** no-allow: no statement allows it; explicit-deny: a Deny statement refuses it */
  decision: 'no-allow' | 'explicit-deny';
  /** false under `iam: report`: the call went through and only would have been refused */
  enforced: boolean;
  count: number;
}

export interface ForeignApiPostLine {
  kind: 'foreign-api';
  /** the posting function where its request says (its session token), else null */
  function: string | null;
  /** `https://<api id>.execute-api.<region>.amazonaws.com/<stage>` as the function addressed it */
  endpoint: string;
  /** the API it addressed, and the stack's own */
  apiId: string;
  stackApiId: string;
  count: number;
}

export type IamDenialsLine = DeniedCallLine | ForeignApiPostLine;
