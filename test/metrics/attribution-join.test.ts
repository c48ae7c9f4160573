import { describe, expect, it } from 'vitest';
import { Attribution, COLD_POINTS_MAX, STACK_STEPS_MAX } from '../../src/contracts/attribution-schema.ts';
import { stepsOf } from '../../src/metrics/attribution/latency-steps.ts';
import { clientUserAgent } from '../../src/contracts/client-user-agent.ts';
import type { AccessLine } from '../../src/metrics/attribution/access-log-format.ts';
import { AttributionJoin, type JoinOptions } from '../../src/metrics/attribution/attribution-join.ts';
import { decodeHistogram } from '../../src/metrics/measurement/histogram.ts';
import { RequestTrace } from '../../src/metrics/measurement/request-trace.ts';
import { FRAME_JOIN, FRAME_KEEPALIVE, FRAME_SEND, TRACE_CONNECT, TRACE_FRAME } from '../../src/metrics/measurement/trace-records.ts';

/**
 * A hand-built run: the fleet's trace (the real RequestTrace store), API Gateway's access lines
 * and the REPORT facts, joined. Clients (all on connection 0 of shard 0):
 * - 0: a cold $connect (500 ms), a warm join, a send to a cold sendMessage: its 3 deliveries cold
 * - 1: warm connect, join and send: its 3 deliveries warm
 * - 2: two frames but one MESSAGE line: neither frame nor its send's delivery attributed
 * - 3: two MESSAGE lines at the same ms, one cold one warm: neither attributed
 * - 4: its $connect invocation has no REPORT line;  5: no CONNECT line at all
 * - 6: two MESSAGE lines at the same ms whose invocations say the same: attributed
 * plus another run's connection and lines, which the join ignores.
 */
const RUN = 'run-1';
const T = 1_800_000_000_000;

type Row = [kind: number, client: number, frame: number, what: number, intendedMs: number, doneMs: number, slot: number];
const rows: Row[] = [];
const connect = (client: number, at: number, ms: number) => rows.push([TRACE_CONNECT, client, 0, 0, at, at + ms, -1]);
const frame = (client: number, n: number, what: number, at: number, ms: number, slot = -1) => rows.push([TRACE_FRAME, client, n, what, at, ms > 0 ? at + ms : 0, slot]);

connect(0, T, 500);
frame(0, 1, FRAME_JOIN, T + 1000, 30);
frame(0, 2, FRAME_SEND, T + 2000, 40, 0);
connect(1, T + 10, 50);
frame(1, 1, FRAME_JOIN, T + 1010, 20);
frame(1, 2, FRAME_SEND, T + 2010, 25, 1);
connect(2, T + 20, 60);
frame(2, 1, FRAME_JOIN, T + 1020, 22);
frame(2, 2, FRAME_SEND, T + 2020, 24, 2);
connect(3, T + 30, 70);
frame(3, 1, FRAME_JOIN, T + 1030, 21);
frame(3, 2, FRAME_KEEPALIVE, T + 1030, 23);
connect(4, T + 40, 80);
connect(5, T + 50, 90);
connect(6, T + 60, 65);
frame(6, 1, FRAME_JOIN, T + 1060, 26);
frame(6, 2, FRAME_JOIN, T + 1060, 27);

function trace(): RequestTrace {
  const t = new RequestTrace();
  t.addTrace(0, Float64Array.from(rows.flatMap(([kind, client, n, what, at, done, slot]) => [kind, client, 0, n, what, at, done, slot])));
  const deliveries: number[] = [];
  for (const ms of [300, 310, 320]) deliveries.push(0, 0, ms * 1000);
  for (let i = 0; i < 3; i++) deliveries.push(0, 1, 30_000);
  deliveries.push(0, 2, 35_000);
  t.addDeliveries(Float64Array.from(deliveries));
  t.addCompletion(0, 330_000);
  t.addCompletion(2 ** 32 + 1, 40_000);
  t.addCompletion(1, 40_000);
  return t;
}

