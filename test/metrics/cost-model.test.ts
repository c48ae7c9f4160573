import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudWatchResults, ReportLineStats } from '../../src/contracts/cloudwatch-schema.ts';
import { billedInitMs, estimateCost, lambdaInitLines } from '../../src/metrics/cost/cost-model.ts';
import { CostEstimate } from '../../src/contracts/cost-schema.ts';
import { routeUnits } from '../../src/metrics/cost/dynamo-units.ts';
import { dynamoDbWork, lambdaWork } from '../../src/metrics/cost/work-per-message.ts';
import { DynamoDbWork, LambdaWork } from '../../src/contracts/work-schema.ts';
import { applyPriceOverride } from '../../src/contracts/prices.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { readPriceFile } from '../../src/metrics/cost/prices-file.ts';
import { SCHEMA_VERSION, type LatencySummary, type Results } from '../../src/contracts/results-schema.ts';

// Hand-computed cases: every expected number is written out as the arithmetic behind it.

const lat = (p50: number): LatencySummary => ({ count: 1000, min: p50 / 2, mean: p50, p50, p90: p50 * 2, p99: p50 * 3, p999: p50 * 4, max: p50 * 5 });

/** 100 clients in 2 rooms of 50 for 60 s; 1,000 sends; 50,000 deliveries; 100-byte payloads. */
function run(): Results {
  const start = Date.UTC(2026, 0, 1);
  return {
    schemaVersion: SCHEMA_VERSION,
    runId: 'cost-test',
    tool: { name: 'fanout-bench', version: '0.0.0' },
    status: 'completed',
    startedAt: new Date(start).toISOString(),
    endedAt: new Date(start + 60_000).toISOString(),
    durationMs: 60_000,
    scenario: { name: 'cost', definition: {} },
    config: { target: { kind: 'local', url: 'ws://127.0.0.1:1/local' }, clients: 100, rooms: 2, durationMs: 60_000, payloadBytes: 100 },
    environment: { node: 'v20', platform: 'linux', cpus: 2, cpuModel: 'x', totalMemoryMB: 1000, clock: 'one host' },
    metrics: { connect: lat(20), broadcast: lat(30), fanoutCompletion: lat(40) },
    sends: { intended: 1000, sent: 1000, missedSlots: 0, acked: 1000, failed: 0 },
    deliveries: { expected: 50_000, received: 50_000, lost: 0, duplicates: 0, outOfOrder: 0 },
    errors: {},
    harness: { shards: 1, cpuSeconds: 1, cpuCoresMax: 0.1, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 2, rssMB: 50, saturated: false, warnings: [] },
    intervals: Array.from({ length: 60 }, (_, k) => ({
      t: start + k * 1000,
      elapsedSec: k,
      phase: 'steady',
      openClients: 100,
      connects: k === 0 ? 100 : 0,
      sent: k === 0 ? 0 : 17,
      delivered: 0,
      errors: 0,
      eventLoopLagMs: 1,
      cpuCores: 0.1,
    })),
    histograms: {},
  };
}

const cost = (c: CostEstimate, item: string) => {
  const line = c.lines.find((l) => l.item === item || l.item.startsWith(item));
  if (!line) throw new Error(`no cost line "${item}" in ${c.lines.map((l) => l.item).join(', ')}`);
  return line;
};

