import { createLambdaClient } from '../aws/lambda-client.ts';
import { pullCloudWatch } from '../metrics/cloudwatch/cloudwatch-puller.ts';
import { logGroupsOf } from '../metrics/cloudwatch/function-log-group.ts';
import { pullPermissions } from '../metrics/permissions/permissions-pull.ts';
import { pullDenials } from '../metrics/permissions/denials-pull.ts';
import type { PolicyTrail } from '../metrics/permissions/generated-policy.ts';
import { incompleteFamilies } from '../metrics/cloudwatch/completeness.ts';
import { estimateCost, type CostOptions } from '../metrics/cost/cost-model.ts';
import type { Results } from '../contracts/results-schema.ts';
import type { PermissionsSection } from '../contracts/permissions-schema.ts';
import { withSystemFacts, type SystemFacts } from '../metrics/results/system-facts.ts';
import { runEmfSources, runFunctions, runTables } from '../metrics/cost/run-functions.ts';
import { dynamoDbWork, lambdaWork } from '../metrics/cost/work-per-message.ts';
import { UnknownPrices } from '../metrics/cost/price-choice.ts';
import type { Target } from '../targets/target.ts';
import { stackPathOf } from '../targets/stack-path-pull.ts';
import { stackSecretsOf } from '../targets/stack-secrets.ts';
import { hopLatencyOf } from '../targets/hop-latency-pull.ts';
import { expectedCounts } from './expected-counts.ts';
import { targetStale } from './target-stale.ts';
import { withPriceList } from './run-prices.ts';
import type { RequestTrace } from '../metrics/measurement/request-trace.ts';
import type { PublishStageLog } from '../targets/publish-stage-logging.ts';
import type { RunAccessLog } from '../targets/access-logging.ts';
import { attributionWithoutAccessLog, startAttribution, type AttributionOptions, type RequestAttribution } from './request-attribution.ts';

export interface SystemMetricsOptions {
  /** a step that went wrong, one line (the fleet's results are kept whatever the steps find) */
  onWarning?: (message: string) => void;
  /** prices and architecture for the cost estimate (default: the dated table of the stack's region, the functions' architecture) */
  cost?: CostOptions;
  /** epoch ms the previous measurement against the same target ended, if there was one */
  previousEndMs?: number;
  /** the longest to wait for a local stack's last invocations (default the puller's, 15 s) */
  settleMaxMs?: number;
  /** an interrupted run: the longest, from the start of this step, before the permissions are judged (the stop budget) */
  permissionsMaxMs?: number;
  /** `--metrics-wait`: the longest wait for CloudWatch to publish the run (default: the target's) */
  metricsWaitMs?: number;
  /** the wait's progress line */
  onStatus?: (message: string) => void;
  /** the intended time of the run's last message after its first drop (the ledger's), for the target's view of stale posts */
  lastSentAfterDrop?: number;
  /** every request the fleet timed: traced to its invocation through the stage's access log (request-attribution.ts) */
  trace?: RequestTrace;
  /** the stage's access log the session has for the target; absent: `--access-log off` */
  accessLog?: RunAccessLog;
  /** the access logs of the stages of the publish phases' own routes (publish-stage-logging.ts) */
  publishLogs?: PublishStageLog[];
  /** what the steps have found so far, as each returns (a run keeps it should the process end before it is finished) */
  onFound?: (facts: SystemFacts) => void;
}

/**
 * The last part of measuring, for every run — finished, interrupted or failed — while the target
 * is still up: what the system itself reports, each step's finding returned (SystemFacts), read
 * over the fleet's results and what the steps before it found (withSystemFacts). The CloudWatch
 * pull (the target's endpoints, its functions as results.config.target.functions lists them), the
 * stack's path, secrets and hops over its window, every request traced to its invocation, the
 * permissions, the target's own view of posts to dropped clients where the protocol cannot show
 * them (target-stale.ts), the emulator's unserved calls, then the work per message and the cost
 * estimate computed from it. None of these throws: a step that fails is a warning and the rest is kept.
 */