const inv = (name: string) => `inv-${name}`;
function lines(runId = RUN): AccessLine[] {
  const out: AccessLine[] = [];
  const connectLine = (client: number, at: number, invocation?: string) =>
    out.push({ connectionId: `c${client}`, eventType: 'CONNECT', routeKey: '$connect', requestTimeEpoch: at, status: 200, userAgent: clientUserAgent(runId, client, 0), ...(invocation ? { integrationRequestId: invocation } : {}) });
  const message = (client: number, route: string, at: number, invocation: string) =>
    out.push({ connectionId: `c${client}`, eventType: 'MESSAGE', routeKey: route, requestTimeEpoch: at, status: 200, integrationRequestId: invocation });
  // given out of order, as log streams interleave: the join orders each connection's lines by time
  message(0, 'sendMessage', T + 2001, inv('send0'));
  for (const c of [0, 1, 2, 3, 4, 6]) connectLine(c, T + c * 10, inv(`connect${c}`));
  message(0, 'joinRoom', T + 1001, inv('join0'));
  message(1, 'sendMessage', T + 2011, inv('send1'));
  message(1, 'joinRoom', T + 1011, inv('join1'));
  message(2, 'joinRoom', T + 1021, inv('join2'));
  message(3, 'joinRoom', T + 1031, inv('join3'));
  message(3, '$default', T + 1031, inv('ping3'));
  message(6, 'joinRoom', T + 1061, inv('join6a'));
  message(6, 'joinRoom', T + 1061, inv('join6b'));
  out.push({ connectionId: 'c0', eventType: 'DISCONNECT', routeKey: '$disconnect', requestTimeEpoch: T + 9000, integrationRequestId: inv('bye0') });
  return out;
}

/** Another run's client 0 on another connection ID, with a line that would break client 0's count were it counted. */
const OTHER_RUN: AccessLine[] = [
  { connectionId: 'x0', eventType: 'CONNECT', routeKey: '$connect', requestTimeEpoch: T, userAgent: clientUserAgent('run-2', 0, 0), integrationRequestId: 'other-connect' },
  { connectionId: 'x0', eventType: 'MESSAGE', routeKey: 'joinRoom', requestTimeEpoch: T + 5, integrationRequestId: 'other-join' },
  { connectionId: 'b0', eventType: 'CONNECT', routeKey: '$connect', requestTimeEpoch: T, userAgent: 'Mozilla/5.0', integrationRequestId: 'browser-connect' },
];

const COLD = new Set(['connect0', 'send0', 'ping3']);
const INIT: Record<string, number> = { connect0: 200, send0: 150, ping3: 90 };

/**
 * `restored`: invocations a SnapStart restore served (name → Restore Duration), in place of their
 * REPORT line's own; `provisioned`: invocations a provisioned environment served (warm)
 */
function join(o: Partial<JoinOptions> = {}, waits: Record<string, number> = {}, restored: Record<string, number> = {}, provisioned = new Set<string>()): { attribution: Attribution; histograms: Record<string, string>; wanted: string[] } {
  const t = trace();
  const j = new AttributionJoin(t.requests(), t.deliveries(), t.completions(), {
    runId: RUN,
    source: { accessLog: 'enable', logGroup: '/aws/apigateway/chat' },
    routeFunctions: { $connect: 'ConnectFn' },
    local: false,
    ...o,
  });
  for (const l of [...OTHER_RUN, ...lines()]) j.addAccessLine(l);
  const names = ['connect0', 'connect1', 'connect2', 'connect3', 'connect4', 'connect6', 'send0', 'join0', 'send1', 'join1', 'join2', 'join3', 'ping3', 'join6a', 'join6b', 'bye0'];
  const wanted = [...names.map(inv), 'other-connect', 'other-join', 'browser-connect'].filter((id) => j.wants(id));
  for (const name of names) {
    if (name === 'connect4') continue; // its REPORT line never came
    const restoreMs = restored[name];
    if (restoreMs !== undefined) j.addInvocation(inv(name), { cold: true, restoreDurationMs: restoreMs, functionName: 'OtherFn', environment: 'snap-start' });
    else if (provisioned.has(name)) j.addInvocation(inv(name), { cold: false, functionName: 'ConnectFn', environment: 'provisioned-concurrency' });
    else j.addInvocation(inv(name), { cold: COLD.has(name), ...(COLD.has(name) ? { initDurationMs: INIT[name] } : {}), functionName: name.startsWith('send') ? 'SendFn' : 'OtherFn' });
  }
  j.addInvocation('other-join', { cold: true, initDurationMs: 1 });
  for (const [name, ms] of Object.entries(waits)) j.addHostWait(inv(name), ms);
  return { ...j.finish(), wanted };
}