describe('estimateCost from client-side counts only', () => {
  const c = estimateCost(run());

  it('validates against the results schema', () => {
    expect(CostEstimate.parse(c)).toEqual(c);
    expect(c.prices).toEqual(DEFAULT_PRICES);
  });

  it('Lambda requests: 100 $connect + 100 $disconnect + 2 createRoom + 100 joinRoom + 1,000 sendMessage', () => {
    const l = cost(c, 'requests');
    expect(l.quantity).toBe(100 + 100 + 2 + 100 + 1000);
    // 1,302 requests × $0.20 / 1M = $0.0002604
    expect(l.cost).toBeCloseTo(0.0002604, 12);
    expect(l.source).toBe('client');
  });

  it('Lambda GB-s from client latency proxies: connect p50 20 ms, fan-out completion p50 40 ms', () => {
    // fanout-connect: 100 × 20 ms = 2 s × 256/1024 GB = 0.5 GB-s
    expect(cost(c, 'fanout-connect compute').quantity).toBeCloseTo(0.5, 9);
    // fanout-create-room: 2 × 20 ms = 0.04 s × 0.25 GB = 0.01 GB-s
    expect(cost(c, 'fanout-create-room compute').quantity).toBeCloseTo(0.01, 9);
    // fanout-send-message: 1,000 × 40 ms = 40 s × 1024/1024 GB = 40 GB-s
    const send = cost(c, 'fanout-send-message compute');
    expect(send.quantity).toBeCloseTo(40, 9);
    // 40 GB-s × $0.0000166667 = $0.000666668
    expect(send.cost).toBeCloseTo(0.000666668, 12);
    expect(send.source).toBe('assumption');
    // 0.5 + 0.5 + 0.01 + 0.5 + 40 = 41.51 GB-s in all
    const gbs = c.lines.filter((l) => l.unit === 'GB-s').reduce((s, l) => s + l.quantity, 0);
    expect(gbs).toBeCloseTo(41.51, 9);
  });

  it('WebSocket messages both ways, in 32 KB units, and connection-minutes', () => {
    // in: 2 createRoom + 100 joinRoom + 1,000 sendMessage frames = 1,102 (100 B payloads: 1 unit each)
    expect(cost(c, 'messages client → API').quantity).toBe(1102);
    // out: 1,102 route responses + 50,000 posts = 51,102
    const out = cost(c, 'messages API → clients');
    expect(out.quantity).toBe(51_102);
    // 51,102 × $1.00 / 1M = $0.051102
    expect(out.cost).toBeCloseTo(0.051102, 12);
    // 60 intervals × 100 open × 1 s = 6,000 connection-seconds = 100 minutes × $0.25 / 1M = $0.000025
    const minutes = cost(c, 'connection-minutes');
    expect(minutes.quantity).toBeCloseTo(100, 9);
    expect(minutes.cost).toBeCloseTo(0.000025, 12);
  });

  it('DynamoDB units from the per-route assumptions', () => {
    // 50 members per send (50,000 expected / 1,000 acked); member rows 100 B → ⌈5,000 / 4,096⌉ = 2 RRU per Query
    // reads:  $disconnect 100 × 0.5 = 50; joinRoom 100 × (1 + 2) = 300; sendMessage 1,000 × (2 + 2) = 4,000 → 4,350
    // writes: $connect 100 × 1; $disconnect 100 × 3; createRoom 2 × 1; joinRoom 100 × 2; sendMessage 1,000 × ⌈300 / 1,024⌉ = 1,000 → 1,602
    const read = cost(c, 'read request units');
    const write = cost(c, 'write request units');
    expect(read.quantity).toBe(4350);
    expect(write.quantity).toBe(1602);
    // 4,350 × $0.125 / 1M = $0.00054375; 1,602 × $0.625 / 1M = $0.00100125
    expect(read.cost).toBeCloseTo(0.00054375, 12);
    expect(write.cost).toBeCloseTo(0.00100125, 12);
  });

  it('no data transfer out: AWS charges WebSocket APIs for messages and connection minutes only', () => {
    expect(c.lines.filter((l) => l.service === 'Data transfer')).toEqual([]);
    expect(c.totals.dataTransfer).toBeUndefined();
    expect(c.sources.dataTransfer).toBeUndefined();
    expect(c.transferOut).toBe('not-charged');
    expect(c.assumptions).toContain('no data transfer out: AWS charges WebSocket APIs for messages and connection minutes only (a price file with dataTransferOut adds a transfer line)');
  });

  it('totals, per million deliveries and per 1,000 users per month', () => {
    // 0.0002604 + 41.51 × 0.0000166667 + 0.001102 + 0.051102 + 0.000025 + 0.00054375 + 0.00100125
    const total = 0.0002604 + 41.51 * 0.0000166667 + 0.001102 + 0.051102 + 0.000025 + 0.00054375 + 0.00100125;
    expect(c.totals.total).toBeCloseTo(total, 12);
    expect(c.totals.lambda + c.totals.apiGateway + c.totals.dynamodb).toBeCloseTo(total, 12);
    // total / 50,000 deliveries × 1M
    expect(c.perMillionDeliveries).toBeCloseTo((total / 50_000) * 1e6, 9);
    // total / 6,000 connection-seconds × 1,000 users × 730 h × 3,600 s
    expect(c.perThousandUsersPerMonth).toBeCloseTo((total / 6000) * 1000 * 730 * 3600, 6);
    expect(c.sources).toEqual({ lambda: 'assumption', messages: 'client', dynamodb: 'assumption' });
  });

  it('counts $connect and joinRoom invocations from the connection tally when the run has one', () => {
    const r = run();
    r.connections = { attempted: 110, opened: 104, failed: 6, missedSlots: 0, joined: 97, joinFailed: 3, openAtEnd: 0 };
    // 104 $connect + 104 $disconnect + 2 createRoom + (97 + 3) joinRoom + 1,000 sendMessage
    expect(cost(estimateCost(r), 'requests').quantity).toBe(104 + 104 + 2 + 100 + 1000);
  });

  it('counts 32 KB steps: a 40,000-byte payload is 2 units in, 2 units per post out', () => {
    const big = estimateCost(run(), { payloadBytes: 40_000 });
    // in: 2 + 100 + 1,000 × ⌈40,060 / 32,768⌉ = 2 + 100 + 2,000
    expect(cost(big, 'messages client → API').quantity).toBe(2102);
    // out: 1,102 responses + 50,000 × ⌈40,250 / 32,768⌉ = 1,102 + 100,000
    expect(cost(big, 'messages API → clients').quantity).toBe(101_102);
  });
});

