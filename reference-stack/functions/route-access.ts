import { BY_CONNECTION_INDEX, type TABLE_DEFAULT_NAMES } from './shared/tables.ts';

/**
 * What each of the reference stack's functions may do, as plain data: the CDK app
 * (infra/route-access.ts) turns it into each function's role, which the emulator reads from the
 * synthesized template and enforces offline, so what is enforced here is what deploys.
 */
export type TableKey = keyof typeof TABLE_DEFAULT_NAMES;

/** The DynamoDB operations the handlers call (IAM action names without the `dynamodb:` prefix). */
export type DynamoAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'Scan' | 'BatchWriteItem';

export interface TableGrant {
  table: TableKey;
  /** a global secondary index of the table (a Query on it needs the index's ARN, not the table's) */
  index?: string;
  actions: readonly DynamoAction[];
}

export interface RouteAccess {
  dynamodb: readonly TableGrant[];
  /** PostToConnection on this API's stage (execute-api:ManageConnections, POST only) */
  postsToConnections: boolean;
  /** the push queue: `send` (the queued fan-out's SendMessageBatch), `consume` (its worker's event source mapping) */
  pushQueue?: keyof typeof PUSH_QUEUE_ACTIONS;
}

/**
 * The push queue's actions: SendMessageBatch is authorized as `sqs:SendMessage`; a mapping's
 * pollers use the worker's role for what CDK's grantConsumeMessages gives (SqsEventSource adds it),
 * written out here so the emulator enforces the same list.
 */
export const PUSH_QUEUE_ACTIONS = {
  send: ['sqs:SendMessage'],
  consume: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
} as const;

/**
 * Least privilege, route by route: exactly the DynamoDB calls each handler makes (its doc comment
 * and "SDK calls per route" in reference-stack/README.md list them), on the tables and index it
 * makes them on. CDK's grant helpers would give every reader Scan and the stream reads too; only
 * the naive broadcast scans. The 410 cleanup (shared/connections.ts removeConnections) is a Query
 * of byConnection and BatchWriteItem deletes of connection and member rows.
 */
const CLEANUP: readonly TableGrant[] = [
  { table: 'roomMembers', index: BY_CONNECTION_INDEX, actions: ['Query'] },
  { table: 'connections', actions: ['BatchWriteItem'] },
  { table: 'roomMembers', actions: ['BatchWriteItem'] },
];

export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  // putConnection
  $connect: { dynamodb: [{ table: 'connections', actions: ['PutItem'] }], postsToConnections: false },
  // removeConnections
  $disconnect: { dynamodb: CLEANUP, postsToConnections: false },
  $default: { dynamodb: [], postsToConnections: false },
  // setConnectionName
  setName: { dynamodb: [{ table: 'connections', actions: ['UpdateItem'] }], postsToConnections: false },
  // createRoom: conditional PutItem of the room's metadata item
  createRoom: { dynamodb: [{ table: 'messages', actions: ['PutItem'] }], postsToConnections: false },
  // roomExists (GetItem), addMember (PutItem), countMembers (Query COUNT)
  joinRoom: {
    dynamodb: [
      { table: 'messages', actions: ['GetItem'] },
      { table: 'roomMembers', actions: ['PutItem', 'Query'] },
    ],
    postsToConnections: false,
  },
  // removeMember: conditional DeleteItem
  leaveRoom: { dynamodb: [{ table: 'roomMembers', actions: ['DeleteItem'] }], postsToConnections: false },
  // listMembers (Query), getConnectionName (GetItem), putMessage (PutItem), then the 410 cleanup
  sendMessage: {
    dynamodb: [
      { table: 'roomMembers', actions: ['Query', 'BatchWriteItem'] },
      { table: 'roomMembers', index: BY_CONNECTION_INDEX, actions: ['Query'] },
      { table: 'connections', actions: ['GetItem', 'BatchWriteItem'] },
      { table: 'messages', actions: ['PutItem'] },
    ],
    postsToConnections: true,
  },
  whoami: { dynamodb: [], postsToConnections: false },
  // scanConnections (Scan), then the 410 cleanup
  broadcast: {
    dynamodb: [{ table: 'connections', actions: ['Scan', 'BatchWriteItem'] }, ...CLEANUP.filter((g) => g.table !== 'connections')],
    postsToConnections: true,
  },
};

/**
 * The push path's functions (manifest.ts PUSH_FUNCTIONS), by name: the direct push reads a room's
 * members (Query) or every connection (Scan, as broadcast) and posts, with the 410 cleanup; the
 * queued fan-out reads the same and sends to the queue; its worker posts, with the cleanup.
 */
export const PUSH_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'fanout-push': {
    dynamodb: [{ table: 'roomMembers', actions: ['Query', 'BatchWriteItem'] }, { table: 'connections', actions: ['Scan', 'BatchWriteItem'] }, ...CLEANUP.filter((g) => g.index !== undefined)],
    postsToConnections: true,
  },
  'fanout-push-fanout': {
    dynamodb: [{ table: 'roomMembers', actions: ['Query'] }, { table: 'connections', actions: ['Scan'] }],
    postsToConnections: false,
    pushQueue: 'send',
  },
  'fanout-push-worker': {
    dynamodb: CLEANUP,
    postsToConnections: true,
    pushQueue: 'consume',
  },
};

/**
 * The $connect authorizer's one call: `ssm:GetParameter` on its token parameter (a SecureString
 * under the AWS managed key needs nothing more; under a key of your own, kms:Decrypt on it).
 */
export const AUTHORIZER_ACTIONS: readonly string[] = ['ssm:GetParameter'];

/** Every function writes to its own log group, and only there (no AWSLambdaBasicExecutionRole, which allows every group). */
export const LOG_ACTIONS: readonly string[] = ['logs:CreateLogStream', 'logs:PutLogEvents'];
