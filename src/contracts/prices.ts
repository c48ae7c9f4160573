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

const LambdaProvisioned = z.strictObject({
  /** USD per GB-second of provisioned concurrency allocated (busy or not), x86_64 */
  concurrencyGbSecondX86: z.number().nonnegative(),
  /** USD per GB-second of duration an invocation on a provisioned environment bills, x86_64 (lower than on demand) */
  durationGbSecondX86: z.number().nonnegative(),
  concurrencyGbSecondArm64: z.number().nonnegative(),
  durationGbSecondArm64: z.number().nonnegative(),
});

const LambdaSnapStart = z.strictObject({
  /** USD per GB-second a SnapStart version's snapshot is cached (each published version, from publish until deleted; at least 3 hours) */
  cacheGbSecond: z.number().nonnegative(),
  /** USD per GB restored: each restore, the function's memory */
  restorePerGb: z.number().nonnegative(),
});

const WebSocket = z.strictObject({
  /** USD per 1M messages, both directions */
  messagesPerMillion: z.number().nonnegative(),
  /** a message is metered in steps of this many bytes (32 KB) */
  messageUnitBytes: z.number().int().positive(),
  /** USD per 1M connection-minutes */
  connectionMinutesPerMillion: z.number().nonnegative(),
});

const ApiGatewayHttp = z.strictObject({
  /** USD per 1M requests to an HTTP API (first paid tier) */
  requestsPerMillion: z.number().nonnegative(),
  /** a request is metered in steps of this many bytes (512 KB) */
  requestUnitBytes: z.number().int().positive(),
});

const ApiGatewayRest = z.strictObject({
  /** USD per 1M requests to a REST API (first paid tier) */
  requestsPerMillion: z.number().nonnegative(),
});

const DynamoDb = z.strictObject({
  /** on-demand, USD per 1M write request units */
  writeUnitsPerMillion: z.number().nonnegative(),
  /** on-demand, USD per 1M read request units */
  readUnitsPerMillion: z.number().nonnegative(),
});

const Sqs = z.strictObject({
  /** USD per 1M requests to a standard queue (first paid tier) */
  standardRequestsPerMillion: z.number().nonnegative(),
  /** USD per 1M requests to a FIFO queue (first paid tier) */
  fifoRequestsPerMillion: z.number().nonnegative(),
  /** each chunk of this many bytes of a request's payload is billed as one request (64 KB) */
  requestUnitBytes: z.number().int().positive(),
});

const Sns = z.strictObject({
  /** USD per 1M publishes to a standard topic (first paid tier) */
  publishesPerMillion: z.number().nonnegative(),
  /** each chunk of this many bytes of a published message is billed as one request (64 KB) */
  requestUnitBytes: z.number().int().positive(),
  /** USD per 1M deliveries to Lambda functions and SQS queues: none (AWS charges HTTP, email, SMS and mobile deliveries only) */
  lambdaSqsDeliveriesPerMillion: z.number().nonnegative(),
});

const EventBridge = z.strictObject({
  /** USD per 1M custom events put on a bus (PutEvents entries) */
  customEventsPerMillion: z.number().nonnegative(),
  /** each chunk of this many bytes of an event is billed as one event (64 KB) */
  eventUnitBytes: z.number().int().positive(),
});

const DynamoDbStreams = z.strictObject({
  /** USD per 1M stream read request units read by a Lambda trigger: none (GetRecords by Lambda triggers is free) */
  lambdaReadsPerMillion: z.number().nonnegative(),
});

