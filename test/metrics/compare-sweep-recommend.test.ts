import { describe, expect, it } from 'vitest';
import type { MedianRange, PointResult, PointSlo, SizeMetrics } from '../../src/analyses/compare/compare-schema.ts';
import { recommendSweep } from '../../src/analyses/compare/sweep-recommend.ts';

// A sweep's recommendation on constructed points whose answer is plain: the largest room size or
// payload within the SLO and the first larger one that missed it; the cheapest variant within
// the SLO, a tie on cost going to the faster; and what it says when no point met the SLO.

const one = (v: number): MedianRange => ({ median: v, min: v, max: v, n: 1 });

function point(x: number, label: string, o: { cost?: number | MedianRange | null; latency?: number | null; slo?: PointSlo | null; status?: PointResult['status'] } = {}): PointResult {
  const cost = o.cost === undefined ? 1 : o.cost;
  const metrics: SizeMetrics = {
    broadcastP50Ms: null,
    broadcastP99Ms: null,
    connectP50Ms: null,
    connectP99Ms: null,
    fanoutP50Ms: null,
    fanoutP99Ms: null,
    durationMeanMs: null,
    coldStartShare: null,
    initMeanMs: null,
    gbSeconds: null,
    gbSecondsPer1000Deliveries: null,
    lambdaCostPerMillionDeliveries: null,
    totalCostPerMillionDeliveries: cost === null ? null : typeof cost === 'number' ? one(cost) : cost,
    deliveriesReceived: null,
    deliveriesLost: null,
    sendsFailed: null,
    latencyMs: o.latency === undefined ? one(100) : o.latency === null ? null : one(o.latency),
  };
  return {
    x,
    label,
    setting: { clients: 200, rooms: 1, membersPerRoom: x, messagesPerSecond: 1, deliveriesPerSecond: x, payloadBytes: 64, target: 'local', architecture: 'x86_64' },
    status: o.status ?? 'ok',
    runs: [],
    metrics,
    functions: {},
    costSource: 'report-lines',
    slo: o.slo === undefined ? MET : o.slo,
    costs: { lambda: null, apiGateway: null, dataTransfer: null, dynamodb: null },
  };
}

const MET: PointSlo = { met: true, failed: [] };
const missed = (...failed: string[]): PointSlo => ({ met: false, failed, missedBy: 'stack' });
const SLOW = 'fanoutCompletion.p99 < 500ms: 812 ms; limit < 500 ms: crossed';

describe('recommendSweep: room size and payload', () => {
  it('picks the largest size within the SLO and names the first larger one that missed it, with what failed', () => {
    const points = [point(10, '10 members', { latency: 40 }), point(50, '50 members', { latency: 180 }), point(200, '200 members', { latency: 812, slo: missed(SLOW) })];
    const r = recommendSweep('room-size', points, 'fanout-p99');
    expect(r.rule).toBe('largest-within-slo');
    expect(r.pick).toEqual({ label: '50 members', x: 50, costPerMillionDeliveries: 1, latencyMs: 180 });
    expect(r.runnerUp?.label).toBe('10 members');
    expect(r.firstFailing).toEqual({ label: '200 members', x: 200, costPerMillionDeliveries: 1, latencyMs: 812, failed: [SLOW] });
    expect(r.reason).toBe(`50 members is the largest room size that met the SLO (fan-out completion p99 180 ms, $1.00 per million deliveries); 200 members did not: ${SLOW}.`);
  });

  it('takes the largest that met the SLO, not the last before the first miss, and says a smaller one missed', () => {
    // 50 missed, 200 met: the pick is 200, the first miss above it none, and 50 is named
    const points = [point(200, '200 members'), point(10, '10 members'), point(50, '50 members', { slo: missed(SLOW) })];
    const r = recommendSweep('room-size', points, 'fanout-p99');
    expect(r.pick?.label).toBe('200 members');
    expect(r.firstFailing).toBeNull();
    expect(r.reason).toContain('no larger room size was measured');
    expect(r.reason).toContain('50 members, smaller, did not meet it');
  });

  it('says so when no size met the SLO, naming the smallest and what it missed', () => {
    const points = [point(4096, '4,096 B', { slo: missed('no lost deliveries: 3 of 40 lost') }), point(128, '128 B', { slo: missed(SLOW) })];
    const r = recommendSweep('payload', points, 'broadcast-p99');
    expect(r.pick).toBeNull();
    expect(r.firstFailing?.label).toBe('128 B');
    expect(r.reason).toBe(`no payload met the SLO; already 128 B did not: ${SLOW}.`);
  });

  it('cannot pick a point with no counted repeat or none judged', () => {
    const points = [point(10, '10 members', { status: 'excluded', slo: null }), point(50, '50 members', { slo: null })];
    const r = recommendSweep('room-size', points, 'fanout-p99');
    expect(r.pick).toBeNull();
    expect(r.firstFailing).toBeNull();
    expect(r.reason).toBe('no room size could be judged: no repeat counted');
  });
});

