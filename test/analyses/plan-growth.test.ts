import { describe, expect, it } from 'vitest';
import { growTraffic, grownTraffic, type GrowthInput } from '../../src/analyses/plan/growth.ts';
import { planCost, plannedTraffic, type TrafficInput } from '../../src/analyses/plan/monthly-cost.ts';
import { planLimits, type PlanLimits } from '../../src/analyses/plan/plan-limits.ts';
import { Growth, type FunctionWork, type GrowthAxis, type Plan, type WorkModel } from '../../src/analyses/plan/plan-schema.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { firstBreakLines } from '../../src/report/plan/limits-text.ts';
import { handFunction, handModel } from './plan-models.ts';

/**
 * The first limit to break, grown along each axis, against the factor solved by hand: each share
 * is a line (or a step) in the factor, so where it reaches 1 can be worked out; the cost there is
 * the month's cost of the traffic at that factor.
 */
const fn = (name: string, route: string, per: FunctionWork['per'], billedMsPer: number, p99Ms: number) => handFunction(name, route, per, billedMsPer, { p99Ms });

const model: WorkModel = handModel([
  fn('fanout-connect', '$connect', 'connect', 10, 50),
  fn('fanout-disconnect', '$disconnect', 'connect', 20, 20),
  fn('fanout-join-room', 'joinRoom', 'join', 30, 100),
  fn('fanout-send-message', 'sendMessage', 'message', 2, 40),
]);
const price = { prices: DEFAULT_PRICES, architecture: 'x86_64' as const, connectionSource: 'assumption' as const };
const documented = () => planLimits([], { region: 'us-east-1', functions: model.functions.map((f) => f.name) });

function grow(peak: TrafficInput, first: GrowthAxis, limits: PlanLimits = documented(), m: WorkModel = model): Growth[] {
  const input: GrowthInput = { model: m, peak, sessionGiven: true, limits, price, first };
  const growth = growTraffic(input);
  for (const g of growth) expect(Growth.safeParse(g).success).toBe(true);
  return growth;
}
const costAt = (peak: TrafficInput, axis: GrowthAxis, factor: number) => planCost(model, plannedTraffic(model, grownTraffic(peak, axis, factor)), price).totals.total;

