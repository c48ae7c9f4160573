import { z } from 'zod';
import { CostLine, CostSource } from '../../contracts/cost-schema.ts';

/**
 * plan.json: the work the measured runs did per operation (the work model), the traffic planned,
 * and what that traffic costs by line; for a run planned at its own traffic, the measured figures
 * beside the planned ones (work-model.ts, monthly-cost.ts, build-plan.ts).
 */

/** What a figure is counted per: a connection opened, a room created, a join, a message sent, a recipient of a message. */
export const PlanOperation = z.enum(['connect', 'room', 'join', 'message', 'recipient']);
export type PlanOperation = z.infer<typeof PlanOperation>;

/** Where a figure was measured: AWS, or the local emulator (whose durations are this host's). */
export const MeasuredOn = z.enum(['aws', 'emulator']);
export type MeasuredOn = z.infer<typeof MeasuredOn>;

export const PlanRun = z.object({
  runId: z.string(),
  /** the results.json read */
  file: z.string(),
  measuredOn: MeasuredOn,
  /** results.cloudwatch.source, or null when the run has no CloudWatch figures */
  cloudwatchSource: z.enum(['local', 'aws']).nullable(),
  durationSec: z.number().nonnegative(),
  /** members per message, the sender too (expected deliveries ÷ acknowledged sends) */
  roomSize: z.number().nonnegative(),
  payloadBytes: z.number().nonnegative(),
});
export type PlanRun = z.infer<typeof PlanRun>;

/** Operations counted in the runs (pooled): the denominators of the work model. */
export const OperationCounts = z.object({
  connects: z.number().nonnegative(),
  rooms: z.number().nonnegative(),
  joins: z.number().nonnegative(),
  messages: z.number().nonnegative(),
  /** members a message was sent to, summed over messages */
  recipients: z.number().nonnegative(),
});
export type OperationCounts = z.infer<typeof OperationCounts>;

/**
 * A straight line through a fan-out function's billed ms per invocation against recipients per
 * message, one point per room size measured (least squares): billed ms = interceptMs +
 * perRecipientMs × recipients. With a fit, the function's billed time at a planned room size is
 * read off the line instead of scaled per recipient.
 */
export const DurationFit = z.object({
  interceptMs: z.number(),
  perRecipientMs: z.number(),
  /** coefficient of determination of the line over the points (1: on the line) */
  r2: z.number(),
  points: z.array(z.object({ recipients: z.number().nonnegative(), billedMsPerInvocation: z.number().nonnegative(), runs: z.array(z.string()) })),
});
export type DurationFit = z.infer<typeof DurationFit>;

export const FunctionWork = z.object({
  name: z.string(),
  route: z.string(),
  /** a Lambda authorizer on the route (it touches no table) */
  authorizer: z.literal(true).optional(),
  /** the operation its invocations are counted per */
  per: PlanOperation,
  invocationsPer: z.number().nonnegative(),
  /** billed ms per invocation, or per recipient for a fan-out function; INIT is not in it (initBilledMsPerColdStart) */
  billedMsPer: z.number().nonnegative(),
  billedMsPerUnit: z.enum(['invocation', 'recipient']),
  /** the memory it ran at in the runs */
  measuredMemoryMB: z.number().positive(),
  /** the memory it is planned at (--memory, else the measured one) */
  memoryMB: z.number().positive(),
  invocationsSource: CostSource,
  billedSource: CostSource,
  /**
   * p99 duration of one invocation in the runs (ms; the longest of the runs' p99s): REPORT lines,
   * else AWS/Lambda's p99; null when neither was measured. Little's law at the peak uses it.
   */
  p99Ms: z.number().nonnegative().nullable(),
  /** the room size (recipients per message) p99Ms was measured at: a fan-out function's p99 moves with it */
  p99AtRecipients: z.number().nonnegative().nullable(),
  /**
   * billed INIT ms per cold start in the runs' REPORT lines (where the prices bill INIT; else 0);
   * null: no cold start measured (no REPORT lines, or none cold). The plan bills it per cold start
   * of the traffic planned, on a line of its own.
   */
  initBilledMsPerColdStart: z.number().nonnegative().nullable(),
  /** the runs' cold starts (REPORT lines with an Init Duration; 0 where there are none) */
  coldStarts: z.number().nonnegative(),
  /** the runs' SnapStart restores (REPORT lines with a Restore Duration: its cold starts, each a restore from its version's snapshot); absent: none */
  restores: z.number().nonnegative().optional(),
  /** a fan-out function measured at several room sizes (a room-size sweep): its billed time per invocation against recipients */
  fit: DurationFit.optional(),
  runs: z.array(z.string()),
  measuredOn: z.array(MeasuredOn),
});
export type FunctionWork = z.infer<typeof FunctionWork>;

