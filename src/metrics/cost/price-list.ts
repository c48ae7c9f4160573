import { paginateGetProducts, PricingClient, type Filter } from '@aws-sdk/client-pricing';
import type { PriceTable } from '../../contracts/prices.ts';

/**
 * `--prices aws`: the stack's region's on-demand prices from the AWS Price List API (GetProducts),
 * the same list AWS's pricing pages are rendered from. One query per service (Lambda, API Gateway
 * WebSocket, DynamoDB on-demand; not data transfer, which AWS does not charge on WebSocket APIs),
 * each filtered to the region; the wanted products are picked by usage type (`Request`,
 * `Lambda-GB-Second`, `ApiGatewayMessage`, …, with or without the region's prefix such as
 * `EUC1-`), and each price is its first paid tier (free tiers and allowances are ignored, as in
 * the built-in table). Anything missing from the answer is an error naming it: the caller falls
 * back to the built-in table and says why. A queued path's SQS, SNS and EventBridge prices are not
 * asked (their Price List usage types were not checked against an answer): the path is priced at
 * the built-in table's rates for the region, and the estimate says so (path-cost.ts pathPrices).
 *
 * The Price List API answers in us-east-1, eu-central-1 and ap-south-1; the nearest is asked.
 * The SDK's standard configuration applies (credentials, AWS_ENDPOINT_URL_PRICING); the caller
 * needs `pricing:GetProducts`.
 */

/** Source recorded with prices read from the Price List API. */
export const PRICE_LIST_SOURCE = 'aws-price-list';

/** The Price List API endpoint's region nearest to `region`. */
export function priceListEndpointRegion(region: string): string {
  if (/^(eu|me|af|il)-/.test(region)) return 'eu-central-1';
  if (/^ap-/.test(region)) return 'ap-south-1';
  return 'us-east-1';
}

export function createPricingClient(region: string, profile?: string): PricingClient {
  return new PricingClient({
    region: priceListEndpointRegion(region),
    ...(profile ? { profile } : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 20_000 },
  });
}

/** One product of a GetProducts answer (each PriceList entry is a JSON string of this shape). */
interface PriceListProduct {
  product?: { productFamily?: string; attributes?: Record<string, string> };
  terms?: {
    OnDemand?: Record<string, { priceDimensions?: Record<string, { beginRange?: string; unit?: string; pricePerUnit?: { USD?: string } }> }>;
  };
}

interface Query {
  serviceCode: string;
  filters: Filter[];
}

const term = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });

/** The products of one service in the region (all pages). */
async function products(client: PricingClient, q: Query): Promise<PriceListProduct[]> {
  const out: PriceListProduct[] = [];
  for await (const page of paginateGetProducts({ client, pageSize: 100 }, { ServiceCode: q.serviceCode, Filters: q.filters, FormatVersion: 'aws_v1' })) {
    for (const entry of page.PriceList ?? []) out.push(JSON.parse(String(entry)) as PriceListProduct);
  }
  return out;
}

/** `usagetype` without its region prefix (`EUC1-ApiGatewayMessage` → `ApiGatewayMessage`; us-east-1's often have none). */
function usageName(usagetype: string | undefined): string | undefined {
  if (usagetype === undefined) return undefined;
  const m = /^[A-Z]{2,4}[0-9]?-(.+)$/.exec(usagetype);
  return m ? m[1] : usagetype;
}

/** The first paid tier's USD price of the product whose usage type is `usage`; undefined when none is. */
function firstPaidPrice(list: readonly PriceListProduct[], usage: string): number | undefined {
  for (const p of list) {
    if (usageName(p.product?.attributes?.usagetype) !== usage) continue;
    const tiers: Array<{ begin: number; usd: number }> = [];
    for (const t of Object.values(p.terms?.OnDemand ?? {})) {
      for (const d of Object.values(t.priceDimensions ?? {})) {
        const usd = Number(d.pricePerUnit?.USD);
        if (Number.isFinite(usd)) tiers.push({ begin: Number(d.beginRange ?? 0), usd });
      }
    }
    tiers.sort((a, b) => a.begin - b.begin);
    const paid = tiers.find((t) => t.usd > 0);
    if (paid) return paid.usd;
  }
  return undefined;
}

/** The region's prices from the Price List API; throws naming the service or price it could not get. */
export async function readPriceList(region: string, o: { client: PricingClient; now?: Date }): Promise<PriceTable> {
  const [lambda, websocket, dynamodb] = await Promise.all([
    products(o.client, { serviceCode: 'AWSLambda', filters: [term('regionCode', region)] }),
    products(o.client, { serviceCode: 'AmazonApiGateway', filters: [term('regionCode', region), term('productFamily', 'WebSocket')] }),
    products(o.client, { serviceCode: 'AmazonDynamoDB', filters: [term('regionCode', region), term('productFamily', 'Amazon DynamoDB PayPerRequest Throughput')] }),
  ]);
  const price = (list: readonly PriceListProduct[], service: string, usage: string): number => {
    const usd = firstPaidPrice(list, usage);
    if (usd === undefined) throw new Error(`the Price List has no ${service} ${usage} price for ${region}`);
    return usd;
  };
  return {
    asOf: (o.now ?? new Date()).toISOString().slice(0, 10),
    region,
    source: PRICE_LIST_SOURCE,
    lambda: {
      requestsPerMillion: round(price(lambda, 'AWSLambda', 'Request') * 1e6),
      gbSecondX86: price(lambda, 'AWSLambda', 'Lambda-GB-Second'),
      gbSecondArm64: price(lambda, 'AWSLambda', 'Lambda-GB-Second-ARM'),
      // not in the Price List: Lambda's billing rule for on-demand ZIP functions since 2025-08-01
      initBilled: true,
    },
    apiGatewayWebSocket: {
      messagesPerMillion: round(price(websocket, 'AmazonApiGateway', 'ApiGatewayMessage') * 1e6),
      // not in the Price List: messages are metered in 32 KB steps (aws.amazon.com/api-gateway/pricing)
      messageUnitBytes: 32 * 1024,
      connectionMinutesPerMillion: round(price(websocket, 'AmazonApiGateway', 'ApiGatewayMinute') * 1e6),
    },
    dynamodbOnDemand: {
      writeUnitsPerMillion: round(price(dynamodb, 'AmazonDynamoDB', 'WriteRequestUnits') * 1e6),
      readUnitsPerMillion: round(price(dynamodb, 'AmazonDynamoDB', 'ReadRequestUnits') * 1e6),
    },
  };
}

/** Per-unit prices × 1e6 carry binary noise (0.0000002 × 1e6 = 0.19999999999999998). */
function round(n: number): number {
  return Number(n.toPrecision(12));
}