export async function systemFacts(measured: Results, target: Target, options: SystemMetricsOptions = {}): Promise<SystemFacts> {
  const warn = options.onWarning ?? (() => {});
  const facts: SystemFacts = { warnings: [] };
  // what the next step reads: the fleet's results with what the steps so far found
  const sofar = () => withSystemFacts(measured, facts);
  const found = () => options.onFound?.({ ...facts, warnings: [...facts.warnings] });
  const source = target.cloudWatch;
  // the access log first (its lines settled), so that the REPORT pull below feeds the join as it reads
  const settleStart = performance.now();
  const permissionsBy = options.permissionsMaxMs === undefined ? undefined : settleStart + options.permissionsMaxMs;
  const attribution = source && options.trace && options.accessLog ? await startedAttribution(measured, target, { ...options, trace: options.trace, accessLog: options.accessLog }, warn) : undefined;
  // an interrupted run's settle bound is one budget: what the access log's wait took is not waited again
  const settleMaxMs = options.settleMaxMs === undefined ? undefined : Math.max(0, options.settleMaxMs - (performance.now() - settleStart));
  if (source) {
    // pullCloudWatch never throws: what it could not pull is listed in its problems
    const functions = runFunctions(measured);
    const cloudwatch = await pullCloudWatch({
      target: source,
      apiGateway: target.endpoints.apiGateway ?? null,
      functions: functions.map((f) => f.name),
      logGroups: logGroupsOf(functions),
      // the tables the target names (a stack's own); their indexes are listed by ListMetrics
      tables: runTables(measured),
      emf: runEmfSources(measured),
      run: { startMs: Date.parse(measured.startedAt), endMs: Date.parse(measured.endedAt) },
      ...(settleMaxMs === undefined ? {} : { settleMaxMs }),
      // the wait for publication waits for what the harness counted itself
      expected: expectedCounts(measured),
      ...(options.metricsWaitMs !== undefined ? { metricsWaitMs: options.metricsWaitMs } : {}),
      ...(options.onStatus ? { onStatus: options.onStatus } : {}),
      ...(attribution ? { onReport: attribution.onReport } : {}),
    });
    facts.cloudwatch = cloudwatch;
    found();
    // CloudWatch's window starts on a period boundary (a minute on AWS, a second on the
    // emulator's per-second metrics): a measurement that follows another on the same target
    // within it sees that one's tail too. Said, not hidden (measure waits for a fresh window).
    const previous = options.previousEndMs;
    if (previous !== undefined && cloudwatch.window.startMs < previous) {
      const overlapSec = Math.round((previous - cloudwatch.window.startMs) / 1000);
      const note = `the CloudWatch window starts ${overlapSec} s before the previous measurement on this target ended: Lambda, API Gateway and DynamoDB totals include its tail`;
      cloudwatch.notes.push(note);
      warn(note);
    }
    if (cloudwatch.status !== 'complete') {
      // what failed to be pulled, else what was not (fully) published: never an empty reason
      const problems = cloudwatch.problems.map((p) => `${p.step}: ${p.errorName}`);
      const reasons = problems.length > 0 ? problems : incompleteFamilies(cloudwatch.completeness);
      warn(`CloudWatch pull ${cloudwatch.status}: ${reasons.join('; ')}`);
    }
    const pulled = sofar();
    // a queued fan-out's path, hop by hop, over the same window (none for a stack without queues, topics, rules or mappings)
    facts.path = await stackPathOf(target, pulled);
    // the stack's secrets and Secrets Manager's calls over the same window (what the cost's Secrets Manager line prices)
    facts.secretsManager = await stackSecretsOf(target, pulled);
    // the delivery latency split by hop, from the local emulator's probe reach stamps (none on AWS)
    facts.hopLatency = await hopLatencyOf(target, pulled);
    found();
  }
  if (attribution) {
    try {
      facts.attribution = await attribution.finish();
    } catch (err) {
      warn(`requests not traced to their invocations: ${(err as Error).message}`);
    }
  } else if (!options.accessLog) {
    const without = attributionWithoutAccessLog(measured, target);
    if (without && 'note' in without) facts.warnings.push(without.note);
    else if (without) facts.attribution = without.attribution;
  }
  found();
  if (target.iamApi && target.lambdaApi) {
    const withApis = target as WithPermissionApis;
    await withinStopBudget(
      permissionsBy,
      async (signal) => {
        facts.permissions = await pulledPermissions(measured, withApis, signal);
        if (facts.permissions && !signal?.aborted) await addDenials(facts.permissions, sofar(), withApis, warn);
      },
      () => warn('permissions not judged: the run was interrupted, and its stop budget had no room to read them'),
    );
    found();
  }
  // once the system has settled (the pull waited for it): its own view of posts to dropped clients, where the protocol cannot show them
  facts.stale = await targetStale(measured, target, { lastSentAfterDrop: options.lastSentAfterDrop, onWarning: warn });
  // the calls the functions made to AWS endpoints the emulator does not serve: each refused here, and what it was for not done
  if (target.unservedCalls) {
    try {
      const calls = await target.unservedCalls({ startMs: Date.parse(measured.startedAt) });
      if (calls.length > 0) facts.unservedCalls = calls;
    } catch (err) {
      warn(`the emulator's record of calls to AWS endpoints it does not serve could not be read: ${(err as Error).message}`);
    }
  }
  found();
  try {
    const settled = sofar();
    facts.dynamodb = dynamoDbWork(settled);
    facts.lambda = lambdaWork(settled, options.cost?.functions);
  } catch (err) {
    warn(`work per message failed: ${(err as Error).message}`);
  }
  // what the prices could not be is said, and kept with the results
  const keep = (m: string) => {
    facts.warnings.push(m);
    warn(m);
  };
  try {
    const prices = await withPriceList(target, options.cost, keep);
    facts.cost = estimateCost(sofar(), prices);
  } catch (err) {
    if (err instanceof UnknownPrices) {
      keep(err.message); // refused, not guessed
    } else {
      warn(`cost estimate failed: ${(err as Error).message}`);
    }
  }
  return facts;
}