export const OperationUnits = z.object({
  operation: PlanOperation,
  readUnits: z.number().nonnegative(),
  writeUnits: z.number().nonnegative(),
});

const n = z.number().nonnegative();

/**
 * A queued path's work per client message (src/metrics/cost/path-cost.ts's PathRequests ÷ the
 * runs' messages): each queue's sends, receive and delete calls, each topic's publishes and
 * deliveries, each bus's events, each mapping's records and batches (its mean batch observed:
 * records ÷ batches).
 */
export const PathWork = z.object({
  queues: z.array(z.object({ name: z.string(), fifo: z.boolean(), sends: n, receiveCalls: n, received: n, deleteCalls: n, deadLetter: z.boolean() })),
  topics: z.array(z.object({ name: z.string(), fifo: z.boolean(), publishes: n, deliveries: n })),
  buses: z.array(z.object({ bus: z.string(), events: n, invocations: n })),
  mappings: z.array(
    z.object({
      name: z.string(),
      functionName: z.string(),
      source: z.enum(['queue', 'stream', 'other']),
      sourceName: z.string(),
      fifo: z.boolean(),
      records: n,
      batches: n,
      batchSize: z.number().int().positive().optional(),
      maximumConcurrency: z.number().int().positive().optional(),
    }),
  ),
});
export type PathWork = z.infer<typeof PathWork>;

export const WorkModel = z.object({
  runs: z.array(PlanRun),
  counts: OperationCounts,
  functions: z.array(FunctionWork),
  dynamodb: z.object({
    /** measured AWS/DynamoDB units (cloudwatch) or the per-route assumptions alone (assumption) */
    source: CostSource,
    /** measured units ÷ the per-route model's units at the runs' own traffic (1 when nothing was measured) */
    readScale: z.number().nonnegative(),
    writeScale: z.number().nonnegative(),
    /** units per connect, room, join and message at the runs' room size, and per recipient of a message */
    perOperation: z.array(OperationUnits),
    /** 410s per message (each removes a gone connection) */
    gonePerMessage: z.number().nonnegative(),
    runs: z.array(z.string()),
  }),
  posts: z.object({ perRecipient: z.number().nonnegative(), source: CostSource, runs: z.array(z.string()) }),
  bytes: z.object({ perPost: z.number().nonnegative(), source: CostSource, runs: z.array(z.string()) }),
  /** joins per connection opened */
  joinsPerConnect: z.number().nonnegative(),
  /**
   * the runs' queued path, per client message (absent: no run had one): what the month's path
   * lines and the path's quotas scale
   */
  path: z
    .object({
      perMessage: PathWork,
      /** bytes of one message on the path (the payload and its frame) */
      messageBytes: n,
      /** the path's functions' asynchronous invocations' MaximumEventAgeInSeconds, by name (Lambda's 6 h where absent) */
      maximumEventAgeSeconds: z.record(z.string(), z.number().int().positive()).optional(),
      runs: z.array(z.string()),
    })
    .optional(),
  /**
   * the stack's Secrets Manager use (absent: no run counted any): its secrets (the most any run's
   * stack had) and its API calls per cold start (a function that reads its secret at INIT and keeps
   * it makes no more calls than cold starts) or else per invocation
   */
  secretsManager: z
    .object({
      secrets: z.number().int().nonnegative(),
      calls: z.object({ per: z.enum(['cold start', 'invocation']), rate: n }),
      runs: z.array(z.string()),
    })
    .optional(),
  notes: z.array(z.string()),
});
export type WorkModel = z.infer<typeof WorkModel>;

