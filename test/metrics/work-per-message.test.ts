import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import type { MetricDatum } from '../../emulator/cloudwatch/types.ts';
import { startDynamoDb, type LocalDynamoDb } from '../../emulator/dynamodb/dynamodb-thread.ts';
import { TABLE_DEFAULT_NAMES, tableDefinitions } from '../../reference-stack/functions/shared/tables.ts';
import { pullCloudWatch } from '../../src/metrics/cloudwatch/cloudwatch-puller.ts';
import { REFERENCE_TABLES } from '../../src/contracts/reference-tables.ts';
import { dynamoDbWork } from '../../src/metrics/cost/work-per-message.ts';
import type { DynamoDbWork } from '../../src/contracts/work-schema.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { buildResults } from '../report/fixtures.ts';
import { emulatorCloudWatch } from '../../src/aws/cloudwatch-source.ts';

// Work per message catches what latency on a shared host cannot: turning sendMessage's member
// Query into a Scan. The reference functions' own DynamoDB code (rooms.ts, connections.ts,
// history.ts) runs against the emulator's metering front, the harness pulls AWS/DynamoDB through
// the real CloudWatch client and derives units per message. Each variant gets its own CloudWatch
// store, so the two are measured apart.

const ROOMS = 10;
const MEMBERS = 40;
const MESSAGES = 10;

let db: LocalDynamoDb;
const stores = { setup: new MetricStore(), query: new MetricStore(), scan: new MetricStore() };
let current: MetricStore = stores.setup;
const servers: CloudWatchServer[] = [];

type Rooms = typeof import('../../reference-stack/functions/shared/rooms.ts');
type Connections = typeof import('../../reference-stack/functions/shared/connections.ts');
type History = typeof import('../../reference-stack/functions/shared/history.ts');
let rooms: Rooms;
let connections: Connections;
let history: History;
let scanMembers: (room: string) => Promise<string[]>;

const roomName = (r: number) => `room-${r}`; // 6 characters
const memberId = (r: number, m: number) => `c${r}-${String(m).padStart(2, '0')}`; // 5 characters

