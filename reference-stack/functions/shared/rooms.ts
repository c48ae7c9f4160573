import {
  DeleteCommand,
  GetCommand,
  paginateQuery,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { ddb } from './dynamo-client.ts';
import { config } from './env.ts';
import { ROOM_METADATA_SK } from './protocol.ts';
import { BY_CONNECTION_INDEX } from './tables.ts';

/**
 * Rooms and their members. A room exists when its metadata item (sk "#room") is in the messages
 * table; membership is one row (room, connectionId) in the room members table.
 *
 * Reads a client's own earlier write right after it (create → join → send), so the base-table
 * reads are strongly consistent: an eventually consistent read could answer NO_SUCH_ROOM or
 * NOT_A_MEMBER to a client that was just told "roomCreated"/"joined".
 */

function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** Creates the room's metadata item; false if it already existed (not an error). 1 SDK call. */
export async function createRoom(room: string, createdBy: string, now: number): Promise<boolean> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: config.messagesTable,
        Item: { room, sk: ROOM_METADATA_SK, createdAt: now, createdBy },
        ConditionExpression: 'attribute_not_exists(room)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** 1 SDK call. */
export async function roomExists(room: string): Promise<boolean> {
  const out = await ddb.send(
    new GetCommand({
      TableName: config.messagesTable,
      Key: { room, sk: ROOM_METADATA_SK },
      ProjectionExpression: 'room',
      ConsistentRead: true,
    }),
  );
  return out.Item !== undefined;
}

/** Idempotent: joining twice leaves one row. 1 SDK call. */
export async function addMember(room: string, connectionId: string, now: number): Promise<void> {
  await ddb.send(new PutCommand({ TableName: config.roomMembersTable, Item: { room, connectionId, joinedAt: now } }));
}

/** Deletes the membership; false if there was none. 1 SDK call. */
export async function removeMember(room: string, connectionId: string): Promise<boolean> {
  try {
    await ddb.send(
      new DeleteCommand({
        TableName: config.roomMembersTable,
        Key: { room, connectionId },
        ConditionExpression: 'attribute_exists(connectionId)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** Query with Select COUNT; one SDK call per 1 MB page of member rows (~15,000 members). */
export async function countMembers(room: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await ddb.send(
      new QueryCommand({
        TableName: config.roomMembersTable,
        KeyConditionExpression: 'room = :room',
        ExpressionAttributeValues: { ':room': room },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** The room's member connection ids: a Query (never a Scan), one SDK call per 1 MB page. */
export async function listMembers(room: string): Promise<string[]> {
  const members: string[] = [];
  const pages = paginateQuery(
    { client: ddb },
    {
      TableName: config.roomMembersTable,
      KeyConditionExpression: 'room = :room',
      ExpressionAttributeValues: { ':room': room },
      ProjectionExpression: 'connectionId',
      ConsistentRead: true,
    },
  );
  for await (const page of pages) for (const item of page.Items ?? []) members.push(item.connectionId as string);
  return members;
}

/** The rooms a connection is in, from the byConnection index (keys only; eventually consistent). */
export async function roomsOf(connectionId: string): Promise<string[]> {
  const rooms: string[] = [];
  const pages = paginateQuery(
    { client: ddb },
    {
      TableName: config.roomMembersTable,
      IndexName: BY_CONNECTION_INDEX,
      KeyConditionExpression: 'connectionId = :c',
      ExpressionAttributeValues: { ':c': connectionId },
    },
  );
  for await (const page of pages) for (const item of page.Items ?? []) rooms.push(item.room as string);
  return rooms;
}