/**
 * How the traffic moves over a day: 24 factors of the peak (hour 0 to 23, UTC), the peak hours 1.
 * The traffic given is the peak's; the month is 30 such days.
 */
export const DailyProfile = z.object({
  hours: z.array(z.number().min(0).max(1)).length(24),
  /** where it came from: the traffic file and what it said (e.g. "plan.yaml: peak 18-22, off-peak 0.2") */
  source: z.string(),
});
export type DailyProfile = z.infer<typeof DailyProfile>;

/** The traffic planned, as given and as totals over the period priced. */
export const PlanTraffic = z.object({
  /** flags: the traffic given; run: the run's own traffic over the run's own duration */
  source: z.enum(['flags', 'run']),
  periodSec: z.number().positive(),
  /** "month (30 days, flat)" or "the run's own 21.3 s" */
  periodLabel: z.string(),
  connections: z.number().nonnegative(),
  roomSize: z.number().nonnegative(),
  messagesPerS: z.number().nonnegative(),
  connectsPerS: z.number().nonnegative(),
  /** how long a connection lasts (flags only) */
  sessionSec: z.number().positive().optional(),
  /** absent: flat, the peak held 24 h a day */
  profile: DailyProfile.optional(),
  totals: OperationCounts.extend({
    posts: z.number().nonnegative(),
    connectionMinutes: z.number().nonnegative(),
  }),
});
export type PlanTraffic = z.infer<typeof PlanTraffic>;

export const PlanCost = z.object({
  currency: z.literal('USD'),
  region: z.string(),
  pricesAsOf: z.string(),
  pricesSource: z.string(),
  architecture: z.enum(['x86_64', 'arm64']),
  lines: z.array(CostLine),
  /** dataTransfer: the transfer-out line (a month's plan always has one, at $0 unless the prices charge it) */
  /** path: a queued path's SQS, SNS, EventBridge and DynamoDB Streams lines together (absent: no path) */
  totals: z.object({ lambda: z.number(), apiGateway: z.number(), dynamodb: z.number(), dataTransfer: z.number().optional(), path: z.number().optional(), secretsManager: z.number().optional(), total: z.number() }),
  /** planned invocations by function */
  invocations: z.record(z.string(), z.number().nonnegative()),
  /** what pricing the lines said (a path without prices for the region) */
  notes: z.array(z.string()).optional(),
});
export type PlanCost = z.infer<typeof PlanCost>;

/** The limits a plan holds its peak against (docs/aws-facts.md has each one's source). */
export const PlanLimitId = z.enum([
  /** the account's Lambda concurrency, by Little's law on the functions' p99 durations */
  'lambdaConcurrency',
  /** a function's scaling rate: 1,000 new execution environments every 10 s */
  'lambdaScaling',
  /** a function's reserved concurrency */
  'reservedConcurrency',
  /** API Gateway's new connections per second (account and region) */
  'newConnectionsPerSecond',
  /** the account's request rate: client messages and @connections posts together */
  'accountRequestsPerSecond',
  /** the stage's (or a route's) throttle on client messages, where one is set */
  'stageRequestsPerSecond',
  /** a table's throughput: on-demand's table-level maximum, or its provisioned capacity */
  'tableReadUnits',
  'tableWriteUnits',
  /** one partition (a busy room is one partition key): 3,000 read and 1,000 write units per second */
  'partitionReadUnits',
  'partitionWriteUnits',
  /** a sendMessage frame, and a delivered message */
  'frameBytes',
  'messageBytes',
  /** a session longer than API Gateway's 2-hour connection lifetime */
  'connectionLifetime',
  /** a FIFO queue: 300 API calls/s per action (SendMessage, ReceiveMessage, DeleteMessage), 3,000 messages/s in batches of 10 */
  'sqsFifoCallsPerAction',
  /** a standard queue: 120,000 messages in flight (received, not yet deleted) */
  'sqsInFlight',
  /** an SQS event source mapping: 1,000 concurrent batches, or its MaximumConcurrency */
  'mappingConcurrency',
  /** SNS Publish per account and region */
  'snsPublish',
  /** EventBridge PutEvents per account and region */
  'eventBridgePutEvents',
  /** EventBridge rule target invocations per account and region */
  'eventBridgeInvocations',
]);
export type PlanLimitId = z.infer<typeof PlanLimitId>;

