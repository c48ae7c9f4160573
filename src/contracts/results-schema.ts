import { z } from 'zod';
import { Attribution } from './attribution-schema.ts';
import { CloudWatchResults } from './cloudwatch-schema.ts';
import { CostEstimate } from './cost-schema.ts';
import { IntervalRecord } from './interval-record.ts';
import { LatencySummary } from './latency-summary-schema.ts';
import { MissingDeliveries } from './missing-deliveries-schema.ts';
import { DynamoDbWork, LambdaWork } from './work-schema.ts';
import { PermissionsSection } from './permissions-schema.ts';
import { StackPath } from './path-schema.ts';
import { SecretsManagerUsage } from './secrets-manager-schema.ts';
import { HopLatency } from './hop-latency-schema.ts';
import { PublishResult } from './publish-schema.ts';
import { Quotas } from './quotas-schema.ts';
import { TargetDiscovery, TargetEndpoints, TargetFunctions } from './target-schema.ts';
import { Verdict } from './verdict-schema.ts';
import { NotEmulatedPath, NotEmulatedResource } from '../../common/not-emulated-paths.ts';
import { RuntimeInUse } from '../../common/runtimes-in-use.ts';
import { UnservedCall } from '../../common/unserved-calls.ts';

/**
 * results.json — the contract between a run, the report renderers and later tools (baseline
 * comparison, merging runs). Bump SCHEMA_VERSION on any incompatible change and keep the reader
 * of older versions working (`fanout-bench report` re-renders old runs).
 */
export const SCHEMA_VERSION = 2;

// Part of the results contract: importers keep taking them from here.
export { IntervalRecord, LatencySummary };

export const Deliveries = z.object({
  /** room members at send time, summed over acknowledged sends */
  expected: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
  lost: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  outOfOrder: z.number().int().nonnegative(),
  /**
   * of received: arrived more than the grace (timeouts.grace) after their message's ack (older
   * runs, without lossTimeoutMs: arrived after the grace and stayed counted in lost)
   */
  late: z.number().int().nonnegative().optional(),
  /** the loss timeout that applied: a delivery is lost only when it had not arrived this long after its ack */
  lossTimeoutMs: z.number().nonnegative().optional(),
  /** the grace that applied: deliveries later than this after the ack are `late` */
  graceMs: z.number().nonnegative().optional(),
  /** of lost: missed by messages settled before their loss timeout ran out (the run ended first) */
  lostEarly: z.number().int().nonnegative().optional(),
  /** arrived after their message had been counted lost (past the loss timeout): they stay in lost */
  afterLossTimeout: z.number().int().nonnegative().optional(),
  /** deliveries of messages whose send failed or was never acknowledged (not in expected) */
  unacknowledged: z.number().int().nonnegative().optional(),
  /** unique deliveries beyond what the system reported posting */
  surplus: z.number().int().nonnegative().optional(),
  /** deliveries whose probe names no message of this run */
  foreign: z.number().int().nonnegative().optional(),
  /**
   * room members the target did not count: Σ over messages of the harness's member count minus
   * the target's recipients − gone, where that was smaller (they are in expected, so in lost)
   */
  underreported: z.number().int().nonnegative().optional(),
  /** deliveries to members away in reconnect while their message went out: not in expected, and not lost (a scenario's `reconnect`) */
  missedDuringReconnect: z.number().int().nonnegative().optional(),
  /** deliveries owed to members the harness itself dropped (a drop phase) while their message was on its way: not expected, not lost */
  missedByDrop: z.number().int().nonnegative().optional(),
  /** where the lost deliveries went missing: by room, message and recipient, the shape named (run totals only; absent without a loss) */
  missing: MissingDeliveries.optional(),
});

export const Sends = z.object({
  /** sends the schedule asked for */
  intended: z.number().int().nonnegative(),
  /** sends actually written to a socket */
  sent: z.number().int().nonnegative(),
  /** sends that left later than their slot allowed (still sent; latency counts from the slot) */
  missedSlots: z.number().int().nonnegative(),
  /** sends the system acknowledged ({"type":"sent"}) */
  acked: z.number().int().nonnegative(),
  /** sends answered with an error frame or never answered */
  failed: z.number().int().nonnegative(),
  /**
   * sends on the wire when the server closed their socket and their sender went on to reconnect (a
   * scenario's `reconnect`): unanswered, not in failed; with skippedWhy.reconnecting, the sends
   * skipped during reconnect
   */
  cutOffByReconnect: z.number().int().nonnegative().optional(),
  /** slots with no open, joined sender, nor member of its room to stand in, to send them (intended = sent + skipped) */
  skipped: z.number().int().nonnegative().optional(),
  /** skipped slots by why their sender could not send: its connect's or socket's error kind ("handshake:500", "close:1006"), "dropped", "not joined", "reconnecting" */
  skippedWhy: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /**
   * Senders that were not open and joined when their slot came, and the member of their room that
   * sent in their place (chosen by rank in the room, so repeats pick alike): `total` pairs, the
   * first 50 of them listed (run-recorder.ts STAND_INS_LISTED).
   */
  standIns: z
    .object({
      total: z.number().int().nonnegative(),
      first: z.array(z.object({ phase: z.string(), room: z.number().int().nonnegative(), sender: z.number().int().nonnegative(), standIn: z.number().int().nonnegative(), why: z.string() })),
    })
    .optional(),
});