describe('recommendSweep: a saturated harness', () => {
  const NOTED: PointSlo = { met: true, failed: ['harness not saturated: the harness was the bottleneck'], note: 'the harness was saturated (…), and the SLO held even with the harness\'s own delay in the latencies' };

  it('picks a point met with the harness saturated like any point met', () => {
    const r = recommendSweep('room-size', [point(10, '10 members'), point(50, '50 members', { slo: NOTED }), point(200, '200 members', { slo: missed(SLOW) })], 'fanout-p99');
    expect(r.pick?.label).toBe('50 members');
    expect(r.firstFailing?.label).toBe('200 members');
  });

  it('says when the harness was saturated besides a miss of the stack\'s', () => {
    const both: PointSlo = { met: false, failed: [SLOW], missedBy: 'harness-and-stack' };
    const sizes = recommendSweep('payload', [point(64, '64 B'), point(32000, '32,000 B', { slo: both })], 'broadcast-p99');
    expect(sizes.reason).toContain(`32,000 B did not: ${SLOW} — with the harness saturated too: its own delay is in those latencies.`);
    const variants = recommendSweep('targets', [point(1, 'a', { cost: 0.5, slo: both }), point(2, 'b', { cost: 0.9 })], 'broadcast-p99');
    expect(variants.pick?.label).toBe('b');
    expect(variants.reason).toContain(`Did not meet the SLO: a (${SLOW} — with the harness saturated too: its own delay is in those latencies).`);
  });
});

describe('recommendSweep: variants', () => {
  it('picks the cheapest variant within the SLO, passing over a cheaper one that missed it', () => {
    const points = [point(1, 'arm', { cost: 0.8, slo: missed(SLOW) }), point(2, 'x86', { cost: 1.3 }), point(3, 'x86-big', { cost: 2.1 })];
    const r = recommendSweep('targets', points, 'broadcast-p99');
    expect(r.rule).toBe('cheapest-within-slo');
    expect(r.pick?.label).toBe('x86');
    expect(r.runnerUp?.label).toBe('x86-big');
    expect(r.withinSpread).toBe(false);
    expect(r.reason).toContain('x86 is the cheapest variant that met the SLO');
    expect(r.reason).toContain(`Did not meet the SLO: arm (${SLOW}).`);
  });

  it('gives a tie on cost (within 1 %) to the faster variant, and says their repeats overlap', () => {
    const points = [point(1, 'before', { cost: { median: 1.0, min: 0.97, max: 1.02, n: 3 }, latency: 300 }), point(2, 'after', { cost: { median: 1.005, min: 0.99, max: 1.03, n: 3 }, latency: 120 })];
    const r = recommendSweep('targets', points, 'broadcast-p99');
    expect(r.pick?.label).toBe('after');
    expect(r.runnerUp?.label).toBe('before');
    expect(r.withinSpread).toBe(true);
    expect(r.reason).toContain('The two tie on cost within 1 %: after is the faster.');
    expect(r.reason).toContain('the difference is within the noise');
  });

  it('says when no variant met the SLO, each with what it missed, and when none that met it has a cost', () => {
    const none = recommendSweep('targets', [point(1, 'a', { slo: missed(SLOW) }), point(2, 'b', { slo: missed('no lost deliveries: 1 of 10 lost') })], 'broadcast-p99');
    expect(none.pick).toBeNull();
    expect(none.reason).toBe(`no variant met the SLO: a: ${SLOW}; b: no lost deliveries: 1 of 10 lost.`);
    const unpriced = recommendSweep('targets', [point(1, 'a', { cost: null }), point(2, 'b', { slo: missed(SLOW) })], 'broadcast-p99');
    expect(unpriced.pick).toBeNull();
    expect(unpriced.reason).toBe('no variant that met the SLO has a cost estimate (a).');
  });
});

