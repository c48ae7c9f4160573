import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/analyses/plan/build-plan.ts';
import { Plan } from '../../src/analyses/plan/plan-schema.ts';
import { readResults } from '../../src/report/run/results-file.ts';

/**
 * Recorded runs of the emulator (test/fixtures/plan/README.md): the default run (`fanout-bench
 * run`, README's first command) and a small fanout run, each planned at its own traffic over its
 * own duration: the plan gives the run's measured invocations and cost, line by line.
 */
const FIXTURES = {
  'the default run': fileURLToPath(new URL('../fixtures/plan/default-run/results.json', import.meta.url)),
  'a small fanout run': fileURLToPath(new URL('../fixtures/plan/results.json', import.meta.url)),
};

describe.each(Object.entries(FIXTURES))('plan of %s at its own traffic', async (_, FILE) => {
  const results = await readResults(FILE);
  const plan = buildPlan({ runs: [{ file: FILE, results }], toolVersion: 'test', createdAt: '2025-01-01T00:00:00.000Z' });

  it('is a valid plan.json, with the run as the work model source on the emulator', () => {
    expect(Plan.safeParse(plan).success).toBe(true);
    expect(plan.traffic.source).toBe('run');
    expect(plan.workModel.runs).toMatchObject([{ runId: results.runId, measuredOn: 'emulator', cloudwatchSource: 'local' }]);
    expect(plan.workModel.dynamodb.source).toBe('cloudwatch');
    expect(plan.notes.join(' ')).toMatch(/durations are this host's/);
  });

  it('reproduces the measured invocations of every function', () => {
    const check = plan.check!;
    expect(check.invocations.length).toBeGreaterThan(3);
    for (const i of check.invocations) {
      expect(i.measured, i.function).not.toBeNull();
      expect(i.planned, i.function).toBeCloseTo(i.measured!, 6);
    }
    expect(check.invocations.find((i) => i.function === 'fanout-send-message')?.measured).toBe(results.sends.sent);
  });

  it('reproduces the measured cost line by line and in total', () => {
    const check = plan.check!;
    expect(check.lines.map((l) => l.item)).toEqual(results.cost!.lines.map((l) => l.item));
    for (const l of check.lines) {
      expect(l.quantity.planned, l.item).toBeCloseTo(l.quantity.measured!, 6);
      expect(l.cost.planned, l.item).toBeCloseTo(l.cost.measured!, 12);
    }
    expect(check.total.planned).toBeCloseTo(check.total.measured!, 12);
    expect(check.total.measured).toBeGreaterThan(0);
  });

  it('bills INIT on lines of its own, the run\'s own cold starts, folded into each compute line for the check', () => {
    const report = results.cloudwatch!.reports['fanout-connect']!;
    const connect = plan.workModel.functions.find((f) => f.name === 'fanout-connect')!;
    // the emulator's REPORT lines bill INIT inside Billed Duration: the lines' INIT, per cold start
    expect(report.initNotInBilledMs).toBe(0);
    expect(connect.coldStarts).toBe(report.coldStarts);
    expect(connect.initBilledMsPerColdStart).toBeCloseTo(report.initDurationMsTotal / report.coldStarts, 9);
    expect(connect.billedMsPer).toBeCloseTo((report.billedDurationMsTotal - report.initDurationMsTotal) / report.invocations, 9);
    const init = plan.cost.lines.find((l) => l.item === 'fanout-connect INIT (256 MB, x86_64)')!;
    const compute = plan.cost.lines.find((l) => l.item === 'fanout-connect compute (256 MB, x86_64)')!;
    expect(init.quantity).toBeCloseTo((report.initDurationMsTotal / 1000) * 0.25, 9);
    expect(init.note).toBe(`the run's own ${report.coldStarts} cold starts × ${connect.initBilledMsPerColdStart!.toFixed(1)} ms billed INIT each`);
    const measured = results.cost!.lines.find((l) => l.item === compute.item)!;
    expect(compute.quantity).toBeLessThan(measured.quantity);
    expect(plan.check!.lines.find((l) => l.item === compute.item)!.quantity.planned).toBeCloseTo(compute.quantity + init.quantity, 12);
    expect(plan.notes).toContain("the check holds each function's measured compute line (INIT inside it, as the run's estimate bills it) against the plan's compute and INIT lines together");
  });

  it('planned at a month of bigger traffic, scales each operation by its own count', () => {
    const big = buildPlan({
      runs: [{ file: FILE, results }],
      traffic: { connections: 50_000, roomSize: 200, messagesPerS: 250, sessionSec: 1800 },
      toolVersion: 'test',
      createdAt: '2025-01-01T00:00:00.000Z',
    });
    const send = big.workModel.functions.find((f) => f.name === 'fanout-send-message')!;
    expect(big.cost.invocations['fanout-send-message']).toBeCloseTo(send.invocationsPer * 250 * 2_592_000, 0);
    expect(big.cost.lines.find((l) => l.item === 'connection-minutes')!.quantity).toBe(50_000 * 43_200);
    expect(big.check).toBeUndefined();
  });
});
