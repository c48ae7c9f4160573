import { randomFillSync } from 'node:crypto';

/**
 * AWS-shaped ids: connection, request and message ids on API Gateway WebSocket APIs are 16
 * base64 characters (11 bytes), e.g. "L0SM9cOFvHcCIhw=". Drawn from a pooled random buffer so
 * the per-message cost is a slice and a base64 encode, not a syscall.
 */
const ID_BYTES = 11;
const POOL_IDS = 512;
const pool = Buffer.allocUnsafe(ID_BYTES * POOL_IDS);
let offset = pool.length;

export function awsId(): string {
  if (offset + ID_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}

/** X-Amzn-Trace-Id root as AWS writes it: 1-<epoch seconds hex>-<96-bit random hex>. */
export function traceId(now: number): string {
  if (offset + 12 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const rand = pool.toString('hex', offset, offset + 12);
  offset += 12;
  return `Root=1-${Math.floor(now / 1000).toString(16).padStart(8, '0')}-${rand}`;
}
