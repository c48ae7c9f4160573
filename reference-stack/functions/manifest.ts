/**
 * The reference stack's functions and routes, declared once: the emulator and the CDK app both
 * read this list, so what runs offline is what deploys.
 */
export interface FunctionSpec {
  /** Lambda function name (also the CloudWatch FunctionName dimension). */
  name: string;
  /** API Gateway route key served by this function. */
  route: string;
  /** Handler source file, relative to reference-stack/functions. Exported symbol: `handler`. */
  entry: string;
  /** Default memory size in MB (overridable per run). */
  memoryMB: number;
  /** Timeout in seconds. */
  timeoutSeconds: number;
  /** Two-way route: the handler's returned `body` is sent back to the caller (route response). */
  returnResponse: boolean;
}

export const ROUTE_SELECTION_EXPRESSION = '$request.body.action';

export const FUNCTIONS: readonly FunctionSpec[] = [
  { name: 'fanout-connect', route: '$connect', entry: 'connect.ts', memoryMB: 256, timeoutSeconds: 10, returnResponse: false },
  { name: 'fanout-disconnect', route: '$disconnect', entry: 'disconnect.ts', memoryMB: 256, timeoutSeconds: 10, returnResponse: false },
  { name: 'fanout-default', route: '$default', entry: 'default.ts', memoryMB: 256, timeoutSeconds: 10, returnResponse: true },
  { name: 'fanout-set-name', route: 'setName', entry: 'set-name.ts', memoryMB: 256, timeoutSeconds: 10, returnResponse: true },
  { name: 'fanout-create-room', route: 'createRoom', entry: 'create-room.ts', memoryMB: 256, timeoutSeconds: 10, returnResponse: true },
  { name: 'fanout-join-room', route: 'joinRoom', entry: 'join-room.ts', memoryMB: 256, timeoutSeconds: 10, returnResponse: true },
  { name: 'fanout-leave-room', route: 'leaveRoom', entry: 'leave-room.ts', memoryMB: 256, timeoutSeconds: 10, returnResponse: true },
  { name: 'fanout-send-message', route: 'sendMessage', entry: 'send-message.ts', memoryMB: 1024, timeoutSeconds: 29, returnResponse: true },
  { name: 'fanout-whoami', route: 'whoami', entry: 'whoami.ts', memoryMB: 256, timeoutSeconds: 10, returnResponse: true },
  { name: 'fanout-broadcast', route: 'broadcast', entry: 'broadcast.ts', memoryMB: 1024, timeoutSeconds: 29, returnResponse: true },
];

/** Environment variables every function receives (the CDK sets the same names). */
export const FUNCTION_ENV = {
  connectionsTable: 'CONNECTIONS_TABLE',
  roomMembersTable: 'ROOM_MEMBERS_TABLE',
  messagesTable: 'MESSAGES_TABLE',
  /** https://{apiId}.execute-api.{region}.amazonaws.com/{stage} on AWS; http://127.0.0.1:P/{stage} locally. */
  callbackUrl: 'CALLBACK_URL',
  /** Max concurrent @connections posts per fan-out. */
  fanoutConcurrency: 'FANOUT_CONCURRENCY',
  /** Longest one @connections post may take before it is aborted and counted as timed out (ms). */
  postTimeoutMs: 'POST_TIMEOUT_MS',
  /** Largest chat payload accepted by sendMessage/broadcast, serialized bytes. */
  maxPayloadBytes: 'MAX_PAYLOAD_BYTES',
} as const;
