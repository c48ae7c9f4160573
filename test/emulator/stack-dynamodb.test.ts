import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLE_DEFAULT_NAMES, tableDefinitions } from '../../reference-stack/functions/shared/tables.ts';
import { startDynamoDb } from '../../emulator/dynamodb/dynamodb-thread.ts';
import { UserError } from '../../common/errors.ts';

const work = mkdtempSync(join(tmpdir(), 'fanout-ddb-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// dynalite on its worker thread: tables ACTIVE on return, and a LevelDB path that survives a restart.

function client(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

describe('startDynamoDb', () => {
  it('returns with every table ACTIVE, including the byConnection index', async () => {
    const db = await startDynamoDb({ tables: tableDefinitions() });
    const ddb = client(db.endpoint);
    try {
      expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      for (const name of Object.values(TABLE_DEFAULT_NAMES)) {
        const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
        expect(Table?.TableStatus, name).toBe('ACTIVE');
      }
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: TABLE_DEFAULT_NAMES.roomMembers }));
      expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexStatus])).toEqual([['byConnection', 'ACTIVE']]);
    } finally {
      ddb.destroy();
      await db.close();
      await db.close(); // idempotent
    }
  });

  it('keeps data across restarts when given a path', async () => {
    const path = join(mkdtempSync(join(work, 'ddb-')), 'store');
    const first = await startDynamoDb({ tables: tableDefinitions(), path });
    let ddb = client(first.endpoint);
    await ddb.send(new PutItemCommand({ TableName: TABLE_DEFAULT_NAMES.connections, Item: { connectionId: { S: 'kept' } } }));
    ddb.destroy();
    await first.close();

    const second = await startDynamoDb({ tables: tableDefinitions(), path });
    ddb = client(second.endpoint);
    try {
      const { Item } = await ddb.send(new GetItemCommand({ TableName: TABLE_DEFAULT_NAMES.connections, Key: { connectionId: { S: 'kept' } } }));
      expect(Item).toEqual({ connectionId: { S: 'kept' } });
    } finally {
      ddb.destroy();
      await second.close();
    }
  });

  it('refuses an unusable path in one line naming dynamodb.path (no hang, no stack trace)', async () => {
    const dir = mkdtempSync(join(work, 'ddb-bad-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    const err = await startDynamoDb({ tables: tableDefinitions(), path: join(file, 'db') }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`dynamodb.path: cannot use ${join(file, 'db')}: ENOTDIR`);
  });
});
