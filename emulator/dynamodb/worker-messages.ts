import type { AccessRecord } from '../iam/access-ledger.ts';
import type { CallAnswer, CallHeaders } from './call-answer.ts';
import type { IamGrants } from '../iam/role-sessions.ts';
import type { ItemChange } from './streams/item-change.ts';
import type { StreamSpec } from './streams/stream-spec.ts';

/** Messages between startDynamoDb (the stack's thread) and the DynamoDB worker thread. */

export interface DynamoWorkerInit {
  /** absolute path of dynalite's package entry */
  dynalitePath: string;
  /** LevelDB directory; in memory when absent */
  path?: string;
  /** faults.dynamodbThrottleShare */
  throttleShare: number;
  /** IAM, when target.iam is enforce or report */
  iam?: { mode: 'enforce' | 'report'; grants: IamGrants; region: string; accountId: string };
  /** the stream-enabled tables, whose writes are captured (streams/stream-capture.ts) */
  streams?: StreamSpec[];
}

export type FromDynamoWorker =
  | { type: 'listening'; port: number }
  | { type: 'error'; message: string }
  /** a metric series, announced once before its first datum */
  | { type: 'series'; id: number; name: string; unit: string; dimensions: Record<string, string>; namespace?: string }
  /** datums as (series id, value, epoch ms) triples, the front's counters and the thread's CPU ms so far */
  | { type: 'data'; datums: Float64Array; calls: number; throttled: number; cpuMs: number }
  | { type: 'closed' }
  /** a function's first denial of an action on a resource, in AWS's words */
  | { type: 'iam-line'; line: string }
  /** the IAM ledger, as asked */
  | { type: 'iam-ledger'; id: number; records: AccessRecord[] }
  /** changes to stream-enabled tables' items, in the order the writes took effect */
  | { type: 'stream-changes'; changes: ItemChange[] }
  /** a call's answer (a `call` the stack's thread sent) */
  | { type: 'answer'; id: number; answer: CallAnswer };

/** `call`: one call the edge took on the stack's thread, answered without an HTTP hop (dynamodb-thread.ts). */
export type ToDynamoWorker = { type: 'close' } | { type: 'iam-ledger'; id: number } | { type: 'call'; id: number; headers: CallHeaders; body: string };