export const Connections = z.object({
  /** connects attempted (all connect phases) */
  attempted: z.number().int().nonnegative(),
  opened: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** connect slots that started more than 5 ms after their intended time */
  missedSlots: z.number().int().nonnegative(),
  joined: z.number().int().nonnegative(),
  joinFailed: z.number().int().nonnegative(),
  /** open at the end of the last phase */
  openAtEnd: z.number().int().nonnegative(),
});

export const Stale = z.object({
  /** clients dropped without a close frame */
  dropped: z.number().int().nonnegative(),
  /** 410s the system reported (sum of "gone" in sendMessage answers) */
  gone410: z.number().int().nonnegative(),
  /** from the first broadcast after the drop until broadcasts stop hitting stale connections; null = never clean */
  timeToCleanMs: z.number().nullable(),
  /** posts that reached nobody: recipients reported by the system minus deliveries received by live clients */
  wastedPosts: z.number().int().nonnegative(),
  /**
   * where gone410, timeToCleanMs and wastedPosts came from when the protocol's answers do not count
   * 410s: the target's own view of posts to the dropped clients' connections ("the emulator's
   * gateway: …", "the functions' logs: …"). Absent: from chat-v1's sent acks, or not observable
   * (results.protocol.notObservable says so).
   */
  source: z.string().optional(),
});

/**
 * How the harness was the bottleneck (metrics/measurement/saturation.ts): a shard whose event loop
 * lagged (with the most of a core it used, where that was little: the host's other processes
 * starved it), a shard that kept a core busy, or Artillery workers that said so themselves.
 */
export const Saturation = z.discriminatedUnion('sign', [
  z.object({ sign: z.literal('lag'), shard: z.number().int(), lagP99Ms: z.number(), limitMs: z.number(), starvedAtCores: z.number().optional() }),
  z.object({ sign: z.literal('cpu'), shard: z.number().int(), cores: z.number(), limitCores: z.number(), windowSeconds: z.number() }),
  z.object({ sign: z.literal('workers'), saturated: z.number().int(), workers: z.number().int() }),
]);
export type Saturation = z.infer<typeof Saturation>;

export const Harness = z.object({
  shards: z.number().int().positive(),
  /** CPU-seconds used by all shards */
  cpuSeconds: z.number(),
  /** peak CPU in cores */
  cpuCoresMax: z.number(),
  eventLoopLagP99Ms: z.number(),
  eventLoopLagMaxMs: z.number(),
  /** peak resident memory over all shards, MB */
  rssMB: z.number(),
  /** CPU-seconds of the parent process (merging, writing), not in cpuSeconds */
  parentCpuSeconds: z.number().optional(),
  /** true when the harness itself was the bottleneck: the numbers are not trustworthy */
  saturated: z.boolean(),
  /** how it was (absent in older results, whose warnings say it) */
  saturation: z.array(Saturation).optional(),
  warnings: z.array(z.string()),
});

/** One phase of the scenario as it ran (plus a final 'drain' while the last acks and deliveries arrive). */
export const PhaseResult = z.object({
  index: z.number().int().nonnegative(),
  name: z.string(),
  kind: z.enum(['connect', 'join', 'send', 'publish', 'idle', 'drop', 'drain']),
  /** epoch ms */
  startedAt: z.number(),
  durationMs: z.number(),
  /** sends of this phase's schedule; deliveries of messages sent in this phase */
  sends: Sends,
  deliveries: Deliveries,
  /** latencies recorded while this phase ran */
  connect: LatencySummary.optional(),
  /** connects the target said were (not) cold starts of $connect, when it says */
  connectCold: LatencySummary.optional(),
  connectWarm: LatencySummary.optional(),
  join: LatencySummary.optional(),
  ack: LatencySummary.optional(),
  broadcast: LatencySummary.optional(),
  broadcastCold: LatencySummary.optional(),
  broadcastWarm: LatencySummary.optional(),
  /** fan-out completion of messages sent in this phase */
  fanoutCompletion: LatencySummary.optional(),
  gone410: z.number().int().nonnegative(),
  errors: z.record(z.string(), z.number().int()),
  /** the harness was the bottleneck during this phase (see harness.saturated) */
  saturated: z.boolean().optional(),
});
export type PhaseResult = z.infer<typeof PhaseResult>;

