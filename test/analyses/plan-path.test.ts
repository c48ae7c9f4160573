import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/analyses/plan/build-plan.ts';
import { headroomAt } from '../../src/analyses/plan/headroom.ts';
import { plannedTraffic, PLAN_MONTH_SEC } from '../../src/analyses/plan/monthly-cost.ts';
import { planLimits } from '../../src/analyses/plan/plan-limits.ts';
import { Plan, type Headroom, type PathWork, type PlanLimitId, type WorkModel } from '../../src/analyses/plan/plan-schema.ts';
import type { FunctionHop } from '../../src/contracts/path-schema.ts';
import { PATH_ROUTE } from '../../src/metrics/cost/run-functions.ts';
import { sqsFanoutPath } from '../fixtures/path/sqs-fanout-path.ts';
import { buildResults } from '../report/fixtures.ts';
import { handFunction, handModel } from './plan-models.ts';

/**
 * A queued path in a plan: its work per message (requests through each hop, the mean batch
 * observed) projected to the planned traffic, priced by the cost model's path lines, and held
 * against the path's quotas at the peak; the first of those to break. Figures worked by hand.
 */

const find = (hs: readonly Headroom[], limit: PlanLimitId, scope?: string) => {
  const h = hs.find((x) => x.limit === limit && x.scope === scope);
  if (!h) throw new Error(`no headroom ${limit} ${scope ?? ''} in ${hs.map((x) => `${x.limit}:${x.scope ?? ''}`).join(', ')}`);
  return h;
};

describe('a run with a queued path, planned', () => {
  const results = buildResults();
  results.path = sqsFanoutPath(0);
  const hop = results.path.hops.find((h): h is FunctionHop => h.kind === 'function')!;
  hop.memoryMB = 512;
  hop.totals.durationAvgMs = 40;
  const sent = results.sends.sent;
  const plan = buildPlan({
    runs: [{ file: 'r/results.json', results }],
    traffic: { connections: 10_000, roomSize: 100, messagesPerS: 50, sessionSec: 3600 },
    toolVersion: 'test',
    createdAt: '2026-11-27T00:00:00.000Z',
  });

  it("keeps the path's requests per message and the mean batch observed", () => {
    expect(Plan.safeParse(plan).success).toBe(true);
    const q = plan.workModel.path!.perMessage.queues.find((x) => x.name === 'fanout-jobs')!;
    expect(q.sends).toBeCloseTo(30 / sent, 12);
    expect(q.receiveCalls).toBeCloseTo(12 / sent, 12);
    const m = plan.workModel.path!.perMessage.mappings[0]!;
    expect(m.records / m.batches).toBe(3);
    // the worker is a function of the plan, invoked per message (its 12 batches over the run's messages)
    const w = plan.workModel.functions.find((f) => f.name === 'fanout-worker')!;
    expect([w.route, w.per, w.memoryMB]).toEqual([PATH_ROUTE, 'message', 512]);
    expect(w.invocationsPer).toBeCloseTo(12 / sent, 12);
  });

  it("prices the month's SQS requests as the run's per message × the month's messages", () => {
    const messages = 50 * PLAN_MONTH_SEC;
    const l = plan.cost.lines.find((x) => x.item.startsWith('fanout-jobs requests'))!;
    // (30 + 12 + 12) requests per run ÷ its messages × the month's
    expect(l.quantity).toBeCloseTo((54 / sent) * messages, 3);
    expect(l.cost).toBeCloseTo(((54 / sent) * messages * 0.4) / 1e6, 6);
    expect(plan.cost.totals.path).toBeCloseTo(l.cost, 9);
    // the worker's invocations are not client frames: API Gateway's messages in are the run's routes' alone
    const inbound = plan.cost.lines.find((x) => x.item.startsWith('messages client'))!;
    expect(inbound.quantity).toBeCloseTo(plan.traffic.totals.messages + plan.traffic.totals.joins + plan.traffic.totals.rooms, -3);
  });

  it("holds the mapping's batches at once against its MaximumConcurrency, and names the first path quota to break", () => {
    const h = find(plan.headroom, 'mappingConcurrency', 'fanout-jobs → fanout-worker');
    expect(h.of).toBe(5);
    expect(h.limitSource).toBe("the mapping's ScalingConfig.MaximumConcurrency");
    expect(h.how).toContain('batches of 3 observed, BatchSize 10');
    // 5 batches at once are passed at about 100 × the planned connections; API Gateway's account throttle breaks first, near 2 ×
    expect(plan.pathFirstBreak?.limit).toBe('mappingConcurrency');
    expect(plan.pathFirstBreak!.factor).toBeGreaterThan(plan.firstBreak!.factor);
    expect(plan.firstBreak?.limit).toBe('accountRequestsPerSecond');
  });
});

