import pLimit from 'p-limit';
import { awaitPublished, type ExpectedCounts } from './await-published.ts';
import { awaitInvocationsSettled, LOCAL_SETTLE } from './await-settled.ts';
import { createCloudWatchClients, type CloudWatchClients, type CloudWatchTarget } from './cloudwatch-clients.ts';
import {
  apiGatewayRequests,
  apiGatewayRouteRequests,
  coarsenedNote,
  dynamoRequests,
  emfRequests,
  lambdaRequests,
  localHostRequests,
  queryWindow,
  toMetricDataQuery,
  type DynamoTablePlan,
  type EmfMetric,
  type MetricRequest,
  type RouteDimensionSet,
} from './cloudwatch-queries.ts';
import type { CloudWatchResults } from '../../contracts/cloudwatch-schema.ts';
import { incompleteFamilies, metricCompleteness } from './completeness.ts';
import { metricTotals } from './cloudwatch-totals.ts';
import { DEFAULT_REPORT_LIMITS, pullReportLines, type FunctionLog } from './init-durations.ts';
import type { LogPullLimits } from './log-events.ts';
import type { ReportLine } from './report-lines.ts';
import { functionLogGroup, type FunctionLogGroups } from './function-log-group.ts';
import { executionLogGroup, pullExecutionLogFailures } from './execution-log-failures.ts';
import { getMetricData, listMetrics } from './metric-data-fetch.ts';
import { describeProblem, isHopeless } from './pull-problem.ts';
import { EMF_METRICS, REFERENCE_EMF } from '../../contracts/reference-functions.ts';
import type { EmfSource } from '../../contracts/target-schema.ts';
import { DYNAMO_OPERATIONS, type BenchTable } from '../../contracts/reference-tables.ts';

export interface PullCloudWatchOptions {
  target: CloudWatchTarget;
  /** the run, epoch ms; the query window adds `marginSec` on both sides */
  run: { startMs: number; endMs: number };
  /** Lambda function names (CloudWatch FunctionName): the target's own (runFunctions); default none */
  functions?: readonly string[];
  /** the functions whose log group is not `/aws/lambda/<name>` (their LoggingConfig.LogGroup) */
  logGroups?: FunctionLogGroups;
  /** DynamoDB tables (CloudWatch TableName) and their global indexes: the target's own (runTables); default none */
  tables?: readonly BenchTable[];
  /** the WebSocket API; when absent it is looked up with ListMetrics (used if exactly one) */
  apiGateway?: { apiId: string; stage: string } | null;
  /**
   * default: the target's (1 s locally; on AWS 60 s), or 1 s with highResolution; coarser where
   * the window is too old for CloudWatch to serve it (queryWindow)
   */
  periodSec?: number;
  highResolution?: boolean;
  /** default: the target's (5 s locally, 60 s on AWS) */
  marginSec?: number;
  /** wait as the target's rule says before pulling (default true; false: pull at once, e.g. `report --repull`) */
  settle?: boolean;
  /** local: the longest that wait may take (default 15 s; an interrupted run has less time) */
  settleMaxMs?: number;
  /** `--metrics-wait`: the longest wait for a target whose metrics are published late (default: the target's) */
  metricsWaitMs?: number;
  /** what the harness counted itself: the wait for publication waits for these, and completeness is judged by them */
  expected?: ExpectedCounts;
  /** the progress line while waiting ("waiting for CloudWatch: …") */
  onStatus?: (line: string) => void;
  /** read REPORT log lines (default true) */
  reportLines?: boolean;
  reportLimits?: LogPullLimits;
  /** every report of `functionName` as the REPORT pull reads it (the attribution join's invocations) */
  onReport?: (functionName: string, line: ReportLine, stream: string | undefined) => void;
  /** where the functions publish EMF metrics (runEmfSources); default none */
  emf?: readonly EmfSource[];
  /** pre-built clients (tests); otherwise made from `target` and destroyed after the pull */
  clients?: CloudWatchClients;
}

/**
 * Pulls AWS/Lambda, AWS/ApiGateway, AWS/DynamoDB and the stack's EMF metrics for the run window, the REPORT
 * lines and error lines of every function, and the stage's execution log's invoke-permission failures. The same calls go to AWS and to the emulator. Never throws: whatever
 * cannot be pulled is listed in `problems` (error class + message) and the rest is kept.
 */
