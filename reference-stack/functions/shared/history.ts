import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from './dynamo-client.ts';
import { config } from './env.ts';
import { historySortKey } from './protocol.ts';

/** A room's message history in the messages table (seed 001 keeps it). */
export interface HistoryEntry {
  room: string;
  messageId: string;
  from: string;
  name: string;
  serverTime: number;
  /** The payload's JSON text, stored verbatim: any JSON value fits, whatever its numbers or depth. */
  payloadJson: string;
}

/** 1 SDK call. */
export async function putMessage(entry: HistoryEntry): Promise<void> {
  await ddb.send(
    new PutCommand({
      TableName: config.messagesTable,
      Item: { sk: historySortKey(entry.serverTime, entry.messageId), ...entry },
    }),
  );
}
