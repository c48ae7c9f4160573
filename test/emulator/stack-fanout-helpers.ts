import pLimit from 'p-limit';
import { expect } from 'vitest';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { BY_CONNECTION_INDEX, TABLE_DEFAULT_NAMES } from '../../reference-stack/functions/shared/tables.ts';
import type { RunningStack } from '../../emulator/stack.ts';
import { connect, type TestClient } from '../fixtures/gateway/clients.ts';

/**
 * Helpers for fan-out tests through the whole emulator: real clients on the gateway, the real
 * chat functions, and the real SDK reading back what they left in dynalite and CloudWatch.
 */

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface Member {
  client: TestClient;
  id: string;
}

export interface StackReaders {
  doc: DynamoDBDocumentClient;
  cw: CloudWatchClient;
  destroy(): void;
}

export function readersFor(stack: RunningStack): StackReaders {
  const raw = new DynamoDBClient({ endpoint: stack.ready.dynamodbEndpoint, region: stack.ready.region, credentials });
  const cw = new CloudWatchClient({ endpoint: stack.ready.cloudwatchEndpoint, region: stack.ready.region, credentials });
  return {
    doc: DynamoDBDocumentClient.from(raw),
    cw,
    destroy: () => {
      raw.destroy();
      cw.destroy();
    },
  };
}

/** The next frame of `type` (or an error frame / API Gateway frame, so failures show at once). */
export function answer(client: TestClient, type: string, timeoutMs = 30_000): Promise<any> {
  return client.take((f) => f.type === type || f.type === 'error' || typeof f.message === 'string', timeoutMs);
}

/**
 * Opens `n` clients, each with its connection id; a few at a time, so $connect and whoami reuse
 * warm environments instead of starting dozens at once on two cores (which can outlast the
 * handshake's integration timeout).
 */
export async function openClients(stack: RunningStack, n: number): Promise<Member[]> {
  return pLimit(4).map(
    Array.from({ length: n }, (_, i) => i),
    async () => {
      const client = await connect(stack.ready.websocketUrl);
      client.send({ action: 'whoami' });
      const { connectionId } = await answer(client, 'whoami');
      return { client, id: connectionId as string };
    },
  );
}

/** Creates `room` (idempotent) and joins every member to it. */
export async function joinAll(room: string, members: readonly Member[]): Promise<void> {
  members[0]!.client.send({ action: 'createRoom', room });
  expect(await answer(members[0]!.client, 'roomCreated')).toMatchObject({ type: 'roomCreated' });
  for (const m of members) {
    m.client.send({ action: 'joinRoom', room });
    expect(await answer(m.client, 'joined')).toMatchObject({ type: 'joined', room });
  }
}

/** Member rows of a room (strongly consistent). */
export async function memberRows(doc: DynamoDBDocumentClient, room: string): Promise<string[]> {
  const out = await doc.send(
    new QueryCommand({
      TableName: TABLE_DEFAULT_NAMES.roomMembers,
      KeyConditionExpression: 'room = :r',
      ExpressionAttributeValues: { ':r': room },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => i.connectionId as string).sort();
}

/** Every row a connection has: its connection row and its memberships (any room). */
export async function rowsOf(doc: DynamoDBDocumentClient, connectionId: string): Promise<{ connection: boolean; rooms: string[] }> {
  const [conn, rooms] = await Promise.all([
    doc.send(new GetCommand({ TableName: TABLE_DEFAULT_NAMES.connections, Key: { connectionId }, ConsistentRead: true })),
    doc.send(
      new QueryCommand({
        TableName: TABLE_DEFAULT_NAMES.roomMembers,
        IndexName: BY_CONNECTION_INDEX,
        KeyConditionExpression: 'connectionId = :c',
        ExpressionAttributeValues: { ':c': connectionId },
      }),
    ),
  ]);
  return { connection: conn.Item !== undefined, rooms: (rooms.Items ?? []).map((i) => i.room as string).sort() };
}

/** How many rows of a table there are (a Scan; test tables are small). */
export async function countRows(doc: DynamoDBDocumentClient, table: string): Promise<number> {
  const out = await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true, Select: 'COUNT' }));
  return out.Count ?? 0;
}

/** Sum of an EMF metric of the chat functions since `since`, through GetMetricData (0 if none). */
export async function emfSum(cw: CloudWatchClient, metricName: string, since: number): Promise<number> {
  const out = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(since - 60_000),
      EndTime: new Date(Date.now() + 60_000),
      MetricDataQueries: [
        {
          Id: 'm',
          MetricStat: {
            Metric: { Namespace: 'FanoutBench', MetricName: metricName, Dimensions: [{ Name: 'service', Value: 'fanout-chat' }] },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    }),
  );
  return (out.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
}

/** Poll until `check` holds (bounded); returns its last value. */
export async function settle<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}