/** One limit at the peak: "needs X of Y (Z %)". */
export const Headroom = z.object({
  limit: PlanLimitId,
  /** what it applies to where not the account: a function's name, a table's */
  scope: z.string().optional(),
  /** e.g. "account Lambda concurrency", "fanout-send-message scaling rate" */
  label: z.string(),
  needs: z.number().nonnegative(),
  of: z.number().positive(),
  /** e.g. "concurrent executions", "connections/s", "requests/s", "read units/s", "bytes" */
  unit: z.string(),
  /** needs ÷ of: over 1 is passed */
  share: z.number().nonnegative(),
  /** how the need was worked out, with its figures (e.g. "Little's law: 812 invocations/s × p99 0.42 s") */
  how: z.string(),
  /** where the limit's value came from: AWS's documented default, the account (the run's quotas), a flag */
  limitSource: z.string(),
  /** what would move it: a quota increase, a memory size, a table design */
  moves: z.string(),
});
export type Headroom = z.infer<typeof Headroom>;

/** What the plan grows to find the first limit to break (as `search` does). */
export const GrowthAxis = z.enum(['connections', 'roomSize', 'messagesPerS']);
export type GrowthAxis = z.infer<typeof GrowthAxis>;

const TrafficPoint = z.object({ connections: z.number(), roomSize: z.number(), messagesPerS: z.number() });

/** A headroom's key in GrowthPoint.shares: the limit, and its scope where it has one. */
export const headroomKey = (h: Pick<Headroom, 'limit' | 'scope'>): string => (h.scope ? `${h.limit}:${h.scope}` : h.limit);

export const GrowthPoint = z.object({
  /** × the planned peak's value on the axis */
  factor: z.number().positive(),
  traffic: TrafficPoint,
  monthlyCost: z.number().nonnegative(),
  /** each limit's share at this point, by headroomKey */
  shares: z.record(z.string(), z.number().nonnegative()),
});
export type GrowthPoint = z.infer<typeof GrowthPoint>;

export const FirstBreak = z.object({
  axis: GrowthAxis,
  limit: PlanLimitId,
  scope: z.string().optional(),
  label: z.string(),
  /** × the planned peak's value on the axis where the limit is reached */
  factor: z.number().positive(),
  traffic: TrafficPoint,
  monthlyCost: z.number().nonnegative(),
  moves: z.string(),
  /**
   * passed at every scale the axis reaches (a size, the session, a room's own load as rooms grow
   * in number): the traffic does not move it, so factor is 1 and the traffic and cost the peak's
   */
  atEveryScale: z.literal(true).optional(),
});
export type FirstBreak = z.infer<typeof FirstBreak>;

/** The traffic grown along one axis: the curves the page draws, and where the first limit is passed. */
export const Growth = z.object({
  axis: GrowthAxis,
  points: z.array(GrowthPoint),
  /** null: no limit is passed up to maxFactor */
  firstBreak: FirstBreak.nullable(),
  maxFactor: z.number().positive(),
});
export type Growth = z.infer<typeof Growth>;

const Pair = z.object({ measured: z.number().nullable(), planned: z.number().nullable() });

