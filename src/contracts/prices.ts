import { z } from 'zod';

/**
 * AWS list prices the cost model uses, one region's (USD): the dated table of the stack's region
 * (region-prices.ts), the AWS Price List API's answer (`--prices aws`, price-list.ts), or either
 * with a JSON/YAML file's overrides (`--prices FILE`, prices-file.ts). Which one, and when it was
 * read, is recorded with every estimate (`cost.prices`: region, asOf, source).
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

const DataTransfer = z.strictObject({
  /**
   * USD per GB (2^30 bytes) of the bytes API Gateway sends the clients. AWS charges no data
   * transfer out on WebSocket APIs (only messages and connection minutes), so no built-in table
   * has it: a price file adds it for a contract that does charge it
   */
  outPerGB: z.number().nonnegative(),
});

export const PriceTable = z.strictObject({
  /** the day these prices were read (from AWS's pricing pages, or from the Price List API) */
  asOf: z.string(),
  region: z.string(),
  /**
   * where they came from: `table` (the built-in dated table), `aws-price-list` (the AWS Price
   * List API, `--prices aws`), or `file <path>` over one of those (absent from older results: the
   * built-in table)
   */
  source: z.string().optional(),
  lambda: Lambda,
  apiGatewayWebSocket: WebSocket,
  dynamodbOnDemand: DynamoDb,
  /**
   * only from a price file (AWS does not charge it on WebSocket APIs); in results written before
   * that was known, the built-in table's and the Price List's prices carried one
   */
  dataTransferOut: DataTransfer.optional(),
});
export type PriceTable = z.infer<typeof PriceTable>;

/** A price file: any subset of the table. */
export const PriceOverride = z.strictObject({
  asOf: z.string().optional(),
  region: z.string().optional(),
  lambda: Lambda.partial().optional(),
  apiGatewayWebSocket: WebSocket.partial().optional(),
  dynamodbOnDemand: DynamoDb.partial().optional(),
  dataTransferOut: DataTransfer.partial().optional(),
});
export type PriceOverride = z.infer<typeof PriceOverride>;

export function applyPriceOverride(base: PriceTable, override: PriceOverride): PriceTable {
  const outPerGB = override.dataTransferOut?.outPerGB ?? base.dataTransferOut?.outPerGB;
  return {
    asOf: override.asOf ?? base.asOf,
    region: override.region ?? base.region,
    ...(base.source !== undefined ? { source: base.source } : {}),
    lambda: { ...base.lambda, ...override.lambda },
    apiGatewayWebSocket: { ...base.apiGatewayWebSocket, ...override.apiGatewayWebSocket },
    dynamodbOnDemand: { ...base.dynamodbOnDemand, ...override.dynamodbOnDemand },
    ...(outPerGB !== undefined ? { dataTransferOut: { outPerGB } } : {}),
  };
}

/**
 * A price file as a whole table, for a region the built-in table does not know: every price must
 * be in it. Returns the table, or the fields it lacks (dotted paths).
 */
export function completePriceFile(override: PriceOverride, region: string): { table: PriceTable } | { missing: string[] } {
  const candidate = {
    asOf: override.asOf,
    region: override.region ?? region,
    lambda: override.lambda,
    apiGatewayWebSocket: override.apiGatewayWebSocket,
    dynamodbOnDemand: override.dynamodbOnDemand,
    ...(override.dataTransferOut ? { dataTransferOut: override.dataTransferOut } : {}),
  };
  const parsed = PriceTable.safeParse(candidate);
  if (parsed.success) return { table: parsed.data };
  return { missing: [...new Set(parsed.error.issues.map((i) => i.path.join('.')))] };
}