function report(partial: Partial<ReportLineStats>): ReportLineStats {
  return {
    invocations: 0,
    coldStarts: 0,
    initDuration: null,
    duration: null,
    durationMsTotal: 0,
    billedDurationMsTotal: 0,
    initDurationMsTotal: 0,
    initNotInBilledMs: 0,
    memorySizeMB: null,
    maxMemoryUsedMB: null,
    coldStartsOverTime: { timestamps: [], values: [] },
    truncated: false,
    ...partial,
  };
}

function withCloudWatch(): Results {
  const r = run();
  const cw: CloudWatchResults = {
    status: 'complete',
    source: 'local',
    region: 'us-east-1',
    window: { startMs: 0, endMs: 60_000, periodSec: 1 },
    pulledAt: new Date(0).toISOString(),
    functions: ['fanout-send-message', 'fanout-join-room'],
    apiGateway: null,
    series: [],
    lambda: {
      'fanout-join-room': { invocations: 100, errors: 0, throttles: 0, durationAvgMs: 12.3, durationP50Ms: 11, durationP99Ms: 30, concurrentExecutionsMax: 2 },
    },
    apiGatewayTotals: null,
    emf: { FanoutDeliveries: { sum: 49_000, average: null, p99: null } },
    reports: {
      'fanout-send-message': report({ invocations: 1000, coldStarts: 2, billedDurationMsTotal: 30_000, initDurationMsTotal: 480.4, initNotInBilledMs: 500, memorySizeMB: 1024 }),
    },
    problems: [],
    notes: [],
  };
  r.cloudwatch = cw;
  return r;
}