describe('recommendSweep: provisioned concurrency', () => {
  const COLD = 'lambda.connect.coldStarts == 0: 3; limit == 0: crossed';
  const provisioned = (n: number, o: Parameters<typeof point>[2] & { cold?: number; monthly?: number | null } = {}): PointResult => {
    const p = point(n, `${n} provisioned`, { latency: 50, ...o });
    return {
      ...p,
      setting: { ...p.setting, provisioned: { function: 'connect', qualifier: 'live', environments: n, memoryMB: 1024, monthlyUsd: o.monthly === undefined ? n * 10.8 : o.monthly } },
      coldStarts: { route: '$connect', attributed: 20, cold: o.cold ?? 0, p99Ms: 50 },
    };
  };

  it('picks the fewest environments within the SLO, with the route\'s cold starts and the month allocated, and names the largest fewer that missed', () => {
    const points = [provisioned(0, { slo: missed(COLD), cold: 3 }), provisioned(2, { slo: missed(COLD), cold: 1 }), provisioned(8), provisioned(16)];
    const r = recommendSweep('provisioned', points, 'connect-p99');
    expect(r).toMatchObject({ rule: 'fewest-within-slo', pick: { label: '8 provisioned', x: 8 }, runnerUp: { label: '16 provisioned' }, firstFailing: { label: '2 provisioned', failed: [COLD] } });
    expect(r.reason).toBe(
      `8 provisioned is the fewest that met the SLO ($connect 0 of 20 cold, its p99 50 ms; $86.40 a month allocated) (connect p99 50 ms, $1.00 per million deliveries); 2 provisioned did not ($connect 1 of 20 cold, its p99 50 ms; $21.60 a month allocated): ${COLD}.`,
    );
  });

  it('says when none is needed, when none met the SLO, and a miss above the pick', () => {
    expect(recommendSweep('provisioned', [provisioned(0), provisioned(4)], 'connect-p99').reason).toMatch(/^0 provisioned met the SLO \(.*\): at this load the route needs no provisioned concurrency\.$/);
    const none = recommendSweep('provisioned', [provisioned(0, { slo: missed(COLD) }), provisioned(4, { slo: missed(COLD), monthly: null })], 'connect-p99');
    expect(none.pick).toBeNull();
    expect(none.reason).toBe(`no setting met the SLO; even 4 provisioned did not ($connect 0 of 20 cold, its p99 50 ms): ${COLD}.`);
    const noisy = recommendSweep('provisioned', [provisioned(2), provisioned(4, { slo: missed(COLD) })], 'connect-p99');
    expect(noisy.reason).toContain('4 provisioned, more, did not meet it: the boundary is within the noise');
  });
});

describe('recommendSweep: SnapStart', () => {
  const TAIL = 'connect.p99 < 100ms: 412 ms; limit < 100 ms: crossed';
  const snap = (on: boolean, o: Parameters<typeof point>[2] = {}): PointResult => {
    const p = point(on ? 1 : 0, `SnapStart ${on ? 'on' : 'off'}`, { latency: on ? 60 : 412, ...o });
    return {
      ...p,
      setting: { ...p.setting, snapStart: { function: 'chat', alias: 'live', version: on ? '3' : '2', on, memoryMB: 512, monthlyUsd: on ? 1.95 : 0 } },
      coldStarts: { route: '$connect', attributed: 20, cold: 4, p99Ms: on ? 60 : 412 },
    };
  };

  it('picks on where only on met the SLO, with its cache month, and says what off missed', () => {
    const r = recommendSweep('snapstart', [snap(false, { slo: missed(TAIL) }), snap(true)], 'connect-p99');
    expect(r).toMatchObject({ rule: 'off-unless-needed', pick: { label: 'SnapStart on', x: 1 }, firstFailing: { label: 'SnapStart off', failed: [TAIL] } });
    expect(r.reason).toBe(
      `SnapStart on is the setting that met the SLO ($connect 4 of 20 cold, its p99 60 ms; $1.95 a month cached) (connect p99 60 ms, $1.00 per million deliveries); SnapStart off did not ($connect 4 of 20 cold, its p99 412 ms): ${TAIL}.`,
    );
  });

  it('picks off where it met the SLO: SnapStart bills what the route does not need', () => {
    const r = recommendSweep('snapstart', [snap(false), snap(true)], 'connect-p99');
    expect(r).toMatchObject({ rule: 'off-unless-needed', pick: { label: 'SnapStart off' }, firstFailing: null });
    expect(r.reason).toMatch(/^SnapStart off met the SLO \(\$connect 4 of 20 cold, its p99 412 ms\) .*: at this load the route needs no SnapStart\.$/);
  });
});
