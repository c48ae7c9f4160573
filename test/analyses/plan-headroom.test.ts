import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { headroomAt } from '../../src/analyses/plan/headroom.ts';
import { plannedTraffic } from '../../src/analyses/plan/monthly-cost.ts';
import { planLimits, type LimitFlags } from '../../src/analyses/plan/plan-limits.ts';
import { Headroom, type FunctionWork, type PlanLimitId, type WorkModel } from '../../src/analyses/plan/plan-schema.ts';
import type { Quotas } from '../../src/contracts/quotas-schema.ts';
import { handFunction, handModel } from './plan-models.ts';

/**
 * Headroom at the peak of a hand-made work model, every figure worked by hand: Little's law on
 * the p99s (a fan-out function's scaled to the planned room size), client messages and posts
 * against the account's throttle, a room's partition units, the tables' units in one second, the
 * frame and message sizes, and where each limit's value came from.
 */
const fn = (name: string, route: string, per: FunctionWork['per'], billedMsPer: number, p99Ms: number | null, extra: Partial<FunctionWork> = {}) => handFunction(name, route, per, billedMsPer, { p99Ms, ...extra });

const model: WorkModel = handModel([
  fn('fanout-connect', '$connect', 'connect', 10, 50),
  // no p99 measured: its mean billed ms stands in
  fn('fanout-disconnect', '$disconnect', 'connect', 20, null),
  fn('fanout-join-room', 'joinRoom', 'join', 30, 100),
  // 2 ms per recipient; p99 40 ms measured at rooms of 10
  fn('fanout-send-message', 'sendMessage', 'message', 2, 40),
]);
const NAMES = model.functions.map((f) => f.name);

// 50,000 connections in rooms of 200 (250 rooms), 250 messages/s, sessions of 30 min:
// 50,000 ÷ 1,800 = 27.78 connects/s and as many joins; 250 × 200 = 50,000 recipients (and posts) per second
const traffic = plannedTraffic(model, { connections: 50_000, roomSize: 200, messagesPerS: 250, sessionSec: 1800 });
const CONNECTS = 50_000 / 1800;

const limitsOf = (quotas?: Partial<Quotas['limits']>, flags?: LimitFlags, target?: Record<string, unknown>) =>
  planLimits(
    [{ results: { runId: 'r1', scenario: { name: 'fanout', definition: target ? { target } : {} }, ...(quotas ? { quotas: { limits: quotas, frameEnforced: true, note: '', plan: [] } } : {}) } }],
    { region: 'us-east-1', functions: NAMES, ...(flags ? { flags } : {}) },
  );
const find = (hs: readonly Headroom[], limit: PlanLimitId, scope?: string) => {
  const h = hs.find((x) => x.limit === limit && x.scope === scope);
  if (!h) throw new Error(`no headroom ${limit} ${scope ?? ''}`);
  return h;
};