export async function pullCloudWatch(options: PullCloudWatchOptions): Promise<CloudWatchResults> {
  const { target } = options;
  const periodSec = options.periodSec ?? (options.highResolution ? 1 : target.periodSec);
  const marginSec = options.marginSec ?? target.marginSec;
  let window = queryWindow(options.run, periodSec, marginSec, Date.now());
  const functions = [...(options.functions ?? [])];
  const emf = options.emf ?? [];

  const result: CloudWatchResults = {
    status: 'complete',
    source: target.source,
    region: target.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'unknown',
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    window: { startMs: window.startMs, endMs: window.endMs, periodSec: window.periodSec },
    pulledAt: new Date().toISOString(),
    functions,
    apiGateway: options.apiGateway ?? null,
    series: [],
    lambda: {},
    apiGatewayTotals: null,
    emf: {},
    reports: {},
    problems: [],
    notes: [],
  };

  let clients: CloudWatchClients;
  try {
    clients = options.clients ?? createCloudWatchClients(target);
  } catch (error) {
    result.problems.push(describeProblem('create clients', error));
    result.status = 'unavailable';
    return result;
  }

  let succeeded = 0;
  // whether the counts had stopped changing when pulled (no wait: taken as they are)
  let stable = true;
  let hopeless = false;
  const attempt = async <T>(step: string, fn: () => Promise<T>): Promise<T | undefined> => {
    if (hopeless) return undefined;
    try {
      const value = await fn();
      succeeded++;
      return value;
    } catch (error) {
      result.problems.push(describeProblem(step, error));
      if (isHopeless(error)) {
        hopeless = true;
        result.notes.push(`stopped after "${step}": CloudWatch is unreachable or rejected the credentials, so nothing more was asked`);
      }
      return undefined;
    }
  };

  const settleOptions = options.settleMaxMs === undefined ? LOCAL_SETTLE : { ...LOCAL_SETTLE, maxMs: options.settleMaxMs };
  try {
    const wait = options.settle === false || functions.length === 0 ? undefined : target.wait;
    if (wait?.rule === 'settle') {
      const settled = await attempt('wait for the last invocations', () => awaitInvocationsSettled(clients.cloudwatch, functions, window.startMs, settleOptions));
      stable = settled?.settled ?? false;
      result.wait = { rule: 'settle', waitedMs: settled?.waitedMs ?? 0, done: stable };
      if (settled && !settled.settled) {
        result.notes.push(`Lambda invocations were still arriving ${Math.round(settled.waitedMs / 1000)} s after the run: the last ones may be missing from the totals`);
      }
      // The run's work ends when the stack has settled, not when its fleet closed (a big fleet's
      // last $disconnects end after the run's own window).
      window = queryWindow({ startMs: options.run.startMs, endMs: Math.max(options.run.endMs, Date.now()) }, periodSec, marginSec, Date.now());
      result.window = { startMs: window.startMs, endMs: window.endMs, periodSec: window.periodSec };
    }
    if (!result.apiGateway) result.apiGateway = await discoverApi(clients, attempt, result.notes);
    if (wait?.rule === 'published') {
      const rule = { ...wait, ...(options.metricsWaitMs !== undefined ? { maxMs: options.metricsWaitMs } : {}) };
      const watched = { functions, apiGateway: result.apiGateway, emf, tables: (options.tables ?? []).map((t) => t.name) };
      const published = await attempt('wait for CloudWatch to publish the run', () =>
        awaitPublished(clients.cloudwatch, watched, window, options.expected ?? { invocations: {} }, rule, options.onStatus),
      );
      stable = published?.stable ?? false;
      result.wait = { rule: 'published', waitedMs: published?.waitedMs ?? 0, maxMs: rule.maxMs, done: published?.done ?? false };
      if (published && !published.done) {
        result.notes.push(
          `CloudWatch had not published all of the run after ${Math.round(published.waitedMs / 1000)} s (--metrics-wait): pull it again later with \`fanout-bench report --repull <run-dir>\``,
        );
      }
    }
    const coarsened = coarsenedNote(window, Date.now());
    if (coarsened) result.notes.push(coarsened);
    const emfMetrics = (await Promise.all(emf.map((source) => discoverEmf(clients, attempt, source)))).flat();
    const dynamo = await discoverDynamo(clients, attempt, options.tables ?? []);

    const routeSets = result.apiGateway ? await discoverRoutes(clients, attempt, result.apiGateway, result.notes) : [];
    const requests: MetricRequest[] = [
      ...lambdaRequests(functions),
      ...(result.apiGateway ? apiGatewayRequests(result.apiGateway) : []),
      ...apiGatewayRouteRequests(routeSets),
      ...emfRequests(emfMetrics),
      ...dynamoRequests(dynamo),
      ...(target.hostMetrics ? localHostRequests(functions) : []),
    ];
    const data = await attempt('GetMetricData', () =>
      getMetricData(
        clients.cloudwatch,
        requests.map((r, i) => toMetricDataQuery(`q${i}`, r, window)),
        window,
      ),
    );
    if (data) {
      // coarse periods start before the run: the host's are then read over the whole window
      const hostSpan = window.coarsenedFromSec === undefined ? options.run : { startMs: window.startMs, endMs: window.endMs };
      const localHost = target.hostMetrics ? { run: hostSpan } : undefined;
      const { problems, notes, ...totals } = metricTotals({ requests, data, functions, apiGateway: result.apiGateway, routeSets, emfMetrics, dynamo, localHost });
      Object.assign(result, totals);
      result.problems.push(...problems);
      result.notes.push(...notes);
    }

    if (options.reportLines !== false) {
      const limits = options.reportLimits ?? DEFAULT_REPORT_LIMITS;
      // FilterLogEvents has a low per-account request rate on AWS: two functions at a time.
      const reports = await pLimit(2).map(functions, (fn) =>
        attempt(`FilterLogEvents ${functionLogGroup(fn, options.logGroups)}`, () =>
          pullReportLines(clients.logs, fn, window, limits, options.onReport && ((line, stream) => options.onReport!(fn, line, stream)), functionLogGroup(fn, options.logGroups)),
        ),
      );
      functions.forEach((fn, i) => {
        const log: FunctionLog | null | undefined = reports[i];
        if (!log) return;
        result.reports[fn] = log.reports;
        if (log.errors.length > 0) (result.functionErrors ??= {})[fn] = log.errors;
        if (log.logged.length > 0) (result.loggedErrors ??= {})[fn] = log.logged;
        if (log.reports.truncated) result.notes.push(`REPORT lines of ${fn} stopped at the page limit: its counts are a lower bound`);
      });
      // the requests API Gateway failed (a missing invoke permission, an AWS integration's), where the stage keeps an execution log
      const api = result.apiGateway;
      if (api) {
        const failures = await attempt(`FilterLogEvents ${executionLogGroup(api)}`, () => pullExecutionLogFailures(clients.logs, api, window, limits));
        if (failures) {
          result.invokePermissionFailures = failures.invokePermission;
          if (failures.integration.length > 0) result.integrationFailures = failures.integration;
        }
      }
    }
  } finally {
    if (!options.clients) {
      clients.cloudwatch.destroy();
      clients.logs.destroy();
    }
  }

  if (succeeded === 0) {
    result.status = 'unavailable';
    return result;
  }
  result.completeness = metricCompleteness(result, options.expected, stable, { reportLines: options.reportLines !== false });
  const incomplete = incompleteFamilies(result.completeness);
  if (result.problems.length > 0 || incomplete.length > 0) result.status = 'partial';
  if (incomplete.length > 0) result.notes.push(`not all of the run's metrics were published when pulled: ${incomplete.join('; ')}`);
  return result;
}