/**
 * Where the code under test came from (absent from older results, and where neither git nor
 * GitHub Actions could say): the commit and ref, from GitHub Actions' GITHUB_SHA and
 * GITHUB_REF_NAME or git in the working tree. The tool's version is `tool.version`, the machine
 * `environment`, the target `config.target`.
 */
export const Provenance = z.object({
  source: z.enum(['git', 'github-actions']),
  commit: z.string(),
  /** the branch or tag; absent for a detached checkout */
  ref: z.string().optional(),
  /** tracked files differed from the commit when the run started */
  dirty: z.boolean().optional(),
});
export type Provenance = z.infer<typeof Provenance>;

/**
 * The protocol the clients spoke (absent: chat-v1, before protocols were chosen) and the figures
 * it cannot show: each names the field of these results and says where the figure came from
 * instead, or that it is not observable with this protocol. Such a field then reads 0 or is
 * absent: this says why, so it is never a silent zero.
 */
export const ProtocolResult = z.object({
  name: z.string(),
  kind: z.enum(['chat-v1', 'described', 'module']),
  membership: z.enum(['join', 'connect', 'all']),
  recipients: z.enum(['room', 'others']),
  /** sends are acknowledged (false: fire-and-forget, settled from the intended send time) */
  sendAcks: z.boolean(),
  /** results field (e.g. "metrics.connectCold", "stale.gone410") → where it came from instead, or why not observable */
  notObservable: z.record(z.string(), z.string()),
});
export type ProtocolResult = z.infer<typeof ProtocolResult>;

