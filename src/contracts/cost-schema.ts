import { z } from 'zod';
import { PriceTable } from './prices.ts';

/** results.cost — the estimated AWS cost of the load the run generated (see cost-model.ts). */

/** Where a quantity came from, best first. */
export const CostSource = z.enum([
  'report-lines', // REPORT log lines: billed duration and memory per invocation
  'cloudwatch', // CloudWatch metrics (Invocations × average Duration, MessageCount, EMF counts)
  'client', // the harness's own counts (sends, deliveries, connection time)
  'assumption', // a documented per-route assumption (DynamoDB units, durations without metrics)
]);
export type CostSource = z.infer<typeof CostSource>;

export const CostLine = z.object({
  service: z.enum(['Lambda', 'API Gateway', 'DynamoDB', 'Data transfer', 'SQS', 'SNS', 'EventBridge', 'DynamoDB Streams', 'Secrets Manager']),
  item: z.string(),
  quantity: z.number().nonnegative(),
  unit: z.string(),
  /** USD per `per` units */
  unitPrice: z.number().nonnegative(),
  per: z.number().positive(),
  cost: z.number().nonnegative(),
  source: CostSource,
  note: z.string().optional(),
  /** the line rests on CloudWatch metrics that were not all published when pulled: which, and their counts */
  partial: z.string().optional(),
  /** priced over a month's volume tiers (a plan's month: src/metrics/cost/volume-tiers.ts), the note says how */
  tiered: z.literal(true).optional(),
});
export type CostLine = z.infer<typeof CostLine>;

export const CostEstimate = z.object({
  currency: z.literal('USD'),
  prices: PriceTable,
  architecture: z.enum(['x86_64', 'arm64']),
  lines: z.array(CostLine),
  totals: z.object({
    lambda: z.number(),
    apiGateway: z.number(),
    dynamodb: z.number(),
    /** out to the clients: only when the prices have a transfer price (a price file's; see `transferOut`) */
    dataTransfer: z.number().optional(),
    /** a queued path's SQS, SNS, EventBridge and DynamoDB Streams lines together (absent: the run has no path) */
    path: z.number().optional(),
    /** the stack's secrets and Secrets Manager's API calls (absent: results.secretsManager is) */
    secretsManager: z.number().optional(),
    total: z.number(),
  }),
  /** total / deliveries received × 1,000,000; null without deliveries */
  perMillionDeliveries: z.number().nullable(),
  /** the run's cost per connection-second, sustained by 1,000 connected users for a 730-hour month */
  perThousandUsersPerMonth: z.number().nullable(),
  basis: z.object({
    runSeconds: z.number(),
    deliveries: z.number(),
    connectionSeconds: z.number(),
    peakConnections: z.number(),
  }),
  /** which source each part used */
  sources: z.object({ lambda: CostSource, messages: CostSource, dynamodb: CostSource, dataTransfer: CostSource.optional(), path: CostSource.optional(), secretsManager: CostSource.optional() }),
  /**
   * Data transfer out: AWS charges none on WebSocket APIs, only messages and connection minutes
   * (docs/aws-prices.md), so `not-charged` has no line; `priced`: the prices given (a price file)
   * add one. Absent from estimates made before this was known: a "Data transfer" line in one of
   * those came from the default prices (uncharged-transfer.ts says what it added).
   */
  transferOut: z.enum(['not-charged', 'priced']).optional(),
  assumptions: z.array(z.string()),
});
export type CostEstimate = z.infer<typeof CostEstimate>;
