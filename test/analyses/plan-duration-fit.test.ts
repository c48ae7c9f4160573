import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/analyses/plan/build-plan.ts';
import { billedMsAt, durationFit, fitAtNotes, fitNotes, leastSquares } from '../../src/analyses/plan/duration-fit.ts';
import { planCost, plannedTraffic, plannedUsage } from '../../src/analyses/plan/monthly-cost.ts';
import { Plan, type FunctionWork, type WorkModel } from '../../src/analyses/plan/plan-schema.ts';
import { readPlanDirs } from '../../src/analyses/plan/run-dirs.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { RESULTS_FILE } from '../../src/metrics/results/run-dir.ts';
import { readComparison } from '../../src/report/compare/read-comparison.ts';
import { COMPARE_FILES } from '../../src/report/compare/write.ts';
import { readResults } from '../../src/report/run/results-file.ts';

/**
 * A fan-out function's billed time against the room size: the line by least squares worked by
 * hand, a planned room size billed off it, and the line of a real room-size sweep
 * (test/fixtures/plan/sweep: rooms of 5, 10 and 20 on the emulator).
 */
describe('least squares', () => {
  it('gives back the line its points are on, r² 1', () => {
    const line = leastSquares([10, 100, 1000].map((x) => ({ x, y: 5 + 0.02 * x })));
    expect(line.intercept).toBeCloseTo(5, 12);
    expect(line.slope).toBeCloseTo(0.02, 12);
    expect(line.r2).toBeCloseTo(1, 12);
  });

  it("a noisy set's r², by hand", () => {
    // mean (2, 2); Σ(x−x̄)(y−ȳ) = 1, Σ(x−x̄)² = 2: slope 0.5, intercept 1; the line 1.5, 2, 2.5:
    // residuals −0.5, 1, −0.5 (Σ² 1.5) over Σ(y−ȳ)² = 2: r² = 1 − 1.5/2 = 0.25
    const line = leastSquares([{ x: 1, y: 1 }, { x: 2, y: 3 }, { x: 3, y: 2 }]);
    expect(line).toEqual({ intercept: 1, slope: 0.5, r2: 0.25 });
  });

  it('a flat set is on its line: slope 0, r² 1', () => {
    expect(leastSquares([{ x: 1, y: 4 }, { x: 5, y: 4 }])).toEqual({ intercept: 4, slope: 0, r2: 1 });
  });
});

describe('the fit of a function', () => {
  const point = (recipients: number, ms: number) => ({ recipients, billedMsPerInvocation: ms, runs: [`r${recipients}`] });

  it('needs two room sizes', () => {
    expect(durationFit([point(10, 5), point(10, 6)])).toBeUndefined();
    expect(durationFit([point(100, 7), point(10, 5.2)])).toMatchObject({ points: [{ recipients: 10 }, { recipients: 100 }] });
  });

  it('bills off the line, never below 0', () => {
    const fit = durationFit([point(10, 5.2), point(100, 7), point(1000, 25)])!;
    expect(billedMsAt(fit, 200).ms).toBeCloseTo(9, 9); // 5 + 0.02 × 200
    expect(billedMsAt(fit, 200).clamped).toBe(false);
    const falling = durationFit([point(10, 10), point(20, 4)])!; // 16 − 0.6 × recipients
    expect(billedMsAt(falling, 30)).toEqual({ ms: 0, clamped: true });
    expect(fitAtNotes('f', falling, 30).join(' ')).toMatch(/^f: 0 billed ms .* f: the line falls below 0 ms at rooms of 30 \(-2 ms\): billed at 0/);
  });

  it('notes say the line and its r², a poor fit, two points, a line read beyond its sizes', () => {
    const good = durationFit([point(10, 5.2), point(100, 7), point(1000, 25)])!;
    expect(fitNotes('f', good)).toEqual(['f: billed ms per invocation = 5 + 0.02 × recipients (least squares over rooms of 10, 100, 1,000; r² 1): a fan-out invocation is billed off this line at the planned room size']);
    const poor = durationFit([point(1, 1), point(2, 3), point(3, 2)])!;
    expect(fitNotes('f', poor)[1]).toBe('f: the line fits its points poorly (r² 0.25 < 0.9): the billed time between and beyond the sizes measured is uncertain; more repeats per size (compare --repeat) steady the points');
    expect(fitNotes('f', durationFit([point(1, 1), point(2, 3)])!)[1]).toMatch(/^f: a line through two room sizes passes through both/);
    expect(fitAtNotes('f', good, 2000)[1]).toBe('f: rooms of 2,000 are outside the sizes measured (10 to 1,000): the line is extrapolated');
    expect(fitAtNotes('f', good, 200)).toHaveLength(1);
  });
});

