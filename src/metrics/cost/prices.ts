import { z } from 'zod';

/**
 * AWS list prices the cost model uses: ONE dated table (us-east-1, USD). Override any of them
 * with a JSON/YAML file (`loadPrices` in prices-file.ts) for another region or a new price list.
 */

const Lambda = z.strictObject({
  /** USD per 1M requests */
  requestsPerMillion: z.number().nonnegative(),
  /** USD per GB-second, x86_64 */
  gbSecondX86: z.number().nonnegative(),
  /** USD per GB-second, arm64 */
  gbSecondArm64: z.number().nonnegative(),
  /** the INIT phase is billed (on-demand ZIP functions with managed runtimes since 2025-08-01) */
  initBilled: z.boolean(),
});

const WebSocket = z.strictObject({
  /** USD per 1M messages, both directions */
  messagesPerMillion: z.number().nonnegative(),
  /** a message is metered in steps of this many bytes (32 KB) */
  messageUnitBytes: z.number().int().positive(),
  /** USD per 1M connection-minutes */
  connectionMinutesPerMillion: z.number().nonnegative(),
});

const DynamoDb = z.strictObject({
  /** on-demand, USD per 1M write request units */
  writeUnitsPerMillion: z.number().nonnegative(),
  /** on-demand, USD per 1M read request units */
  readUnitsPerMillion: z.number().nonnegative(),
});

export const PriceTable = z.strictObject({
  /** the day these prices were read from the AWS pricing pages */
  asOf: z.string(),
  region: z.string(),
  lambda: Lambda,
  apiGatewayWebSocket: WebSocket,
  dynamodbOnDemand: DynamoDb,
});
export type PriceTable = z.infer<typeof PriceTable>;

/** A price file: any subset of the table. */
export const PriceOverride = z.strictObject({
  asOf: z.string().optional(),
  region: z.string().optional(),
  lambda: Lambda.partial().optional(),
  apiGatewayWebSocket: WebSocket.partial().optional(),
  dynamodbOnDemand: DynamoDb.partial().optional(),
});
export type PriceOverride = z.infer<typeof PriceOverride>;

/** us-east-1 list prices (aws.amazon.com/lambda/pricing, /api-gateway/pricing, /dynamodb/pricing). */
export const DEFAULT_PRICES: PriceTable = {
  asOf: '2025-08-01',
  region: 'us-east-1',
  lambda: { requestsPerMillion: 0.2, gbSecondX86: 0.0000166667, gbSecondArm64: 0.0000133334, initBilled: true },
  apiGatewayWebSocket: { messagesPerMillion: 1.0, messageUnitBytes: 32 * 1024, connectionMinutesPerMillion: 0.25 },
  dynamodbOnDemand: { writeUnitsPerMillion: 0.625, readUnitsPerMillion: 0.125 },
};

export function applyPriceOverride(base: PriceTable, override: PriceOverride): PriceTable {
  return {
    asOf: override.asOf ?? base.asOf,
    region: override.region ?? base.region,
    lambda: { ...base.lambda, ...override.lambda },
    apiGatewayWebSocket: { ...base.apiGatewayWebSocket, ...override.apiGatewayWebSocket },
    dynamodbOnDemand: { ...base.dynamodbOnDemand, ...override.dynamodbOnDemand },
  };
}