/** The attribution's start (the access log read, the join made); a failure is a warning, never the run's end. */
async function startedAttribution(results: Results, target: Target, o: AttributionOptions, warn: (m: string) => void): Promise<RequestAttribution | undefined> {
  try {
    return await startAttribution(results, target, { ...o, onWarning: warn });
  } catch (err) {
    warn(`requests not traced to their invocations: the access log could not be read (${(err as Error).name}: ${(err as Error).message})`);
    return undefined;
  }
}

/** Where the variables that name the trail Access Analyzer reads on AWS are. */
export const POLICY_TRAIL_ENV = { trail: 'FANOUT_BENCH_POLICY_TRAIL', accessRole: 'FANOUT_BENCH_POLICY_ACCESS_ROLE' } as const;

/** A step an interrupted run gives up at `by` (performance.now() ms; undefined: not interrupted, no bound), aborting its calls. */
async function withinStopBudget(by: number | undefined, step: (signal?: AbortSignal) => Promise<void>, gaveUp: () => void): Promise<void> {
  if (by === undefined) return step();
  const left = by - performance.now();
  if (left <= 0) return gaveUp();
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), left)));
  try {
    const ended = await Promise.race([step(abort.signal).then(() => 'done' as const), late]);
    if (ended === 'late') {
      abort.abort();
      gaveUp();
    }
  } finally {
    clearTimeout(timer);
  }
}

type WithPermissionApis = Target & { iamApi: NonNullable<Target['iamApi']>; lambdaApi: NonNullable<Target['lambdaApi']> };

/**
 * Each function's permissions, granted beside used (src/metrics/permissions/); undefined where
 * the stop budget gave up first. Access Analyzer reads a CloudTrail trail with a role it may
 * assume: on AWS the two the variables name (none: what was used is not observable, said once);
 * the emulator answers from its access ledger whatever trail is named, and at once.
 */
async function pulledPermissions(results: Results, target: WithPermissionApis, signal?: AbortSignal): Promise<PermissionsSection | undefined> {
  const local = target.endpoints.services === 'local';
  const region = target.endpoints.region ?? 'us-east-1';
  const named = { trail: process.env[POLICY_TRAIL_ENV.trail], accessRole: process.env[POLICY_TRAIL_ENV.accessRole] };
  const trail: PolicyTrail | undefined = local
    ? { cloudTrailArn: named.trail ?? `arn:aws:cloudtrail:${region}:000000000000:trail/emulator-access-ledger`, accessRole: named.accessRole ?? 'arn:aws:iam::000000000000:role/emulator-access-analyzer' }
    : named.trail && named.accessRole
      ? { cloudTrailArn: named.trail, accessRole: named.accessRole }
      : undefined;
  const noTrail = `Access Analyzer generates a policy from a CloudTrail trail: set ${POLICY_TRAIL_ENV.trail} (its ARN) and ${POLICY_TRAIL_ENV.accessRole} (a role Access Analyzer may read it with)`;
  const lambda = createLambdaClient(target.lambdaApi);
  // given up by the stop budget: the calls in flight end with the client
  signal?.addEventListener('abort', () => lambda.destroy(), { once: true });
  try {
    const permissions = await pullPermissions({
      functions: runFunctions(results).map((f) => f.name),
      lambda,
      iamApi: target.iamApi,
      window: { startMs: Date.parse(results.startedAt), endMs: Date.parse(results.endedAt) },
      ...(trail ? { trail } : { noTrail }),
      maxWaitMs: local ? 10_000 : 60_000,
      pollMs: local ? 100 : 5_000,
    });
    return signal?.aborted ? undefined : permissions;
  } finally {
    lambda.destroy();
  }
}

/** The calls refused, the posts to another API, and one line for functions whose use could not be read: into the pulled permissions. */
async function addDenials(permissions: PermissionsSection, results: Results, target: WithPermissionApis, warn: (m: string) => void): Promise<void> {
  const local = target.endpoints.services === 'local';
  // the calls refused (and posts to another API): the emulator's record, or what the functions' logs name
  const localLogs = local && target.cloudWatch?.source === 'local' ? target.cloudWatch.clients.logs : undefined;
  // a refusal is written a moment after the call: read up to now, the settle wait past the run's end included
  const refused = await pullDenials({ ...(localLogs ? { localLogs } : {}), window: { startMs: permissions.window.startMs, endMs: Date.now() }, cloudwatch: results.cloudwatch });
  if (refused.denied.length > 0) permissions.denied = refused.denied;
  if (refused.foreignApiPosts.length > 0) permissions.foreignApiPosts = refused.foreignApiPosts;
  if (refused.problem) warn(refused.problem);
  // one line for what could not be read: the first function's reason, and how many share it
  const blind = permissions.functions.filter((f) => f.status === 'not-observable');
  if (blind.length > 0) warn(`permissions not observable for ${blind.length} of ${permissions.functions.length} functions: ${blind[0]!.note}`);
}
