// $connect with ?room=<name>: the connection becomes a member of that room.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

const db = new DynamoDBClient({});

export const handler = async (event) => {
  const room = event.queryStringParameters?.room;
  if (!room) return { statusCode: 400, body: 'room missing' };
  await db.send(new PutItemCommand({ TableName: process.env.MEMBERS_TABLE, Item: { room: { S: room }, connectionId: { S: event.requestContext.connectionId } } }));
  return { statusCode: 200 };
};