/** A run planned at its own traffic: what was measured beside what the plan gives. */
export const PlanCheck = z.object({
  runId: z.string(),
  invocations: z.array(Pair.extend({ function: z.string() })),
  lines: z.array(z.object({ service: z.string(), item: z.string(), quantity: Pair, cost: Pair })),
  total: Pair,
});
export type PlanCheck = z.infer<typeof PlanCheck>;

/** What can bind a load host: the connections it holds (memory, open files, ports) or the deliveries its cores read. */
export const HostResource = z.enum(['memory', 'open files', 'ports', 'cores']);
export type HostResource = z.infer<typeof HostResource>;

/** One harness figure a load host is sized by, and where it came from. */
export const HarnessFigure = z.object({
  value: z.number().nonnegative(),
  /** a run's results.json (its harness section) or the recorded bench figures */
  source: z.string(),
});

/** One kind of load host: how much of the rehearsal each holds, and how many it takes. */
export const LoadHostSize = z.object({
  /** "this host" or an EC2 instance type */
  name: z.string(),
  vcpus: z.number().positive(),
  memoryGiB: z.number().positive(),
  /** open files per process (RLIMIT_NOFILE): this host's, else the measured machine's */
  openFiles: z.number().positive(),
  /** connections one host holds, and the resource that caps them */
  connectionsPerHost: z.number().nonnegative(),
  connectionsBy: HostResource,
  /** deliveries/s one host reads within its busy share of its cores */
  deliveriesPerHostPerS: z.number().nonnegative(),
  /** hosts the rehearsal needs: the larger of its connections' and its deliveries' */
  hosts: z.number().int().nonnegative(),
  binding: HostResource,
  /** the binding resource in figures, and what the others would allow: what differs between host sizes */
  why: z.string(),
  /** connections the host's memory, its open files and its ports each allow (absent in plans written before it) */
  holds: z.object({ memory: z.number().nonnegative(), openFiles: z.number().nonnegative(), ports: z.number().nonnegative() }).optional(),
  /** where ports bind: the hosts needed with source addresses enough (secondary addresses), and what binds then */
  pastPorts: z.object({ hosts: z.number().int().nonnegative(), binding: HostResource }).optional(),
});
export type LoadHostSize = z.infer<typeof LoadHostSize>;

/**
 * The load hosts a rehearsal of the planned peak needs (its connections held at once, its
 * deliveries/s), from the harness's measured memory and CPU per connection and per delivery
 * (load-hosts.ts), and the Artillery workers `artillery export --workers` would take.
 */
export const LoadHosts = z.object({
  connections: z.number().nonnegative(),
  deliveriesPerS: z.number().nonnegative(),
  connectsPerS: z.number().nonnegative(),
  figures: z.object({
    mbPer1000Clients: HarnessFigure,
    mbPerShard: HarnessFigure,
    mbParent: HarnessFigure,
    cpuSecondsPer10kDeliveries: HarnessFigure,
    cpuMsPerConnect: HarnessFigure,
    shardsPerCore: z.number().positive(),
    /** clients a shard holds: the open-files limit less 2,000 */
    filesHeadroom: z.number().nonnegative(),
    /** connections from one source address to one destination address */
    portsPerAddress: z.number().positive(),
    /** the same with the widest port range Linux allows unprivileged (net.ipv4.ip_local_port_range = 1024 65535); absent in plans written before it */
    widePortsPerAddress: z.number().positive().optional(),
    /** the share of a host's memory and cores the harness is planned to use */
    busyShare: z.number().positive(),
  }),
  sizes: z.array(LoadHostSize),
  artillery: z.object({
    /** clients one worker holds: its process's open files (Artillery's Fargate default 8,192) less the engine's reserve */
    clientsPerWorker: z.number().nonnegative(),
    /** deliveries/s one worker (one thread, one vCPU) reads */
    deliveriesPerWorkerPerS: z.number().nonnegative(),
    workers: z.number().int().nonnegative(),
    binding: z.enum(['open files', 'cores']),
    /** the fewest workers from `workers` up that divide the clients and the rooms (export's rule); null: none up to the rooms */
    exportWorkers: z.number().int().positive().nullable(),
    rooms: z.number().int().nonnegative(),
  }),
  notes: z.array(z.string()),
});
export type LoadHosts = z.infer<typeof LoadHosts>;

