import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  UpdateTableCommand,
  waitUntilTableExists,
  type AttributeValue,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { startDynamoDb, type LocalDynamoDb } from '../../emulator/dynamodb/dynamodb-thread.ts';
import { INDEX_THROTTLE_MESSAGE, TABLE_THROTTLE_MESSAGE } from '../../emulator/dynamodb/metering-front.ts';
import { limitEvidence } from '../../src/diagnosis/limit-evidence.ts';
import { emulatorCloudWatch } from '../../src/aws/cloudwatch-source.ts';
import { pullCloudWatch } from '../../src/metrics/cloudwatch/cloudwatch-puller.ts';
import { buildResults } from '../report/fixtures.ts';

// Provisioned capacity, enforced as DynamoDB does: real SDK clients against the emulator's
// DynamoDB (metering front + dynalite) and its CloudWatch endpoint. Each test has a table of its
// own; a table's bucket fills from its creation, so a test first drains it (writes until the first
// throttle) and then measures. Timings are ranges: the host may be loaded.

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const provisioned = (TableName: string, read: number, write: number, extra: Partial<CreateTableCommandInput> = {}): CreateTableCommandInput => ({
  TableName,
  BillingMode: 'PROVISIONED',
  ProvisionedThroughput: { ReadCapacityUnits: read, WriteCapacityUnits: write },
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  ...extra,
});

const TABLES: CreateTableCommandInput[] = [
  provisioned('p-rate', 1, 2),
  provisioned('p-burst', 1, 2),
  provisioned('p-shape', 5, 1),
  provisioned('p-batch', 50, 2),
  provisioned('p-read', 1, 100),
  provisioned('p-retry', 1, 50),
  provisioned('p-overload', 1, 1),
  provisioned('p-update', 1, 1),
  // no BillingMode: PROVISIONED, as on AWS
  { ...provisioned('p-default', 1, 1), BillingMode: undefined },
  provisioned('p-gsi', 5, 100, {
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'owner', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byOwner',
        KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      },
    ],
  }),
  {
    TableName: 'on-demand',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  },
];

let store: MetricStore;
let cwServer: CloudWatchServer;
let db: LocalDynamoDb;
/** one attempt per call: every throttle is seen */
let once: DynamoDBClient;
let cw: CloudWatchClient;
let startedAt: number;

beforeAll(async () => {
  startedAt = Date.now();
  store = new MetricStore();
  [db, cwServer] = await Promise.all([startDynamoDb({ metrics: store, tables: TABLES }), startCloudWatchServer({ store, logs: new LogStore() })]);
  once = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  cw = new CloudWatchClient({ endpoint: cwServer.url, region: 'us-east-1', credentials });
});

afterAll(async () => {
  once?.destroy();
  cw?.destroy();
  await cwServer?.close();
  await db?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let serial = 0;
/** An item of about `bytes` (≥ 20) with a fresh id. */
function row(bytes = 100, extra: Record<string, AttributeValue> = {}): Record<string, AttributeValue> {
  const id = `i${++serial}`;
  return { id: { S: id }, pad: { S: 'x'.repeat(Math.max(1, bytes - 2 - id.length - 3)) }, ...extra };
}

/** PutItem once: true admitted, false throttled (anything else fails the test). */
async function put(TableName: string, Item: Record<string, AttributeValue> = row()): Promise<boolean> {
  try {
    await once.send(new PutItemCommand({ TableName, Item }));
    return true;
  } catch (err) {
    if (err instanceof ProvisionedThroughputExceededException) return false;
    throw err;
  }
}

/** Writes until the first throttle (large items first, then 1-unit ones): the write bucket is empty. */
async function drainWrites(table: string): Promise<void> {
  for (const bytes of [40_000, 4_000, 100]) {
    for (let i = 0; i < 2_000; i++) if (!(await put(table, row(bytes)))) break;
  }
}

async function thrown(p: Promise<unknown>): Promise<ProvisionedThroughputExceededException> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ProvisionedThroughputExceededException) return err;
    throw err;
  }
  throw new Error('expected ProvisionedThroughputExceededException');
}

/** Sum of a metric's datums since `since` (the store, polled a bounded while until it reaches `want`). */
async function sumSince(metricName: string, dimensions: Record<string, string>, since: number, want = 1): Promise<number> {
  let total = 0;
  for (let i = 0; i < 40; i++) {
    total = store
      .query({ namespace: 'AWS/DynamoDB', metricName, dimensions, stat: 'Sum', periodSeconds: 1, startTime: since, endTime: Date.now() + 1000 })
      .reduce((n, p) => n + p.value, 0);
    if (total >= want) break;
    await sleep(50);
  }
  return total;
}

