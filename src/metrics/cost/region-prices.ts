import type { PriceTable } from '../../contracts/prices.ts';

/**
 * The built-in dated price table, per AWS region: on-demand list prices (USD) of what the
 * reference stack uses. Lambda requests and GB-seconds (x86_64, arm64), API Gateway WebSocket
 * messages (metered in 32 KB steps) and connection-minutes, DynamoDB on-demand request units, and
 * a queued path's SQS requests, SNS publishes, EventBridge custom events and DynamoDB Streams reads
 * by Lambda (free) — each in 64 KB chunks; an HTTP API's requests (in 512 KB steps) and a REST
 * API's. No data transfer out: AWS charges it on HTTP and REST APIs, not on WebSocket APIs
 * (aws.amazon.com/api-gateway/pricing; docs/aws-prices.md). Each price is the first paid tier;
 * free tiers and allowances are ignored (a benchmark's account is rarely new, and a run should
 * cost what the same load costs on a busy account).
 *
 * Only regions whose every price was read from AWS's own pages are here. AWS's pricing pages
 * render other regions' rates in the browser from the Price List; none of those could be read
 * for this table, so it holds us-east-1 alone rather than a guess. Any other region: the AWS
 * Price List API on an `aws:` target (`--prices aws`), or a price file (`--prices FILE`) —
 * docs/aws-prices.md.
 */
export const REGION_PRICES: Readonly<Record<string, PriceTable>> = {
  'us-east-1': {
    asOf: '2025-08-01',
    region: 'us-east-1',
    source: 'table',
    // aws.amazon.com/lambda/pricing: $0.20 per 1M requests; per GB-second x86 $0.0000166667 and
    // Arm $0.0000133334 (first tier); INIT billed on-demand for ZIP functions with managed
    // runtimes since 2025-08-01
    lambda: { requestsPerMillion: 0.2, gbSecondX86: 0.0000166667, gbSecondArm64: 0.0000133334, initBilled: true },
    // aws.amazon.com/lambda/pricing, "Provisioned Concurrency Pricing": per GB-second allocated x86
    // $0.0000041667 and Arm $0.0000033334; duration on a provisioned environment x86 $0.0000097222
    // and Arm $0.0000077778 per GB-second (requests at the price above)
    lambdaProvisioned: { concurrencyGbSecondX86: 0.0000041667, durationGbSecondX86: 0.0000097222, concurrencyGbSecondArm64: 0.0000033334, durationGbSecondArm64: 0.0000077778 },
    // aws.amazon.com/lambda/pricing, "SnapStart Pricing" (Python, .NET): cache $0.0000015046 per
    // GB-second (at least 3 hours a version), restore $0.0001397998 per GB restored
    lambdaSnapStart: { cacheGbSecond: 0.0000015046, restorePerGb: 0.0001397998 },
    // aws.amazon.com/api-gateway/pricing: WebSocket $1.00 per 1M messages (first 1 billion),
    // metered in 32 KB increments; $0.25 per 1M connection-minutes
    apiGatewayWebSocket: { messagesPerMillion: 1.0, messageUnitBytes: 32 * 1024, connectionMinutesPerMillion: 0.25 },
    // aws.amazon.com/api-gateway/pricing: HTTP APIs $1.00 per 1M requests (first 300 million),
    // metered in 512 KB increments; REST APIs $3.50 per 1M requests (first 333 million)
    apiGatewayHttp: { requestsPerMillion: 1.0, requestUnitBytes: 512 * 1024 },
    apiGatewayRest: { requestsPerMillion: 3.5 },
    // aws.amazon.com/dynamodb/pricing/on-demand: $0.625 per 1M write and $0.125 per 1M read
    // request units (since the 2024-11-01 reduction)
    dynamodbOnDemand: { writeUnitsPerMillion: 0.625, readUnitsPerMillion: 0.125 },
    // aws.amazon.com/sqs/pricing: $0.40 per 1M standard and $0.50 per 1M FIFO requests (after the
    // first 1M free a month, up to 100 billion); each 64 KB chunk of a payload is one request
    sqs: { standardRequestsPerMillion: 0.4, fifoRequestsPerMillion: 0.5, requestUnitBytes: 64 * 1024 },
    // aws.amazon.com/sns/pricing: standard topics $0.50 per 1M requests (after the first 1M free),
    // each 64 KB chunk of published data one request; no charge for deliveries to Lambda and SQS
    sns: { publishesPerMillion: 0.5, requestUnitBytes: 64 * 1024, lambdaSqsDeliveriesPerMillion: 0 },
    // aws.amazon.com/eventbridge/pricing: custom events $1.00 per 1M, each 64 KB chunk of an event one event
    eventBridge: { customEventsPerMillion: 1.0, eventUnitBytes: 64 * 1024 },
    // aws.amazon.com/dynamodb/pricing/on-demand: GetRecords calls by Lambda triggers are free
    dynamodbStreams: { lambdaReadsPerMillion: 0 },
    // aws.amazon.com/secrets-manager/pricing: $0.40 per secret per month (prorated by the hour),
    // $0.05 per 10,000 API calls
    secretsManager: { secretMonthly: 0.4, apiCallsPer10k: 0.05 },
  },
};

/** The built-in table's prices for `region`, or undefined when the table does not know it. */
export function tablePrices(region: string): PriceTable | undefined {
  return Object.hasOwn(REGION_PRICES, region) ? REGION_PRICES[region] : undefined;
}

/** The built-in table's us-east-1 prices: what a run whose target names no region is priced at. */
export const DEFAULT_PRICES: PriceTable = REGION_PRICES['us-east-1']!;
