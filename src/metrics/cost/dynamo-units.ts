/**
 * DynamoDB request units per route invocation of the reference stack (on-demand billing): the
 * cost model's fallback when a run has no AWS/DynamoDB metrics (a target whose CloudWatch cannot
 * be read). They come from what each handler does, per the DynamoDB rules:
 * a strongly consistent read costs 1 read unit per 4 KB (a Query sums its items before rounding;
 * eventually consistent reads cost half), a write 1 unit per 1 KB, a write that touches a GSI
 * entry one more unit, and a conditional write that fails still consumes its units.
 *
 * | route       | read units                                            | write units                             |
 * |-------------|-------------------------------------------------------|-----------------------------------------|
 * | $connect    | 0                                                     | 1 (Put connection)                      |
 * | $disconnect | 0.5 (GSI Query, eventually consistent)                | 1 (connection) + 2 per room (row + GSI) |
 * | setName     | 0                                                     | 1 (Update connection)                   |
 * | createRoom  | 0                                                     | 1 (conditional Put room item)           |
 * | joinRoom    | 1 (Get room) + ⌈members × memberRow / 4 KB⌉ (COUNT)    | 2 (Put member + GSI)                    |
 * | leaveRoom   | 0                                                     | 2 (Delete member + GSI)                 |
 * | sendMessage | 2 (Get member, Get name) + ⌈members × memberRow / 4 KB⌉ + 0.5 per 410 (GSI Query) | ⌈(payload + overhead) / 1 KB⌉ (history) + per 410: 1 + 2 per room |
 * | broadcast   | ⌈connections × connectionRow / 4 KB⌉ (Scan)           | per 410: 0.5 read + 1 + 2 per room      |
 * | whoami, $default | 0                                                | 0                                       |
 */
export interface DynamoAssumptions {
  /** one room-member row as stored (room, connectionId, joinedAt and attribute names), bytes */
  memberRowBytes: number;
  /** one connection row (connectionId, connectedAt, name), bytes */
  connectionRowBytes: number;
  /** a history item besides its payload (room, sk, messageId, from, name, serverTime), bytes */
  historyOverheadBytes: number;
  /** rooms each connection has joined */
  roomsPerConnection: number;
}

export const DEFAULT_DYNAMO_ASSUMPTIONS: DynamoAssumptions = {
  memberRowBytes: 100,
  connectionRowBytes: 100,
  historyOverheadBytes: 200,
  roomsPerConnection: 1,
};

export interface RequestUnits {
  read: number;
  write: number;
}

export interface RouteContext {
  /** room members per send (average) */
  members: number;
  /** open connections a broadcast scans */
  connections: number;
  /** bytes of one message payload as JSON */
  payloadBytes: number;
  /** 410s per invocation (average) */
  gonePerInvocation: number;
}

const readUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** Units one invocation of `route` consumes; unknown routes consume none. */
export function routeUnits(route: string, ctx: RouteContext, a: DynamoAssumptions = DEFAULT_DYNAMO_ASSUMPTIONS): RequestUnits {
  const removeConnectionWrites = 1 + 2 * a.roomsPerConnection;
  switch (route) {
    case '$connect':
      return { read: 0, write: 1 };
    case '$disconnect':
      return { read: 0.5, write: removeConnectionWrites };
    case 'setName':
    case 'createRoom':
      return { read: 0, write: 1 };
    case 'joinRoom':
      return { read: 1 + readUnits(ctx.members * a.memberRowBytes), write: 2 };
    case 'leaveRoom':
      return { read: 0, write: 2 };
    case 'sendMessage':
      // A 410 removes the connection entirely, as $disconnect would: every room it is in.
      return {
        read: 2 + readUnits(ctx.members * a.memberRowBytes) + 0.5 * ctx.gonePerInvocation,
        write: writeUnits(ctx.payloadBytes + a.historyOverheadBytes) + removeConnectionWrites * ctx.gonePerInvocation,
      };
    case 'broadcast':
      return {
        read: readUnits(ctx.connections * a.connectionRowBytes) + 0.5 * ctx.gonePerInvocation,
        write: removeConnectionWrites * ctx.gonePerInvocation,
      };
    default:
      return { read: 0, write: 0 };
  }
}

/**
 * Of routeUnits, the units one invocation spends on its room's own partitions (both room tables
 * are keyed by room, so a busy room is one partition key in each): `members` the room-members
 * table's (a send's Get member and member Query, a join's COUNT Query and member row, a member row
 * removed by a leave, a disconnect or a 410), `history` the messages table's (a send's history
 * item, a join's Get of the room item, the room item created). The rest (the connection rows, the
 * index keyed by connection) is spread over other keys.
 */
export function roomPartitionUnits(route: string, ctx: RouteContext, a: DynamoAssumptions = DEFAULT_DYNAMO_ASSUMPTIONS): { members: RequestUnits; history: RequestUnits } {
  const none = { read: 0, write: 0 };
  const query = readUnits(ctx.members * a.memberRowBytes);
  switch (route) {
    case 'createRoom':
      return { members: none, history: { read: 0, write: 1 } };
    case 'joinRoom':
      return { members: { read: query, write: 1 }, history: { read: 1, write: 0 } };
    case 'leaveRoom':
    case '$disconnect':
      return { members: { read: 0, write: 1 }, history: none };
    case 'sendMessage':
      return { members: { read: 1 + query, write: ctx.gonePerInvocation }, history: { read: 0, write: writeUnits(ctx.payloadBytes + a.historyOverheadBytes) } };
    default:
      return { members: none, history: none };
  }
}
