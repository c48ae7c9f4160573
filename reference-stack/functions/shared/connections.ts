import { GetCommand, paginateScan, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { batchDelete, type RowKey } from './batch-delete.ts';
import { ddb } from './dynamo-client.ts';
import { config } from './env.ts';
import { roomsOf } from './rooms.ts';
import { cleanupDeadline, outlastThrottling } from './throttling.ts';

/** The connections table: connectionId → name, connectedAt. */

export interface ConnectionRow {
  connectionId: string;
  /** epoch ms, API Gateway's requestContext.connectedAt */
  connectedAt: number;
  name: string;
}

/** 1 SDK call. */
export async function putConnection(row: ConnectionRow): Promise<void> {
  await ddb.send(new PutCommand({ TableName: config.connectionsTable, Item: row }));
}

/** The connection's display name, or undefined if it has no row. 1 SDK call. */
export async function getConnectionName(connectionId: string): Promise<string | undefined> {
  const out = await ddb.send(
    new GetCommand({
      TableName: config.connectionsTable,
      Key: { connectionId },
      ProjectionExpression: '#n',
      ExpressionAttributeNames: { '#n': 'name' },
      ConsistentRead: true, // setName then sendMessage must show the new name
    }),
  );
  return out.Item?.name as string | undefined;
}

/** 1 SDK call. */
export async function setConnectionName(connectionId: string, name: string): Promise<void> {
  await ddb.send(
    new UpdateCommand({
      TableName: config.connectionsTable,
      Key: { connectionId },
      UpdateExpression: 'SET #n = :name',
      ExpressionAttributeNames: { '#n': 'name' },
      ExpressionAttributeValues: { ':name': name },
    }),
  );
}

/** Every connection (id and name): a full-table Scan, one SDK call per 1 MB page. */
export async function scanConnections(): Promise<Array<{ connectionId: string; name: string | undefined }>> {
  const rows: Array<{ connectionId: string; name: string | undefined }> = [];
  const pages = paginateScan(
    { client: ddb },
    {
      TableName: config.connectionsTable,
      ProjectionExpression: 'connectionId, #n',
      ExpressionAttributeNames: { '#n': 'name' },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) rows.push({ connectionId: item.connectionId as string, name: item.name as string | undefined });
  }
  return rows;
}

function connectionKey(connectionId: string): RowKey {
  return { table: config.connectionsTable, key: { connectionId } };
}

function memberKey(room: string, connectionId: string): RowKey {
  return { table: config.roomMembersTable, key: { room, connectionId } };
}

/**
 * Removes connections entirely: their rows and every room membership, so a dead connection
 * leaves nothing behind in any room. `knownRoom` (the room a fan-out found the connection in) is
 * deleted whatever the byConnection index says, since that index is eventually consistent. SDK
 * calls: one Query of the index per connection, then one BatchWriteItem per 25 rows; both
 * retried while DynamoDB throttles them (a cleanup given up would leave stale rows).
 */
export async function removeConnections(connectionIds: readonly string[], knownRoom?: string): Promise<void> {
  if (connectionIds.length === 0) return;
  const deadline = cleanupDeadline(); // one budget for the whole cleanup (see throttling.ts)
  const roomLists = await pLimit(8).map(connectionIds, (id) => outlastThrottling(() => roomsOf(id), deadline));
  const rows: RowKey[] = [];
  connectionIds.forEach((id, i) => {
    rows.push(connectionKey(id));
    if (knownRoom !== undefined) rows.push(memberKey(knownRoom, id));
    for (const room of roomLists[i]) rows.push(memberKey(room, id));
  });
  await batchDelete(rows, deadline); // dedupes knownRoom when the index listed it too
}