/**
 * A launch's first minutes at the peak for one function (launch-scaling.ts): scheduled scaling to
 * the peak's environments ahead of it, against target tracking from its minimum capacity.
 */
export const LaunchScaling = z.object({
  scheduled: z.object({
    environments: z.number().int().positive(),
    /** USD an hour allocated (null: the prices have no provisioned rates) */
    hourlyUsd: z.number().nonnegative().nullable(),
  }),
  targetTracking: z.object({
    targetValue: z.number().gt(0).lte(1),
    minCapacity: z.number().int().positive(),
    /** where the target and minimum came from: the runs' template (its scalable target and policy), --target-tracking, or the default */
    basis: z.enum(['template', 'flag', 'default']).optional(),
    /** each scale-out: the minute after the surge it is made, and the environments it sets */
    steps: z.array(z.object({ minute: z.number().int().positive(), environments: z.number().int().positive() })),
    /** the minute utilization is back at the target (null: not within the model's two hours) */
    caughtUpMinute: z.number().int().nonnegative().nullable(),
    /** invocations served by on-demand environments meanwhile */
    spilloverInvocations: z.number().nonnegative(),
    /** on-demand environments the spillover starts, each a cold start */
    coldStarts: z.number().int().nonnegative(),
    /** USD an hour allocated where it settles (null: not priced) */
    hourlyUsd: z.number().nonnegative().nullable(),
  }),
});
export type LaunchScaling = z.infer<typeof LaunchScaling>;

/** The provisioned concurrency that would serve a function's share of the planned peak warm (provisioned-need.ts). */
export const ProvisionedNeed = z.object({
  fn: z.string(),
  /** its concurrency at the peak (Little's law) */
  concurrency: z.number().nonnegative(),
  /** that, in whole environments */
  environments: z.number().int().positive(),
  memoryMB: z.number().int().positive(),
  /** the allocation's GB-seconds over the plan's period, busy or not */
  gbSeconds: z.number().nonnegative(),
  /**
   * what that costs over the plan's period, USD, at the first-tier list prices (absent: the prices
   * have no provisioned-concurrency rates): the allocation; the function's planned duration billed
   * at the provisioned duration price (the allocation serves the peak, so all of it); against the
   * same duration and its INITs on demand, as the plan's own lines price them
   */
  cost: z
    .object({
      allocation: z.number().nonnegative(),
      duration: z.number().nonnegative(),
      onDemand: z.number().nonnegative(),
    })
    .optional(),
  /** a launch's first minutes at the peak: scheduled scaling against target tracking (absent in plans written before it) */
  launch: LaunchScaling.optional(),
});
export type ProvisionedNeed = z.infer<typeof ProvisionedNeed>;

export const Plan = z.object({
  kind: z.literal('plan'),
  toolVersion: z.string(),
  createdAt: z.string(),
  workModel: WorkModel,
  traffic: PlanTraffic,
  cost: PlanCost,
  /** every limit that applies, at the peak */
  headroom: z.array(Headroom),
  /** the traffic grown along each axis, the one grown first (--grow) first */
  growth: z.array(Growth),
  /** the first limit to break along the axis grown first (growth[0].firstBreak) */
  firstBreak: FirstBreak.nullable(),
  /** the first of a queued path's quotas to break along that axis (absent: no path; null: none up to the growth's maxFactor) */
  pathFirstBreak: FirstBreak.nullable().optional(),
  check: PlanCheck.optional(),
  /** the load hosts a rehearsal of the planned peak needs (absent in plans written before it) */
  loadHosts: LoadHosts.optional(),
  /** the provisioned concurrency that would serve the peak warm, per function (absent in plans written before it) */
  provisioned: z.array(ProvisionedNeed).optional(),
  notes: z.array(z.string()),
});
export type Plan = z.infer<typeof Plan>;
