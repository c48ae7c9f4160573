import { describe, expect, it } from 'vitest';
import { CostEstimate } from '../../src/contracts/cost-schema.ts';
import type { FunctionHop, StackPath } from '../../src/contracts/path-schema.ts';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import { pathRequests } from '../../src/metrics/cost/path-cost.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { runPathFunctions } from '../../src/metrics/cost/run-functions.ts';
import { sqsFanoutPath } from '../fixtures/path/sqs-fanout-path.ts';
import { buildResults } from '../report/fixtures.ts';

/**
 * A run's queued path priced from results.path (the fixture of test/fixtures/path/: 30 messages
 * sent to fanout-jobs, 36 received by its mapping in 12 batches, 27 deleted, 3 redriven to its
 * dead-letter queue; fanout-worker invoked 12 times). Every expected figure is worked out by hand.
 */

const withPath = (path: StackPath, payloadBytes?: number) => {
  const results = buildResults();
  results.path = path;
  if (payloadBytes !== undefined) results.config = { ...results.config, payloadBytes };
  return results;
};

const worker = (path: StackPath, o: Partial<FunctionHop> & { durationAvgMs?: number | null }) => {
  const hop = path.hops.find((h): h is FunctionHop => h.kind === 'function')!;
  const { durationAvgMs, ...rest } = o;
  Object.assign(hop, rest);
  if (durationAvgMs !== undefined) hop.totals.durationAvgMs = durationAvgMs;
  return path;
};

const line = (c: CostEstimate, item: string) => {
  const l = c.lines.find((x) => x.item.startsWith(item));
  if (!l) throw new Error(`no line "${item}" in ${c.lines.map((x) => x.item).join(', ')}`);
  return l;
};

