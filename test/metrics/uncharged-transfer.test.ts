import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { pricesToReestimate, unchargedTransfer } from '../../src/metrics/cost/uncharged-transfer.ts';
import { buildResults, resultsWithOldTransferLine } from '../report/fixtures.ts';

// An estimate recorded before AWS's rule was known (the fixture is what the code then wrote for
// the report fixture's run), against estimates made since.

describe('unchargedTransfer', () => {
  const old = resultsWithOldTransferLine().cost!;

  it('says what the old data-transfer line added, and the estimate without it', () => {
    const u = unchargedTransfer(old)!;
    // the recorded line: 0.0735 GB × $0.09 = $0.0066175 of $0.1254876
    expect(u.transfer).toBe(old.totals.dataTransfer);
    expect(u.transfer).toBeCloseTo(0.0066175, 7);
    expect(u.total).toBe(old.totals.total);
    expect(u.totalWithout).toBeCloseTo(old.totals.lambda + old.totals.apiGateway + old.totals.dynamodb, 12);
    // per 1M deliveries and per 1,000 users: the same total over the same basis (102,800 deliveries, 112,500 connection-s)
    expect(u.perMillionDeliveriesWithout).toBeCloseTo((u.totalWithout / 102_800) * 1e6, 9);
    expect(u.perThousandUsersPerMonthWithout).toBeCloseTo((u.totalWithout / 112_500) * 1000 * 730 * 3600, 6);
    expect(u.text).toBe(
      'This estimate was recorded with a data-transfer-out line of $0.00662 (0.0735 GB at $0.09 per GB), which AWS does not charge on WebSocket APIs ' +
        '(they are billed for messages and connection minutes only). Without it: $0.119 this run, $1.16 per 1M deliveries, $2,776.80 per 1,000 users per month.',
    );
    expect(u.command).toBe('fanout-bench report --arch x86_64 <run-dir>');
  });

  it('is the estimate the run gets today, at the same prices less the transfer price', () => {
    const r = resultsWithOldTransferLine();
    const today = estimateCost(r, { prices: pricesToReestimate(r.cost!) });
    expect(today.totals.total).toBeCloseTo(unchargedTransfer(old)!.totalWithout, 12);
    expect(today.perMillionDeliveries).toBeCloseTo(unchargedTransfer(old)!.perMillionDeliveriesWithout!, 12);
  });

  it('says nothing of an estimate made since: none charged, or one a price file priced', () => {
    expect(unchargedTransfer(buildResults().cost!)).toBeUndefined();
    const priced = estimateCost(buildResults(), { prices: { ...DEFAULT_PRICES, dataTransferOut: { outPerGB: 0.05 } } });
    expect(priced.transferOut).toBe('priced');
    expect(unchargedTransfer(priced)).toBeUndefined();
  });

  it('says nothing of an older estimate that had no transfer line at all', () => {
    const older = structuredClone(old);
    older.lines = older.lines.filter((l) => l.service !== 'Data transfer');
    delete older.totals.dataTransfer;
    delete older.sources.dataTransfer;
    delete older.prices.dataTransferOut;
    expect(unchargedTransfer(older)).toBeUndefined();
  });
});

describe('pricesToReestimate', () => {
  it("drops the transfer price the old defaults added, and keeps a price file's", () => {
    const old = resultsWithOldTransferLine().cost!;
    expect(old.prices.dataTransferOut).toEqual({ outPerGB: 0.09 });
    // recorded before the queued path was priced: the table's prices but the path's (the cost model borrows those from the table)
    const { sqs: _sqs, sns: _sns, eventBridge: _eb, dynamodbStreams: _streams, secretsManager: _secrets, lambdaProvisioned: _pc, lambdaSnapStart: _snap, apiGatewayHttp: _http, apiGatewayRest: _rest, ...beforePath } = DEFAULT_PRICES;
    expect(pricesToReestimate(old)).toEqual(beforePath);
    const priced = estimateCost(buildResults(), { prices: { ...DEFAULT_PRICES, dataTransferOut: { outPerGB: 0.05 } } });
    expect(pricesToReestimate(priced).dataTransferOut).toEqual({ outPerGB: 0.05 });
  });
});