describe('estimateCost with CloudWatch and REPORT lines', () => {
  it('bills REPORT billed duration plus the INIT time not in it (billed since Aug 2025)', () => {
    const c = estimateCost(withCloudWatch());
    const send = cost(c, 'fanout-send-message compute');
    // (30,000 ms + 500 ms INIT) / 1,000 × 1024/1024 GB = 30.5 GB-s
    expect(send.quantity).toBeCloseTo(30.5, 9);
    expect(send.source).toBe('report-lines');
    // 30.5 × $0.0000166667 = $0.00050833435
    expect(send.cost).toBeCloseTo(0.00050833435, 12);
  });

  it("bills a SnapStart restore's billed part as duration, beside the invocations' own", () => {
    const r = withCloudWatch();
    r.cloudwatch!.reports['fanout-send-message'] = { ...r.cloudwatch!.reports['fanout-send-message']!, restores: 4, restoreDurationMsTotal: 900, billedRestoreDurationMsTotal: 300 };
    // (30,000 ms + 500 ms INIT + 300 ms billed restore) / 1,000 × 1 GB = 30.8 GB-s; the restore's unbilled 600 ms are not charged
    expect(cost(estimateCost(r), 'fanout-send-message compute').quantity).toBeCloseTo(30.8, 9);
  });

  it("prices SnapStart's restores (memory restored each time) and its snapshot's cache over the run", () => {
    const r = withCloudWatch();
    r.cloudwatch!.reports['fanout-send-message'] = { ...r.cloudwatch!.reports['fanout-send-message']!, restores: 4, restoreDurationMsTotal: 900, billedRestoreDurationMsTotal: 300 };
    const c = estimateCost(r);
    // 4 restores × 1 GB × $0.0001397998
    const restores = cost(c, 'SnapStart restores: fanout-send-message');
    expect(restores).toMatchObject({ quantity: 4, unit: 'GB restored', source: 'report-lines' });
    expect(restores.cost).toBeCloseTo(4 * 0.0001397998, 12);
    // 1 GB cached for the run's duration × $0.0000015046 per GB-s
    const cache = cost(c, 'SnapStart cache: fanout-send-message');
    expect(cache.quantity).toBeCloseTo(r.durationMs / 1000, 9);
    expect(cache.cost).toBeCloseTo((r.durationMs / 1000) * 0.0000015046, 12);
    // a function never restored has neither; prices without SnapStart's rates say so
    expect(c.lines.filter((l) => l.item.startsWith('SnapStart')).every((l) => l.item.includes('fanout-send-message'))).toBe(true);
    const { lambdaSnapStart: _, ...unpriced } = DEFAULT_PRICES;
    const none = estimateCost(r, { prices: unpriced });
    expect(none.lines.some((l) => l.item.startsWith('SnapStart'))).toBe(false);
    expect(none.assumptions).toContainEqual(expect.stringContaining("SnapStart's restore and cache charges of fanout-send-message not priced"));
  });

  it('leaves INIT out when the price table says it is not billed', () => {
    const prices = applyPriceOverride(DEFAULT_PRICES, { lambda: { initBilled: false } });
    // 30,000 ms / 1,000 × 1 GB = 30 GB-s
    expect(cost(estimateCost(withCloudWatch(), { prices }), 'fanout-send-message compute').quantity).toBeCloseTo(30, 9);
  });

  it('uses arm64 GB-s prices', () => {
    const c = estimateCost(withCloudWatch(), { architecture: 'arm64' });
    // 30.5 GB-s × $0.0000133334 = $0.0004066687
    expect(cost(c, 'fanout-send-message compute (1024 MB, arm64)').cost).toBeCloseTo(0.0004066687, 12);
  });

  it('falls back to CloudWatch Invocations × ⌈average Duration⌉ without REPORT lines', () => {
    const c = estimateCost(withCloudWatch());
    const join = cost(c, 'fanout-join-room compute');
    // 100 × ⌈12.3⌉ = 1,300 ms = 1.3 s × 0.25 GB = 0.325 GB-s
    expect(join.quantity).toBeCloseTo(0.325, 9);
    expect(join.source).toBe('cloudwatch');
    // requests: 1,000 (REPORT) + 100 (CloudWatch) + 100 + 100 + 2 (client: connect, disconnect, create)
    expect(cost(c, 'requests').quantity).toBe(1302);
    expect(cost(c, 'requests').source).toBe('client');
  });

  it('counts @connections posts from the FanoutDeliveries metric when there is one', () => {
    const c = estimateCost(withCloudWatch());
    // 1,102 route responses + 49,000 posts (EMF)
    expect(cost(c, 'messages API → clients').quantity).toBe(50_102);
    expect(c.sources.messages).toBe('client');
  });

  it('ignores an unavailable pull', () => {
    const r = withCloudWatch();
    r.cloudwatch!.status = 'unavailable';
    expect(estimateCost(r)).toEqual(estimateCost(run()));
  });
});

/** withCloudWatch() plus AWS/DynamoDB totals for the three tables (hand-made). */
function withDynamo(): Results {
  const r = withCloudWatch();
  const table = (readUnits: number, writeUnits: number, indexes: Record<string, { readUnits: number; writeUnits: number }> = {}) => ({
    readUnits,
    writeUnits,
    indexes,
    operations: {},
    conditionalCheckFailed: 0,
  });
  r.cloudwatch!.dynamodb = {
    'fanout-connections': table(2000, 100),
    'fanout-room-members': table(1100, 100, { byConnection: { readUnits: 50, writeUnits: 200 } }),
    'fanout-messages': table(100, 1002),
  };
  return r;
}

