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

/**
 * The stage's default route throttle, what the CDK app deploys (`-c throttleRate` /
 * `throttleBurst` change it) and what the emulator applies unless told otherwise
 * (`limits.stageRps` / `stageBurst`): declared here so the two cannot drift. An open WebSocket
 * endpoint multiplies cost (one inbound message fans out to a whole room, each post billed, each
 * a Lambda's work), so the stage refuses more than this with 429 unless a benchmark asks for
 * more. 500 messages/s (burst 1,000) carries the built-in scenarios (connect and join at 200/s,
 * sends at 100/s) with room to spare.
 */
export const DEFAULT_STAGE_THROTTLE = { rateLimit: 500, burstLimit: 1_000 } as const;

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

/**
 * A Lambda REQUEST authorizer. Not a route: API Gateway calls it on `$connect` (the only route a
 * WebSocket API may authorize) before the route's own integration, and keeps what it answered for
 * the connection's lifetime. Deployed and emulated only when the stack is configured with auth.
 */
export interface AuthorizerSpec {
  name: string;
  /** The route it guards. */
  route: '$connect';
  /** Handler source file, relative to reference-stack/functions. Exported symbol: `handler`. */
  entry: string;
  memoryMB: number;
  timeoutSeconds: number;
}

export const CONNECT_AUTHORIZER: AuthorizerSpec = {
  name: 'fanout-authorizer',
  route: '$connect',
  entry: 'authorizer.ts',
  memoryMB: 256,
  timeoutSeconds: 10,
};

/**
 * Where a client puts its token, each an API Gateway identity source. API Gateway requires every
 * identity source of an authorizer to be present (and non-empty) before it calls the function, so
 * a stack declares one of them; the function itself accepts either.
 */
export const TOKEN_IDENTITY_SOURCES = {
  header: 'route.request.header.x-api-key',
  query: 'route.request.querystring.token',
} as const;
export type TokenIdentity = keyof typeof TOKEN_IDENTITY_SOURCES;
export const TOKEN_IDENTITIES = Object.keys(TOKEN_IDENTITY_SOURCES) as TokenIdentity[];
/** A header: query strings end up in access logs and proxies' logs, headers less often. */
export const DEFAULT_TOKEN_IDENTITY: TokenIdentity = 'header';

/**
 * What the CDK app puts in a parameter it creates (CloudFormation cannot create a SecureString, and
 * a template must not hold the secret). While the parameter holds it, the authorizer denies every
 * connection: a stack is never open by accident.
 */
export const TOKEN_PARAMETER_PLACEHOLDER = 'unset: put the token in this parameter (aws ssm put-parameter --overwrite)';

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
  /** The authorizer only: the name of the Parameter Store parameter holding the expected token. */
  tokenParameter: 'AUTH_TOKEN_PARAMETER',
  /**
   * The authorizer only, optional: the least time between two reads of that parameter, in
   * seconds (default 30). A token that does not match is checked against a fresh read once the
   * last read is this old, so a put or a rotation takes effect without a redeploy.
   */
  tokenRereadSeconds: 'AUTH_TOKEN_REREAD_SECONDS',
} as const;

/** The authorizer reads its token parameter again at most this often (AUTH_TOKEN_REREAD_SECONDS). */
export const DEFAULT_TOKEN_REREAD_SECONDS = 30;