describe('a planned room size billed off the line', () => {
  const send: FunctionWork = {
    name: 'fanout-send-message',
    route: 'sendMessage',
    per: 'message',
    invocationsPer: 1,
    billedMsPer: 0.05,
    billedMsPerUnit: 'recipient',
    measuredMemoryMB: 1024,
    memoryMB: 1024,
    invocationsSource: 'report-lines',
    billedSource: 'report-lines',
    p99Ms: null,
    p99AtRecipients: null,
    initBilledMsPerColdStart: null,
    coldStarts: 0,
    runs: ['r10', 'r100', 'r1000'],
    measuredOn: ['aws'],
  };
  const model = (f: FunctionWork): WorkModel => ({
    runs: [{ runId: 'r10', file: 'r10/results.json', measuredOn: 'aws', cloudwatchSource: 'aws', durationSec: 60, roomSize: 10, payloadBytes: 100 }],
    counts: { connects: 10, rooms: 1, joins: 10, messages: 10, recipients: 100 },
    functions: [f],
    dynamodb: { source: 'cloudwatch', readScale: 1, writeScale: 1, perOperation: [], gonePerMessage: 0, runs: [] },
    posts: { perRecipient: 1, source: 'cloudwatch', runs: [] },
    bytes: { perPost: 350, source: 'client', runs: [] },
    joinsPerConnect: 1,
    notes: [],
  });
  const fit = durationFit([10, 100, 1000].map((r) => ({ recipients: r, billedMsPerInvocation: 5 + 0.02 * r, runs: [`r${r}`] })))!;
  const traffic = { connections: 1000, roomSize: 200, messagesPerS: 5, sessionSec: 1800 };

  it('rooms of 200: 9 ms per invocation (5 + 0.02 × 200), not 0.05 ms × 200 recipients', () => {
    const t = plannedTraffic(model({ ...send, fit }), traffic);
    // 5 messages/s × 2,592,000 s = 12,960,000 invocations × 9 ms
    expect(plannedUsage(model({ ...send, fit }), t)[0]!.billedMs).toBeCloseTo(12_960_000 * 9, 3);
    // without a fit, per recipient: 12,960,000 × 200 recipients × 0.05 ms
    expect(plannedUsage(model(send), t)[0]!.billedMs).toBeCloseTo(12_960_000 * 200 * 0.05, 3);
    // its GB-seconds: 116,640,000 ms ÷ 1,000 × 1 GB
    const cost = planCost(model({ ...send, fit }), t, { prices: DEFAULT_PRICES, architecture: 'x86_64', connectionSource: 'assumption' });
    expect(cost.lines.find((l) => l.item.startsWith('fanout-send-message compute'))!.quantity).toBeCloseTo(116_640, 6);
  });
});

describe('the line of a real room-size sweep', async () => {
  const SWEEP = fileURLToPath(new URL('../fixtures/plan/sweep', import.meta.url));
  const { runs, notes } = await readPlanDirs([SWEEP], { resultsFile: RESULTS_FILE, readResults, comparisonFile: COMPARE_FILES.json, readComparison });
  const plan = buildPlan({ runs, readNotes: notes, traffic: { connections: 50_000, roomSize: 200, messagesPerS: 250, sessionSec: 1800 }, toolVersion: 'test', createdAt: '2025-01-01T00:00:00.000Z' });
  const send = plan.workModel.functions.find((f) => f.name === 'fanout-send-message')!;

  it('has one point per room size, each its run\'s billed ms per invocation without INIT (REPORT lines)', () => {
    expect(Plan.safeParse(plan).success).toBe(true);
    expect(send.fit!.points.map((p) => p.recipients)).toEqual([5, 10, 20]);
    for (const [i, p] of send.fit!.points.entries()) {
      const r = runs[i]!.results;
      const report = r.cloudwatch!.reports['fanout-send-message']!;
      expect(p.runs).toEqual([r.runId]);
      // the emulator bills INIT inside Billed Duration; the plan bills it per cold start instead
      expect(report.initNotInBilledMs).toBe(0);
      expect(p.billedMsPerInvocation).toBeCloseTo((report.billedDurationMsTotal - report.initDurationMsTotal) / report.invocations, 9);
    }
    const line = leastSquares(send.fit!.points.map((p) => ({ x: p.recipients, y: p.billedMsPerInvocation })));
    expect(send.fit).toMatchObject({ interceptMs: line.intercept, perRecipientMs: line.slope, r2: line.r2 });
    expect(send.fit!.r2).toBeGreaterThan(0);
    expect(send.fit!.r2).toBeLessThanOrEqual(1);
  });

  it('bills rooms of 200 off the line, and the notes say so', () => {
    const invocations = plan.cost.invocations['fanout-send-message']!;
    expect(invocations).toBeCloseTo(send.invocationsPer * 250 * 2_592_000, 0);
    const msAt200 = send.fit!.interceptMs + send.fit!.perRecipientMs * 200;
    expect(msAt200).toBeGreaterThan(0);
    const gbS = (invocations * msAt200 * (send.memoryMB / 1024)) / 1000;
    expect(plan.cost.lines.find((l) => l.item.startsWith('fanout-send-message compute'))!.quantity).toBeCloseTo(gbS, 3);
    const text = plan.notes.join('\n');
    expect(text).toContain(`fanout-send-message: billed ms per invocation = `);
    expect(text).toContain('least squares over rooms of 5, 10, 20; r² ');
    expect(text).toContain('fanout-send-message: rooms of 200 are outside the sizes measured (5 to 20): the line is extrapolated');
    // the other functions are not fan-out: no line
    expect(plan.workModel.functions.filter((f) => f.fit).map((f) => f.name)).toEqual(['fanout-send-message']);
  });

  it('a single run of the sweep has no line, and is planned per recipient as before', () => {
    const one = buildPlan({ runs: [runs[0]!], traffic: { connections: 50_000, roomSize: 200, messagesPerS: 250, sessionSec: 1800 }, toolVersion: 'test', createdAt: '2025-01-01T00:00:00.000Z' });
    const f = one.workModel.functions.find((x) => x.name === 'fanout-send-message')!;
    expect(f.fit).toBeUndefined();
    expect(one.notes.join('\n')).toMatch(/the runs measured rooms of 5: fanout-send-message: billed time scaled per recipient/);
  });
});