type Attempt = <T>(step: string, fn: () => Promise<T>) => Promise<T | undefined>;

async function discoverApi(clients: CloudWatchClients, attempt: Attempt, notes: string[]) {
  const listed = await attempt('ListMetrics AWS/ApiGateway', () =>
    listMetrics(clients.cloudwatch, { namespace: 'AWS/ApiGateway', metricName: 'ConnectCount' }),
  );
  if (!listed) return null;
  const apis = new Map<string, { apiId: string; stage: string }>();
  for (const m of listed) {
    const keys = Object.keys(m.dimensions);
    if (keys.length === 2 && m.dimensions.ApiId && m.dimensions.Stage) {
      apis.set(`${m.dimensions.ApiId}/${m.dimensions.Stage}`, { apiId: m.dimensions.ApiId, stage: m.dimensions.Stage });
    }
  }
  if (apis.size === 1) {
    const [api] = apis.values();
    notes.push(`API Gateway metrics: found one WebSocket API by ListMetrics (${api.apiId}, stage ${api.stage})`);
    return api;
  }
  notes.push(
    apis.size === 0
      ? 'API Gateway metrics: no API published ConnectCount in this account/region, so none were pulled'
      : `API Gateway metrics: ${apis.size} APIs publish ConnectCount (${[...apis.keys()].slice(0, 5).join(', ')}); give the target's apiId and stage to pull them`,
  );
  return null;
}