describe('a queued path on the bill', () => {
  it("prices a queue's requests: one SendMessage per message, one receive and one delete per batch of its mapping (standard: $0.40 per 1M)", () => {
    const c = estimateCost(withPath(worker(sqsFanoutPath(0), { memoryMB: 512, durationAvgMs: 39.2 }), 200), { prices: DEFAULT_PRICES });
    expect(CostEstimate.safeParse(c).success).toBe(true);
    const jobs = line(c, 'fanout-jobs requests (standard');
    // 30 sends × 1 chunk (260 bytes) + 12 receives × ⌈3 × 260 / 65,536⌉ = 1 + 12 deletes = 54
    expect(jobs.quantity).toBe(54);
    expect(jobs.cost).toBeCloseTo((54 * 0.4) / 1e6, 15);
    expect(jobs.service).toBe('SQS');
    // the dead-letter queue nothing read makes no request of the account's
    expect(c.lines.some((l) => l.item.startsWith('fanout-jobs-dlq'))).toBe(false);
    expect(c.totals.path).toBeCloseTo(jobs.cost, 15);
    expect(c.sources.path).toBe('cloudwatch');
    const rest = c.totals.lambda + c.totals.apiGateway + c.totals.dynamodb + (c.totals.dataTransfer ?? 0);
    expect(c.totals.total).toBeCloseTo(rest + c.totals.path!, 12);
  });

  it("bills the path's worker: its invocations among Lambda's requests, 12 × ⌈39.2⌉ ms at its 512 MB", () => {
    const path = worker(sqsFanoutPath(0), { memoryMB: 512, durationAvgMs: 39.2 });
    const without = estimateCost(buildResults(), { prices: DEFAULT_PRICES });
    const c = estimateCost(withPath(path), { prices: DEFAULT_PRICES });
    expect(line(c, 'requests').quantity - line(without, 'requests').quantity).toBe(12);
    const compute = line(c, 'fanout-worker compute (512 MB');
    // 12 × 40 ms = 0.48 s × 0.5 GB = 0.24 GB-s
    expect(compute.quantity).toBeCloseTo(0.24, 12);
    expect(compute.source).toBe('cloudwatch');
    expect(runPathFunctions(withPath(path)).map((p) => p.fn.name)).toEqual(['fanout-worker']);
  });

  it("says what it assumed for a worker whose memory and average duration were not read: Lambda's 128 MB, × ⌈p99⌉", () => {
    const c = estimateCost(withPath(sqsFanoutPath(0)), { prices: DEFAULT_PRICES });
    // 12 × 85 ms (p99) × 0.125 GB
    expect(line(c, 'fanout-worker compute (128 MB').quantity).toBeCloseTo((12 * 0.085) / 8, 12);
    expect(c.assumptions).toContainEqual(expect.stringContaining("fanout-worker (a path function): memory not read, priced at Lambda's default 128 MB"));
    expect(c.assumptions).toContainEqual(expect.stringContaining('⌈p99 Duration⌉ (no average pulled): an upper bound'));
  });

  it('a FIFO queue at $0.50 per 1M; a 100 KB message is two 64 KB chunks on every send and receive', () => {
    const path = sqsFanoutPath(0);
    const q = path.hops[0]!;
    if (q.kind !== 'queue') throw new Error('fixture');
    q.name = 'jobs.fifo';
    q.fifo = true;
    const m = path.hops[1]!;
    if (m.kind !== 'mapping') throw new Error('fixture');
    m.source = { ...m.source, name: 'jobs.fifo' };
    const c = estimateCost(withPath(path, 100_000), { prices: DEFAULT_PRICES });
    const jobs = line(c, 'jobs.fifo requests (FIFO');
    // 30 × ⌈100,060 / 65,536⌉ = 2 → 60; 12 receives of 3 × 100,060 bytes → ⌈300,180 / 65,536⌉ = 5 each → 60; 12 deletes
    expect(jobs.quantity).toBe(60 + 60 + 12);
    expect(jobs.unitPrice).toBe(0.5);
  });

  it("a topic's publishes ($0.50 per 1M) and its deliveries to Lambda and SQS (free), a bus's custom events ($1.00 per 1M), a stream's reads by Lambda (free)", () => {
    const path: StackPath = {
      periodSec: 60,
      hops: [
        { kind: 'topic', name: 'scores', arn: 'arn:aws:sns:us-east-1:123456789012:scores', totals: { published: 10, delivered: 20, failed: 0, filteredOut: 0 } },
        { kind: 'rule', name: 'a', bus: 'orders', totals: { matched: 7, invocations: 7, failed: 0 } },
        { kind: 'rule', name: 'b', bus: 'orders', totals: { matched: 5, invocations: 5, failed: 0 } },
        {
          kind: 'mapping',
          name: 'rooms stream → pusher',
          uuid: 'u1',
          source: { kind: 'stream', name: 'rooms', arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/rooms/stream/x' },
          functionName: 'pusher',
          totals: { polled: 40, invoked: 40, failedInvoke: 0, dropped: 0, filteredOut: 0, batches: 4, concurrencyFirst: null, concurrencyMax: null },
        },
      ],
    };
    const c = estimateCost(withPath(path), { prices: DEFAULT_PRICES });
    expect(line(c, 'scores publishes').quantity).toBe(10);
    expect(line(c, 'scores publishes').cost).toBeCloseTo(5e-6, 15);
    const deliveries = line(c, 'scores deliveries to Lambda and SQS');
    expect([deliveries.quantity, deliveries.cost]).toEqual([20, 0]);
    expect(deliveries.note).toContain('free');
    // the most any rule of the bus matched: 7 events, not 12
    expect(line(c, 'orders bus custom events').quantity).toBe(7);
    expect(line(c, 'orders bus custom events').cost).toBeCloseTo(7e-6, 15);
    const reads = line(c, 'rooms reads by pusher');
    expect([reads.service, reads.quantity, reads.cost]).toEqual(['DynamoDB Streams', 4, 0]);
    expect(pathRequests(path).buses).toEqual([{ bus: 'orders', events: 7, invocations: 12 }]);
  });

  it("prices a Price List answer's path at the built-in table's (it asks no SQS, SNS nor EventBridge), and a region without them not at all", () => {
    const { sqs: _a, sns: _b, eventBridge: _c, dynamodbStreams: _d, ...listed } = DEFAULT_PRICES;
    const c = estimateCost(withPath(sqsFanoutPath(0)), { prices: { ...listed, source: 'aws-price-list' } });
    expect(line(c, 'fanout-jobs requests').unitPrice).toBe(0.4);
    expect(c.assumptions).toContainEqual(expect.stringContaining("at the built-in table's us-east-1 prices"));
    const elsewhere = estimateCost(withPath(sqsFanoutPath(0)), { prices: { ...listed, region: 'eu-west-3' } });
    expect(elsewhere.lines.some((l) => l.service === 'SQS')).toBe(false);
    expect(elsewhere.assumptions).toContainEqual(expect.stringContaining('no SQS, SNS and EventBridge prices for eu-west-3'));
    expect(elsewhere.totals.path).toBe(0);
  });

  it('a run without a path has no path lines nor total', () => {
    const c = estimateCost(buildResults(), { prices: DEFAULT_PRICES });
    expect(c.totals.path).toBeUndefined();
    expect(c.lines.some((l) => ['SQS', 'SNS', 'EventBridge', 'DynamoDB Streams'].includes(l.service))).toBe(false);
  });
});

describe("an HTTP or REST API on the path: its requests on the bill", () => {
  const api = (apiType: 'http' | 'rest', requests: number): StackPath => ({
    periodSec: 60,
    hops: [{ kind: 'api', apiType, name: 'notify-api', apiId: 'abc123defg', stage: '$default', totals: { requests, clientErrors: 1, serverErrors: 0, latencyP99Ms: 30, integrationLatencyP99Ms: 25 } }],
  });

  it('prices an HTTP API at $1.00 per 1M requests in 512 KB steps, a REST API at $3.50 per 1M, as AWS/ApiGateway Count counts them', () => {
    const http = line(estimateCost(withPath(api('http', 2_000), 200), { prices: DEFAULT_PRICES }), 'notify-api HTTP API requests');
    // 2,000 requests of 260 bytes: one 512 KB step each
    expect([http.service, http.quantity, http.unitPrice, http.per]).toEqual(['API Gateway', 2_000, 1.0, 1e6]);
    expect(http.cost).toBeCloseTo(0.002, 15);
    expect(http.note).toContain('an upper bound, since requests throttled, unauthorized or matching no route are counted and not charged');
    // a payload past 512 KB is two requests each
    expect(line(estimateCost(withPath(api('http', 10), 600 * 1024), { prices: DEFAULT_PRICES }), 'notify-api HTTP API requests').quantity).toBe(20);
    const rest = line(estimateCost(withPath(api('rest', 2_000)), { prices: DEFAULT_PRICES }), 'notify-api REST API requests');
    expect([rest.quantity, rest.cost]).toEqual([2_000, (2_000 * 3.5) / 1e6]);
  });

  it('scales into a month with the rest of the path, and says so where the prices have none', () => {
    const requests = pathRequests(api('http', 50));
    expect(requests.apis).toEqual([{ apiType: 'http', name: 'notify-api', requests: 50 }]);
    const { apiGatewayHttp: _http, apiGatewayRest: _rest, ...unpriced } = DEFAULT_PRICES;
    const c = estimateCost(withPath(api('http', 50)), { prices: { ...unpriced, region: 'eu-west-9' } });
    expect(c.lines.some((l) => l.item.includes('HTTP API requests'))).toBe(false);
    expect(c.assumptions).toContainEqual(expect.stringContaining("no HTTP API request price for eu-west-9 (a price file's apiGatewayHttp gives it): notify-api's requests are not priced"));
  });
});