export const Results = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  runId: z.string(),
  tool: z.object({ name: z.string(), version: z.string() }),
  provenance: Provenance.optional(),
  status: z.enum(['completed', 'interrupted', 'failed']),
  /** why the run did not complete (status != completed) */
  statusReason: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: z.number(),
  scenario: z.object({
    name: z.string(),
    description: z.string().optional(),
    /** the validated scenario as it ran */
    definition: z.record(z.string(), z.unknown()),
  }),
  config: z.object({
    target: z.object({
      kind: z.enum(['local', 'remote']),
      url: z.string(),
      /** where the system's APIs answered (absent from older results and from a target that never started) */
      endpoints: TargetEndpoints.optional(),
      /** the Lambda functions as configured while the run measured (absent from older results) */
      functions: TargetFunctions.optional(),
      /** what names the target the same from run to run (a trend's group; absent from older results) */
      label: z.string().optional(),
      /** a deployed target: what was discovered, and from where */
      discovery: TargetDiscovery.optional(),
      /** a local stack: every trigger and integration into its functions the emulator did not run (absent from older results, and where there was none) */
      notEmulated: z.array(NotEmulatedPath).optional(),
      /** a local stack: every resource of its template the emulator read but does not run (absent: none, or older results) */
      notEmulatedResources: z.array(NotEmulatedResource).optional(),
    }),
    clients: z.number().int(),
    rooms: z.number().int(),
    durationMs: z.number(),
  }).catchall(z.unknown()),
  environment: z.object({
    node: z.string(),
    platform: z.string(),
    cpus: z.number().int(),
    cpuModel: z.string(),
    totalMemoryMB: z.number(),
    /** all timestamps come from this one host clock unless this says otherwise */
    clock: z.string(),
    /**
     * local target: the Lambda runtime emulated and the Node version that ran the functions;
     * `matches: false` (with `note`) when that Node's major is not the runtime's (a fallback);
     * `others`: what ran the functions that are not Node.js, one phrase per runtime;
     * `nodeFunctions: false` when none ran on Node
     */
    lambdaRuntime: z
      .object({
        runtime: z.string(),
        node: z.string(),
        matches: z.boolean(),
        note: z.string().optional(),
        others: z.array(z.string()).optional(),
        nodeFunctions: z.boolean().optional(),
      })
      .optional(),
    /**
     * local target: each runtime the stack's functions name (nodejs16.x beside python3.12), the
     * functions that name it, what ran it here (`matches: false` when not its own version) and,
     * once Lambda has deprecated it, the date and Lambda's line on it (common/runtimes-in-use.ts)
     */
    lambdaRuntimes: z.array(RuntimeInUse).optional(),
  }),
  metrics: z.object({
    connect: LatencySummary,
    broadcast: LatencySummary,
    fanoutCompletion: LatencySummary,
    connectCold: LatencySummary.optional(),
    connectWarm: LatencySummary.optional(),
    broadcastCold: LatencySummary.optional(),
    broadcastWarm: LatencySummary.optional(),
    /** intended send time → the sender's `sent` ack */
    ack: LatencySummary.optional(),
    /** intended join time → `joined` */
    join: LatencySummary.optional(),
  }),
  sends: Sends,
  connections: Connections.optional(),
  deliveries: Deliveries,
  stale: Stale.optional(),
  /** a local run: the functions' calls to AWS endpoints the emulator does not serve, each refused (common/unserved-calls.ts); absent where there were none */
  unservedCalls: z.array(UnservedCall).optional(),
  /** clients that came back after the server closed them (a scenario's `reconnect`); the waves are in intervals[].wentAway/reconnects */
  reconnects: z
    .object({
      /** sockets the server closed that set out to reconnect */
      wentAway: z.number().int().nonnegative(),
      /** clients back as members */
      reconnected: z.number().int().nonnegative(),
      /** attempts that failed (refused, timed out, a failed re-join), each followed by a backoff */
      failedAttempts: z.number().int().nonnegative(),
      /** clients that failed maxAttempts in a row and stayed away */
      gaveUp: z.number().int().nonnegative(),
      /** from the server's close to being a member again: backoff, connect and re-join */
      latency: LatencySummary,
    })
    .optional(),
  protocol: ProtocolResult.optional(),
  /** counts by kind, e.g. "handshake:429", "close:1006", "frame:Forbidden", "frame:NOT_A_MEMBER", "timeout:ack" */
  errors: z.record(z.string(), z.number().int()),
  /**
   * bytes of every WebSocket message the clients received (deliveries, acks, route answers,
   * errors; frame headers, TLS and TCP/IP not counted): what the API sent out, priced only by a
   * price file's data-transfer price (AWS charges none on WebSocket APIs). Absent from older
   * results and Artillery runs.
   */
  bytesReceived: z.number().int().nonnegative().optional(),
  harness: Harness,
  intervals: z.array(IntervalRecord),
  phases: z.array(PhaseResult).optional(),
  /** each publish phase: what it called, the API's answers, publish → delivery latency and its ledger (publish-schema.ts; absent: none) */
  publish: z.array(PublishResult).optional(),
  /** base64 of compressed HDR histograms (hdr-histogram-js encodeIntoCompressedBase64), µs units */
  histograms: z.record(z.string(), z.string()),
  /** filled by the CloudWatch puller (issue 4); absent or carrying a note when it could not pull */
  cloudwatch: CloudWatchResults.optional(),
  /** DynamoDB units per message and per 1,000 deliveries, from AWS/DynamoDB (absent: not pulled) */
  dynamodb: DynamoDbWork.optional(),
  /** Lambda GB-seconds per message and per 1,000 deliveries (absent: no Lambda metrics) */
  lambda: LambdaWork.optional(),
  /** filled by the cost model (issue 4) */
  cost: CostEstimate.optional(),
  /** each function's role: what it grants beside what the run used, and the policy of what was used (absent: the target names no IAM) */
  permissions: PermissionsSection.optional(),
  /** the quotas the run was held against and the plan's lines about them (absent: a stack whose limits are not known, older results) */
  quotas: Quotas.optional(),
  /** every timed request traced to its invocation: cold against warm, the stack's latency apart from the host's (absent: not traced, older results) */
  attribution: Attribution.optional(),
  /** a queued fan-out's path, hop by hop: queues, topics, rules, event source mappings and their functions (path-schema.ts; absent: the stack has none) */
  path: StackPath.optional(),
  /** the stack's Secrets Manager use over the CloudWatch window: API calls by operation, its secrets (secrets-manager-schema.ts; absent: none of either) */
  secretsManager: SecretsManagerUsage.optional(),
  /** the delivery latency split by hop, from the local emulator's probe reach stamps (hop-latency-schema.ts; absent: not a local target, or no hop stamped) */
  hopLatency: HopLatency.optional(),
  /**
   * the checks, thresholds and baseline comparison judged (src/verdict); absent only in a file
   * written before the run was judged (results.json is written first, so nothing measured is lost)
   */
  verdict: Verdict.optional(),
});
export type Results = z.infer<typeof Results>;

/**
 * results.json version 1: the same fields without a verdict (its checks were computed by each
 * renderer). results-file.ts reads it and judges it by its built-in checks.
 */
export const ResultsV1 = Results.omit({ verdict: true }).extend({ schemaVersion: z.literal(1) });
export type ResultsV1 = z.infer<typeof ResultsV1>;