describe("a path's quotas at the peak", () => {
  const path: PathWork = {
    queues: [{ name: 'jobs.fifo', fifo: true, sends: 1, receiveCalls: 0.1, received: 1, deleteCalls: 0.1, deadLetter: false }],
    topics: [{ name: 'scores', fifo: false, publishes: 1, deliveries: 2 }],
    buses: [{ bus: 'orders', events: 2, invocations: 2 }],
    mappings: [{ name: 'jobs.fifo → worker', functionName: 'worker', source: 'queue', sourceName: 'jobs.fifo', fifo: true, records: 1, batches: 0.1, batchSize: 10 }],
  };
  // the worker: p99 200 ms at rooms of 10, billed per recipient as a path function is
  const model: WorkModel = { ...handModel([handFunction('worker', PATH_ROUTE, 'message', 1, { p99Ms: 200, invocationsPer: 0.1 })]), path: { perMessage: path, messageBytes: 1060, runs: ['r1'] } };
  const at = (messagesPerS: number, region: string) =>
    headroomAt(model, plannedTraffic(model, { connections: 1000, roomSize: 10, messagesPerS, sessionSec: 3600 }), planLimits([], { region, functions: ['worker'] }));

  it('600 messages/s: a FIFO queue at 600 SendMessage/s of 300 per action; its mapping 60 batches/s × 0.2 s = 12 of 1,000', () => {
    const hs = at(600, 'us-east-1');
    const fifo = find(hs, 'sqsFifoCallsPerAction', 'jobs.fifo');
    expect([fifo.needs, fifo.of, fifo.share]).toEqual([600, 300, 2]);
    expect(fifo.how).toMatch(/^SendMessage 600\/s/);
    const m = find(hs, 'mappingConcurrency', 'jobs.fifo → worker');
    expect(m.needs).toBeCloseTo(12, 9);
    expect(m.of).toBe(1000);
  });

  it("SNS publishes, EventBridge events and target invocations against the region's account quotas (us-east-1 30,000, 10,000 and 18,750; eu-south-1 300, 400 and 750; eu-west-3's PutEvents 600)", () => {
    const east = at(6000, 'us-east-1');
    expect(find(east, 'snsPublish').share).toBeCloseTo(6000 / 30_000, 12);
    // 2 events per message
    expect(find(east, 'eventBridgePutEvents').needs).toBe(12_000);
    expect(find(east, 'eventBridgePutEvents').share).toBeCloseTo(1.2, 12);
    const milan = at(600, 'eu-south-1');
    expect(find(milan, 'snsPublish').of).toBe(300);
    expect(find(milan, 'eventBridgePutEvents').of).toBe(400);
    expect(find(milan, 'eventBridgeInvocations').of).toBe(750);
    // 2 invocations per message
    expect(find(east, 'eventBridgeInvocations').needs).toBe(12_000);
    expect(find(east, 'eventBridgeInvocations').of).toBe(18_750);
    const paris = at(600, 'eu-west-3');
    expect(find(paris, 'eventBridgePutEvents').of).toBe(600);
    expect(find(paris, 'eventBridgePutEvents').limitSource).toContain("AWS's documented default for eu-west-3");
  });
});