beforeAll(async () => {
  db = await startDynamoDb({ tables: tableDefinitions(), metrics: { put: (d: MetricDatum) => current.put(d) } });
  // The environment the emulator gives the functions; their modules read it when loaded.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    CONNECTIONS_TABLE: TABLE_DEFAULT_NAMES.connections,
    ROOM_MEMBERS_TABLE: TABLE_DEFAULT_NAMES.roomMembers,
    MESSAGES_TABLE: TABLE_DEFAULT_NAMES.messages,
  });
  rooms = await import('../../reference-stack/functions/shared/rooms.ts');
  connections = await import('../../reference-stack/functions/shared/connections.ts');
  history = await import('../../reference-stack/functions/shared/history.ts');
  const { ddb } = await import('../../reference-stack/functions/shared/dynamo-client.ts');
  const { config } = await import('../../reference-stack/functions/shared/env.ts');
  const { paginateScan, BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');

  // The "optimisation" under test: listMembers written as a Scan filtered on the room.
  scanMembers = async (room) => {
    const ids: string[] = [];
    const pages = paginateScan(
      { client: ddb },
      {
        TableName: config.roomMembersTable,
        FilterExpression: 'room = :room',
        ExpressionAttributeValues: { ':room': room },
        ProjectionExpression: 'connectionId',
        ConsistentRead: true,
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) ids.push(item.connectionId as string);
    return ids;
  };

  // 10 rooms × 40 members, rows as joinRoom writes them: "room"+6, "connectionId"+5, "joinedAt"+N(1) = 37 B.
  const rows = [];
  for (let r = 0; r < ROOMS; r++) for (let m = 0; m < MEMBERS; m++) rows.push({ room: roomName(r), connectionId: memberId(r, m), joinedAt: 1 });
  for (let i = 0; i < rows.length; i += 25) {
    await ddb.send(new BatchWriteCommand({ RequestItems: { [config.roomMembersTable]: rows.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  for (let r = 0; r < ROOMS; r++) await connections.putConnection({ connectionId: memberId(r, 0), connectedAt: 1, name: 'n' });
  await settled(stores.setup, 'BatchWriteItem', TABLE_DEFAULT_NAMES.roomMembers, rows.length / 25);
  await settled(stores.setup, 'PutItem', TABLE_DEFAULT_NAMES.connections, ROOMS);
  for (const store of [stores.query, stores.scan]) servers.push(await startCloudWatchServer({ store, logs: new LogStore() }));
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await db?.close();
});

/** Waits (bounded) until `store` has received the datums of `count` calls of `operation`. */
async function settled(store: MetricStore, operation: string, table: string, count: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const n = store
      .query({
        namespace: 'AWS/DynamoDB',
        metricName: 'SuccessfulRequestLatency',
        dimensions: { TableName: table, Operation: operation },
        stat: 'SampleCount',
        periodSeconds: 60,
        startTime: Date.now() - 3_600_000,
        endTime: Date.now() + 60_000,
      })
      .reduce((a, p) => a + p.value, 0);
    if (n >= count) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${count} ${operation} calls never reached the metric store`);
}

/** sendMessage's DynamoDB calls for MESSAGES messages (one sender per room), with `list` for the members. */
async function measure(variant: 'query' | 'scan', list: (room: string) => Promise<string[]>, server: CloudWatchServer): Promise<DynamoDbWork> {
  current = stores[variant];
  const startMs = Date.now();
  let deliveries = 0;
  for (let i = 0; i < MESSAGES; i++) {
    const room = roomName(i % ROOMS);
    const from = memberId(i % ROOMS, 0);
    // As sendMessage does: the member list (membership is checked in it) beside the sender's name.
    const [members] = await Promise.all([list(room), connections.getConnectionName(from)]);
    expect(members).toContain(from);
    deliveries += members.length;
    await history.putMessage({ room, messageId: `m${i}`, from, name: 'n', serverTime: startMs + i, payloadJson: '{"i":1}' });
  }
  await settled(stores[variant], 'PutItem', TABLE_DEFAULT_NAMES.messages, MESSAGES);
  const cloudwatch = await pullCloudWatch({
    target: emulatorCloudWatch({ endpoint: server.url, region: 'us-east-1' }),
    run: { startMs, endMs: Date.now() },
    functions: [],
    tables: REFERENCE_TABLES,
    reportLines: false,
  });
  expect(cloudwatch.problems).toEqual([]);
  const work = dynamoDbWork({
    cloudwatch,
    sends: { intended: MESSAGES, sent: MESSAGES, missedSlots: 0, acked: MESSAGES, failed: 0 },
    deliveries: { expected: deliveries, received: deliveries, lost: 0, duplicates: 0, outOfOrder: 0 },
  });
  expect(work).toBeDefined();
  return work!;
}

describe('DynamoDB work per message', () => {
  it('jumps when sendMessage lists members with a Scan instead of a Query', async () => {
    const query = await measure('query', (room) => rooms.listMembers(room), servers[0]);
    const scan = await measure('scan', (room) => scanMembers(room), servers[1]);

    // Per message, strongly consistent: sender-name GetItem 1 + members.
    // Query: the room's 40 rows, 40 × 37 B = 1,480 B → 1 unit. Total 2.
    expect(query.readUnitsPerMessage).toBe(2);
    // Scan: every row of every room is read, 400 × 37 B = 14,800 B → ⌈14800 / 4096⌉ = 4. Total 5.
    expect(scan.readUnitsPerMessage).toBe(5);
    expect(scan.readUnitsPerMessage! / query.readUnitsPerMessage!).toBe(2.5);
    // 40 deliveries per message: 2 / 40 × 1,000 = 50 and 5 / 40 × 1,000 = 125
    expect(query.readUnitsPer1000Deliveries).toBe(50);
    expect(scan.readUnitsPer1000Deliveries).toBe(125);
    // The writes did not change: one history item (< 1 KB) per message.
    expect(query.writeUnitsPerMessage).toBe(1);
    expect(scan.writeUnitsPerMessage).toBe(1);

    const members = TABLE_DEFAULT_NAMES.roomMembers;
    expect(query.tables[members].operations.Query).toEqual({ requests: MESSAGES, throttled: 0, returnedItems: MESSAGES * MEMBERS });
    expect(scan.tables[members].operations.Scan).toEqual({ requests: MESSAGES, throttled: 0, returnedItems: MESSAGES * MEMBERS });
    expect(scan.tables[members].operations.Query).toBeUndefined();

    // A nightly check with a read-units threshold against the Query build's results fails the
    // Scan build, and passes the Query build against itself.
    const threshold = [parseThreshold('dynamodb.readUnitsPerMessage <= baseline', '--threshold')];
    const baseline = { ...buildResults(), dynamodb: query };
    const judge = (work: DynamoDbWork) => evaluate({ ...buildResults(), dynamodb: work }, { thresholds: threshold, baseline }).thresholds[0];
    expect(judge(scan)).toMatchObject({ outcome: 'fail', observed: 5, baseline: 2 });
    expect(judge(query)).toMatchObject({ outcome: 'pass', observed: 2, baseline: 2 });
  });
});
