import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { REFERENCE_EMF } from '../../contracts/reference-functions.ts';
import type { EmfSource } from '../../contracts/target-schema.ts';

/**
 * AWS publishes a minute of Lambda and API Gateway metrics a minute or more after it ends, and
 * DynamoDB's and EMF's later still; the emulator under `--aws-metrics` does the same. A pull soon
 * after the run would count part of it (zero Invocations, an understated cost) and call that
 * complete. So before pulling, a target whose metrics are published late (CloudWatchTarget.wait,
 * rule `published`) is polled until the run's metrics are in: each count the harness can predict
 * from its own tallies is reached (a function's invocations, ConnectCount, FanoutDeliveries), and
 * none of the counts polled has changed for a full period (so the minutes after the run's last
 * are in too, DynamoDB's included), at most `maxMs`.
 */
export interface ExpectedCounts {
  /** by function name: the invocations the harness's own counts imply, at least (sendMessage ≥ messages acknowledged) */
  invocations: Record<string, number>;
  /** connections opened: API Gateway's ConnectCount at least */
  connectCount?: number;
  /** deliveries received: the FanoutDeliveries EMF metric (posts that succeeded) at least */
  fanoutDeliveries?: number;
}

/** What the poll asks: totals over the window. */
export interface WatchedMetrics {
  functions: readonly string[];
  apiGateway: { apiId: string; stage: string } | null;
  /** where the functions publish EMF metrics: the reference stack's namespace holds its posts (FanoutDeliveries) */
  emf: readonly EmfSource[];
  tables: readonly string[];
}

export interface PublishedCounts {
  invocations: Record<string, number>;
  connectCount: number;
  fanoutDeliveries: number;
  dynamoUnits: number;
}

export interface PublishedWaitRule {
  maxMs: number;
  stableMs: number;
  pollMs: number;
}

export interface PublishedOutcome {
  /** every expectation reached and nothing changed for stableMs */
  done: boolean;
  /** nothing changed over the last stableMs (or the last poll when the wait ran out sooner) */
  stable: boolean;
  waitedMs: number;
  counts: PublishedCounts;
}

/** The first expectation not yet reached, as the progress line says it; undefined when all are. */
export function unmetExpectation(counts: PublishedCounts, expected: ExpectedCounts): string | undefined {
  for (const [fn, n] of Object.entries(expected.invocations)) {
    const got = counts.invocations[fn] ?? 0;
    if (got < n) return `${fn} ${got}/${n} invocations published`;
  }
  if (expected.connectCount !== undefined && counts.connectCount < expected.connectCount) {
    return `ConnectCount ${counts.connectCount}/${expected.connectCount} published`;
  }
  if (expected.fanoutDeliveries !== undefined && counts.fanoutDeliveries < expected.fanoutDeliveries) {
    return `FanoutDeliveries ${counts.fanoutDeliveries}/${expected.fanoutDeliveries} published`;
  }
  return undefined;
}

/** Progress lines at most this often (and whenever what is awaited changes). */
const SAY_EVERY_MS = 15_000;

export async function awaitPublished(
  cloudwatch: CloudWatchClient,
  watched: WatchedMetrics,
  window: { startMs: number; endMs: number; totalsPeriodSec: number },
  expected: ExpectedCounts,
  rule: PublishedWaitRule,
  say: (line: string) => void = () => {},
): Promise<PublishedOutcome> {
  const started = Date.now();
  const queries = countQueries(watched, window.totalsPeriodSec);
  const poll = async (): Promise<PublishedCounts> => {
    const out = await cloudwatch.send(
      new GetMetricDataCommand({ StartTime: new Date(window.startMs), EndTime: new Date(window.endMs), MetricDataQueries: queries.map((q) => q.query) }),
    );
    const counts: PublishedCounts = { invocations: Object.fromEntries(watched.functions.map((f) => [f, 0])), connectCount: 0, fanoutDeliveries: 0, dynamoUnits: 0 };
    for (const r of out.MetricDataResults ?? []) {
      const q = queries.find((x) => x.query.Id === r.Id);
      if (!q) continue;
      const n = (r.Values ?? []).reduce((a, b) => a + b, 0);
      if (q.kind === 'invocations') counts.invocations[q.fn!] = (counts.invocations[q.fn!] ?? 0) + n;
      else counts[q.kind] += n;
    }
    return counts;
  };
  let last = await poll();
  let changedAt = Date.now();
  let lastSaid = '';
  let saidAt = 0;
  for (;;) {
    const unmet = unmetExpectation(last, expected);
    const quietMs = Date.now() - changedAt;
    if (!unmet && quietMs >= rule.stableMs) return { done: true, stable: true, waitedMs: Date.now() - started, counts: last };
    const elapsed = Date.now() - started;
    if (elapsed >= rule.maxMs) return { done: false, stable: quietMs >= Math.min(rule.stableMs, rule.pollMs), waitedMs: elapsed, counts: last };
    const what = unmet ?? `counts reached, checking that they stay unchanged for ${Math.round(rule.stableMs / 1000)} s`;
    if (what !== lastSaid || Date.now() - saidAt >= SAY_EVERY_MS) {
      say(`waiting for CloudWatch: ${what}, ${Math.round(elapsed / 1000)} s (at most ${Math.round(rule.maxMs / 1000)} s)`);
      lastSaid = what;
      saidAt = Date.now();
    }
    await new Promise((r) => setTimeout(r, Math.min(rule.pollMs, Math.max(0, rule.maxMs - elapsed))));
    const now = await poll();
    if (JSON.stringify(now) !== JSON.stringify(last)) {
      last = now;
      changedAt = Date.now();
    }
  }
}

type CountKind = 'invocations' | 'connectCount' | 'fanoutDeliveries' | 'dynamoUnits';

function countQueries(w: WatchedMetrics, periodSec: number): Array<{ kind: CountKind; fn?: string; query: MetricDataQuery }> {
  const out: Array<{ kind: CountKind; fn?: string; query: MetricDataQuery }> = [];
  const add = (kind: CountKind, namespace: string, metric: string, dimensions: Record<string, string>, fn?: string) =>
    out.push({
      kind,
      ...(fn !== undefined ? { fn } : {}),
      query: {
        Id: `c${out.length}`,
        MetricStat: {
          Metric: { Namespace: namespace, MetricName: metric, Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })) },
          Period: periodSec,
          Stat: 'Sum',
        },
      },
    });
  for (const fn of w.functions) add('invocations', 'AWS/Lambda', 'Invocations', { FunctionName: fn }, fn);
  if (w.apiGateway) add('connectCount', 'AWS/ApiGateway', 'ConnectCount', { ApiId: w.apiGateway.apiId, Stage: w.apiGateway.stage });
  for (const { namespace, service } of w.emf) {
    if (namespace === REFERENCE_EMF.namespace) add('fanoutDeliveries', namespace, 'FanoutDeliveries', { service: service ?? REFERENCE_EMF.service });
  }
  for (const table of w.tables) {
    add('dynamoUnits', 'AWS/DynamoDB', 'ConsumedReadCapacityUnits', { TableName: table });
    add('dynamoUnits', 'AWS/DynamoDB', 'ConsumedWriteCapacityUnits', { TableName: table });
  }
  return out;
}
