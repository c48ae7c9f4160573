import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The three tables, defined once: the emulator creates them in dynalite from these inputs and
 * the CDK app derives its Table constructs from the same key schema.
 */
export const TABLE_DEFAULT_NAMES = {
  connections: 'fanout-connections',
  roomMembers: 'fanout-room-members',
  messages: 'fanout-messages',
} as const;

/** Index on room members from a connection to its rooms (used on $disconnect). */
export const BY_CONNECTION_INDEX = 'byConnection';

/** The three tables' definitions, under the names given (a stack's own: stack-names.ts). */
export function tableDefinitions(names: { connections: string; roomMembers: string; messages: string } = TABLE_DEFAULT_NAMES): CreateTableCommandInput[] {
  return [
    {
      // connectionId -> name, connectedAt
      TableName: names.connections,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'connectionId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
    },
    {
      // room + connectionId; the index answers "which rooms is this connection in?"
      TableName: names.roomMembers,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'room', AttributeType: 'S' },
        { AttributeName: 'connectionId', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'room', KeyType: 'HASH' },
        { AttributeName: 'connectionId', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: BY_CONNECTION_INDEX,
          KeySchema: [
            { AttributeName: 'connectionId', KeyType: 'HASH' },
            { AttributeName: 'room', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    },
    {
      // room + sk: the room's metadata item (sk "#room") and its history (sk "<serverTime>#<messageId>")
      TableName: names.messages,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'room', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'room', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    },
  ];
}
