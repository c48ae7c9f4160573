// Shared by direct.mjs and enqueue.mjs: the room's members, and posting one frame to some of them.
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';

const db = new DynamoDBClient({});
const api = new ApiGatewayManagementApiClient({ endpoint: process.env.CALLBACK_URL });

/** Every member's connection id, page by page. */
export async function membersOf(room) {
  const ids = [];
  let start;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: process.env.MEMBERS_TABLE,
        KeyConditionExpression: 'room = :r',
        ExpressionAttributeValues: { ':r': { S: room } },
        ProjectionExpression: 'connectionId',
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) ids.push(item.connectionId.S);
    start = page.LastEvaluatedKey;
  } while (start);
  return ids;
}

/** Posts `data` to every connection at once; the number that failed (a gone one counts). */
export async function postToAll(connectionIds, data) {
  const bytes = Buffer.from(data);
  const settled = await Promise.allSettled(connectionIds.map((id) => api.send(new PostToConnectionCommand({ ConnectionId: id, Data: bytes }))));
  const failed = settled.filter((s) => s.status === 'rejected');
  if (failed.length > 0) console.error(`posts failed: ${failed.length} of ${connectionIds.length}: ${failed[0].reason?.name}: ${failed[0].reason?.message}`);
  return failed.length;
}
