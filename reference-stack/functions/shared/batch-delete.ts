import { BatchWriteCommand, type BatchWriteCommandOutput } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { setTimeout as sleep } from 'node:timers/promises';
import { ddb } from './dynamo-client.ts';

/** One row to delete: its table and full primary key. */
export interface RowKey {
  table: string;
  key: Record<string, string>;
}

const MAX_BATCH = 25; // DynamoDB's BatchWriteItem limit
const MAX_ATTEMPTS = 8;
const CHUNKS_IN_FLIGHT = 4;

type RequestItems = NonNullable<BatchWriteCommandOutput['UnprocessedItems']>;

/**
 * Deletes rows across tables with BatchWriteItem: one SDK call per 25 rows, retrying the
 * UnprocessedItems DynamoDB hands back under throttling (bounded, with backoff). Throws if rows
 * are still unprocessed after the last attempt.
 */
export async function batchDelete(rows: readonly RowKey[]): Promise<void> {
  const unique = dedupe(rows); // a batch may not name the same key twice
  const chunks: RowKey[][] = [];
  for (let i = 0; i < unique.length; i += MAX_BATCH) chunks.push(unique.slice(i, i + MAX_BATCH));
  await pLimit(CHUNKS_IN_FLIGHT).map(chunks, writeChunk);
}

async function writeChunk(chunk: readonly RowKey[]): Promise<void> {
  let pending: RequestItems = {};
  for (const row of chunk) (pending[row.table] ??= []).push({ DeleteRequest: { Key: row.key } });
  for (let attempt = 1; ; attempt++) {
    const out = await ddb.send(new BatchWriteCommand({ RequestItems: pending }));
    const left = out.UnprocessedItems ?? {};
    const count = Object.values(left).reduce((n, reqs) => n + (reqs?.length ?? 0), 0);
    if (count === 0) return;
    if (attempt >= MAX_ATTEMPTS) throw new Error(`batchDelete: ${count} rows still unprocessed after ${attempt} attempts`);
    pending = left;
    await sleep(Math.min(1_000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
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
