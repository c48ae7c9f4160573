import { z } from 'zod';
import { DynamoTableTotals } from './cloudwatch-schema.ts';

/**
 * results.dynamodb and results.lambda — the work the run cost, per message and per 1,000
 * deliveries (see work-per-message.ts). Work counts do not depend on how busy the host was, so
 * they compare across runs and machines where latencies cannot.
 */

/** The denominators: messages the harness sent, deliveries it received. */
const Basis = {
  messages: z.number().int().nonnegative(),
  deliveries: z.number().int().nonnegative(),
};

export const DynamoDbWork = z.object({
  /** AWS/DynamoDB ConsumedRead/WriteCapacityUnits as CloudWatch reported them */
  source: z.literal('cloudwatch'),
  /** by table name: the table's own units, each global index's, requests by operation */
  tables: z.record(z.string(), DynamoTableTotals),
  /** every table and index together */
  readUnits: z.number().nonnegative(),
  writeUnits: z.number().nonnegative(),
  ...Basis,
  /** all of the run's units (connects, joins, sends, disconnects) ÷ messages; null without messages */
  readUnitsPerMessage: z.number().nullable(),
  writeUnitsPerMessage: z.number().nullable(),
  /** ÷ deliveries × 1,000; null without deliveries */
  readUnitsPer1000Deliveries: z.number().nullable(),
  writeUnitsPer1000Deliveries: z.number().nullable(),
});
export type DynamoDbWork = z.infer<typeof DynamoDbWork>;

export const LambdaFunctionWork = z.object({
  invocations: z.number().nonnegative(),
  /** summed Duration, INIT not included */
  durationMs: z.number().nonnegative(),
  memoryMB: z.number().positive(),
  gbSeconds: z.number().nonnegative(),
});

export const LambdaWork = z.object({
  /** REPORT lines (Duration per invocation, Memory Size), else CloudWatch (Invocations × average Duration, configured memory) */
  source: z.enum(['report-lines', 'cloudwatch']),
  /** by function name */
  functions: z.record(z.string(), LambdaFunctionWork),
  /** Σ Duration × memory over every function, GB-s (INIT excluded: it is per environment, not per message) */
  gbSeconds: z.number().nonnegative(),
  ...Basis,
  gbSecondsPerMessage: z.number().nullable(),
  gbSecondsPer1000Deliveries: z.number().nullable(),
});
export type LambdaWork = z.infer<typeof LambdaWork>;
