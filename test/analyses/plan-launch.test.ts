import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/analyses/plan/build-plan.ts';
import { Plan } from '../../src/analyses/plan/plan-schema.ts';
import { readPlanDirs } from '../../src/analyses/plan/run-dirs.ts';
import { RESULTS_FILE } from '../../src/metrics/results/run-dir.ts';
import { readComparison } from '../../src/report/compare/read-comparison.ts';
import { COMPARE_FILES } from '../../src/report/compare/write.ts';
import { readResults } from '../../src/report/run/results-file.ts';

/**
 * The launch question of docs/plan.md: from a real `compare --room-size 10,100,1000` sweep on the
 * emulator (test/fixtures/plan/README.md), 50,000 connections in rooms of 200, 250 messages a
 * second, sessions of 30 minutes. The arithmetic is worked by hand below from the work model's
 * own figures (its measured rates per operation, the fan-out line, the p99s): 32 KB units,
 * connection minutes, Little's law, a room's partition, and the first limit to break with its
 * scale and the month's cost by line.
 */
const SWEEP = fileURLToPath(new URL('../fixtures/plan/sweep-10-100-1000', import.meta.url));
const MONTH_S = 30 * 24 * 3600; // 2,592,000

describe('plan of a room-size sweep at launch traffic', async () => {
  const { runs } = await readPlanDirs([SWEEP], { resultsFile: RESULTS_FILE, readResults, comparisonFile: COMPARE_FILES.json, readComparison });
  const plan = buildPlan({
    runs,
    traffic: { connections: 50_000, roomSize: 200, messagesPerS: 250, sessionSec: 1_800 },
    toolVersion: 'test',
    createdAt: '2026-11-25T00:00:00.000Z',
  });
  const w = plan.workModel;
  const fn = (name: string) => w.functions.find((f) => f.name === name)!;
  const line = (item: string) => plan.cost.lines.find((l) => l.item.startsWith(item))!;
  const limit = (id: string) => plan.headroom.find((h) => h.limit === id)!;
  // the peak's rates: connects 50,000 / 1,800 s; joins as many per connect as the runs made
  const connectsPerS = 50_000 / 1_800;
  const joinsPerS = connectsPerS * w.joinsPerConnect;

  it('reads the three room sizes and fits the fan-out line over them', () => {
    expect(Plan.safeParse(plan).success).toBe(true);
    expect(w.runs.map((r) => Math.round(r.roomSize))).toEqual([10, 100, 1000]);
    const fit = fn('fanout-send-message').fit!;
    expect(fit.points.map((p) => Math.round(p.recipients))).toEqual([10, 100, 1000]);
    // the emulator's fan-out is nearly a straight line in the recipients
    expect(fit.r2).toBeGreaterThan(0.95);
    expect(fit.perRecipientMs).toBeGreaterThan(0);
  });

  it('prices the month by line: 32 KB units, connection minutes, requests', () => {
    // 50,000 connections held 43,200 minutes each
    expect(line('connection-minutes').quantity).toBe(50_000 * 43_200);
    // every message (payload + envelope well under 32 KB) is one unit: each client frame in, a route
    // response back for each, and one post per recipient: 250/s × 200 × posts per recipient
    // (createRoom: once per room, 250 of them)
    const framesIn = (joinsPerS + 250) * MONTH_S + plan.traffic.totals.rooms;
    expect(line('messages client → API').quantity).toBeCloseTo(framesIn, -3);
    const posts = 250 * 200 * w.posts.perRecipient * MONTH_S;
    expect(line('messages API → clients').quantity).toBeCloseTo(framesIn + posts, -3);
    // 130 billion messages a month reach the second tier: 1 billion at $1.00 per million, the rest at $0.80
    const messages = line('messages client → API').quantity + line('messages API → clients').quantity;
    const apiMessages = line('messages client → API').cost + line('messages API → clients').cost;
    expect(apiMessages).toBeCloseTo(1_000 + ((messages - 1e9) / 1e6) * 0.8, 2);
    // Lambda requests: every invocation, $0.20 per million
    const invocations = Object.values(plan.cost.invocations).reduce((a, b) => a + b, 0);
    expect(line('requests').quantity).toBeCloseTo(invocations, 0);
    expect(line('requests').cost).toBeCloseTo((invocations / 1e6) * 0.2, 6);
    expect(plan.cost.totals.total).toBeCloseTo(plan.cost.lines.reduce((a, l) => a + l.cost, 0), 6);
  });

  it("holds Lambda's concurrency by Little's law, the fan-out's p99 read off its line at rooms of 200", () => {
    const send = fn('fanout-send-message');
    const at = (r: number) => send.fit!.interceptMs + send.fit!.perRecipientMs * r;
    // p99 measured at rooms of 1,000, scaled by the line's billed ms at 200 over at 1,000
    const sendS = (send.p99Ms! * (at(200) / at(send.p99AtRecipients!))) / 1000;
    const perConnectS = ['fanout-connect', 'fanout-disconnect'].reduce((s, n) => s + fn(n).invocationsPer * connectsPerS * (fn(n).p99Ms! / 1000), 0);
    const joinS = fn('fanout-join-room').invocationsPer * joinsPerS * (fn('fanout-join-room').p99Ms! / 1000);
    const expected = 250 * send.invocationsPer * sendS + perConnectS + joinS;
    // createRoom: 250 rooms over a month, nothing at the peak
    expect(limit('lambdaConcurrency').needs).toBeCloseTo(expected, 1);
    expect(limit('lambdaConcurrency').of).toBe(1_000);
  });

  it("holds one room's partition: a message a second per room, its history item one write unit", () => {
    // 250 messages/s over 50,000 / 200 = 250 rooms: 1 message per room per second
    const writes = limit('partitionWriteUnits');
    expect(writes.needs).toBeCloseTo(1, 3);
    expect(writes.of).toBe(1_000);
    expect(limit('partitionReadUnits').of).toBe(3_000);
  });

  it('names the first limit to break and its scale: the account throttle, already passed', () => {
    const account = limit('accountRequestsPerSecond');
    // client messages (joins and sends) + posts: 27.8 + 250 + 50,000 a second, against 10,000
    expect(account.needs).toBeCloseTo(joinsPerS + 250 + 250 * 200 * w.posts.perRecipient, 0);
    expect(account.of).toBe(10_000);
    const b = plan.firstBreak!;
    expect(b).toMatchObject({ axis: 'connections', limit: 'accountRequestsPerSecond' });
    // everything the throttle counts grows with the connections: it breaks at 10,000 / needs of them
    expect(b.factor).toBeCloseTo(10_000 / account.needs, 4);
    expect(b.traffic.connections).toBeCloseTo(50_000 * b.factor, 0);
    expect(b.moves).toMatch(/throttle/);
    // the cost there is the month at that traffic
    const there = buildPlan({
      runs,
      traffic: { connections: b.traffic.connections, roomSize: 200, messagesPerS: b.traffic.messagesPerS, sessionSec: 1_800 },
      toolVersion: 'test',
      createdAt: '2026-11-25T00:00:00.000Z',
    });
    expect(b.monthlyCost).toBeCloseTo(there.cost.totals.total, 2);
  });
});
