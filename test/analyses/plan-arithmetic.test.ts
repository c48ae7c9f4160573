import { describe, expect, it } from 'vitest';
import { PLAN_MONTH_SEC, planCost, plannedTraffic } from '../../src/analyses/plan/monthly-cost.ts';
import type { FunctionWork, WorkModel } from '../../src/analyses/plan/plan-schema.ts';
import { applyPriceOverride } from '../../src/contracts/prices.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { handFunction, handModel } from './plan-models.ts';

/**
 * A flat month of a hand-made work model, every figure worked by hand: 32 KB message units,
 * connection minutes, GB-seconds, requests and DynamoDB units per route; billed INIT per cold
 * start, flat and with a daily profile.
 */
const fn = (name: string, route: string, per: FunctionWork['per'], billedMsPer: number, memoryMB: number) => handFunction(name, route, per, billedMsPer, { memoryMB });

const model: WorkModel = handModel(
  [
    fn('fanout-connect', '$connect', 'connect', 10, 256),
    fn('fanout-disconnect', '$disconnect', 'connect', 20, 256),
    fn('fanout-join-room', 'joinRoom', 'join', 30, 256),
    fn('fanout-send-message', 'sendMessage', 'message', 2, 1024),
  ],
  { payloadBytes: 40_000, bytesPerPost: 40_250 },
);

describe('plan: a flat month worked by hand', () => {
  // 1,000 connections, rooms of 10, 5 messages/s, sessions of 30 min: 1,000 / 1,800 s connects/s
  const traffic = plannedTraffic(model, { connections: 1000, roomSize: 10, messagesPerS: 5, sessionSec: 1800 });
  const cost = planCost(model, traffic, { prices: DEFAULT_PRICES, architecture: 'x86_64', connectionSource: 'assumption' });
  const line = (item: string) => {
    const l = cost.lines.find((x) => x.item.startsWith(item));
    if (!l) throw new Error(`no line ${item}`);
    return l;
  };

  it('holds the traffic 24 h a day for 30 days', () => {
    expect(PLAN_MONTH_SEC).toBe(2_592_000);
    expect(traffic.totals.connects).toBeCloseTo(1_440_000, 6); // 1,000 / 1,800 × 2,592,000
    expect(traffic.totals.joins).toBeCloseTo(1_440_000, 6);
    expect(traffic.totals.messages).toBe(12_960_000);
    expect(traffic.totals.recipients).toBe(129_600_000);
    expect(traffic.totals.rooms).toBe(100);
  });

  it('connection minutes: 1,000 connections × 43,200 minutes, $0.25 per million', () => {
    expect(line('connection-minutes').quantity).toBe(43_200_000);
    expect(line('connection-minutes').cost).toBeCloseTo(10.8, 9);
  });

  it('Lambda requests and GB-seconds at each memory', () => {
    expect(cost.invocations).toEqual({ 'fanout-connect': 1_440_000, 'fanout-disconnect': 1_440_000, 'fanout-join-room': 1_440_000, 'fanout-send-message': 12_960_000 });
    expect(line('requests').quantity).toBeCloseTo(17_280_000, 4);
    expect(line('requests').cost).toBeCloseTo(3.456, 9);
    // 1.44 M × 10 ms × 0.25 GB; send: 129.6 M recipients × 2 ms × 1 GB
    expect(line('fanout-connect compute').quantity).toBeCloseTo(3_600, 6);
    expect(line('fanout-disconnect compute').quantity).toBeCloseTo(7_200, 6);
    expect(line('fanout-join-room compute').quantity).toBeCloseTo(10_800, 6);
    expect(line('fanout-send-message compute (1024 MB').quantity).toBeCloseTo(259_200, 6);
    expect(line('fanout-send-message compute').cost).toBeCloseTo(259_200 * 0.0000166667, 6);
  });

  it('API Gateway messages in 32 KB units: a 40,000-byte payload is two units each way', () => {
    // in: 1.44 M joins × 1 + 12.96 M sends × ⌈40,060 / 32,768⌉ = 2
    expect(line('messages client').quantity).toBeCloseTo(27_360_000, 4);
    // out: a response per frame in (14.4 M) + 129.6 M posts × ⌈40,250 / 32,768⌉ = 2
    expect(line('messages API').quantity).toBeCloseTo(273_600_000, 4);
    expect(cost.totals.apiGateway).toBeCloseTo(27.36 + 273.6 + 10.8, 6);
  });

  it('DynamoDB units per route at rooms of 10', () => {
    // reads: disconnect 0.5, join 1 + ⌈10 × 100 B / 4 KB⌉ = 2, send 2 + 1 = 3
    expect(line('read request units').quantity).toBeCloseTo(0.72e6 + 2.88e6 + 38.88e6, 3);
    // writes: connect 1, disconnect 3, join 2, send ⌈(40,000 + 200) / 1 KB⌉ = 40
    expect(line('write request units').quantity).toBeCloseTo(1.44e6 + 4.32e6 + 2.88e6 + 518.4e6, 3);
    expect(cost.totals.dynamodb).toBeCloseTo(42.48 * 0.125 + 527.04 * 0.625, 6);
    expect(cost.totals.total).toBeCloseTo(cost.totals.lambda + cost.totals.apiGateway + cost.totals.dynamodb, 9);
  });
});

