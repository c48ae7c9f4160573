import { PricingClient } from '@aws-sdk/client-pricing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import { UnknownPrices } from '../../src/metrics/cost/price-choice.ts';
import { PRICE_LIST_SOURCE, priceListEndpointRegion, readPriceList } from '../../src/metrics/cost/price-list.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { withPriceList } from '../../src/session/run-prices.ts';
import type { TargetEndpoints } from '../../src/contracts/target-schema.ts';
import { buildResults } from '../report/fixtures.ts';
import { FRANKFURT_PRODUCTS } from '../fixtures/price-list/products.ts';
import { startPriceListServer, type PriceListServer } from '../fixtures/price-list/server.ts';

// `--prices aws`: the real @aws-sdk/client-pricing against a local GetProducts endpoint
// (test/fixtures/price-list: the emulator serves no Pricing API, and no other local endpoint
// does), answering in GetProducts' own shapes: PriceList entries are JSON strings whose
// terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD hold the prices, in pages with NextToken.

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let server: PriceListServer;
let client: PricingClient;

beforeAll(async () => {
  server = await startPriceListServer(FRANKFURT_PRODUCTS);
  client = new PricingClient({ endpoint: server.url, region: 'eu-central-1', credentials });
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
});
afterEach(() => {
  server.refuse = undefined;
  server.requests.length = 0;
});

describe('the AWS Price List API (GetProducts)', () => {
  it("reads the region's first paid tier of every price the cost model uses, skipping free tiers and other products", async () => {
    const table = await readPriceList('eu-central-1', { client, now: new Date('2026-03-04T05:06:07Z') });
    expect(table).toEqual({
      asOf: '2026-03-04',
      region: 'eu-central-1',
      source: PRICE_LIST_SOURCE,
      lambda: { requestsPerMillion: 0.21, gbSecondX86: 0.000017, gbSecondArm64: 0.0000136, initBilled: true },
      // the messages' $0 first tier is skipped: free allowances are ignored
      apiGatewayWebSocket: { messagesPerMillion: 1.1, messageUnitBytes: 32_768, connectionMinutesPerMillion: 0.275 },
      dynamodbOnDemand: { writeUnitsPerMillion: 0.68, readUnitsPerMillion: 0.136 },
      // no data transfer: AWS charges none on WebSocket APIs
    });
  });

  it('asks each service filtered to the region, and follows NextToken through every page', async () => {
    await readPriceList('eu-central-1', { client });
    const services = [...new Set(server.requests.map((r) => r.ServiceCode))].sort();
    // not AWSDataTransfer: the Price List has it, but AWS charges no data transfer on WebSocket APIs
    expect(services).toEqual(['AWSLambda', 'AmazonApiGateway', 'AmazonDynamoDB']);
    const lambda = server.requests.filter((r) => r.ServiceCode === 'AWSLambda');
    // 7 eu-central-1 Lambda products, 3 a page: 3 requests, the later ones with the token
    expect(lambda.map((r) => r.NextToken)).toEqual([undefined, '3', '6']);
    expect(lambda[0]!.Filters).toEqual([{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-central-1' }]);
  });

  it('names what the answer lacks', async () => {
    await expect(readPriceList('sa-east-1', { client })).rejects.toThrow('the Price List has no AWSLambda Request price for sa-east-1');
  });

  it('asks the nearest of its three endpoints', () => {
    expect(['us-west-2', 'eu-west-1', 'me-central-1', 'af-south-1', 'ap-northeast-1', 'ca-central-1', 'sa-east-1'].map(priceListEndpointRegion)).toEqual([
      'us-east-1',
      'eu-central-1',
      'eu-central-1',
      'eu-central-1',
      'ap-south-1',
      'us-east-1',
      'us-east-1',
    ]);
  });
});

describe('a run with --prices aws', () => {
  const aws = (region: string): { endpoints: TargetEndpoints } => ({ endpoints: { websocket: `wss://abc.execute-api.${region}.amazonaws.com/prod`, services: 'aws', region } });
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    // the SDK's standard configuration, as on AWS: the endpoint variable points it here
    for (const k of ['AWS_ENDPOINT_URL_PRICING', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) saved[k] = process.env[k];
    process.env.AWS_ENDPOINT_URL_PRICING = server.url;
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it("prices the stack's region from the Price List, asked once per target, and records the source and date", async () => {
    const target = aws('eu-central-1');
    const warnings: string[] = [];
    const first = await withPriceList(target, { priceList: true }, (m) => warnings.push(m));
    const again = await withPriceList(target, { priceList: true }, (m) => warnings.push(m));
    expect(again!.prices).toBe(first!.prices);
    expect(server.requests.filter((r) => r.ServiceCode === 'AWSLambda' && r.NextToken === undefined)).toHaveLength(1);
    expect(warnings).toEqual([]);

    const results = buildResults();
    results.config.target.endpoints = target.endpoints;
    const cost = estimateCost(results, first);
    expect(cost.prices).toMatchObject({ region: 'eu-central-1', source: 'aws-price-list', asOf: new Date().toISOString().slice(0, 10) });
    expect(cost.lines.find((l) => l.service === 'Data transfer')).toBeUndefined();
    expect(cost.transferOut).toBe('not-charged');
  });

  it('falls back to the built-in table when the call fails, with one line saying why, kept in the estimate', async () => {
    server.refuse = 'AccessDeniedException';
    const warnings: string[] = [];
    const target = aws('us-east-1');
    const options = await withPriceList(target, { priceList: true }, (m) => warnings.push(m));
    await withPriceList(target, { priceList: true }, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^--prices aws: the AWS Price List API gave no prices for us-east-1 \(not allowed: pricing:GetProducts .*AccessDeniedException.*\): priced from the built-in table instead$/);
    const results = buildResults();
    results.config.target.endpoints = target.endpoints;
    const cost = estimateCost(results, options);
    expect(cost.prices).toEqual(DEFAULT_PRICES);
    expect(cost.assumptions).toContain(warnings[0]);
  });

  it('falls back to nothing in a region the table does not know: the estimate is refused, not guessed', async () => {
    server.refuse = 'AccessDeniedException';
    const target = aws('eu-central-1');
    const options = await withPriceList({ ...target }, { priceList: true }, () => {});
    const results = buildResults();
    results.config.target.endpoints = target.endpoints;
    expect(() => estimateCost(results, options)).toThrow(UnknownPrices);
  });
});
