import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { checkRunInput } from '../../src/session/run-input.ts';
import { costOptionsFromFlags } from '../../src/metrics/cost/cost-flags.ts';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import { choosePrices, UnknownPrices } from '../../src/metrics/cost/price-choice.ts';
import { readPriceFile } from '../../src/metrics/cost/prices-file.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { REGION_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { systemFacts } from '../../src/session/system-metrics.ts';
import { withSystemFacts } from '../../src/metrics/results/system-facts.ts';
import type { Target } from '../../src/targets/target.ts';
import { buildResults } from '../report/fixtures.ts';

// Which prices a run is estimated at: its stack's region's, never another region's by default.

const dir = mkdtempSync(join(tmpdir(), 'fb-price-choice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const FULL_EU = `asOf: "2026-02-01"
region: eu-west-1
lambda: { requestsPerMillion: 0.2, gbSecondX86: 0.0000166667, gbSecondArm64: 0.0000133334, initBilled: true }
apiGatewayWebSocket: { messagesPerMillion: 1.1, messageUnitBytes: 32768, connectionMinutesPerMillion: 0.3 }
dynamodbOnDemand: { writeUnitsPerMillion: 0.7, readUnitsPerMillion: 0.14 }
`;

describe('the built-in table', () => {
  it('is dated, sourced and complete for every region it holds, with no data transfer (AWS charges none on WebSocket APIs)', () => {
    for (const [region, t] of Object.entries(REGION_PRICES)) {
      expect(t.region).toBe(region);
      expect(t.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(t.source).toBe('table');
      expect(t.dataTransferOut).toBeUndefined();
    }
    expect(DEFAULT_PRICES).toBe(REGION_PRICES['us-east-1']);
  });
});

describe('choosePrices', () => {
  it("takes the table's prices of the stack's region; a target naming no region gets us-east-1's, and a note", () => {
    expect(choosePrices('us-east-1')).toEqual({ prices: DEFAULT_PRICES, notes: [] });
    expect(choosePrices(undefined)).toEqual({ prices: DEFAULT_PRICES, notes: ["the target names no AWS region: priced at us-east-1's list prices"] });
  });

  it('refuses a region the table does not know, in one line naming the way out, instead of pricing it as us-east-1', () => {
    expect(() => choosePrices('eu-west-1')).toThrow(
      new UnknownPrices('prices for region eu-west-1 unknown (the built-in table has us-east-1 only): no cost estimate; use --prices <file> or --prices aws'),
    );
    const results = buildResults();
    results.config.target.endpoints = { websocket: 'wss://a.execute-api.eu-west-1.amazonaws.com/prod', services: 'aws', region: 'eu-west-1' };
    expect(() => estimateCost(results)).toThrow(UnknownPrices);
  });

  it('a price file over the region\'s table records itself as the source', () => {
    const f = file('cheap.yaml', 'lambda:\n  requestsPerMillion: 0.1\n');
    const { prices } = choosePrices('us-east-1', { priceFile: readPriceFile(f) });
    expect(prices).toEqual({ ...DEFAULT_PRICES, lambda: { ...DEFAULT_PRICES.lambda, requestsPerMillion: 0.1 }, source: `file ${f} over table` });
  });

  it('a region the table lacks takes a price file that gives every price, else names what it lacks', () => {
    const full = file('eu.yaml', FULL_EU);
    const { prices } = choosePrices('eu-west-1', { priceFile: readPriceFile(full) });
    expect(prices).toMatchObject({ region: 'eu-west-1', asOf: '2026-02-01', source: `file ${full}` });
    // every price the cost model needs; a transfer price only if the file gives one
    expect(prices.dataTransferOut).toBeUndefined();
    const withTransfer = file('eu-transfer.yaml', `${FULL_EU}dataTransferOut: { outPerGB: 0.05 }\n`);
    expect(choosePrices('eu-west-1', { priceFile: readPriceFile(withTransfer) }).prices.dataTransferOut).toEqual({ outPerGB: 0.05 });
    const partial = file('eu-partial.yaml', 'region: eu-west-1\nasOf: "2026-02-01"\nlambda: { requestsPerMillion: 0.2 }\n');
    expect(() => choosePrices('eu-west-1', { priceFile: readPriceFile(partial) })).toThrow(
      `${partial}: prices for region eu-west-1 are not in the built-in table, so the price file must give every one of them (asOf and all prices); missing: lambda.gbSecondX86, lambda.gbSecondArm64, lambda.initBilled, apiGatewayWebSocket, dynamodbOnDemand`,
    );
  });

  it("a file for another region than the stack's is used, and the estimate says so", () => {
    const full = file('eu2.yaml', FULL_EU);
    const { prices, notes } = choosePrices('us-east-1', { priceFile: readPriceFile(full) });
    expect(prices.region).toBe('eu-west-1');
    expect(notes).toEqual([`the price file ${full} is for eu-west-1, the stack runs in us-east-1: priced with the file's region`]);
  });
});

describe('--prices FILE|aws', () => {
  it('aws needs an aws:<stackName> target; a file is read up front', async () => {
    expect(await costOptionsFromFlags({ prices: 'aws' })).toEqual({ priceList: true });
    // the run's input check holds --prices aws to an aws: target, as it reads the target once
    expect(() => checkRunInput({ target: 'local', cost: { priceList: true } })).toThrow(
      new UserError('--prices aws: asks the AWS Price List API for the region of an aws:<stackName> target while it runs; for --target local, give a price file (--prices <file>)'),
    );
    await expect(costOptionsFromFlags({ prices: 'aws' }, { rerender: true })).rejects.toThrow(/^--prices aws: .* for re-rendering a run, give a price file/);
    const f = file('p.json', '{"dataTransferOut":{"outPerGB":0.05}}');
    expect(await costOptionsFromFlags({ prices: f })).toEqual({ priceFile: { file: f, override: { dataTransferOut: { outPerGB: 0.05 } } } });
  });
});

describe('a run in a region without prices', () => {
  it('keeps its results without a cost estimate, and one line saying why in the warnings', async () => {
    const measured = buildResults();
    delete measured.cost;
    measured.config.target.endpoints = { websocket: 'ws://127.0.0.1:1/x', services: 'unknown', region: 'ap-southeast-2' };
    const target = { endpoints: measured.config.target.endpoints, describeFunctions: async () => ({ source: 'assumed', functions: [] }) } as unknown as Target;
    const warnings: string[] = [];
    const results = withSystemFacts(measured, await systemFacts(measured, target, { onWarning: (m) => warnings.push(m) }));
    const line = 'prices for region ap-southeast-2 unknown (the built-in table has us-east-1 only): no cost estimate; use --prices <file> or --prices aws';
    expect(results.cost).toBeUndefined();
    expect(warnings).toEqual([line]);
    expect(results.harness.warnings).toContain(line);
  });
});