/**
 * The per-route dimension sets API Gateway publishes for the API (detailed metrics), as
 * ListMetrics shows them: any set of the API's stage that names a Resource (AWS documents the set
 * `ApiId, Method, Resource, Stage`, Resource as "resource path, and route ID"; that it carries the
 * route key is assumed, and a route is named by whatever value is listed). None listed is said without blaming the
 * stage: its detailed metrics may be on and ListMetrics not show them yet (up to 15 minutes on AWS).
 */
async function discoverRoutes(clients: CloudWatchClients, attempt: Attempt, api: { apiId: string; stage: string }, notes: string[]): Promise<RouteDimensionSet[]> {
  const listed = await attempt('ListMetrics AWS/ApiGateway per route', () => listMetrics(clients.cloudwatch, { namespace: 'AWS/ApiGateway', dimensions: { ApiId: api.apiId } }));
  if (!listed) return [];
  const sets = new Map<string, RouteDimensionSet>();
  for (const m of listed) {
    const d = m.dimensions;
    if (d.Resource === undefined || (d.Stage !== undefined && d.Stage !== api.stage)) continue;
    const key = JSON.stringify(Object.entries(d).sort(([a], [b]) => a.localeCompare(b)));
    if (!sets.has(key)) sets.set(key, { route: d.Resource, dimensions: d });
  }
  if (sets.size === 0) {
    notes.push(
      `API Gateway per-route metrics: ListMetrics shows none for API ${api.apiId} stage ${api.stage}, so no route's latency is reported (they are published only with the stage's detailed metrics on, and AWS may take up to 15 minutes to list a new metric)`,
    );
  }
  return [...sets.values()];
}

/**
 * A namespace's EMF metrics as published: Powertools adds `service` to every metric and
 * `function_name` to ColdStart, so the dimension sets are listed rather than guessed (those of the
 * source's service, where it names one). When none are listed (not yet, on AWS, or listing is
 * refused), the reference stack's known metrics are asked for in its namespace; another's are not known.
 */
async function discoverEmf(clients: CloudWatchClients, attempt: Attempt, source: EmfSource): Promise<EmfMetric[]> {
  const { namespace, service } = source;
  const listed = await attempt(`ListMetrics ${namespace}`, () => listMetrics(clients.cloudwatch, { namespace }));
  const ours = (listed ?? []).filter((m) => service === undefined || m.dimensions.service === service);
  const tag = { namespace, ...(service !== undefined ? { service } : {}) };
  if (ours.length > 0) return ours.map((m) => ({ ...tag, ...m }));
  if (namespace !== REFERENCE_EMF.namespace) return [];
  return EMF_METRICS.map((metric) => ({ ...tag, metric, dimensions: { service: service ?? REFERENCE_EMF.service } }));
}

/**
 * Per table, the global indexes and operations AWS/DynamoDB lists for it, with the known indexes
 * and every data-plane operation added: a fresh run's metrics may not be listed yet on AWS.
 */
async function discoverDynamo(clients: CloudWatchClients, attempt: Attempt, tables: readonly BenchTable[]): Promise<DynamoTablePlan[]> {
  const plans: DynamoTablePlan[] = [];
  let listing = true;
  for (const t of tables) {
    // One failure (no permission, say) is noted once; the other tables then use the defaults.
    const listed = listing
      ? await attempt('ListMetrics AWS/DynamoDB', () => listMetrics(clients.cloudwatch, { namespace: 'AWS/DynamoDB', dimensions: { TableName: t.name } }))
      : undefined;
    if (!listed) listing = false;
    const indexes = new Set(t.globalIndexes);
    const operations = new Set<string>(DYNAMO_OPERATIONS);
    for (const m of listed ?? []) {
      if (m.dimensions.GlobalSecondaryIndexName) indexes.add(m.dimensions.GlobalSecondaryIndexName);
      if (m.dimensions.Operation) operations.add(m.dimensions.Operation);
    }
    plans.push({ table: t.name, indexes: [...indexes], operations: [...operations] });
  }
  return plans;
}