describe('billed INIT on a line of its own (a plan\'s)', () => {
  const notBilled = applyPriceOverride(DEFAULT_PRICES, { lambda: { initBilled: false } });

  it('finds the INIT inside a function\'s billed ms: within Billed Duration, or left out of it', () => {
    // since Aug 2025 a line bills INIT inside Billed Duration (⌈Init + Duration⌉): the lines' 480.4 ms of INIT
    expect(billedInitMs({ initDurationMsTotal: 480.4, initNotInBilledMs: 0 }, DEFAULT_PRICES)).toBe(480.4);
    // a line that left it out: the cost model adds ⌈Init⌉ per line, 500 ms over the two
    expect(billedInitMs({ initDurationMsTotal: 480.4, initNotInBilledMs: 500 }, DEFAULT_PRICES)).toBe(500);
    // prices that do not bill INIT: nothing is taken out of the billed ms
    expect(billedInitMs({ initDurationMsTotal: 480.4, initNotInBilledMs: 500 }, notBilled)).toBe(0);
  });

  it('prices cold starts × INIT ms × memory at the GB-second price, from REPORT lines', () => {
    const fn = { name: 'fanout-send-message', route: 'sendMessage', memoryMB: 1024 };
    const inits = [
      { fn, memoryMB: 1024, coldStarts: 500, initBilledMsPerColdStart: 300, note: 'how' },
      { fn: { ...fn, name: 'idle' }, memoryMB: 256, coldStarts: 0, initBilledMsPerColdStart: 300 },
    ];
    const [send, ...rest] = lambdaInitLines(inits, DEFAULT_PRICES, 'arm64');
    // 500 × 0.3 s × 1 GB = 150 GB-s × $0.0000133334 = $0.00200001
    expect(send).toMatchObject({ service: 'Lambda', item: 'fanout-send-message INIT (1024 MB, arm64)', quantity: 150, unit: 'GB-s', source: 'report-lines', note: 'how' });
    expect(send!.cost).toBeCloseTo(0.00200001, 12);
    // no cold start, no line
    expect(rest).toEqual([]);
    expect(lambdaInitLines(inits, notBilled, 'arm64')).toEqual([]);
  });
});

describe('work per message', () => {
  it('DynamoDB: every table and index over 1,000 messages and 50,000 deliveries', () => {
    const w = dynamoDbWork(withDynamo())!;
    // reads 2,000 + 1,100 + 50 + 100 = 3,250; writes 100 + 100 + 200 + 1,002 = 1,402
    expect(w).toMatchObject({ source: 'cloudwatch', readUnits: 3250, writeUnits: 1402, messages: 1000, deliveries: 50_000 });
    expect(w.readUnitsPerMessage).toBeCloseTo(3.25, 12);
    expect(w.writeUnitsPerMessage).toBeCloseTo(1.402, 12);
    expect(w.readUnitsPer1000Deliveries).toBeCloseTo(65, 12); // 3,250 / 50,000 × 1,000
    expect(w.writeUnitsPer1000Deliveries).toBeCloseTo(28.04, 12);
    expect(DynamoDbWork.parse(w)).toEqual(w);
  });

  it('DynamoDB: nothing without AWS/DynamoDB data, and null per message without messages', () => {
    expect(dynamoDbWork(withCloudWatch())).toBeUndefined();
    const idle = withDynamo();
    idle.sends = { ...idle.sends, sent: 0 };
    expect(dynamoDbWork(idle)?.readUnitsPerMessage).toBeNull();
  });

  it('Lambda GB-s: REPORT Duration × Memory Size, else CloudWatch Invocations × average Duration', () => {
    const r = withCloudWatch();
    r.cloudwatch!.reports['fanout-send-message'].durationMsTotal = 28_000;
    const w = lambdaWork(r)!;
    // send: 28,000 ms × 1 GB = 28 GB-s (REPORT); join: 100 × 12.3 ms = 1.23 s × 0.25 GB = 0.3075 GB-s (CloudWatch)
    expect(w.functions['fanout-send-message'].gbSeconds).toBeCloseTo(28, 12);
    expect(w.functions['fanout-join-room'].gbSeconds).toBeCloseTo(0.3075, 12);
    expect(w.gbSeconds).toBeCloseTo(28.3075, 12);
    expect(w.source).toBe('cloudwatch'); // one function had no REPORT lines
    expect(w.gbSecondsPer1000Deliveries).toBeCloseTo(0.56615, 12); // 28.3075 / 50,000 × 1,000
    expect(w.gbSecondsPerMessage).toBeCloseTo(0.0283075, 12);
    expect(LambdaWork.parse(w)).toEqual(w);
  });
});

