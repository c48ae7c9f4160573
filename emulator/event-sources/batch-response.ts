/**
 * A function's answer to a batch, with ReportBatchItemFailures (Lambda developer guide, "Handling
 * errors for an SQS event source", "… DynamoDB"): `{"batchItemFailures":[{"itemIdentifier":"…"}]}`
 * names the records that failed (SQS: messageId; streams: SequenceNumber). No answer, `{}`, or an
 * empty or null list is a success; an identifier that is empty, missing, not a string or not one
 * of the batch's, or a list that is not a list, fails the whole batch.
 */
export type BatchVerdict = { kind: 'success' } | { kind: 'partial'; failed: string[] } | { kind: 'invalid'; reason: string };

export function readBatchResponse(result: unknown, identifiers: ReadonlySet<string>): BatchVerdict {
  // only an object can carry batchItemFailures; any other JSON value reports none
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return { kind: 'success' };
  const list = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return { kind: 'success' };
  if (!Array.isArray(list)) return { kind: 'invalid', reason: 'batchItemFailures is not a list' };
  const failed: string[] = [];
  for (const [i, item] of list.entries()) {
    const id = item !== null && typeof item === 'object' ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return { kind: 'invalid', reason: `batchItemFailures[${i}].itemIdentifier is missing or empty` };
    if (!identifiers.has(id)) return { kind: 'invalid', reason: `batchItemFailures[${i}].itemIdentifier ${JSON.stringify(id)} is not in the batch` };
    failed.push(id);
  }
  return failed.length === 0 ? { kind: 'success' } : { kind: 'partial', failed: [...new Set(failed)] };
}