describe('plan: billed INIT per cold start, worked by hand', () => {
  // the runs: 10 connects with 6 cold starts of 200 ms billed INIT; 10 messages with 2 of 300 ms
  const initModel: WorkModel = {
    ...model,
    functions: [
      { ...fn('fanout-connect', '$connect', 'connect', 10, 256), p99Ms: 100, initBilledMsPerColdStart: 200, coldStarts: 6 },
      fn('fanout-join-room', 'joinRoom', 'join', 30, 256),
      { ...fn('fanout-send-message', 'sendMessage', 'message', 2, 1024), p99Ms: 250, p99AtRecipients: 10, initBilledMsPerColdStart: 300, coldStarts: 2 },
    ],
  };
  // 100,000 connections in rooms of 10, 2,000 messages/s, sessions of 30 min: 55.6 connects/s
  const peak = { connections: 100_000, roomSize: 10, messagesPerS: 2000, sessionSec: 1800 };
  const price = { prices: DEFAULT_PRICES, architecture: 'x86_64' as const, connectionSource: 'assumption' as const };
  const lineOf = (c: ReturnType<typeof planCost>, item: string) => c.lines.find((l) => l.item.startsWith(item));

  it('flat: the peak\'s environments by Little\'s law, each started once', () => {
    const cost = planCost(initModel, plannedTraffic(initModel, peak), price);
    // connect: 100,000 / 1,800 s = 55.6/s × p99 0.1 s = 5.56 concurrent: 6 environments;
    // 6 × 0.2 s × 0.25 GB = 0.3 GB-s × $0.0000166667
    expect(lineOf(cost, 'fanout-connect INIT (256 MB, x86_64)')!.quantity).toBeCloseTo(0.3, 9);
    expect(lineOf(cost, 'fanout-connect INIT')!.cost).toBeCloseTo(0.3 * 0.0000166667, 12);
    // send: 2,000/s × p99 0.25 s = 500 environments; 500 × 0.3 s × 1 GB = 150 GB-s = $0.002500005
    const send = lineOf(cost, 'fanout-send-message INIT (1024 MB, x86_64)')!;
    expect(send.quantity).toBeCloseTo(150, 9);
    expect(send.cost).toBeCloseTo(0.002500005, 12);
    expect(send.source).toBe('report-lines');
    expect(send.note).toMatch(/^500 environments at the peak \(Little's law: 2,000\/s × 250 ms = 500\), started once, × 300 ms billed INIT each .*a lower bound/);
    // no INIT measured for join: no line
    expect(lineOf(cost, 'fanout-join-room INIT')).toBeUndefined();
    // compute leaves INIT out: 144 M connects × 10 ms × 0.25 GB (the runs' 6 cold starts in 10
    // connects, scaled per invocation, would have been 86.4 M cold starts)
    expect(lineOf(cost, 'fanout-connect compute')!.quantity).toBeCloseTo(360_000, 6);
    expect(cost.totals.lambda).toBeCloseTo(cost.lines.filter((l) => l.service === 'Lambda').reduce((s, l) => s + l.cost, 0), 12);
  });

  it('with a daily profile: the lowest hour\'s environments once, and 30 days of the daily rise to the peak', () => {
    const profile = { hours: Array.from({ length: 24 }, (_, h) => (h >= 18 && h < 22 ? 1 : 0.25)), source: 'by hand' };
    const cost = planCost(initModel, plannedTraffic(initModel, { ...peak, profile }), price);
    // connect: at 0.25 of the peak 1.39 concurrent, 2 environments; at the peak 6: 2 + 30 × 4 = 122
    // cold starts × 0.2 s × 0.25 GB = 6.1 GB-s
    expect(lineOf(cost, 'fanout-connect INIT')!.quantity).toBeCloseTo(6.1, 9);
    // send: 125 at the lowest hour, 500 at the peak: 125 + 30 × 375 = 11,375 × 0.3 s × 1 GB =
    // 3,412.5 GB-s × $0.0000166667 = $0.05687511
    const send = lineOf(cost, 'fanout-send-message INIT')!;
    expect(send.quantity).toBeCloseTo(3_412.5, 9);
    expect(send.cost).toBeCloseTo(0.0568751138, 9);
    expect(send.note).toMatch(/^125 environments at the lowest hour \(× 0\.25 of the peak\) started once \+ 30 days × the daily rise to 500 at the peak \(Little's law\) = 11,375 cold starts/);
  });

  it('no INIT line where the prices do not bill INIT', () => {
    const prices = applyPriceOverride(DEFAULT_PRICES, { lambda: { initBilled: false } });
    const cost = planCost(initModel, plannedTraffic(initModel, peak), { ...price, prices });
    expect(cost.lines.filter((l) => l.item.includes(' INIT ('))).toEqual([]);
  });
});
