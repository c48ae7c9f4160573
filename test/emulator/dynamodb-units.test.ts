import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { TABLE_DEFAULT_NAMES, tableDefinitions } from '../../reference-stack/functions/shared/tables.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { startDynamoDb, type LocalDynamoDb } from '../../emulator/dynamodb/dynamodb-thread.ts';

// The emulator's DynamoDB endpoint meters every call as DynamoDB does and publishes AWS/DynamoDB
// metrics. Real SDK clients against the metering front (dynalite behind it); the expected units
// are worked out by hand from DynamoDB's rules in each test. Item sizes: attribute name bytes +
// value bytes (ASCII strings here, so bytes = characters).

const MEMBERS = TABLE_DEFAULT_NAMES.roomMembers; // key room + connectionId, GSI byConnection (keys only)
const CONNECTIONS = TABLE_DEFAULT_NAMES.connections; // key connectionId
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let store: MetricStore;
let cwServer: CloudWatchServer;
let db: LocalDynamoDb;
let ddb: DynamoDBClient;
let cw: CloudWatchClient;

beforeAll(async () => {
  store = new MetricStore();
  [db, cwServer] = await Promise.all([startDynamoDb({ tables: tableDefinitions(), metrics: store }), startCloudWatchServer({ store, logs: new LogStore() })]);
  ddb = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials });
  cw = new CloudWatchClient({ endpoint: cwServer.url, region: 'us-east-1', credentials });
});

afterAll(async () => {
  ddb?.destroy();
  cw?.destroy();
  await cwServer?.close();
  await db?.close();
});

/** A string of `n` ASCII characters. */
const pad = (n: number) => 'x'.repeat(n);

/**
 * A room-members row of exactly `bytes`: "room"(4) + room + "connectionId"(12) + id + "pad"(3) + pad.
 */
function memberRow(room: string, id: string, bytes: number): Record<string, AttributeValue> {
  const fixed = 4 + room.length + 12 + id.length + 3;
  return { room: { S: room }, connectionId: { S: id }, pad: { S: pad(bytes - fixed) } };
}

/** A connections row of exactly `bytes`: "connectionId"(12) + id + "pad"(3) + pad. */
function connectionRow(id: string, bytes: number): Record<string, AttributeValue> {
  return { connectionId: { S: id }, pad: { S: pad(bytes - 12 - id.length - 3) } };
}

/** Units the SDK saw in the answer's ConsumedCapacity (asked for explicitly). */
const units = (out: { ConsumedCapacity?: { CapacityUnits?: number } }) => out.ConsumedCapacity?.CapacityUnits;

