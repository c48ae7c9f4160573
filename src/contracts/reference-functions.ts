/**
 * The reference stack's Lambda functions as the harness knows them: the CloudWatch FunctionName
 * dimension, the route each serves and its default memory size. The harness must not import
 * reference-stack code (it sees a system only the way it would see AWS), so this list is kept
 * here and a test compares it with reference-stack/functions/manifest.ts. A target describing
 * another stack passes its own list instead.
 */
import type { EmfSource } from './target-schema.ts';

export interface BenchFunction {
  name: string;
  route: string;
  memoryMB: number;
  /** a Lambda authorizer on `route`, not its integration: it touches no table */
  authorizer?: true;
}

export const REFERENCE_FUNCTIONS: readonly BenchFunction[] = [
  { name: 'fanout-connect', route: '$connect', memoryMB: 256 },
  { name: 'fanout-disconnect', route: '$disconnect', memoryMB: 256 },
  { name: 'fanout-default', route: '$default', memoryMB: 256 },
  { name: 'fanout-set-name', route: 'setName', memoryMB: 256 },
  { name: 'fanout-create-room', route: 'createRoom', memoryMB: 256 },
  { name: 'fanout-join-room', route: 'joinRoom', memoryMB: 256 },
  { name: 'fanout-leave-room', route: 'leaveRoom', memoryMB: 256 },
  { name: 'fanout-send-message', route: 'sendMessage', memoryMB: 1024 },
  { name: 'fanout-whoami', route: 'whoami', memoryMB: 256 },
  { name: 'fanout-broadcast', route: 'broadcast', memoryMB: 1024 },
];

export const REFERENCE_FUNCTION_NAMES: readonly string[] = REFERENCE_FUNCTIONS.map((f) => f.name);

/** The reference stack's send function: what compare sets to each size, and a sweep shows, when none is named. */
export const REFERENCE_SEND_FUNCTION = 'fanout-send-message';

/** The reference stack's $connect authorizer, run when the stack has auth (`target.auth`). */
export const REFERENCE_AUTHORIZER: BenchFunction = { name: 'fanout-authorizer', route: '$connect', memoryMB: 256, authorizer: true };

/**
 * The server push's functions (no route invokes them: the push bus's rule, or the push queue's
 * mapping), by its `pushFanout` setting; kept equal to the manifest's PUSH_FUNCTIONS by a test.
 */
export const REFERENCE_PUSH_FUNCTION_NAMES: readonly string[] = ['fanout-push', 'fanout-push-fanout', 'fanout-push-worker'];

/** Functions whose memory and reserved concurrency a local run may set: the routes', the authorizer and the server push's. */
export const CONFIGURABLE_FUNCTION_NAMES: readonly string[] = [...REFERENCE_FUNCTION_NAMES, REFERENCE_AUTHORIZER.name, ...REFERENCE_PUSH_FUNCTION_NAMES];

/**
 * Where the reference stack's functions publish their EMF metrics (their POWERTOOLS_METRICS_NAMESPACE
 * and POWERTOOLS_SERVICE_NAME), and the metrics they publish there: the only namespace whose
 * metrics the harness knows before CloudWatch lists them. Every other stack's are listed.
 */
export const REFERENCE_EMF = { namespace: 'FanoutBench', service: 'fanout-chat' } as const satisfies EmfSource;
export const EMF_METRICS = [
  'ColdStart',
  'FanoutDeliveries',
  'FanoutPostErrors',
  'FanoutPostTimeouts',
  'StaleConnectionsRemoved',
  'StaleCleanupFailures',
  'DynamoDbThrottles',
  'FanoutDurationMs',
] as const;

/**
 * The reference stack's stage throttle as its CDK app deploys it (reference-stack/infra), which
 * the emulator reproduces by default: 500 client messages/s, burst 1,000. A test holds the two equal.
 */
export const REFERENCE_STAGE_THROTTLE = { rateLimit: 500, burstLimit: 1_000 } as const;