describe('AttributionJoin', () => {
  const { attribution: a, histograms, wanted } = join();

  it('writes what the contract says', () => {
    expect(() => Attribution.parse(a)).not.toThrow();
    expect(a.source).toBe('access-log');
    expect(a.accessLog).toBe('enable');
    expect(a.logGroup).toBe('/aws/apigateway/chat');
  });

  it("wants the REPORT lines of the run's invocations only, not another run's nor a DISCONNECT's", () => {
    expect(wanted).not.toContain('other-connect');
    expect(wanted).not.toContain('other-join');
    expect(wanted).not.toContain('browser-connect');
    expect(wanted).not.toContain(inv('bye0'));
    expect(wanted).toContain(inv('connect0'));
    expect(wanted).toContain(inv('send0'));
    expect(wanted).toContain(inv('join2'));
  });

  it('splits connects cold against warm: penalty, tail share, p99 with and without the cold ones', () => {
    const c = a.connect!;
    expect(c.all.count).toBe(7);
    expect(c.cold?.count).toBe(1);
    expect(c.cold?.p50).toBeCloseTo(500, 0);
    expect(c.warm?.count).toBe(4);
    expect(c.warm?.p50).toBeCloseTo(60, 0);
    expect(c.unattributed).toBe(2);
    expect(c.penaltyMs).toBeCloseTo(440, 0);
    // the slowest 1 % of 5 attributed connects is the cold one
    expect(c.tailColdShare).toBe(1);
    expect(c.p99Ms).toBeCloseTo(500, 0);
    expect(c.p99WithoutColdMs).toBeCloseTo(70, 0);
  });

  it('attributes answers by their line, and leaves count mismatches and differing ties unattributed', () => {
    const s = a.answer!;
    expect(s.all.count).toBe(10);
    expect(s.cold?.count).toBe(1);
    expect(s.cold?.p50).toBeCloseTo(40, 0);
    expect(s.warm?.count).toBe(5);
    expect(s.unattributed).toBe(4);
  });

  it("attributes deliveries to the invocation that handled their message, the first hop only", () => {
    const b = a.broadcast!;
    expect(b.all.count).toBe(7);
    expect(b.cold?.count).toBe(3);
    expect(b.warm?.count).toBe(3);
    expect(b.unattributed).toBe(1);
    expect(b.penaltyMs).toBeCloseTo(280, 0);
    expect(b.tailColdShare).toBe(1);
    expect(a.notes).toContain('deliveries attributed to the invocation that handled their message (first hop only)');
  });

  it('counts every unattributed request under its reason, and attributed + unattributed = timed', () => {
    expect(a.requests).toEqual({
      timed: 24,
      attributed: 17,
      unattributed: 7,
      why: {
        "no CONNECT line named the client's connection": 1,
        "no REPORT line for the line's invocation": 1,
        'MESSAGE lines ≠ frames on the connection': 3,
        'MESSAGE lines tied in requestTimeEpoch and their invocations differ': 2,
      },
    });
  });

  it('gives each route its cold rate, penalty, Init Duration and function', () => {
    const route = (r: string, kind: string) => a.routes.find((x) => x.route === r && x.kind === kind);
    expect(a.routes.map((r) => `${r.kind} ${r.route}`)).toEqual(['connect $connect', 'answer joinRoom', 'answer sendMessage', 'broadcast sendMessage']);
    expect(route('$connect', 'connect')).toMatchObject({ functionName: 'ConnectFn', attributed: 5, cold: 1, coldRate: 0.2, tailColdShare: 1 });
    expect(route('$connect', 'connect')?.initP50Ms).toBeCloseTo(200, 0);
    expect(route('$connect', 'connect')?.penaltyMs).toBeCloseTo(440, 0);
    expect(route('joinRoom', 'answer')).toMatchObject({ functionName: 'OtherFn', attributed: 4, cold: 0, coldRate: 0, coldP50Ms: null, penaltyMs: null, initP50Ms: null, tailColdShare: 0 });
    expect(route('sendMessage', 'answer')).toMatchObject({ functionName: 'SendFn', attributed: 2, cold: 1, coldRate: 0.5 });
    expect(route('sendMessage', 'answer')?.initP50Ms).toBeCloseTo(150, 0);
    expect(route('sendMessage', 'answer')?.penaltyMs).toBeCloseTo(15, 0);
    // one cold invocation's Init Duration, however many deliveries it served
    expect(route('sendMessage', 'broadcast')).toMatchObject({ attributed: 6, cold: 3, coldRate: 0.5 });
    expect(route('sendMessage', 'broadcast')?.initP50Ms).toBeCloseTo(150, 0);
    expect(route('sendMessage', 'broadcast')?.penaltyMs).toBeCloseTo(280, 0);
  });

  it('counts a request a SnapStart restore served as cold, with the restore apart from INIT', () => {
    const restored = join({}, {}, { join0: 180, join1: 220 }).attribution;
    expect(() => Attribution.parse(restored)).not.toThrow();
    const joins = restored.routes.find((x) => x.route === 'joinRoom' && x.kind === 'answer')!;
    expect(joins).toMatchObject({ attributed: 4, cold: 2, coldRate: 0.5, initP50Ms: null, restored: 2 });
    expect(joins.restoreP50Ms).toBeCloseTo(180, 0);
    expect(joins.environments).toEqual({ 'on-demand': { served: 2, cold: 0 }, 'snap-start': { served: 2, cold: 2 } });
    // a route no restore served says nothing of restores
    expect(restored.routes.find((x) => x.route === '$connect')!.restored).toBeUndefined();
    expect(restored.answer!.cold!.count).toBe(a.answer!.cold!.count + 2);
  });

  it('counts the requests each kind of environment served: provisioned ones warm, the spillover on demand with its cold starts', () => {
    const connects = join({}, {}, {}, new Set(['connect1', 'connect2'])).attribution.routes.find((x) => x.route === '$connect' && x.kind === 'connect')!;
    expect(connects).toMatchObject({ attributed: 5, cold: 1 });
    expect(connects.environments).toEqual({ 'on-demand': { served: 3, cold: 1 }, 'provisioned-concurrency': { served: 2, cold: 0 } });
    // without any: on demand alone
    expect(a.routes.find((x) => x.route === '$connect' && x.kind === 'connect')?.environments).toEqual({ 'on-demand': { served: 5, cold: 1 } });
  });

  it('marks the cold requests over time, and ships the split as histograms', () => {
    expect(a.coldPoints.map((p) => [p.kind, p.at - T, Math.round(p.ms), p.route])).toEqual([
      ['connect', 0, 500, '$connect'],
      ['broadcast', 2000, 320, 'sendMessage'],
      ['broadcast', 2000, 310, 'sendMessage'],
      ['broadcast', 2000, 300, 'sendMessage'],
      ['answer', 2000, 40, 'sendMessage'],
    ]);
    expect(decodeHistogram(histograms['attribution.broadcast.cold']!).totalCount).toBe(3);
    expect(decodeHistogram(histograms['attribution.connect']!).totalCount).toBe(7);
    expect(a.stack).toBeUndefined();
    expect(Object.keys(histograms).some((k) => k.startsWith('stack.'))).toBe(false);
  });

  it("says so when no CONNECT line carried the run's User-Agent", () => {
    const t = trace();
    const j = new AttributionJoin(t.requests(), t.deliveries(), t.completions(), { runId: RUN, source: { accessLog: 'use', logGroup: 'g' }, local: false });
    for (const l of [...OTHER_RUN, ...lines('run-9')]) j.addAccessLine(l);
    const { attribution } = j.finish();
    expect(attribution.requests).toEqual({ timed: 24, attributed: 0, unattributed: 24, why: { "no CONNECT line carried the run's User-Agent": 24 } });
    expect(attribution.connect?.cold).toBeUndefined();
    expect(attribution.connect?.warm).toBeUndefined();
    expect(attribution.connect?.tailColdShare).toBeNull();
  });

  it("counts what the trace store could not hold, and never splits it", () => {
    const t = new RequestTrace({ requests: 4 });
    t.addTrace(0, Float64Array.from(rows.slice(0, 6).flatMap(([kind, client, n, what, at, done, slot]) => [kind, client, 0, n, what, at, done, slot])));
    const j = new AttributionJoin(t.requests(), t.deliveries(), t.completions(), { runId: RUN, source: { accessLog: 'use', logGroup: 'g' }, local: false });
    for (const l of lines()) j.addAccessLine(l);
    const { attribution } = j.finish();
    expect(attribution.requests.why["past the trace store's bound: not traced"]).toBe(2);
    expect(attribution.requests.attributed + attribution.requests.unattributed).toBe(attribution.requests.timed);
  });
});