describe('consumed capacity, as DynamoDB meters it', () => {
  it('PutItem: 1 write unit per 1 KB step of the item (900 B → 1, 1,024 B → 1, 1,025 B → 2, 1.5 KB → 2)', async () => {
    const put = async (id: string, bytes: number) =>
      units(await ddb.send(new PutItemCommand({ TableName: CONNECTIONS, Item: connectionRow(id, bytes), ReturnConsumedCapacity: 'TOTAL' })));
    expect(await put('w900', 900)).toBe(1); // ⌈900 / 1024⌉ = 1
    expect(await put('w1024', 1024)).toBe(1); // exactly one step
    expect(await put('w1025', 1025)).toBe(2); // one byte into the second step
    expect(await put('w1536', 1536)).toBe(2); // ⌈1536 / 1024⌉ = 2
    // Replacing the 1.5 KB item with a 900 B one costs the larger of the two: 2.
    expect(await put('w1536', 900)).toBe(2);
  });

  it('GetItem: 1 read unit per 4 KB strongly consistent, half of it eventually consistent, also for a missing item', async () => {
    await ddb.send(new PutItemCommand({ TableName: CONNECTIONS, Item: connectionRow('r5000', 5000) }));
    const get = async (id: string, consistent: boolean) =>
      units(
        await ddb.send(
          new GetItemCommand({ TableName: CONNECTIONS, Key: { connectionId: { S: id } }, ConsistentRead: consistent, ReturnConsumedCapacity: 'TOTAL' }),
        ),
      );
    expect(await get('r5000', true)).toBe(2); // ⌈5000 / 4096⌉ = 2
    expect(await get('r5000', false)).toBe(1); // half of 2
    expect(await get('missing', true)).toBe(1); // a read that finds nothing still costs one step
    expect(await get('missing', false)).toBe(0.5);
  });

  it('Query vs Scan over the same data: a Query reads its room, a Scan every row, filtered or not', async () => {
    // 30 rows of 200 B in room "q", 70 rows of 200 B in seven other rooms: 100 rows, 20,000 B.
    const rows = [
      ...Array.from({ length: 30 }, (_, i) => memberRow('q', `q-${String(i).padStart(3, '0')}`, 200)),
      ...Array.from({ length: 70 }, (_, i) => memberRow(`o${i % 7}`, `o-${String(i).padStart(3, '0')}`, 200)),
    ];
    for (let i = 0; i < rows.length; i += 25) {
      await ddb.send(new BatchWriteItemCommand({ RequestItems: { [MEMBERS]: rows.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    const query = (consistent: boolean) =>
      ddb.send(
        new QueryCommand({
          TableName: MEMBERS,
          KeyConditionExpression: 'room = :r',
          ExpressionAttributeValues: { ':r': { S: 'q' } },
          ConsistentRead: consistent,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    const scan = (consistent: boolean) =>
      ddb.send(
        new ScanCommand({
          TableName: MEMBERS,
          FilterExpression: 'room = :r',
          ExpressionAttributeValues: { ':r': { S: 'q' } },
          ConsistentRead: consistent,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    const q = await query(true);
    expect(q.Count).toBe(30);
    expect(units(q)).toBe(2); // 30 × 200 = 6,000 B summed, then ⌈6000 / 4096⌉ = 2
    expect(units(await query(false))).toBe(1);
    const s = await scan(true);
    expect(s.Count).toBe(30); // the same 30 rows come back…
    expect(s.ScannedCount).toBe(100);
    expect(units(s)).toBe(5); // …but all 100 were read: 20,000 B → ⌈20000 / 4096⌉ = 5
    expect(units(await scan(false))).toBe(2.5);
    // A Query that finds nothing still costs one 4 KB step (dynalite alone would say 0).
    const empty = await ddb.send(
      new QueryCommand({
        TableName: MEMBERS,
        KeyConditionExpression: 'room = :r',
        ExpressionAttributeValues: { ':r': { S: 'nobody-here' } },
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    expect(units(empty)).toBe(1);
  });

  it('writes to a table with a global index also cost index units; reads of the index are the index’s', async () => {
    const Item = memberRow('g', 'gsi-1', 300);
    const put = await ddb.send(new PutItemCommand({ TableName: MEMBERS, Item, ReturnConsumedCapacity: 'INDEXES' }));
    // table: ⌈300 / 1024⌉ = 1; byConnection entry (keys only: "connectionId"+"gsi-1", "room"+"g" = 22 B): 1
    expect(put.ConsumedCapacity).toMatchObject({ CapacityUnits: 2, Table: { CapacityUnits: 1 }, GlobalSecondaryIndexes: { byConnection: { CapacityUnits: 1 } } });
    expect(put.Attributes).toBeUndefined(); // the front's own ReturnValues: ALL_OLD is not passed on

    // The same row written again: the index entry does not change, so the index costs nothing.
    const again = await ddb.send(new PutItemCommand({ TableName: MEMBERS, Item: memberRow('g', 'gsi-1', 310), ReturnConsumedCapacity: 'INDEXES' }));
    expect(again.ConsumedCapacity).toMatchObject({ CapacityUnits: 1, Table: { CapacityUnits: 1 } });
    expect(again.ConsumedCapacity?.GlobalSecondaryIndexes).toBeUndefined();

    const byIndex = await ddb.send(
      new QueryCommand({
        TableName: MEMBERS,
        IndexName: 'byConnection',
        KeyConditionExpression: 'connectionId = :c',
        ExpressionAttributeValues: { ':c': { S: 'gsi-1' } },
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    // one 22 B entry, eventually consistent (the only kind a global index has): ½ unit, on the index
    expect(byIndex.ConsumedCapacity).toMatchObject({ CapacityUnits: 0.5, Table: { CapacityUnits: 0 }, GlobalSecondaryIndexes: { byConnection: { CapacityUnits: 0.5 } } });

    // An update of an attribute the keys-only index does not hold: the table's units only.
    const update = await ddb.send(
      new UpdateItemCommand({
        TableName: MEMBERS,
        Key: { room: { S: 'g' }, connectionId: { S: 'gsi-1' } },
        UpdateExpression: 'SET #pad = :p', // "pad" is a DynamoDB reserved word
        ExpressionAttributeNames: { '#pad': 'pad' },
        ExpressionAttributeValues: { ':p': { S: pad(1500) } },
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    // before 310 B, after 4+1 + 12+5 + 3+1500 = 1,525 B → ⌈1525 / 1024⌉ = 2
    expect(update.ConsumedCapacity).toMatchObject({ CapacityUnits: 2, Table: { CapacityUnits: 2 } });
    expect(update.ConsumedCapacity?.GlobalSecondaryIndexes).toBeUndefined();

    const del = await ddb.send(
      new DeleteItemCommand({ TableName: MEMBERS, Key: { room: { S: 'g' }, connectionId: { S: 'gsi-1' } }, ReturnConsumedCapacity: 'INDEXES' }),
    );
    // the 1,525 B row: 2 units; its index entry deleted: 1
    expect(del.ConsumedCapacity).toMatchObject({ CapacityUnits: 3, Table: { CapacityUnits: 2 }, GlobalSecondaryIndexes: { byConnection: { CapacityUnits: 1 } } });

    // BatchWriteItem: each item priced on its own; only the row that existed had an index entry.
    await ddb.send(new PutItemCommand({ TableName: MEMBERS, Item: memberRow('g', 'gsi-2', 100) }));
    const batch = await ddb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [MEMBERS]: [
            { DeleteRequest: { Key: { room: { S: 'g' }, connectionId: { S: 'gsi-2' } } } },
            { DeleteRequest: { Key: { room: { S: 'g' }, connectionId: { S: 'never-joined' } } } },
          ],
        },
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    // table: 1 + 1 (a missing item still costs the minimum); index: 1 (one entry deleted)
    expect(batch.ConsumedCapacity).toEqual([
      expect.objectContaining({ TableName: MEMBERS, CapacityUnits: 3, Table: expect.objectContaining({ CapacityUnits: 2 }), GlobalSecondaryIndexes: { byConnection: expect.objectContaining({ CapacityUnits: 1 }) } }),
    ]);
  });

  it('a failed conditional write still costs its write units (the larger of the item there and the one offered)', async () => {
    await ddb.send(new PutItemCommand({ TableName: CONNECTIONS, Item: connectionRow('cond', 2500) }));
    const since = await freshSecond();
    const err = await ddb
      .send(new PutItemCommand({ TableName: CONNECTIONS, Item: connectionRow('cond', 100), ConditionExpression: 'attribute_not_exists(connectionId)' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConditionalCheckFailedException);
    const missing = await ddb
      .send(new DeleteItemCommand({ TableName: CONNECTIONS, Key: { connectionId: { S: 'never-there' } }, ConditionExpression: 'attribute_exists(connectionId)' }))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConditionalCheckFailedException);
    expect(await waitForSum('ConditionalCheckFailedRequests', { TableName: CONNECTIONS }, since, 2)).toBe(2);
    // ⌈max(2500, 100) / 1024⌉ = 3 for the Put; the Delete found no item: the minimum, 1
    expect(await waitForSum('ConsumedWriteCapacityUnits', { TableName: CONNECTIONS }, since, 4)).toBe(4);
  });
});

describe('AWS/DynamoDB metrics through the CloudWatch API', () => {
  it('are what GetMetricData answers: units by TableName (and index), requests by TableName + Operation', async () => {
    const start = await freshSecond();
    const key = { connectionId: { S: 'cw-1' } };
    await ddb.send(new PutItemCommand({ TableName: CONNECTIONS, Item: connectionRow('cw-1', 1536) })); // 2 write units
    for (let i = 0; i < 3; i++) await ddb.send(new GetItemCommand({ TableName: CONNECTIONS, Key: key, ConsistentRead: true })); // 1 each
    await ddb.send(new GetItemCommand({ TableName: CONNECTIONS, Key: key })); // ½
    await ddb.send(
      new QueryCommand({
        TableName: MEMBERS,
        IndexName: 'byConnection',
        KeyConditionExpression: 'connectionId = :c',
        ExpressionAttributeValues: { ':c': { S: 'nobody' } },
      }),
    ); // ½ on the index: a Query that evaluates nothing still costs a step

    const q = (Id: string, MetricName: string, Stat: string, dims: Record<string, string>) => ({
      Id,
      MetricStat: {
        Metric: { Namespace: 'AWS/DynamoDB', MetricName, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) },
        Period: 1,
        Stat,
      },
    });
    const ask = async () => {
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(start),
          EndTime: new Date(Date.now() + 60_000),
          MetricDataQueries: [
            q('reads', 'ConsumedReadCapacityUnits', 'Sum', { TableName: CONNECTIONS }),
            q('writes', 'ConsumedWriteCapacityUnits', 'Sum', { TableName: CONNECTIONS }),
            q('gets', 'SuccessfulRequestLatency', 'SampleCount', { TableName: CONNECTIONS, Operation: 'GetItem' }),
            q('index', 'ConsumedReadCapacityUnits', 'Sum', { TableName: MEMBERS, GlobalSecondaryIndexName: 'byConnection' }),
            q('queries', 'ReturnedItemCount', 'SampleCount', { TableName: MEMBERS, Operation: 'Query' }),
          ],
        }),
      );
      return Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id, (r.Values ?? []).reduce((a, b) => a + b, 0)]));
    };
    let got = await ask();
    for (let i = 0; i < 40 && got.queries !== 1; i++) {
      await new Promise((r) => setTimeout(r, 50));
      got = await ask();
    }
    expect(got).toEqual({ reads: 3.5, writes: 2, gets: 4, index: 0.5, queries: 1 }); // reads: 3 × 1 + ½

    const listed = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/DynamoDB', MetricName: 'ConsumedReadCapacityUnits' }));
    const sets = (listed.Metrics ?? []).map((m) => Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value])));
    expect(sets).toContainEqual({ TableName: CONNECTIONS });
    expect(sets).toContainEqual({ TableName: MEMBERS, GlobalSecondaryIndexName: 'byConnection' });
  });
});

describe('faults.dynamodbThrottleShare', () => {
  it('answers calls with ProvisionedThroughputExceededException, which the SDK raises, and counts them', async () => {
    const throttling = await startDynamoDb({ tables: tableDefinitions(), metrics: store, throttleShare: 1 });
    const client = new DynamoDBClient({ endpoint: throttling.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    const start = await freshSecond();
    try {
      for (let i = 0; i < 3; i++) {
        const err = await client.send(new GetItemCommand({ TableName: CONNECTIONS, Key: { connectionId: { S: 'x' } } })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
        expect((err as ProvisionedThroughputExceededException).$metadata.httpStatusCode).toBe(400);
      }
      const sum = await waitForSum('ThrottledRequests', { TableName: CONNECTIONS, Operation: 'GetItem' }, start, 3);
      expect(sum).toBe(3);
      expect(throttling.stats()).toMatchObject({ calls: 3, throttled: 3 });
    } finally {
      client.destroy();
      await throttling.close();
    }
  });
});

/**
 * Waits for the next whole second and returns it: datums of earlier calls (stamped when they
 * were made) fall before it, so a query from it on sees only what follows.
 */
async function freshSecond(): Promise<number> {
  const next = Math.ceil((Date.now() + 1) / 1000) * 1000;
  await new Promise((r) => setTimeout(r, next - Date.now()));
  return next;
}

/** Poll the store (bounded) until a Sum since `since` reaches `want`. */
async function waitForSum(metricName: string, dimensions: Record<string, string>, since: number, want: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < 40; i++) {
    total = store
      .query({ namespace: 'AWS/DynamoDB', metricName, dimensions, stat: 'Sum', periodSeconds: 1, startTime: since, endTime: Date.now() + 1000 })
      .reduce((n, p) => n + p.value, 0);
    if (total >= want) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return total;
}
