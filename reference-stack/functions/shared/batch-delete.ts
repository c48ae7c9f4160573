import { BatchWriteCommand, type BatchWriteCommandOutput } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { setTimeout as sleep } from 'node:timers/promises';
import { ddb } from './dynamo-client.ts';
import { backoffMs, cleanupDeadline, isThrottling, mayRetryCleanup } from './throttling.ts';

/** One row to delete: its table and full primary key. */
export interface RowKey {
  table: string;
  key: Record<string, string>;
}

const MAX_BATCH = 25; // DynamoDB's BatchWriteItem limit
const CHUNKS_IN_FLIGHT = 4;

type RequestItems = NonNullable<BatchWriteCommandOutput['UnprocessedItems']>;

/**
 * Deletes rows across tables with BatchWriteItem: one SDK call per 25 rows. Under throttling
 * DynamoDB hands back UnprocessedItems, or refuses the whole call once the SDK's own retries are
 * spent; both are retried (bounded, with backoff), since a delete given up leaves stale rows.
 * Throws if rows are still unprocessed after the last attempt, or once `deadline` has passed.
 */
export async function batchDelete(rows: readonly RowKey[], deadline = cleanupDeadline()): Promise<void> {
  const unique = dedupe(rows); // a batch may not name the same key twice
  const chunks: RowKey[][] = [];
  for (let i = 0; i < unique.length; i += MAX_BATCH) chunks.push(unique.slice(i, i + MAX_BATCH));
  await pLimit(CHUNKS_IN_FLIGHT).map(chunks, (chunk) => writeChunk(chunk, deadline));
}

async function writeChunk(chunk: readonly RowKey[], deadline: number): Promise<void> {
  let pending: RequestItems = {};
  for (const row of chunk) (pending[row.table] ??= []).push({ DeleteRequest: { Key: row.key } });
  for (let attempt = 1; ; attempt++) {
    let left: RequestItems;
    let failure: unknown;
    try {
      left = (await ddb.send(new BatchWriteCommand({ RequestItems: pending }))).UnprocessedItems ?? {};
    } catch (error) {
      if (!isThrottling(error)) throw error;
      left = pending;
      failure = error;
    }
    const count = Object.values(left).reduce((n, reqs) => n + (reqs?.length ?? 0), 0);
    if (count === 0) return;
    const waitMs = backoffMs(attempt);
    if (!mayRetryCleanup(attempt, deadline, waitMs)) {
      throw new Error(`batchDelete: ${count} rows still unprocessed after ${attempt} attempts`, { cause: failure });
    }
    pending = left;
    await sleep(waitMs);
  }
}

function dedupe(rows: readonly RowKey[]): RowKey[] {
  const seen = new Map<string, RowKey>();
  for (const row of rows) {
    const id = JSON.stringify([row.table, Object.entries(row.key).sort()]);
    if (!seen.has(id)) seen.set(id, row);
  }
  return [...seen.values()];
}