describe('AttributionJoin against the local emulator: the host’s waits taken out', () => {
  const plain = join({ local: true }).attribution;
  const held = join({ local: true }, { connect0: 450, send0: 250, join1: 5 }).attribution;

  it('equals the client’s figures where the host held nothing back', () => {
    const s = plain.stack!;
    expect(s.heldBack).toBe(0);
    expect(s.invocations).toBe(11);
    expect(s.wait).toBeUndefined();
    expect(s.connect).toEqual(plain.connect!.all);
    expect(s.broadcast).toEqual(plain.broadcast!.all);
    expect(s.connectCold).toEqual(plain.connect!.cold);
    expect(s.connectWarm).toEqual(plain.connect!.warm);
    expect(s.broadcastCold).toEqual(plain.broadcast!.cold);
    expect(s.join?.count).toBe(6);
    expect(s.ack?.count).toBe(3);
    expect(s.fanoutCompletion?.count).toBe(3);
  });

  it('takes each invocation’s wait out of the requests it served, never above the client’s figure nor below 0', () => {
    const s = held.stack!;
    expect(s.heldBack).toBe(3);
    expect(s.invocations).toBe(11);
    expect(s.wait?.count).toBe(3);
    expect(s.wait?.max).toBeCloseTo(450, 0);
    // the cold connect waited 450 of its 500 ms; the warm ones waited for nothing
    expect(s.connectCold?.p50).toBeCloseTo(50, 0);
    expect(s.connectWarm).toEqual(held.connect!.warm);
    // the cold send's deliveries (300–320 ms) waited 250 ms with it
    expect(s.broadcastCold?.max).toBeCloseTo(70, 0);
    expect(s.broadcastCold?.min).toBeCloseTo(50, 0);
    expect(s.broadcastWarm).toEqual(held.broadcast!.warm);
    // a 5 ms wait on a 20 ms join: 15
    expect(s.join?.min).toBeCloseTo(15, 0);
    // the cold send's fan-out completion, 330 ms, less its 250 ms wait
    expect(s.fanoutCompletion?.max).toBeCloseTo(80, 0);
    for (const k of ['connect', 'broadcast'] as const) {
      expect(s[k]!.max).toBeLessThanOrEqual(held[k]!.all.max);
      expect(s[k]!.p50).toBeLessThanOrEqual(held[k]!.all.p50);
      expect(s[k]!.count).toBe(held[k]!.all.count);
    }
    // the client's figures are untouched; the stack's split sits beside them, like with like
    const { stack: connectStack, ...connectClient } = held.connect!;
    const { stack: plainStack, ...plainClient } = plain.connect!;
    expect(connectClient).toEqual(plainClient);
    // where the host held nothing back, the stack's split is the client's
    expect(plainStack).toEqual(plainClient);
    expect(connectStack!.all).toEqual(s.connect);
    expect(connectStack!.cold).toEqual(s.connectCold);
    expect(connectStack!.warm).toEqual(s.connectWarm);
    expect(held.notes.some((n) => n.startsWith('stack latency:'))).toBe(true);
  });

  it("steps the stack's connect and broadcast latency over the run, each request where it completed", () => {
    const t = join({ local: true, window: { startMs: T, endMs: T + 10_000 } }, { connect0: 450, send0: 250, join1: 5 }).attribution.stack!.overTime!;
    expect(t).toMatchObject({ startMs: T, stepMs: 1000 });
    expect(t.connect).toHaveLength(10);
    // every connect completed within the first second; the cold one's 500 ms less its 450 ms wait
    expect(t.connect[0]).toMatchObject({ count: 7 });
    expect(t.connect[0]!.p99).toBeLessThan(100);
    expect(t.connect.slice(1).every((s) => s === null)).toBe(true);
    // the seven deliveries arrived in the third second: the cold ones' 300–320 ms less their 250 ms wait
    expect(t.broadcast[2]).toMatchObject({ count: 7 });
    expect(t.broadcast[2]!.p99).toBeLessThan(80);
    expect(t.broadcast.filter((s) => s !== null)).toHaveLength(1);
    // no window (or not local), no steps
    expect(held.stack!.overTime).toBeUndefined();
  });

  it('steps an hour-long run in 6 s steps: never more than STACK_STEPS_MAX', () => {
    expect(stepsOf({ startMs: 0, endMs: 3_600_000 })).toEqual({ stepMs: 6000, count: STACK_STEPS_MAX });
    expect(stepsOf({ startMs: 0, endMs: 30_500 })).toEqual({ stepMs: 1000, count: 31 });
  });

  it('keeps at most COLD_POINTS_MAX cold requests, the slowest', () => {
    expect(COLD_POINTS_MAX).toBeGreaterThan(held.coldPoints.length);
  });
});