describe('provisioned capacity per second and burst', () => {
  it('admits about WriteCapacityUnits per second once the bucket is empty (2 WCU, 1-unit writes)', async () => {
    await drainWrites('p-rate');
    const start = performance.now();
    let admitted = 0;
    let throttled = 0;
    // ~3 s of steady attempts, one every 25 ms
    for (let i = 0; i < 400 && performance.now() - start < 3_000; i++) {
      if (await put('p-rate')) admitted++;
      else throttled++;
      await sleep(25);
    }
    const seconds = (performance.now() - start) / 1000;
    expect(throttled).toBeGreaterThan(admitted);
    // 2 units a second, give or take one unit at each end
    expect(admitted).toBeGreaterThanOrEqual(Math.floor(2 * seconds) - 2);
    expect(admitted).toBeLessThanOrEqual(Math.ceil(2 * seconds) + 2);
  });

  it('keeps unused capacity as burst: after 3 s idle a 2 WCU table takes ~6 writes at once', async () => {
    await drainWrites('p-burst');
    const drained = performance.now();
    await sleep(3_000);
    let admitted = 0;
    for (let i = 0; i < 40; i++) if (await put('p-burst')) admitted++;
    const seconds = (performance.now() - drained) / 1000;
    // 2 units for each second since the drain (3 s idle, however long the host made it, and the burst's own)
    expect(admitted).toBeGreaterThanOrEqual(5);
    expect(admitted).toBeLessThanOrEqual(Math.ceil(2 * seconds) + 1);
    expect(admitted).toBeGreaterThan(2); // more than one second's capacity: that is the burst
  });

  it('a table created without BillingMode is provisioned too', async () => {
    await drainWrites('p-default');
    expect(await put('p-default')).toBe(false);
  });
});

describe('a throttled call', () => {
  it("is DynamoDB's 400 ProvisionedThroughputExceededException, with its message and ThrottlingReasons", async () => {
    await drainWrites('p-shape');
    const err = await thrown(once.send(new PutItemCommand({ TableName: 'p-shape', Item: row() })));
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe(TABLE_THROTTLE_MESSAGE);
    expect(err.ThrottlingReasons).toEqual([{ reason: 'TableWriteProvisionedThroughputExceeded', resource: expect.stringMatching(/:table\/p-shape$/) }]);

    // on the wire: the JSON 1.0 error type the SDK names its class after
    const raw = await fetch(db.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.PutItem',
        authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        'x-amz-date': '20260101T000000Z',
      },
      body: JSON.stringify({ TableName: 'p-shape', Item: row() }),
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { __type: string }).__type).toBe('com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException');
  });

  it('is not applied: the item it would have written is not there', async () => {
    await drainWrites('p-shape');
    const item = row();
    expect(await put('p-shape', item)).toBe(false);
    const got = await once.send(new GetItemCommand({ TableName: 'p-shape', Key: { id: item.id! }, ConsistentRead: true }));
    expect(got.Item).toBeUndefined();
  });

  it('a global index out of write capacity throttles the table write (the table has room); a write the index does not take passes', async () => {
    const since = Date.now();
    let throttledWith: ProvisionedThroughputExceededException | undefined;
    const lost: string[] = [];
    for (let i = 0; i < 2_000 && !throttledWith; i++) {
      const item = row(100, { owner: { S: `o${i}` } });
      try {
        await once.send(new PutItemCommand({ TableName: 'p-gsi', Item: item }));
      } catch (err) {
        if (!(err instanceof ProvisionedThroughputExceededException)) throw err;
        throttledWith = err;
        lost.push(item.id!.S!);
      }
    }
    expect(throttledWith?.message).toBe(INDEX_THROTTLE_MESSAGE);
    expect(throttledWith?.ThrottlingReasons).toEqual([{ reason: 'IndexWriteProvisionedThroughputExceeded', resource: expect.stringMatching(/:table\/p-gsi\/index\/byOwner$/) }]);
    // not applied
    const got = await once.send(new GetItemCommand({ TableName: 'p-gsi', Key: { id: { S: lost[0]! } }, ConsistentRead: true }));
    expect(got.Item).toBeUndefined();
    // an item without the index's key writes nothing to the index: the table's 100 WCU take it
    expect(await put('p-gsi', row(100))).toBe(true);
    // the index's event, not the table's
    expect(await sumSince('WriteThrottleEvents', { TableName: 'p-gsi', GlobalSecondaryIndexName: 'byOwner' }, since)).toBeGreaterThanOrEqual(1);
    expect(await sumSince('ThrottledRequests', { TableName: 'p-gsi', Operation: 'PutItem' }, since)).toBeGreaterThanOrEqual(1);
    expect(await sumSince('WriteThrottleEvents', { TableName: 'p-gsi' }, since, 0)).toBe(0);
  });

  it('a batch hands back what did not fit as UnprocessedItems; only a batch of which nothing fits is refused', async () => {
    await drainWrites('p-batch');
    const drained = performance.now();
    await sleep(1_600); // ~3 units
    const items = Array.from({ length: 25 }, () => row());
    const out = await once.send(new BatchWriteItemCommand({ RequestItems: { 'p-batch': items.map((Item) => ({ PutRequest: { Item } })) } }));
    const seconds = (performance.now() - drained) / 1000;
    const left = (out.UnprocessedItems?.['p-batch'] ?? []).map((w) => w.PutRequest!.Item!.id!.S!);
    // 2 units a second since the drain (less than one left then), however long the host made it
    expect(items.length - left.length).toBeGreaterThanOrEqual(2);
    expect(items.length - left.length).toBeLessThanOrEqual(Math.ceil(2 * seconds) + 1);
    expect(left.length).toBeGreaterThanOrEqual(1);
    // right after, with 3-unit items (1.5 s of refill each): nothing fits, the batch is refused
    const none = once.send(new BatchWriteItemCommand({ RequestItems: { 'p-batch': [1, 2, 3].map(() => ({ PutRequest: { Item: row(3_000) } })) } }));
    expect((await thrown(none)).message).toBe(TABLE_THROTTLE_MESSAGE);
    // what was handed back was not written; the rest was
    for (const item of items) {
      const got = await once.send(new GetItemCommand({ TableName: 'p-batch', Key: { id: item.id! } }));
      expect(got.Item === undefined).toBe(left.includes(item.id!.S!));
    }
  });
});