const SecretsManager = z.strictObject({
  /** USD per secret per month (a secret stored part of a month prorated by the hour) */
  secretMonthly: z.number().nonnegative(),
  /** USD per 10,000 API calls (GetSecretValue and every other call) */
  apiCallsPer10k: z.number().nonnegative(),
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
  /** provisioned concurrency (absent from results written before it was priced, and from a Price List read) */
  lambdaProvisioned: LambdaProvisioned.optional(),
  /** SnapStart's cache and restores (absent as lambdaProvisioned is) */
  lambdaSnapStart: LambdaSnapStart.optional(),
  apiGatewayWebSocket: WebSocket,
  /** HTTP and REST API requests (absent from results written before they were priced, and from a Price List read) */
  apiGatewayHttp: ApiGatewayHttp.optional(),
  apiGatewayRest: ApiGatewayRest.optional(),
  dynamodbOnDemand: DynamoDb,
  /**
   * a queued path's services (absent from results written before the path was priced, and from
   * a price file for a region the built-in table lacks that does not give them: that path is
   * then not priced, and the estimate says so)
   */
  sqs: Sqs.optional(),
  sns: Sns.optional(),
  eventBridge: EventBridge.optional(),
  dynamodbStreams: DynamoDbStreams.optional(),
  /** what a stack's secrets cost (absent from results written before it was in the table) */
  secretsManager: SecretsManager.optional(),
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
  lambdaProvisioned: LambdaProvisioned.partial().optional(),
  lambdaSnapStart: LambdaSnapStart.partial().optional(),
  apiGatewayWebSocket: WebSocket.partial().optional(),
  apiGatewayHttp: ApiGatewayHttp.partial().optional(),
  apiGatewayRest: ApiGatewayRest.partial().optional(),
  dynamodbOnDemand: DynamoDb.partial().optional(),
  sqs: Sqs.partial().optional(),
  sns: Sns.partial().optional(),
  eventBridge: EventBridge.partial().optional(),
  dynamodbStreams: DynamoDbStreams.partial().optional(),
  secretsManager: SecretsManager.partial().optional(),
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
    ...section('lambdaProvisioned', base.lambdaProvisioned, override.lambdaProvisioned),
    ...section('lambdaSnapStart', base.lambdaSnapStart, override.lambdaSnapStart),
    ...section('apiGatewayHttp', base.apiGatewayHttp, override.apiGatewayHttp),
    ...section('apiGatewayRest', base.apiGatewayRest, override.apiGatewayRest),
    ...section('sqs', base.sqs, override.sqs),
    ...section('sns', base.sns, override.sns),
    ...section('eventBridge', base.eventBridge, override.eventBridge),
    ...section('dynamodbStreams', base.dynamodbStreams, override.dynamodbStreams),
    ...section('secretsManager', base.secretsManager, override.secretsManager),
    ...(outPerGB !== undefined ? { dataTransferOut: { outPerGB } } : {}),
  };
}

/**
 * An optional section of the table with a file's overrides on top: kept where the base has it
 * (overridden field by field), taken from the file where it gives the whole section, else absent.
 */
function section<K extends 'lambdaProvisioned' | 'lambdaSnapStart' | 'apiGatewayHttp' | 'apiGatewayRest' | 'sqs' | 'sns' | 'eventBridge' | 'dynamodbStreams' | 'secretsManager'>(key: K, base: PriceTable[K], override: Partial<NonNullable<PriceTable[K]>> | undefined): Partial<PriceTable> {
  if (base) return { [key]: { ...base, ...override } };
  const whole = PriceTable.shape[key].safeParse(override);
  return whole.success && whole.data ? { [key]: whole.data } : {};
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
    ...(override.lambdaProvisioned ? { lambdaProvisioned: override.lambdaProvisioned } : {}),
    ...(override.lambdaSnapStart ? { lambdaSnapStart: override.lambdaSnapStart } : {}),
    ...(override.apiGatewayHttp ? { apiGatewayHttp: override.apiGatewayHttp } : {}),
    ...(override.apiGatewayRest ? { apiGatewayRest: override.apiGatewayRest } : {}),
    ...(override.sqs ? { sqs: override.sqs } : {}),
    ...(override.sns ? { sns: override.sns } : {}),
    ...(override.eventBridge ? { eventBridge: override.eventBridge } : {}),
    ...(override.dynamodbStreams ? { dynamodbStreams: override.dynamodbStreams } : {}),
    ...(override.secretsManager ? { secretsManager: override.secretsManager } : {}),
    ...(override.dataTransferOut ? { dataTransferOut: override.dataTransferOut } : {}),
  };
  const parsed = PriceTable.safeParse(candidate);
  if (parsed.success) return { table: parsed.data };
  return { missing: [...new Set(parsed.error.issues.map((i) => i.path.join('.')))] };
}