/**
 * Publishes through a stage of the stack's own HTTP API: three accepted (the trace keeps each with
 * the request ID its answer carried), the stage's lines naming the invocations of two (one cold,
 * one warm) and none for the third; each publish's deliveries go where the publish went.
 */
describe('AttributionJoin: publishes through an HTTP route', () => {
  const origin = 1;
  const key = (slot: number) => origin * 2 ** 32 + slot;
  const t = new RequestTrace();
  t.addPublish('api-a', key(0), T, 400_000);
  t.addPublish('api-b', key(1), T + 1000, 40_000);
  t.addPublish('api-c', key(2), T + 2000, 50_000);
  const deliveries: number[] = [];
  for (const slot of [0, 1, 2]) for (let i = 0; i < 2; i++) deliveries.push(origin, slot, (slot === 0 ? 420 : 60) * 1000);
  t.addDeliveries(Float64Array.from(deliveries));
  const j = new AttributionJoin(t.requests(), t.deliveries(), t.completions(), {
    runId: RUN,
    source: { accessLog: 'enable', logGroup: '/fanout-bench/access-logs/a/_default' },
    local: false,
    publishes: t.publishes(),
  });
  j.addRequestLine({ requestId: 'api-b', route: 'POST /notify', integrationRequestId: 'inv-b', status: 200 });
  j.addRequestLine({ requestId: 'api-a', route: 'POST /notify', integrationRequestId: 'inv-a', status: 200 });
  // another run's request on the same stage: not the run's, not wanted
  j.addRequestLine({ requestId: 'api-x', route: 'POST /notify', integrationRequestId: 'inv-x', status: 200 });
  const wanted = ['inv-a', 'inv-b', 'inv-x'].filter((id) => j.wants(id));
  j.addInvocation('inv-a', { cold: true, initDurationMs: 180, functionName: 'NotifyFn' });
  j.addInvocation('inv-b', { cold: false, functionName: 'NotifyFn' });
  const { attribution: a } = j.finish();

  it("wants the invocations of the run's publishes only", () => {
    expect(wanted).toEqual(['inv-a', 'inv-b']);
    expect(Attribution.parse(a)).toEqual(a);
  });

  it('splits the publishes cold against warm, the one no line named unattributed under its reason', () => {
    expect(a.publish).toMatchObject({ all: { count: 3 }, cold: { count: 1 }, warm: { count: 1 }, unattributed: 1 });
    expect(a.requests.why).toEqual({ "no access-log line of the publish route's stage named the publish": 3 });
    expect(a.routes.find((r) => r.kind === 'publish')).toMatchObject({ route: 'POST /notify', functionName: 'NotifyFn', attributed: 2, cold: 1, initP50Ms: expect.closeTo(180, 0) });
    expect(a.coldPoints).toContainEqual(expect.objectContaining({ kind: 'publish', at: T, route: 'POST /notify' }));
  });

  it("gives each publish's deliveries its invocation: cold with the cold publish, unattributed with the unlogged one", () => {
    expect(a.broadcast).toMatchObject({ all: { count: 6 }, cold: { count: 2 }, warm: { count: 2 }, unattributed: 2 });
    expect(a.routes.find((r) => r.kind === 'broadcast')).toMatchObject({ route: 'POST /notify', attributed: 4, cold: 2 });
  });
});