describe("the SDK's retries", () => {
  it('a throttled-then-admitted call succeeds on a later attempt ($metadata.attempts > 1)', async () => {
    const client = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials }); // the SDK's default retries
    try {
      // A 10-unit item on 50 WCU: 200 ms of refill after a drain. The SDK's backoff for a
      // throttle is random: a few trials make sure one of them is retried before it fits.
      let retried = 0;
      for (let trial = 0; trial < 5 && retried === 0; trial++) {
        await drainWrites('p-retry');
        const out = await client.send(new PutItemCommand({ TableName: 'p-retry', Item: row(10_000) }));
        if ((out.$metadata.attempts ?? 1) > 1) retried = out.$metadata.attempts!;
      }
      expect(retried).toBeGreaterThan(1);
    } finally {
      client.destroy();
    }
  });

  it('under sustained overload the SDK gives up after its attempts with the exception', async () => {
    const client = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials });
    try {
      await drainWrites('p-overload');
      // 20 units on a 1 WCU table: 20 s of refill, far past the SDK's backoff
      const err = await thrown(client.send(new PutItemCommand({ TableName: 'p-overload', Item: row(20_000) })));
      // every attempt the client makes (3 by default; DynamoDB's client now defaults to 4)
      expect(err.$metadata.attempts).toBe(await client.config.maxAttempts());
      expect(err.$metadata.attempts).toBeGreaterThanOrEqual(3);
    } finally {
      client.destroy();
    }
  });
});

describe('UpdateTable', () => {
  it('a new ProvisionedThroughput takes effect', async () => {
    await drainWrites('p-update');
    await once.send(new UpdateTableCommand({ TableName: 'p-update', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 200 } }));
    await waitUntilTableExists({ client: once, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 }, { TableName: 'p-update' });
    for (let i = 0; i < 20; i++) {
      const d = await once.send(new DescribeTableCommand({ TableName: 'p-update' }));
      if (d.Table?.TableStatus === 'ACTIVE' && d.Table.ProvisionedThroughput?.WriteCapacityUnits === 200) break;
      await sleep(20);
    }
    await sleep(300); // 60 units at 200/s; 0.3 at the old 1/s
    let admitted = 0;
    for (let i = 0; i < 20; i++) if (await put('p-update')) admitted++;
    expect(admitted).toBe(20);
  });
});