describe('headroom at the peak, worked by hand', () => {
  const hs = headroomAt(model, traffic, limitsOf());

  it('is valid plan.json headroom, share = needs ÷ of', () => {
    for (const h of hs) {
      expect(Headroom.safeParse(h).success, h.label).toBe(true);
      expect(h.share).toBeCloseTo(h.needs / h.of, 12);
    }
  });

  it("Lambda concurrency by Little's law, the fan-out p99 scaled per recipient to rooms of 200", () => {
    // connect 27.78/s × 0.05 s + disconnect 27.78/s × 0.02 s (mean billed) + join 27.78/s × 0.1 s = 27.78 × 0.17 = 4.72
    // send: 250/s × 0.04 s × (200 ÷ 10) = 250 × 0.8 s = 200
    const h = find(hs, 'lambdaConcurrency');
    expect(h.needs).toBeCloseTo(CONNECTS * 0.17 + 200, 9);
    expect(h.needs).toBeCloseTo(204.7222, 3);
    expect(h.of).toBe(1000);
    expect(h.how).toMatch(/fanout-send-message 250\/s × p99 0\.04 s at rooms of 10 × 20 \(per recipient\) = 0\.8 s/);
    expect(h.how).toMatch(/fanout-disconnect 27\.8\/s × 0\.02 s \(mean billed ms: no p99 measured\)/);
    // each function's scaling: send-message's 200 of 1,000 new environments per 10 s
    expect(find(hs, 'lambdaScaling', 'fanout-send-message')).toMatchObject({ needs: 200, of: 1000, share: 0.2 });
  });

  it("with a fit, the fan-out p99 is scaled by the line's billed ms at 200 over at 10 recipients", () => {
    // billed ms = 10 + 1 × recipients: (10 + 200) ÷ (10 + 10) = 10.5; 0.04 s × 10.5 = 0.42 s; 250/s × 0.42 s = 105
    const fitted: WorkModel = {
      ...model,
      functions: model.functions.map((f) => (f.route === 'sendMessage' ? { ...f, fit: { interceptMs: 10, perRecipientMs: 1, r2: 1, points: [] } } : f)),
    };
    expect(find(headroomAt(fitted, traffic, limitsOf()), 'lambdaConcurrency').needs).toBeCloseTo(CONNECTS * 0.17 + 105, 9);
  });

  it("client messages and @connections posts against the account's throttle", () => {
    // joins 27.78 + sends 250 = 277.78 client messages/s; posts 250 × 200 × 1 = 50,000/s; of 10,000 (us-east-1)
    const h = find(hs, 'accountRequestsPerSecond');
    expect(h.needs).toBeCloseTo(CONNECTS + 250 + 50_000, 9);
    expect(h.of).toBe(10_000);
    expect(h.share).toBeGreaterThan(5);
    expect(h.limitSource).toBe("AWS's documented default for us-east-1");
    // Milan's default is 2,500
    const milan = planLimits([], { region: 'eu-south-1', functions: NAMES });
    expect(milan.accountRequestsPerSecond.value).toBe(2_500);
    // new connections: 27.78 of 500
    expect(find(hs, 'newConnectionsPerSecond').needs).toBeCloseTo(CONNECTS, 12);
    expect(find(hs, 'newConnectionsPerSecond').of).toBe(500);
  });

  it("one room's partitions: its messages and joins (250 rooms of 200)", () => {
    // per room: 250 ÷ 250 = 1 message/s, 27.78 ÷ 250 = 0.111 joins/s and disconnects/s; the member Query of 200 × 100 B = 5 read units
    // members partition reads: 1 × (1 Get member + 5) + 0.111 × 5 (the join's COUNT) = 6.556
    const read = find(hs, 'partitionReadUnits');
    expect(read.needs).toBeCloseTo(6 + (CONNECTS / 250) * 5, 9);
    expect(read.of).toBe(3000);
    // history partition writes: 1 message/s × ⌈(1,000 + 200) / 1 KB⌉ = 2; the members partition's 0.111 + 0.111 is less
    const write = find(hs, 'partitionWriteUnits');
    expect(write.needs).toBeCloseTo(2, 12);
    expect(write.of).toBe(1000);
    expect(write.how).toMatch(/message-history partition: sendMessage 1\/s × 2 = 2; its room-members partition: 0\.222/);
  });

  it("the tables' units in one second of the peak, as the month's cost counts them", () => {
    // reads: disconnect 0.5 + join (1 + 5) per connect, send (2 + 5) per message: 27.78 × 6.5 + 250 × 7 = 1,930.6
    expect(find(hs, 'tableReadUnits').needs).toBeCloseTo(CONNECTS * 6.5 + 1750, 9);
    // writes: connect 1 + disconnect 3 + join 2 per connect, send ⌈1,200 / 1,024⌉ = 2 per message: 27.78 × 6 + 500 = 666.7
    expect(find(hs, 'tableWriteUnits').needs).toBeCloseTo(CONNECTS * 6 + 500, 9);
    expect(find(hs, 'tableWriteUnits')).toMatchObject({ of: 40_000, limitSource: "AWS's documented default table-level maximum for on-demand tables" });
    const provisioned = headroomAt(model, traffic, limitsOf(undefined, { tableCapacity: { read: 1000, write: 500 } }));
    expect(find(provisioned, 'tableReadUnits')).toMatchObject({ of: 1000, limitSource: '--table-capacity (provisioned)' });
    expect(find(provisioned, 'tableWriteUnits').share).toBeCloseTo((CONNECTS * 6 + 500) / 500, 9);
  });

  it('frame, message and session against their limits', () => {
    // the sendMessage frame: 1,000 bytes of payload + a 60-byte envelope; a delivered message 1,250 bytes
    expect(find(hs, 'frameBytes')).toMatchObject({ needs: 1060, of: 32_768 });
    expect(find(hs, 'messageBytes')).toMatchObject({ needs: 1250, of: 131_072 });
    expect(find(hs, 'connectionLifetime')).toMatchObject({ needs: 1800, of: 7200, share: 0.25 });
  });

  it("a limit read from the account wins; the emulator's setting does not", () => {
    const account = limitsOf({ lambdaConcurrency: { value: 3000, source: 'account' }, accountRequestsPerSecond: { value: 20_000, source: 'account' } });
    expect(account.accountConcurrency).toEqual({ value: 3000, source: 'the account (run r1 read it from AWS)' });
    expect(find(headroomAt(model, traffic, account), 'accountRequestsPerSecond').of).toBe(20_000);
    const emulated = limitsOf({ lambdaConcurrency: { value: 50, source: 'emulator-config' }, requestsPerSecond: { value: 500, source: 'emulator-config' } });
    expect(emulated.accountConcurrency.value).toBe(1000);
    expect(emulated.accountConcurrency.source).toMatch(/^AWS's documented default \(run r1's 50 is the emulator's setting, not AWS's\)$/);
    // the emulator's stage throttle is no limit of the account's
    expect(headroomAt(model, traffic, emulated).some((h) => h.limit === 'stageRequestsPerSecond')).toBe(false);
    // a flag wins over the account
    expect(limitsOf({ lambdaConcurrency: { value: 3000, source: 'account' } }, { accountConcurrency: 5000 }).accountConcurrency).toEqual({ value: 5000, source: '--account-concurrency' });
  });

  it("a reservation, from the run's scenario or --reserved, holds its function apart from the account's pool", () => {
    // send-message reserved 150: needs 200 of 150; the others' 4.72 of 1,000 - 150
    const hsR = headroomAt(model, traffic, limitsOf(undefined, undefined, { reserved: { 'fanout-send-message': 150 } }));
    const r = find(hsR, 'reservedConcurrency', 'fanout-send-message');
    expect(r).toMatchObject({ needs: 200, of: 150, limitSource: "run r1's scenario (target.reserved)" });
    expect(find(hsR, 'lambdaConcurrency')).toMatchObject({ of: 850, label: 'account Lambda concurrency (unreserved)' });
    expect(find(hsR, 'lambdaConcurrency').needs).toBeCloseTo(CONNECTS * 0.17, 9);
    const flagged = limitsOf(undefined, { reserved: { 'fanout-send-message': 400 } }, { reserved: { 'fanout-send-message': 150 } });
    expect(flagged.reserved['fanout-send-message']).toEqual({ value: 400, source: '--reserved' });
    expect(() => limitsOf(undefined, { reserved: { 'no-such-fn': 10 } })).toThrow(UserError);
    expect(() => limitsOf(undefined, { reserved: { 'no-such-fn': 10 } })).toThrow(/^--reserved no-such-fn: the runs have no function no-such-fn/);
    expect(() => limitsOf(undefined, { reserved: { 'fanout-send-message': 1000 } })).toThrow(/^--reserved: 1,000 reserved in all leaves none/);
  });
});
