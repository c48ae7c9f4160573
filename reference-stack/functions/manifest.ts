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
 * The server-push broadcast (docs/reference-stack.md, "Server push"): an event on the stack's own
 * EventBridge bus, matched by a rule on `source` and `detail-type`, reaches a room's members (or
 * every connection) with no client frame behind it. Its `detail` is `{ "room": "r1", "payload": … }`
 * or `{ "everyone": true, "payload": … }`; each recipient gets the chat protocol's `message` frame
 * (a room) or `broadcast` frame (everyone) with `payload` as published, so the harness matches
 * deliveries as it matches a sendMessage's.
 */
export const PUSH_EVENT = { source: 'fanout-bench.push', detailType: 'push' } as const;

/**
 * How the rule's target fans the push out, by the stack setting `pushFanout` (CDK context
 * `-c pushFanout=queued`, the emulator's `pushFanout`): `direct`, one function reads the members
 * and posts to each itself (as sendMessage does); `queued`, a fan-out function reads them and
 * sends them to an SQS queue in batches of PUSH_QUEUE.idsPerMessage connection ids, which posting
 * workers consume through an event source mapping.
 */
export const PUSH_FANOUTS = ['direct', 'queued'] as const;
export type PushFanout = (typeof PUSH_FANOUTS)[number];
export const DEFAULT_PUSH_FANOUT: PushFanout = 'direct';

/** A function of the push path: not a route (EventBridge or the queue invokes it), declared once for the emulator and the CDK app. */
export interface PushFunctionSpec {
  name: string;
  /** what invokes it: the rule (`rule`), or the push queue's event source mapping (`queue`) */
  trigger: 'rule' | 'queue';
  /** the setting that deploys it */
  fanout: PushFanout;
  /** Handler source file, relative to reference-stack/functions. Exported symbol: `handler`. */
  entry: string;
  memoryMB: number;
  timeoutSeconds: number;
}

export const PUSH_FUNCTIONS: readonly PushFunctionSpec[] = [
  // posts to every recipient itself, as sendMessage does: a room of thousands in one invocation
  { name: 'fanout-push', trigger: 'rule', fanout: 'direct', entry: 'push.ts', memoryMB: 1024, timeoutSeconds: 60 },
  // reads the recipients and enqueues them: DynamoDB and SQS calls only, no post
  { name: 'fanout-push-fanout', trigger: 'rule', fanout: 'queued', entry: 'push-fanout.ts', memoryMB: 512, timeoutSeconds: 60 },
  { name: 'fanout-push-worker', trigger: 'queue', fanout: 'queued', entry: 'push-worker.ts', memoryMB: 1024, timeoutSeconds: 30 },
];

/** The push functions a setting deploys. */
export function pushFunctions(fanout: PushFanout): PushFunctionSpec[] {
  return PUSH_FUNCTIONS.filter((f) => f.fanout === fanout);
}

/**
 * The queued path's queue and its event source mapping (docs/reference-stack.md, "Server push").
 * - idsPerMessage 50: a worker's batch of `batchSize` messages is at most 200 posts, 16 in flight
 *   (FANOUT_CONCURRENCY): at 20 ms a post about 0.25 s, so a worker ends far inside its 30 s even
 *   when @connections throttles and the SDK backs off; and a room of 1,000 is 20 messages, 5
 *   batches, what a mapping starts with at once (5 concurrent batches), so the posts run in parallel.
 *   A message is the frame (a payload of at most 32 KB) and 50 ids of ~20 bytes: under SQS's
 *   1 MiB a message and a batch of 10 messages (docs/aws-facts.md).
 * - batchSize 4, no batching window: a push is latency, not throughput; a window would hold the
 *   first message back. Small batches spread a room over many workers.
 * - maximumConcurrency 100: the workers take at most a tenth of the account's default 1,000
 *   concurrent executions, so a big push cannot throttle the chat routes.
 * - visibilityTimeoutSeconds 180: six times the worker's timeout, as AWS recommends for a queue a
 *   function consumes; maxReceiveCount 5, AWS's recommended least, then the dead-letter queue
 *   (kept 14 days, SQS's longest).
 */
export const PUSH_QUEUE = {
  idsPerMessage: 50,
  batchSize: 4,
  maximumBatchingWindowSeconds: 0,
  maximumConcurrency: 100,
  visibilityTimeoutSeconds: 180,
  maxReceiveCount: 5,
  deadLetterRetentionSeconds: 1_209_600,
} as const;

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
/** The template's AuthIdentity for no authorizer on $connect (an open endpoint). */
export const NO_AUTHORIZER = 'none';

/**
 * What the CDK app puts in a parameter it creates (CloudFormation cannot create a SecureString, and
 * a template must not hold the secret). While the parameter holds it, the authorizer denies every
 * connection: a stack is never open by accident.
 */
export const TOKEN_PARAMETER_PLACEHOLDER = 'unset: put the token in this parameter (aws ssm put-parameter --overwrite)';

/**
 * A post to @connections answers in milliseconds; one that has not answered in 2 s is stuck, and
 * without a bound it would hold its fan-out slot until the Lambda times out (SDK v3 does not apply
 * requestTimeout to PostToConnection, so each post carries an abort signal instead). The CDK
 * app's PostTimeoutMs parameter defaults to it (FUNCTION_ENV.postTimeoutMs).
 */
export const DEFAULT_POST_TIMEOUT_MS = 2_000;

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
  /** The queued push's fan-out function only: the URL of the queue its workers consume. */
  pushQueueUrl: 'PUSH_QUEUE_URL',
} as const;

/** The authorizer reads its token parameter again at most this often (AUTH_TOKEN_REREAD_SECONDS). */
export const DEFAULT_TOKEN_REREAD_SECONDS = 30;
