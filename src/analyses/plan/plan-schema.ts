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

export const FunctionWork = z.object({
  name: z.string(),
  route: z.string(),
  /** a Lambda authorizer on the route (it touches no table) */
  authorizer: z.literal(true).optional(),
  /** the operation its invocations are counted per */
  per: PlanOperation,
  invocationsPer: z.number().nonnegative(),
  /** billed ms (INIT included where billed) per invocation, or per recipient for a fan-out function */
  billedMsPer: z.number().nonnegative(),
  billedMsPerUnit: z.enum(['invocation', 'recipient']),
  /** the memory it ran at in the runs */
  measuredMemoryMB: z.number().positive(),
  /** the memory it is planned at (--memory, else the measured one) */
  memoryMB: z.number().positive(),
  invocationsSource: CostSource,
  billedSource: CostSource,
  runs: z.array(z.string()),
  measuredOn: z.array(MeasuredOn),
});
export type FunctionWork = z.infer<typeof FunctionWork>;

export const OperationUnits = z.object({
  operation: PlanOperation,
  readUnits: z.number().nonnegative(),
  writeUnits: z.number().nonnegative(),
});

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
  notes: z.array(z.string()),
});
export type WorkModel = z.infer<typeof WorkModel>;

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
  totals: z.object({ lambda: z.number(), apiGateway: z.number(), dynamodb: z.number(), total: z.number() }),
  /** planned invocations by function */
  invocations: z.record(z.string(), z.number().nonnegative()),
});
export type PlanCost = z.infer<typeof PlanCost>;

const Pair = z.object({ measured: z.number().nullable(), planned: z.number().nullable() });

/** A run planned at its own traffic: what was measured beside what the plan gives. */
export const PlanCheck = z.object({
  runId: z.string(),
  invocations: z.array(Pair.extend({ function: z.string() })),
  lines: z.array(z.object({ service: z.string(), item: z.string(), quantity: Pair, cost: Pair })),
  total: Pair,
});
export type PlanCheck = z.infer<typeof PlanCheck>;

export const Plan = z.object({
  kind: z.literal('plan'),
  toolVersion: z.string(),
  createdAt: z.string(),
  workModel: WorkModel,
  traffic: PlanTraffic,
  cost: PlanCost,
  check: PlanCheck.optional(),
  notes: z.array(z.string()),
});
export type Plan = z.infer<typeof Plan>;
