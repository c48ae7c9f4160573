/** SQS bills each 64 KB chunk of a request's payload as one request (a 256 KB message is 4). */
export const BILLING_CHUNK_BYTES = 64 * 1024;

/** Billable requests of one API call whose payload (messages sent or received) is `payloadBytes`: at least 1. */
export function billableRequests(payloadBytes: number): number {
  return Math.max(1, Math.ceil(payloadBytes / BILLING_CHUNK_BYTES));
}
