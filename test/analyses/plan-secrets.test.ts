import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/analyses/plan/build-plan.ts';
import { plannedInits } from '../../src/analyses/plan/cold-starts.ts';
import { Plan } from '../../src/analyses/plan/plan-schema.ts';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import { buildResults } from '../report/fixtures.ts';

/**
 * A stack's Secrets Manager use in a plan: its calls scaled per cold start where the runs made no
 * more calls than cold starts (a secret read at INIT and kept), else per invocation; its secrets a
 * secret-month each over a month, prorated as the run's estimate has them at the run's own traffic.
 * The fixture run's REPORT lines count 33 cold starts over 5,070 invocations; its stack has 2 secrets.
 */
const SECRETS = ['arn:aws:secretsmanager:us-east-1:000000000000:secret:Signing-AbCdEf', 'arn:aws:secretsmanager:us-east-1:000000000000:secret:Db-GhIjKl'];

function runWith(calls: number) {
  const results = buildResults();
  results.secretsManager = { window: results.cloudwatch!.window, calls: { GetSecretValue: calls }, secrets: SECRETS };
  return results;
}

const month = (calls: number) =>
  buildPlan({ runs: [{ file: 'r/results.json', results: runWith(calls) }], traffic: { connections: 10_000, roomSize: 50, messagesPerS: 20, sessionSec: 3600 }, toolVersion: 'test', createdAt: '2026-11-28T00:00:00.000Z' });
const line = (plan: Plan, item: string) => plan.cost.lines.find((l) => l.service === 'Secrets Manager' && l.item.startsWith(item))!;

describe("a stack's Secrets Manager use, planned", () => {
  it('reads at INIT (24 calls ≤ 33 cold starts): the month\'s calls are 24/33 per planned cold start; 2 secret-months at $0.40', () => {
    const plan = month(24);
    expect(Plan.safeParse(plan).success).toBe(true);
    expect(plan.workModel.secretsManager).toMatchObject({ secrets: 2, calls: { per: 'cold start' } });
    expect(plan.workModel.secretsManager!.calls.rate).toBeCloseTo(24 / 33, 12);
    const coldStarts = plannedInits(plan.workModel, plan.traffic).reduce((n, i) => n + i.coldStarts, 0);
    expect(coldStarts).toBeGreaterThan(0);
    expect(line(plan, 'API calls').quantity).toBeCloseTo((coldStarts * 24) / 33, 9);
    expect(line(plan, 'secrets (2)')).toMatchObject({ quantity: 2, unitPrice: 0.4, cost: 0.8 });
    expect(plan.cost.totals.secretsManager).toBeCloseTo(0.8 + (line(plan, 'API calls').quantity * 0.05) / 1e4, 12);
    expect(plan.cost.totals.total).toBeCloseTo(plan.cost.lines.reduce((n, l) => n + l.cost, 0), 9);
  });

  it('reads on every invocation (5,070 calls, one each): the month\'s calls are one per planned invocation', () => {
    const plan = month(5_070);
    expect(plan.workModel.secretsManager!.calls).toEqual({ per: 'invocation', rate: 1 });
    const invocations = Object.values(plan.cost.invocations).reduce((n, i) => n + i, 0);
    expect(line(plan, 'API calls').quantity).toBeCloseTo(invocations, 6);
    expect(plan.notes.join('\n')).toContain('Secrets Manager: its API calls scaled at 1 per invocation');
  });

  it("at the run's own traffic, reproduces the run's estimate: its calls and its secrets prorated", () => {
    const results = runWith(24);
    results.cost = estimateCost(results);
    const plan = buildPlan({ runs: [{ file: 'r/results.json', results }], toolVersion: 'test', createdAt: '2026-11-28T00:00:00.000Z' });
    const rows = plan.check!.lines.filter((l) => l.service === 'Secrets Manager');
    expect(rows.map((r) => r.item)).toEqual(['API calls', 'secrets (2, prorated to the run)']);
    for (const r of rows) {
      expect(r.quantity.measured, r.item).not.toBeNull();
      expect(r.quantity.planned!, r.item).toBeCloseTo(r.quantity.measured!, 9);
    }
  });

  it('a run without Secrets Manager plans none', () => {
    const plan = buildPlan({ runs: [{ file: 'r/results.json', results: buildResults() }], traffic: { connections: 100, roomSize: 10, messagesPerS: 1, sessionSec: 600 }, toolVersion: 'test', createdAt: '2026-11-28T00:00:00.000Z' });
    expect(plan.workModel.secretsManager).toBeUndefined();
    expect(plan.cost.lines.filter((l) => l.service === 'Secrets Manager')).toEqual([]);
    expect(plan.cost.totals.secretsManager).toBeUndefined();
  });
});