describe('the first limit to break', () => {
  // 10,000 connections in rooms of 10, 1 message/s, sessions of a minute: 166.7 connects/s (and joins)
  const peak: TrafficInput = { connections: 10_000, roomSize: 10, messagesPerS: 1, sessionSec: 60 };

  it('connections: new connections per second first, at 500 ÷ 166.7 connects/s = 3', () => {
    // the others at the peak: concurrency 166.7 × 0.17 s + 1 × 0.04 s = 28.4 of 1,000; posts and messages 177.7 of 10,000;
    // table writes 166.7 × 6 + 2 = 1,002 of 40,000: each grows as the connections do, so each breaks later
    const growth = grow(peak, 'connections');
    expect(growth.map((g) => g.axis)).toEqual(['connections', 'roomSize', 'messagesPerS']);
    const b = growth[0]!.firstBreak!;
    expect(b).toMatchObject({ axis: 'connections', limit: 'newConnectionsPerSecond' });
    expect(b.factor).toBeCloseTo(3, 9);
    expect(b.traffic.connections).toBeCloseTo(30_000, 4);
    expect(b.traffic.messagesPerS).toBeCloseTo(3, 9);
    expect(b.monthlyCost).toBeCloseTo(costAt(peak, 'connections', 3), 4);
    expect(b.moves).toMatch(/quota increase/);
    expect(firstBreakLines({ growth, headroom: [] } as unknown as Plan)[0]).toBe(`first to break: API Gateway new connections per second at 3 × connections (30,000 connections), $${b.monthlyCost.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}/month there`);
  });

  it('room size: the same rooms filled, so the connects grow as the connections do: again at 3', () => {
    const b = grow(peak, 'roomSize')[0]!.firstBreak!;
    expect(b).toMatchObject({ axis: 'roomSize', limit: 'newConnectionsPerSecond' });
    expect(b.factor).toBeCloseTo(3, 9);
    expect(b.traffic).toMatchObject({ roomSize: expect.closeTo(30, 9), messagesPerS: 1 });
  });

  it("message rate: the account's throttle, at (10,000 − 166.7 joins/s) ÷ (1 message + 10 posts) = 893.9", () => {
    const b = grow(peak, 'messagesPerS')[0]!.firstBreak!;
    expect(b).toMatchObject({ axis: 'messagesPerS', limit: 'accountRequestsPerSecond' });
    const solved = (10_000 - 10_000 / 60) / 11;
    expect(b.factor).toBeCloseTo(solved, 6);
    expect(b.traffic.messagesPerS).toBeCloseTo(solved, 6);
    expect(b.monthlyCost).toBeCloseTo(costAt(peak, 'messagesPerS', solved), 4);
  });

  it("room size, with the Lambda, API Gateway and table limits out of the way: a room's partition reads, a step of the member Query", () => {
    // 100,000 connections in 100 rooms of 1,000, 500 messages/s: each room 5 messages/s whatever its size.
    // Its members partition reads 5 × (1 + ⌈1,000 f × 100 B / 4 KB⌉) (+ joins, 0.001 connects/s: nothing): 3,000 when the
    // Query is 599 units, first when 1,000 f × 100 > 598 × 4,096, at f = 24.494
    const big: TrafficInput = { connections: 100_000, roomSize: 1000, messagesPerS: 500, connectsPerS: 0.001, sessionSec: 1800 };
    const limits = planLimits([], { region: 'us-east-1', functions: model.functions.map((f) => f.name), flags: { accountConcurrency: 1e9, tableCapacity: { read: 1e9, write: 1e9 } } });
    const raised: PlanLimits = { ...limits, scalingPer10s: { value: 1e9, source: 'test' }, accountRequestsPerSecond: { value: 1e12, source: 'test' } };
    const b = grow(big, 'roomSize', raised)[0]!.firstBreak!;
    expect(b).toMatchObject({ axis: 'roomSize', limit: 'partitionReadUnits' });
    const solved = (598 * 4096) / 100_000;
    expect(b.factor).toBeCloseTo(solved, 9);
    expect(b.traffic.roomSize).toBeCloseTo(1000 * solved, 6);
    expect(b.traffic.connections).toBeCloseTo(100_000 * solved, 4);
    // the cost there: the month at that traffic, the member Query already at 599 units
    const at = { ...big, roomSize: 1000 * b.factor, connections: 100_000 * b.factor, connectsPerS: 0.001 * b.factor };
    expect(b.monthlyCost).toBeCloseTo(planCost(model, plannedTraffic(model, at), price).totals.total, 4);
  });

  it('a limit passed at the peak breaks below it: sessions of 10 s are 1,000 connects/s, twice the 500', () => {
    const growth = grow({ ...peak, sessionSec: 10 }, 'connections');
    const b = growth[0]!.firstBreak!;
    expect(b).toMatchObject({ limit: 'newConnectionsPerSecond' });
    expect(b.factor).toBeCloseTo(0.5, 9);
    expect(b.atEveryScale).toBeUndefined();
    // the curves reach down to it
    expect(growth[0]!.points[0]!.factor).toBeLessThan(0.5);
    expect(firstBreakLines({ growth, headroom: [] } as unknown as Plan)[0]).toMatch(/^first to break: API Gateway new connections per second, already passed at the planned peak: it holds only up to 0\.5 × connections \(5,000 connections\)/);
  });

  it('a size the traffic does not move is passed at every scale', () => {
    // a delivered message of 200,000 bytes is over 128 KB at any traffic
    const growth = grow(peak, 'connections', documented(), { ...model, bytes: { perPost: 200_000, source: 'client', runs: ['r1'] } });
    expect(growth[0]!.firstBreak).toMatchObject({ limit: 'messageBytes', factor: 1, atEveryScale: true });
    expect(growth[0]!.firstBreak!.traffic).toEqual({ connections: 10_000, roomSize: 10, messagesPerS: 1 });
  });

  it('nothing passed up to 1,000 ×: no first break', () => {
    // one connection a minute in a room of 2, one message a minute
    const growth = grow({ connections: 2, roomSize: 2, messagesPerS: 1 / 60, sessionSec: 60 }, 'messagesPerS');
    expect(growth[0]!.firstBreak).toBeNull();
    expect(growth[0]!.points.at(-1)!.factor).toBe(1000);
  });
});