describe('estimateCost with measured DynamoDB units', () => {
  it('uses AWS/DynamoDB units instead of the per-route assumptions, and says so', () => {
    const c = estimateCost(withDynamo());
    expect(cost(c, 'read request units')).toMatchObject({ quantity: 3250, source: 'cloudwatch' });
    expect(cost(c, 'write request units')).toMatchObject({ quantity: 1402, source: 'cloudwatch' });
    // 3,250 × $0.125 / 1M + 1,402 × $0.625 / 1M
    expect(c.totals.dynamodb).toBeCloseTo(0.00040625 + 0.00087625, 12);
    expect(c.sources.dynamodb).toBe('cloudwatch');
    expect(c.assumptions.find((a) => a.startsWith('DynamoDB units measured'))).toContain('fanout-room-members');
    expect(c.assumptions.some((a) => a.startsWith('DynamoDB units per route'))).toBe(false);
  });
});

describe('routeUnits', () => {
  it('charges a 410 cleanup 3 writes (member row, its GSI entry, connection row) and half a read (the GSI Query of its rooms)', () => {
    const base = { members: 10, connections: 10, payloadBytes: 100 };
    const two = routeUnits('sendMessage', { ...base, gonePerInvocation: 2 });
    const none = routeUnits('sendMessage', { ...base, gonePerInvocation: 0 });
    expect(two.write - none.write).toBe(6);
    expect(two.read - none.read).toBe(1);
  });

  it('reads a broadcast Scan by table size: 1,000 rows × 100 B = ⌈100,000 / 4,096⌉ = 25 RRU', () => {
    expect(routeUnits('broadcast', { members: 0, connections: 1000, payloadBytes: 10, gonePerInvocation: 0 }).read).toBe(25);
  });

  it('charges nothing for whoami and unknown routes', () => {
    const ctx = { members: 5, connections: 5, payloadBytes: 5, gonePerInvocation: 0 };
    expect(routeUnits('whoami', ctx)).toEqual({ read: 0, write: 0 });
    expect(routeUnits('custom', ctx)).toEqual({ read: 0, write: 0 });
  });
});

describe('data transfer out at 32 KB payloads', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fb-cost-transfer-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** 50,000 deliveries of 32 KB payloads, the bytes counted: 50,000 × 33,000 B = 1.65 GB received. */
  const big = () => {
    const r = run();
    r.config.payloadBytes = 32_768;
    r.bytesReceived = 50_000 * 33_000;
    return r;
  };

  it('at the built-in prices: no transfer line, whatever the bytes; the estimate is messages, connection time, Lambda and DynamoDB', () => {
    const c = estimateCost(big());
    expect(c.lines.map((l) => l.service)).not.toContain('Data transfer');
    expect(c.totals.dataTransfer).toBeUndefined();
    expect(c.transferOut).toBe('not-charged');
    expect(c.totals.total).toBeCloseTo(c.totals.lambda + c.totals.apiGateway + c.totals.dynamodb, 12);
    // out: 1,102 responses + 50,000 × ⌈(32,768 + 250) / 32,768⌉ = 1,102 + 100,000 units: the payload's cost is there
    expect(cost(c, 'messages API → clients').quantity).toBe(101_102);
  });

  it('a price file with a transfer price adds the line, from the bytes the clients received', () => {
    const file = join(dir, 'contract.json');
    writeFileSync(file, '{"dataTransferOut":{"outPerGB":0.05}}');
    const c = estimateCost(big(), { priceFile: readPriceFile(file) });
    const dt = cost(c, 'out to the clients');
    expect(dt).toMatchObject({ service: 'Data transfer', unit: 'GB', unitPrice: 0.05, source: 'client' });
    // 1.65e9 B / 2^30 = 1.5367 GB × $0.05 = $0.0768
    expect(dt.quantity).toBeCloseTo(1.65e9 / 2 ** 30, 12);
    expect(dt.cost).toBeCloseTo((1.65e9 / 2 ** 30) * 0.05, 12);
    expect(c.totals.dataTransfer).toBeCloseTo(dt.cost, 12);
    expect(c.totals.total).toBeCloseTo(c.totals.lambda + c.totals.apiGateway + c.totals.dynamodb + dt.cost, 12);
    expect(c.sources.dataTransfer).toBe('client');
    expect(c.transferOut).toBe('priced');
    expect(c.prices).toMatchObject({ source: `file ${file} over table`, dataTransferOut: { outPerGB: 0.05 } });
    expect(c.assumptions).toContain(
      `data transfer out, at the prices' $0.05 per GB (AWS charges none on WebSocket APIs; these prices add it): the ${50_000 * 33_000} bytes of WebSocket messages the harness's clients received (frame headers, TLS and TCP/IP overhead not counted)`,
    );
  });

  it('without counted bytes, a priced transfer line is estimated: each post payload + 250 B, each route response 100 B', () => {
    const r = big();
    delete r.bytesReceived;
    const c = estimateCost(r, { prices: { ...DEFAULT_PRICES, dataTransferOut: { outPerGB: 0.05 } } });
    // 50,000 posts × 33,018 B + 1,102 responses × 100 B = 1,651,010,200 B
    const dt = cost(c, 'out to the clients');
    expect(dt.quantity).toBeCloseTo(1_651_010_200 / 2 ** 30, 12);
    expect(dt.source).toBe('assumption');
    expect(c.sources.dataTransfer).toBe('assumption');
  });
});