describe('CloudWatch', () => {
  it('ThrottledRequests by TableName + Operation, Read/WriteThrottleEvents by TableName, ProvisionedRead/WriteCapacityUnits', async () => {
    const since = Date.now() - 1_000;
    // reads: 1 RCU, strongly consistent GetItem costs 1
    const key = { id: { S: 'nothing-here' } };
    let readThrottles = 0;
    for (let i = 0; i < 2_000 && readThrottles < 2; i++) {
      try {
        await once.send(new GetItemCommand({ TableName: 'p-read', Key: key, ConsistentRead: true }));
      } catch (err) {
        if (!(err instanceof ProvisionedThroughputExceededException)) throw err;
        expect(err.ThrottlingReasons?.[0]?.reason).toBe('TableReadProvisionedThroughputExceeded');
        readThrottles++;
      }
    }
    expect(readThrottles).toBe(2);
    expect(await sumSince('ThrottledRequests', { TableName: 'p-read', Operation: 'GetItem' }, since, 2)).toBe(2);
    expect(await sumSince('ReadThrottleEvents', { TableName: 'p-read' }, since, 2)).toBe(2);

    // through the CloudWatch API, as the harness reads them
    const listed = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/DynamoDB', Dimensions: [{ Name: 'TableName', Value: 'p-read' }] }));
    const names = new Set((listed.Metrics ?? []).map((m) => `${m.MetricName} ${(m.Dimensions ?? []).map((d) => d.Name).sort().join('+')}`));
    expect(names).toContain('ThrottledRequests Operation+TableName');
    expect(names).toContain('ReadThrottleEvents TableName');
    expect(names).toContain('ProvisionedReadCapacityUnits TableName');
    const data = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(since - 60_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          {
            Id: 'w',
            MetricStat: { Metric: { Namespace: 'AWS/DynamoDB', MetricName: 'ProvisionedWriteCapacityUnits', Dimensions: [{ Name: 'TableName', Value: 'p-read' }] }, Period: 60, Stat: 'Maximum' },
          },
          {
            Id: 'gsi',
            MetricStat: {
              Metric: { Namespace: 'AWS/DynamoDB', MetricName: 'ProvisionedWriteCapacityUnits', Dimensions: [{ Name: 'TableName', Value: 'p-gsi' }, { Name: 'GlobalSecondaryIndexName', Value: 'byOwner' }] },
              Period: 60,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );
    const value = (id: string) => data.MetricDataResults?.find((r) => r.Id === id)?.Values?.[0];
    expect(value('w')).toBe(100);
    expect(value('gsi')).toBe(1);
  });
});

describe('on-demand tables', () => {
  it('keep their behaviour: a burst far past any provisioned figure is never throttled', async () => {
    const since = Date.now();
    const results = await Promise.all(Array.from({ length: 300 }, () => put('on-demand', row(2_000))));
    expect(results.every(Boolean)).toBe(true);
    expect(await sumSince('ConsumedWriteCapacityUnits', { TableName: 'on-demand' }, since, 600)).toBe(600);
    expect(await sumSince('ThrottledRequests', { TableName: 'on-demand', Operation: 'PutItem' }, since, 0)).toBe(0);
  });
});

describe("the harness's side", () => {
  it('the CloudWatch pull reads the throttles from the emulator, and search names the limit dynamodb-throttles', async () => {
    // runs after the tests above: p-gsi's index, p-read's reads and p-batch's items were throttled
    const pulled = await pullCloudWatch({
      target: emulatorCloudWatch({ endpoint: cwServer.url }),
      run: { startMs: startedAt, endMs: Date.now() },
      functions: [],
      tables: [
        { name: 'p-gsi', globalIndexes: ['byOwner'] },
        { name: 'p-read', globalIndexes: [] },
        { name: 'on-demand', globalIndexes: [] },
      ],
      apiGateway: null,
      reportLines: false,
      settle: false,
    });
    expect(pulled.problems).toEqual([]);
    const gsi = pulled.dynamodb!['p-gsi']!;
    expect(gsi.indexes.byOwner!.writeThrottleEvents).toBeGreaterThanOrEqual(1);
    expect(gsi.writeThrottleEvents).toBe(0); // the table had room: the index's events, not the table's
    expect(gsi.operations.PutItem!.throttled).toBeGreaterThanOrEqual(1);
    expect(pulled.dynamodb!['p-read']!.readThrottleEvents).toBe(2);
    expect(pulled.dynamodb!['p-read']!.operations.GetItem!.throttled).toBe(2);
    expect(pulled.dynamodb!['on-demand']!.operations.PutItem).toMatchObject({ requests: 300, throttled: 0 });

    // one step's results with these numbers: search names the limit
    const r = buildResults();
    r.cloudwatch!.emf = {};
    delete r.cloudwatch!.dynamodb;
    expect(limitEvidence(r).map((e) => e.factor)).not.toContain('dynamodb-throttles');
    r.cloudwatch!.dynamodb = pulled.dynamodb;
    const line = limitEvidence(r).find((e) => e.factor === 'dynamodb-throttles')?.line;
    expect(line).toMatch(/^DynamoDB throttled [\d,]+ requests \(p-gsi: PutItem [\d,]+; p-read: GetItem 2\); throttle events: p-gsi index byOwner [\d,]+ write, p-read 2 read$/);
  });
});