describe('Secrets Manager: the stack\'s secrets and the calls CloudWatch counted', () => {
  const withSecrets = (): Results => ({
    ...run(),
    secretsManager: {
      window: { startMs: Date.UTC(2026, 0, 1), endMs: Date.UTC(2026, 0, 1, 0, 1) },
      calls: { GetSecretValue: 150, DescribeSecret: 50 },
      secrets: ['arn:aws:secretsmanager:us-east-1:000000000000:secret:SigningSecret-AbCdEf', 'arn:aws:secretsmanager:us-east-1:000000000000:secret:Other-GhIjKl'],
    },
  });

  it('prices 200 calls at $0.05 per 10,000 and 2 secrets for the run\'s 60 s of a 730-hour month at $0.40', () => {
    const c = estimateCost(withSecrets());
    expect(CostEstimate.parse(c)).toEqual(c);
    const calls = cost(c, 'API calls');
    expect(calls).toMatchObject({ service: 'Secrets Manager', quantity: 200, unitPrice: 0.05, per: 1e4, source: 'cloudwatch' });
    expect(calls.note).toContain('50 DescribeSecret, 150 GetSecretValue');
    // 200 × $0.05 / 10,000 = $0.001
    expect(calls.cost).toBeCloseTo(0.001, 15);
    const secrets = cost(c, 'secrets (2');
    // 2 secrets × 60 s / (730 h × 3,600 s) = 0.0000456621 secret-months, × $0.40
    expect(secrets.quantity).toBeCloseTo((2 * 60) / (730 * 3600), 15);
    expect(secrets.cost).toBeCloseTo(((2 * 60) / (730 * 3600)) * 0.4, 15);
    expect(c.totals.secretsManager).toBeCloseTo(0.001 + ((2 * 60) / (730 * 3600)) * 0.4, 15);
    const without = estimateCost(run());
    expect(c.totals.total - without.totals.total).toBeCloseTo(c.totals.secretsManager!, 15);
    expect(c.sources.secretsManager).toBe('cloudwatch');
    expect(c.assumptions.find((a) => a.startsWith('Secrets Manager:'))).toContain('prorated to the run');
  });

  it('a run without results.secretsManager has no Secrets Manager line or total', () => {
    const c = estimateCost(run());
    expect(c.lines.some((l) => l.service === 'Secrets Manager')).toBe(false);
    expect(c.totals.secretsManager).toBeUndefined();
  });

  it('a price file without secretsManager, for a region the table lacks: said, not priced', () => {
    const { secretsManager: _sm, ...rest } = DEFAULT_PRICES;
    const c = estimateCost(withSecrets(), { prices: { ...rest, region: 'eu-south-9' } });
    expect(c.lines.some((l) => l.service === 'Secrets Manager')).toBe(false);
    expect(c.assumptions.some((a) => a.startsWith('no Secrets Manager prices for eu-south-9'))).toBe(true);
  });
});
