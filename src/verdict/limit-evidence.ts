import { coldTailEvidence } from './cold-tail-evidence.ts';
import { importRemedy } from './import-remedy.ts';
import { denialEvidence } from './denial-evidence.ts';
import { notEmulatedEvidence } from './not-emulated-evidence.ts';
import { pathEvidence } from './path-evidence.ts';
import { goneRemedy } from './gone-posts.ts';
import { ranInRun } from './started-functions.ts';
import { unencodedFormValue } from './unencoded-form-value.ts';
import { localHostFindings } from '../metrics/cloudwatch/local-host.ts';
import type { FunctionError, InvokePermissionFailure } from '../contracts/cloudwatch-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import type { QuotaLimit, Quotas } from '../contracts/quotas-schema.ts';
import { unexpectedErrors } from '../contracts/unexpected-errors.ts';
import { checkFailed } from '../contracts/verdict-schema.ts';
import { connectAttempts, connectThrottleOf, messageThrottleOf, quotaValueText, THROTTLE_NEAR } from '../metrics/results/quota-attribution.ts';
import { fmtCount, fmtInt, fmtNum, fmtShare } from '../number-format.ts';
import { clipText } from './clip-text.ts';
import { LIMIT_FACTORS, type Evidence, type LimitFactor } from '../contracts/limit-factors.ts';
import { figureLabel, lookupMetric, namedFigure, type Metric } from '../contracts/metric-catalogue.ts';
import { waitsInLatency, type CrossedLatency } from './local-host-waits.ts';

/**
 * What limited one run (a search's step; a failed run, whose explanations read it too), read from
 * its results.json alone: one line per kind of limit the run's numbers point at, each with its
 * figures. A cause is named only for a symptom it can produce (a failed check's or crossed SLO's:
 * errors, lost deliveries, latency), and says how much of it it accounts for (its share); the
 * lines are ranked by that share, and where no share is known, in the order of LIMIT_FACTORS (the
 * functions' own errors, a hard limit that refused work; then what makes the numbers
 * untrustworthy, the local host or the harness; then what made the work slow). No line: nothing
 * in the results points anywhere.
 *
 * The evidence: the functions' own errors as their logs name them (results.cloudwatch
 * .functionErrors: kind, message, count, first frame; a timeout with its memory size's CPU share),
 * AWS/Lambda Errors where the log names none; the requests API Gateway failed because it may not
 * invoke a route's function or the authorizer's (results.cloudwatch.invokePermissionFailures, from
 * the stage's execution log); AWS/Lambda Throttles and ConcurrentExecutions against the account's (or a
 * function's reserved) concurrency; API Gateway's 429s as the fleet counted them (`throttle:*`
 * answers, `handshake:429`: the stage's throttle or the account's, by the step's rates), or the
 * step's messages and posts at the account's throttle with API Gateway's client errors (throttled
 * posts); DynamoDB's throttled requests and throttle events (AWS/DynamoDB: ThrottledRequests,
 * Read/WriteThrottleEvents of tables and indexes; or the functions' own DynamoDbThrottles);
 * @connections post errors and timeouts (FanoutPostErrors, FanoutPostTimeouts); the harness's saturated flag; the emulator's held-back invocations and busy
 * cores (FanoutBench/LocalHost: for a latency only where a client waited for the route held
 * back, and, for a latency judged on the stack's figure, only where the waits are still in it or
 * the stack's own figure stays within the limit (local-host-waits.ts); for an error only where a
 * wait came within reach of the function's Timeout or the integration's 29 s, for a loss only where a fan-out's did, or came within reach of the loss
 * timeout); the INIT share of the step's Lambda time (REPORT lines); the share of a latency's
 * slowest 1 % served cold (results.attribution: cold-tail-evidence.ts); the
 * fan-out's own duration (FanoutDurationMs) against broadcast p99.
 */

const BROADCAST_P99 = lookupMetric('broadcast.p99') as Metric;

/** INIT this large a share of the step's Lambda time is a cold-start storm. */
export const COLD_START_STORM_SHARE = 0.2;
/** A fan-out taking this share of broadcast p99 inside one invocation is what limits it. */
export const FANOUT_DOMINANT_SHARE = 0.5;
/** Mean time per post (fan-out duration ÷ posts) past this is slow @connections posts. */
export const SLOW_POST_MS = 50;

const sum = (xs: Iterable<number>) => {
  let n = 0;
  for (const x of xs) n += x;
  return n;
};
const ms = (v: number | null | undefined) => (v === null || v === undefined ? '?' : `${fmtNum(v)} ms`);
const shareOf = (part: number, whole: number) => (whole > 0 ? Math.min(1, part / whole) : undefined);

/** What a failed check or crossed SLO shows: errors the clients met, deliveries lost, or latency. */
export type Symptom = 'errors' | 'loss' | 'latency';
export const SYMPTOMS: readonly Symptom[] = ['errors', 'loss', 'latency'];

/** The symptom of a built-in check (checks.ts) or of a threshold's metric. */
export function symptomOf(check: { name: string } | { metric: string }): Symptom {
  if ('metric' in check) return check.metric.startsWith('deliveries.') ? 'loss' : /^(errors|sends)\./.test(check.metric) ? 'errors' : 'latency';
  const byCheck: Record<string, Symptom> = { 'no lost deliveries': 'loss', 'harness not saturated': 'latency' };
  return byCheck[check.name] ?? 'errors';
}

/**
 * What the evidence is weighed against: the symptoms, and the latency thresholds crossed (their
 * figure decides whether the host's held-back waits are in them). `asTimed`: a latency with no
 * threshold behind it (a failed check's, or any, for a run without a verdict): as the clients timed it.
 */
interface Judged {
  symptoms: ReadonlySet<Symptom>;
  crossed: readonly CrossedLatency[];
  asTimed: boolean;
}

/**
 * The judged run's own: its failed checks' and crossed thresholds' symptoms; every symptom, as
 * timed, when it has no verdict (or none failed). A crossed latency threshold decides what its
 * latency was judged on; a failed check's latency (the harness's own delay) is read as timed only
 * where no latency threshold was crossed.
 */
function judgedOfVerdict(r: Results): Judged {
  const v = r.verdict;
  const checks = v ? v.checks.filter(checkFailed).map(symptomOf) : [];
  const thresholds = v ? v.thresholds.filter((t) => t.outcome === 'fail') : [];
  const named = [...checks, ...thresholds.map(symptomOf)];
  if (named.length === 0) return { symptoms: new Set(SYMPTOMS), crossed: [], asTimed: true };
  const crossed = thresholds.filter((t) => symptomOf(t) === 'latency');
  return { symptoms: new Set(named), crossed, asTimed: crossed.length === 0 && checks.includes('latency') };
}

/** A wait this large a share of a limit (the function's Timeout, the integration's 29 s, the loss timeout) can reach it. */
export const WAIT_REACH_SHARE = 0.5;
/** API Gateway's integration timeout, ms. */
const INTEGRATION_TIMEOUT_MS = 29_000;

interface Finding {
  line: string;
  share?: number;
  remedy?: string;
}
type Detector = (r: Results, symptoms: ReadonlySet<Symptom>, judged: Judged) => Finding | Finding[] | string | undefined;

const DETECTORS: Record<Exclude<LimitFactor, 'none'>, Detector> = {
  'not-emulated': (r, symptoms) => notEmulatedEvidence(r, symptoms.has('loss'), symptoms.has('errors')),
  'queued-path': (r, symptoms) => pathEvidence(r, symptoms.has('loss')),
  'function-errors': (r, symptoms) => functionErrorFindings(r, symptoms),
  'invoke-permission': (r, symptoms) => invokePermissionFindings(r, symptoms),
  'integration-errors': (r, symptoms) => integrationFindings(r, symptoms),
  'iam-denied': (r, symptoms) => denialEvidence(r, symptoms).filter((f) => f.kind === 'iam-denied'),
  'logged-errors': (r, symptoms) => denialEvidence(r, symptoms).filter((f) => f.kind === 'logged-errors'),
  'lambda-throttles': (r, symptoms) => {
    const lambda = r.cloudwatch?.lambda ?? {};
    // for a loss alone: only a function that fans out loses deliveries when throttled (a throttled
    // $connect or authorizer fails the connect, which shows as a failed connect)
    const throttled = Object.entries(lambda).filter(([fn, t]) => t.throttles > 0 && (!onlyLoss(symptoms) || fansOutOf(r, fn)));
    const limit = r.quotas?.limits.lambdaConcurrency;
    const peak = Math.max(0, ...Object.values(lambda).map((t) => t.concurrentExecutionsMax ?? 0));
    const atLimit = limit !== undefined && peak >= limit.value;
    if (throttled.length === 0 && (!atLimit || onlyLoss(symptoms))) return undefined;
    // a function with reserved concurrency is throttled at that, whatever the account's
    const reservedOf = (fn: string) => r.config.target.functions?.functions.find((f) => f.name === fn)?.reservedConcurrency;
    const atReserved = (fn: string, peakOf: number | null) => {
      const n = reservedOf(fn);
      return n === undefined ? '' : `: its reserved concurrency of ${fmtInt(n)}${peakOf === null ? '' : `, ConcurrentExecutions peaked at ${fmtInt(peakOf)}`}`;
    };
    const parts = throttled.length > 0
      ? [`Lambda throttled ${fmtInt(sum(throttled.map(([, t]) => t.throttles)))} invocations (${throttled.map(([fn, t]) => `${fn} ${fmtInt(t.throttles)}${atReserved(fn, t.concurrentExecutionsMax)}`).join(', ')})`]
      : [];
    const allReserved = throttled.length > 0 && throttled.every(([fn]) => reservedOf(fn) !== undefined);
    if (limit && (atLimit || !allReserved)) parts.push(`ConcurrentExecutions peaked at ${fmtInt(peak)} against ${quotaValueText('lambdaConcurrency', limit)}`);
    return { line: parts.join('; '), share: symptoms.has('errors') ? shareOf(sum(throttled.map(([, t]) => t.throttles)), unexpectedCount(r)) : undefined };
  },
  'api-gateway-429': (r, symptoms) => {
    const messages = sum(Object.entries(r.errors).filter(([k]) => k.startsWith('throttle:')).map(([, n]) => n));
    // a connect refused with 429 is a failed connect, owed no delivery: no cause of a loss alone
    const connects = onlyLoss(symptoms) ? 0 : (r.errors['handshake:429'] ?? 0);
    const q = r.quotas?.limits;
    if (messages + connects === 0) return throttledPosts(r);
    const parts: string[] = [];
    if (messages > 0) {
      // the stage's throttle (messages) or the account's (messages and posts), by the step's rates
      const which = r.quotas ? messageThrottleOf({ sends: r.sends, deliveries: r.deliveries, durationMs: holdMsOf(r) }, r.quotas) : undefined;
      parts.push(`API Gateway answered ${fmtInt(messages)} of ${fmtInt(r.sends.sent)} messages with 429 (Too Many Requests)${throttleText(which, q)}`);
    }
    if (connects > 0) {
      // the new-connection quota or the stage's throttle ($connect is one of its routes), by the connect phases' rate
      const connecting = (r.phases ?? []).filter((p) => p.kind === 'connect');
      const rates = connecting.length > 0 ? { attempts: sum(connecting.map(connectAttempts)), durationMs: sum(connecting.map((p) => p.durationMs)) } : undefined;
      const which = r.quotas ? connectThrottleOf(rates, r.quotas) : undefined;
      parts.push(`${fmtInt(connects)} connects refused with 429 at handshake${throttleText(which, q)}`);
    }
    return { line: parts.join('; '), share: symptoms.has('errors') ? shareOf(messages + connects, unexpectedCount(r)) : undefined };
  },
  'dynamodb-throttles': (r, symptoms) => {
    // For a loss alone, only what could lose deliveries (dynamodb-loss.ts): a throttled write by
    // a function on the connect path while every connect succeeded cannot.
    const failed = throttleFailures(r);
    const lossOnly = onlyLoss(symptoms);
    const keep = (table: string, op: string) => !lossOnly || failed.fansOut > 0 || couldLoseDeliveries(r, table, op);
    // per table, its throttled requests by operation, most first: "t: PutItem 45, DeleteItem 36"
    const tables = Object.entries(r.cloudwatch?.dynamodb ?? {})
      .map(([t, totals]) => {
        const ops = Object.entries(totals.operations).filter(([op, o]) => o.throttled > 0 && keep(t, op)).sort((a, b) => b[1].throttled - a[1].throttled);
        return [t, sum(ops.map(([, o]) => o.throttled)), ops.map(([op, o]) => `${op} ${fmtInt(o.throttled)}`).join(', ')] as const;
      })
      .filter(([, n]) => n > 0);
    // Throttle events count items and indexes short of provisioned capacity: a batch that lost
    // only some items to it counts events and no throttled request.
    const events = Object.entries(r.cloudwatch?.dynamodb ?? {}).flatMap(([t, totals]) => [
      ...throttleEvents(t, totals, (kind) => keep(t, kind === 'read' ? 'Query' : 'PutItem')),
      ...Object.entries(totals.indexes).flatMap(([index, units]) => throttleEvents(`${t} index ${index}`, units, (kind) => keep(t, kind === 'read' ? 'Query' : 'PutItem'))),
    ]);
    // the functions' own count names no operation: said beside what could lose, never alone for a loss
    const fromFunctions = lossOnly && tables.length + events.length === 0 && failed.fansOut === 0 ? 0 : (r.cloudwatch?.emf.DynamoDbThrottles?.sum ?? 0);
    if (tables.length === 0 && events.length === 0 && fromFunctions === 0) return undefined;
    const parts = tables.length > 0 ? [`DynamoDB throttled ${fmtInt(sum(tables.map(([, n]) => n)))} requests (${tables.map(([t, , ops]) => `${t}: ${ops}`).join('; ')})`] : [];
    if (events.length > 0) parts.push(`throttle events: ${events.join(', ')}`);
    if (fromFunctions > 0) parts.push(`the functions saw ${fmtInt(fromFunctions)} throttled DynamoDB attempts (retries included)`);
    // The invocations a throttle failed are this cause's share, not their function's own error's.
    if (failed.all > 0) parts.push(`${fmtInt(failed.all)} invocations failed on it (${[...DYNAMODB_THROTTLE_KINDS].filter((k) => failed.kinds.has(k)).join(', ')})`);
    if (lossOnly) parts.push(failed.fansOut > 0 ? `it can lose deliveries: ${fmtInt(failed.fansOut)} of those invocations fan out` : 'it can lose deliveries: a throttled read of the members, or a write by a function that fans out, leaves recipients unposted');
    return { line: parts.join('; '), share: failed.all > 0 ? errorShare(r, symptoms, failed.all, failed.fansOut) : undefined };
  },
  'connections-post-errors': (r, symptoms) => {
    const emf = r.cloudwatch?.emf ?? {};
    const errors = emf.FanoutPostErrors?.sum ?? 0;
    const timeouts = emf.FanoutPostTimeouts?.sum ?? 0;
    if (errors + timeouts === 0) return undefined;
    const delivered = emf.FanoutDeliveries?.sum ?? 0;
    return {
      line: `@connections posts failed: ${fmtInt(errors)} errors and ${fmtInt(timeouts)} timeouts against ${fmtInt(delivered)} posts delivered`,
      share: symptoms.has('loss') ? shareOf(errors + timeouts, r.deliveries.lost) : undefined,
    };
  },
  'harness-saturated': (r) => {
    const h = r.harness;
    if (!h.saturated) return undefined;
    return `the harness was saturated (event-loop lag p99 ${ms(h.eventLoopLagP99Ms)}, max ${ms(h.eventLoopLagMaxMs)}; peak CPU ${fmtNum(h.cpuCoresMax)} cores on ${fmtInt(h.shards)} shard(s)): its own delay is in the numbers`;
  },
  'local-host': (r, symptoms, judged) => {
    const all = localHostFindings(r);
    // A latency: what a client waited for (busy cores: in every figure; held-back waits: where the
    // judged figure still holds them). A loss or an error: a wait that could reach a limit.
    const waits = symptoms.has('latency') ? heldWaitsInLatency(r, judged) : { cause: false, said: [] };
    const bearing = all.filter(
      (f) =>
        (symptoms.has('latency') && f.inLatencies && (f.held === undefined || waits.cause)) ||
        (f.inLatencies && f.held !== undefined && [...symptoms].some((s) => s !== 'latency' && withinReach(r, f.held!, s))),
    );
    const said = waits.cause && bearing.some((f) => f.held !== undefined) ? waits.said : [];
    if (bearing.length > 0) return { line: [...bearing.map((f) => f.text), ...said].join('; '), share: Math.max(...bearing.map((f) => f.held?.share ?? 0)) || undefined };
    if (!waits.cause) return undefined;
    // below the warnings' share, still named for a latency: the waited routes' held-back invocations
    const host = r.cloudwatch?.localHost;
    const unwaited = new Set((r.config.target.functions?.functions ?? []).filter((f) => f.route === '$disconnect').map((f) => f.name));
    const held = Object.entries(host?.heldBack ?? {}).filter(([fn, h]) => h.count > 0 && !unwaited.has(fn));
    if (held.length === 0) return undefined;
    const line = `local host held back ${held.map(([fn, h]) => `${fmtInt(h.count)} ${fn} invocations (wait p99 ${ms(h.p99Ms)})`).join(', ')}; its cores averaged ${host!.hostBusyAvgPercent === null ? '?' : `${Math.round(host!.hostBusyAvgPercent)} %`}`;
    return [line, ...waits.said].join('; ');
  },
  'cold-start-storm': (r, symptoms) => {
    if (!symptoms.has('latency')) return undefined;
    const reports = Object.values(r.cloudwatch?.reports ?? {});
    const init = sum(reports.map((x) => x.initDurationMsTotal));
    const run = sum(reports.map((x) => x.durationMsTotal));
    if (init === 0 || init / (init + run) < COLD_START_STORM_SHARE) return undefined;
    const cold = sum(reports.map((x) => x.coldStarts));
    const invocations = sum(reports.map((x) => x.invocations));
    return `a cold-start storm: INIT was ${Math.round((init / (init + run)) * 100)} % of the step's Lambda time (${fmtInt(cold)} cold starts in ${fmtInt(invocations)} invocations, ${ms(init)} of INIT)`;
  },
  'cold-start-tail': (r, symptoms, judged) => (symptoms.has('latency') ? coldTailEvidence(r, judged.crossed, judged.asTimed) : undefined),
  'posts-per-invocation': (r, _symptoms, judged) => {
    // a latency that crossed on the host's waits alone, the stack's own figure within the limit: the fan-out did not cross it
    if (judged.crossed.length > 0 && judged.crossed.every((t) => waitsInLatency(r, t).stackWithin)) return undefined;
    const fanout = r.cloudwatch?.emf.FanoutDurationMs;
    // the stack's broadcast p99 where the run has it: the fan-out is a share of the stack's latency, not of the host's waits
    const p99 = BROADCAST_P99.read(r);
    const broadcast = 'value' in p99 ? p99.value : undefined;
    if (!fanout?.p99 || !broadcast || fanout.p99 < FANOUT_DOMINANT_SHARE * broadcast) return undefined;
    const posts = r.cloudwatch?.emf.FanoutDeliveries?.sum ?? 0;
    const perMessage = r.sends.acked > 0 ? posts / r.sends.acked : 0;
    return {
      line: `fan-out completion is limited by posts per invocation: one sendMessage invocation posting to ${fmtNum(perMessage)} members took p99 ${ms(fanout.p99)}, ${Math.round((fanout.p99 / broadcast) * 100)} % of ${figureLabel(BROADCAST_P99, namedFigure(BROADCAST_P99, [r]))} ${ms(broadcast)}`,
      share: Math.min(1, fanout.p99 / broadcast),
    };
  },
  'connections-post-latency': (r, symptoms) => {
    if (!symptoms.has('latency')) return undefined;
    const emf = r.cloudwatch?.emf ?? {};
    const duration = emf.FanoutDurationMs?.average;
    const posts = emf.FanoutDeliveries?.sum ?? 0;
    const invocations = emf.FanoutDurationMs && r.sends.acked > 0 ? r.sends.acked : 0;
    if (!duration || posts === 0 || invocations === 0) return undefined;
    const perPost = duration / (posts / invocations);
    if (perPost < SLOW_POST_MS) return undefined;
    return `@connections posts were slow: ${ms(perPost)} per post on average (fan-out ${ms(duration)} for ${fmtNum(posts / invocations)} posts)`;
  },
};

/** "t 12 read, 3 write": a table's or an index's Read/WriteThrottleEvents, when there are any (those `keep` keeps). */
function throttleEvents(name: string, e: { readThrottleEvents?: number; writeThrottleEvents?: number }, keep: (kind: 'read' | 'write') => boolean = () => true): string[] {
  const kinds = [
    [e.readThrottleEvents ?? 0, 'read'],
    [e.writeThrottleEvents ?? 0, 'write'],
  ] as const;
  const present = kinds.filter(([n, kind]) => n > 0 && keep(kind)).map(([n, kind]) => `${fmtInt(n)} ${kind}`);
  return present.length > 0 ? [`${name} ${present.join(', ')}`] : [];
}

/** A limit as a 429's evidence names it, a throttle with its burst: ": the stage's throttle of 10 requests/s (the emulator's config), burst 5". */
function throttleText(which: QuotaLimit | undefined, q: Quotas['limits'] | undefined): string {
  const v = which && q?.[which];
  if (!v) return '';
  const burst = which === 'requestsPerSecond' ? q.requestBurst : which === 'accountRequestsPerSecond' ? q.accountRequestBurst : undefined;
  return `: ${quotaValueText(which, v)}${burst ? `, burst ${fmtInt(burst.value)}` : ''}`;
}

/** The step's send phases' length, ms. */
function holdMsOf(r: Results): number {
  return sum((r.phases ?? []).filter((p) => p.kind === 'send').map((p) => p.durationMs));
}

/**
 * The account's throttle counts @connections posts as well as messages in (the stage's counts
 * messages only), and the functions retry a post answered 429 until it goes through: a step can
 * be throttled with no client ever told so. Its evidence then is its own request rate at the
 * account's throttle (messages sent plus the posts they meant, over the hold) while API Gateway
 * counted client errors (its 4XX, 429s among them).
 */
function throttledPosts(r: Results): string | undefined {
  const limit = r.quotas?.limits.accountRequestsPerSecond;
  const clientErrors = r.cloudwatch?.apiGatewayTotals?.clientError ?? 0;
  const holdMs = holdMsOf(r);
  if (!limit || clientErrors === 0 || holdMs <= 0) return undefined;
  const posts = r.deliveries.expected;
  const perSec = (r.sends.sent + posts) / (holdMs / 1000);
  if (perSec < THROTTLE_NEAR * limit.value) return undefined;
  return `the step's requests reached the account's throttle: ${fmtInt(perSec)} requests/s (${fmtInt(r.sends.sent)} messages in and ${fmtInt(posts)} @connections posts over ${fmtNum(holdMs / 1000)} s) against ${quotaValueText('accountRequestsPerSecond', limit)}; API Gateway counted ${fmtInt(clientErrors)} client errors (4XX), its 429s to throttled posts among them`;
}

/**
 * The evidence that can produce these symptoms (default: the judged run's own, from its verdict),
 * one line per kind of limit (per function, for the functions' errors), the largest share of the
 * symptom first; lines without a share after those with one, in LIMIT_FACTORS' order. `crossed`:
 * the latency thresholds behind a latency symptom (a crossed threshold's explanation passes its
 * own); without them, a latency as the clients timed it.
 */
export function limitEvidence(r: Results, symptoms?: ReadonlySet<Symptom>, crossed?: readonly CrossedLatency[]): Evidence[] {
  const judged: Judged = symptoms ? { symptoms, crossed: crossed ?? [], asTimed: crossed === undefined } : judgedOfVerdict(r);
  const out: Evidence[] = [];
  for (const factor of LIMIT_FACTORS) {
    if (factor === 'none') continue;
    const found = DETECTORS[factor](r, judged.symptoms, judged);
    for (const f of [found ?? []].flat()) {
      const x = typeof f === 'string' ? { line: f } : f;
      out.push({ factor, line: x.line, ...(x.share !== undefined ? { share: x.share } : {}), ...(x.remedy ? { remedy: x.remedy } : {}) });
    }
  }
  // stable: equal shares (and none) keep LIMIT_FACTORS' order
  return out.sort((a, b) => (b.share ?? -1) - (a.share ?? -1));
}

/**
 * Whether the host's held-back waits bear on the judged latencies: always for one as the clients
 * timed it; for a crossed threshold, where its figure holds them (local-host-waits.ts), with what
 * to say of it (the untraced requests that keep the waits, the stack's own figure within the limit).
 */
function heldWaitsInLatency(r: Results, judged: Judged): { cause: boolean; said: string[] } {
  const each = judged.crossed.map((t) => waitsInLatency(r, t));
  const said = [...new Set(each.flatMap((w) => (w.cause && w.said ? [w.said] : [])))];
  return { cause: judged.asTimed || each.some((w) => w.cause), said };
}

/** The client-facing errors the run did not expect (502s, error frames, 429s …). */
function unexpectedCount(r: Results): number {
  return sum(unexpectedErrors(r).map(([, n]) => n));
}

/**
 * Whether a held-back function's longest wait came within reach of a limit it can hit: for an
 * error, its Timeout or the integration's 29 s; for a loss, those or the loss timeout, and only
 * for a function that fans out (a held-back $connect delays a member, it loses nothing).
 */
function withinReach(r: Results, held: { fn: string; maxWaitMs: number | null }, symptom: Exclude<Symptom, 'latency'>): boolean {
  if (held.maxWaitMs === null) return false;
  const f = r.config.target.functions?.functions.find((x) => x.name === held.fn);
  if (symptom === 'loss' && f !== undefined && (NO_FANOUT_ROUTES.has(f.route) || f.authorizer)) return false;
  const loss = symptom === 'loss' && r.deliveries.lossTimeoutMs !== undefined ? [r.deliveries.lossTimeoutMs] : [];
  const limits = [INTEGRATION_TIMEOUT_MS, ...(f?.timeoutSeconds !== undefined ? [f.timeoutSeconds * 1000] : []), ...loss];
  return held.maxWaitMs >= WAIT_REACH_SHARE * Math.min(...limits);
}

/** The symptom asked about is a loss and nothing else: what could not lose deliveries is no cause of it. */
const onlyLoss = (symptoms: ReadonlySet<Symptom>) => symptoms.has('loss') && !symptoms.has('errors') && !symptoms.has('latency');

/** DynamoDB operations that read; the others write. */
const DYNAMODB_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems', 'ExecuteStatement']);

/**
 * Whether throttling of `op` on `table` could lose deliveries. The functions the run saw using
 * it (results.permissions' used calls): it could where one of them fans out, or is on the connect
 * path while a connect or a join failed. Where the run names no user: a read could (the members
 * a fan-out reads), a write only where a connect or a join failed (a throttled membership write
 * the SDK retried lost nothing; one that failed its connect shows as a failed connect).
 */
function couldLoseDeliveries(r: Results, table: string, op: string): boolean {
  const membershipFailed = (r.connections?.failed ?? 0) + (r.connections?.joinFailed ?? 0) > 0;
  const action = `dynamodb:${op}`.toLowerCase();
  const users = (r.permissions?.functions ?? [])
    .filter((f) => (f.used ?? []).some((u) => u.action.toLowerCase() === action && new RegExp(`:table/${escapeRegExp(table)}(/|$)`).test(u.resource)))
    .map((f) => f.function);
  if (users.length > 0) return users.some((fn) => fansOutOf(r, fn) || membershipFailed);
  return DYNAMODB_READS.has(op) || membershipFailed;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Routes whose function's failure loses no delivery: it fans nothing out. */
const NO_FANOUT_ROUTES = new Set(['$connect', '$disconnect']);

/** Whether a function's failure can lose deliveries (unknown functions are taken to fan out). */
function fansOutOf(r: Results, fn: string): boolean {
  const f = r.config.target.functions?.functions.find((x) => x.name === fn);
  return f === undefined || (!NO_FANOUT_ROUTES.has(f.route) && !f.authorizer);
}

/** The errors DynamoDB's throttling raises in a function that does not retry them away. */
const DYNAMODB_THROTTLE_KINDS = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

/** Invocations that failed on a DynamoDB throttle (all, and those of functions that fan out), with the kinds seen. */
function throttleFailures(r: Results): { all: number; fansOut: number; kinds: Set<string> } {
  const out = { all: 0, fansOut: 0, kinds: new Set<string>() };
  for (const [fn, kinds] of Object.entries(r.cloudwatch?.functionErrors ?? {})) {
    for (const k of kinds) {
      if (k.phase !== 'invoke' || !DYNAMODB_THROTTLE_KINDS.has(k.kind)) continue;
      out.all += k.count;
      if (fansOutOf(r, fn)) out.fansOut += k.count;
      out.kinds.add(k.kind);
    }
  }
  return out;
}

/**
 * The share of the symptom that failed invocations account for: of the client-facing errors; of
 * the messages sent, for a loss (only invocations that fan out can lose a delivery). The larger,
 * where both symptoms are asked about; undefined where neither applies or nothing was counted.
 */
function errorShare(r: Results, symptoms: ReadonlySet<Symptom>, failed: number, failedFanningOut: number): number | undefined {
  const shares = [
    ...(symptoms.has('errors') ? [shareOf(failed, unexpectedCount(r))] : []),
    ...(symptoms.has('loss') && r.deliveries.lost > 0 ? [shareOf(failedFanningOut, r.sends.sent)] : []),
  ].filter((x): x is number => x !== undefined);
  return shares.length > 0 ? Math.max(...shares) : undefined;
}

/**
 * Per function with errors, most share first: its error kinds in its own words with their counts
 * and first frame, and the share of the symptom they account for (of the client-facing errors;
 * of the messages whose fan-out they ended, for a loss). Where its log names none, AWS/Lambda
 * Errors' count alone.
 */
function functionErrorFindings(r: Results, symptoms: ReadonlySet<Symptom>): Finding[] {
  const lambda = r.cloudwatch?.lambda ?? {};
  const logged = r.cloudwatch?.functionErrors ?? {};
  const names = new Set([...Object.keys(logged), ...Object.entries(lambda).filter(([, t]) => t.errors > 0).map(([fn]) => fn)]);
  const out: Finding[] = [];
  for (const fn of names) {
    const kinds = logged[fn] ?? [];
    const errors = Math.max(lambda[fn]?.errors ?? 0, sum(kinds.filter((k) => k.phase === 'invoke').map((k) => k.count)));
    const invocations = lambda[fn]?.invocations ?? r.cloudwatch?.reports[fn]?.invocations ?? 0;
    const fansOut = fansOutOf(r, fn);
    if (!symptoms.has('errors') && !(symptoms.has('loss') && fansOut && r.deliveries.lost > 0)) continue;
    if (errors + kinds.length === 0 || !ranInRun(r, fn)) continue;
    // errors another cause produced (a DynamoDB throttle) count toward that cause's share, not this one's
    const own = errors - sum(kinds.filter((k) => k.phase === 'invoke' && DYNAMODB_THROTTLE_KINDS.has(k.kind)).map((k) => k.count));
    const share = errorShare(r, symptoms, own, fansOut ? own : 0);
    const head = `${fn}: ${fmtInt(errors)} error${errors === 1 ? '' : 's'} in ${fmtInt(invocations)} invocations`;
    // results pulled before the logs were read for errors have no functionErrors at all
    const unsaid = r.cloudwatch?.functionErrors === undefined ? ' (AWS/Lambda Errors)' : ' (AWS/Lambda Errors; its log names none of them)';
    const said = kinds.length > 0 ? `: ${kinds.map((k) => kindText(r, fn, k)).join('; ')}` : unsaid;
    const gone = kinds.some((k) => k.kind === 'GoneException') && symptoms.has('loss') && (r.stale?.gone410 ?? 0) > 0
      ? `; ${fmtInt(r.stale!.gone410)} posts answered 410 (stale connections), each ending its invocation's loop before the connections after it`
      : '';
    out.push({ line: `${head}${said}${gone}`, ...(share !== undefined ? { share } : {}), ...(kinds[0] ? { remedy: remedyOf(r, fn, kinds[0]) } : {}) });
  }
  return out.sort((a, b) => (b.share ?? -1) - (a.share ?? -1));
}

/**
 * Per route (and the $connect authorizer) whose function API Gateway may not invoke, most first:
 * the requests its execution log failed with "Invalid permissions on Lambda function", what the
 * clients were answered ("Internal server error" frames, or a 500 at handshake), the share of the
 * symptom they account for (of the client-facing errors; of the messages sent, for a loss on a
 * route that fans out), and the AWS::Lambda::Permission to add.
 */
function invokePermissionFindings(r: Results, symptoms: ReadonlySet<Symptom>): Finding[] {
  const out: Finding[] = [];
  for (const f of r.cloudwatch?.invokePermissionFailures ?? []) {
    const connect = f.authorizer || f.route === '$connect';
    const fansOut = !connect && f.route !== '$disconnect';
    if (!symptoms.has('errors') && !(symptoms.has('loss') && fansOut && r.deliveries.lost > 0)) continue;
    const fn = f.functionArn === null ? undefined : /:function:([^:]+)/.exec(f.functionArn)?.[1];
    const where = f.authorizer ? "the $connect authorizer's function" : `route ${f.route ?? '(not named in the log)'}`;
    const answered = connect ? 'each refused with 500 at handshake' : 'each answered "Internal server error"';
    const line = `API Gateway may not invoke ${fn ?? 'the function'} (${where}): ${fmtInt(f.count)} request${f.count === 1 ? '' : 's'} failed with "Execution failed due to configuration error: Invalid permissions on Lambda function" (its execution log), ${answered}`;
    const share = errorShare(r, symptoms, f.count, fansOut ? f.count : 0);
    out.push({ line, ...(share !== undefined ? { share } : {}), remedy: `add the resource AWS::Lambda::Permission ${JSON.stringify(permissionToAdd(r, f, fn))}` });
  }
  return out.sort((a, b) => (b.share ?? -1) - (a.share ?? -1));
}

/**
 * Per route, service and error, most first: the requests an `AWS` integration's service refused
 * (or API Gateway could not make), as the stage's execution log says: the service, its status,
 * error code and message, the request the route's template built, and what the clients were
 * answered; the share of the symptom, as for a function API Gateway may not invoke.
 */
function integrationFindings(r: Results, symptoms: ReadonlySet<Symptom>): Finding[] {
  const out: Finding[] = [];
  for (const f of r.cloudwatch?.integrationFailures ?? []) {
    const connect = f.route === '$connect';
    const fansOut = !connect && f.route !== '$disconnect';
    if (!symptoms.has('errors') && !(symptoms.has('loss') && fansOut && r.deliveries.lost > 0)) continue;
    const answered = connect ? 'each refused at handshake' : 'each answered "Internal server error"';
    const example = f.message ? `${f.count === 1 ? ': ' : ', the first: '}${clipText(f.message)}` : '';
    const said = f.status === null ? f.code : `${f.service.toUpperCase()} answered ${f.status} ${f.code}${example}`;
    const sent = f.requestBody !== undefined ? `; the ${f.count === 1 ? '' : 'first '}request its template built: ${clipText(f.requestBody, 200)}` : '';
    const line = `route ${f.route ?? '(not named in the log)'}'s AWS integration to ${f.service} failed ${fmtCount(f.count, 'request')}: ${said} (the stage's execution log), ${answered}${sent}`;
    const share = errorShare(r, symptoms, f.count, fansOut ? f.count : 0);
    const unencoded = unencodedFormValue(f);
    const remedy = unencoded
      ? `\`$util.urlEncode(...)\` each value the template puts into the form body: ${unencoded.field}=${unencoded.sent} reached ${f.service.toUpperCase()} as ${JSON.stringify(unencoded.received)} (a form body reads \`+\` as a space and \`%xx\` as its character)`
      : undefined;
    out.push({ line, ...(share !== undefined ? { share } : {}), ...(remedy ? { remedy } : {}) });
  }
  return out.sort((a, b) => (b.share ?? -1) - (a.share ?? -1));
}

/** The AWS::Lambda::Permission that lets API Gateway invoke the function from any route of the API (its region and account from the function's ARN). */
function permissionToAdd(r: Results, f: InvokePermissionFailure, fn: string | undefined): Record<string, string> {
  const arn = f.functionArn === null ? undefined : /^arn:([^:]+):lambda:([^:]+):(\d{12}):/.exec(f.functionArn);
  const api = r.cloudwatch?.apiGateway?.apiId ?? '<api id>';
  return {
    Action: 'lambda:InvokeFunction',
    FunctionName: fn ?? '<function>',
    Principal: 'apigateway.amazonaws.com',
    SourceArn: `arn:${arn?.[1] ?? 'aws'}:execute-api:${arn?.[2] ?? r.cloudwatch?.region ?? '<region>'}:${arn?.[3] ?? '<account>'}:${api}/*`,
  };
}


/**
 * An import error whose module the emulator found where Lambda would not look (emulator/lambda/
 * runtimes/package-boundary.ts, python-bootstrap.py): `<error>: found in <where>, which <why>; <what
 * to do>`. The where and the why are the cause, kept whole; what to do is the remedy.
 */
const FOUND_OUTSIDE = /^(.*?: found in .*?, which (?:is not part of the function's package|Lambda's runtime does not have)[^;]*(?:; Lambda would not find it)?)[;:] (.+)$/;

function messageText(e: FunctionError): string {
  const outside = e.kind === 'Runtime.ImportModuleError' ? FOUND_OUTSIDE.exec(e.message) : null;
  return outside ? outside[1]! : clipText(e.message);
}

/** `GoneException: An error occurred … ×17 (at app.py:32 in send_message)`; a timeout with its CPU share; a denied call by its action and resource. */
function kindText(r: Results, fn: string, e: FunctionError): string {
  const what = e.denied
    ? `AccessDeniedException: not authorized to perform ${e.denied.action} on ${e.denied.resource}`
    : e.kind === 'Task timed out' ? e.message : `${e.kind}${e.message ? `: ${messageText(e)}` : ''}`;
  const where = [e.phase === 'init' ? 'at INIT' : '', e.firstFrame ? `at ${e.firstFrame}` : ''].filter(Boolean).join(', ');
  return `${what} ×${fmtInt(e.count)}${where ? ` (${where})` : ''}${e.kind === 'Task timed out' ? timeoutFigures(r, fn, e) : ''}`;
}

/** Lambda's CPU follows memory: this many MB is one vCPU. */
const ONE_VCPU_MB = 1_769;

function sizeOf(r: Results, fn: string, e: FunctionError): { memoryMB?: number; timeoutS?: number } {
  const f = r.config.target.functions?.functions.find((x) => x.name === fn);
  const logged = /after ([\d.]+) seconds/.exec(e.message);
  return { memoryMB: f?.memoryMB ?? r.cloudwatch?.reports[fn]?.memorySizeMB ?? undefined, timeoutS: logged ? Number(logged[1]) : f?.timeoutSeconds };
}

/** A CPU time this close to all the Timeout allows at the share is all of it (the share is kept in ticks, not exactly). */
const ALL_OF_IT = 0.9;

/**
 * "; 128 MB = 7.2 % of a vCPU; its invocations used p50 240 ms of CPU (3.33 s at that share)
 * against its 3.00 s Timeout", from Lambda Insights' cpu_total_time; where even the least of them
 * used all the Timeout allows at that share, says so (their work needs more than it holds); with
 * no Insights, what the Timeout holds and that the CPU figure needs Insights.
 */
function timeoutFigures(r: Results, fn: string, e: FunctionError): string {
  const { memoryMB, timeoutS } = sizeOf(r, fn, e);
  if (memoryMB === undefined || timeoutS === undefined) return '';
  const share = Math.min(1, memoryMB / ONE_VCPU_MB);
  const size = `; ${fmtInt(memoryMB)} MB = ${fmtShare(share)} of a vCPU`;
  const allowedMs = timeoutS * 1000 * share;
  // to the hundredth, as Lambda words it ("Task timed out after 3.00 seconds")
  const timeout = `${timeoutS.toFixed(2)} s Timeout`;
  const cpu = r.cloudwatch?.lambda[fn]?.cpuTime;
  if (cpu?.p50Ms === null || cpu?.p50Ms === undefined) {
    return `${size}, so its ${timeout} holds at most ${fmtInt(allowedMs)} ms of CPU: work needing more than that at full speed cannot finish (the CPU its invocations used needs Lambda Insights on the function)`;
  }
  if (cpu.minMs !== null && cpu.minMs >= ALL_OF_IT * allowedMs) {
    return `${size}; every invocation used all ${fmtInt(allowedMs)} ms of CPU its ${timeout} allows at that share (p50 ${fmtInt(cpu.p50Ms)} ms): at full speed its work would need more`;
  }
  return `${size}; its invocations used p50 ${fmtInt(cpu.p50Ms)} ms of CPU (${fmtNum(cpu.p50Ms / share / 1000)} s at that share) against its ${timeout}`;
}

/** What would move a function's commonest error. */
function remedyOf(r: Results, fn: string, e: FunctionError): string {
  if (e.denied) {
    const role = /:assumed-role\/([^/]+)\//.exec(e.denied.principal)?.[1];
    return `add to ${role ? `the role ${role}` : "the function's execution role"} the statement ${JSON.stringify(statementToAdd(e.denied))}`;
  }
  if (e.kind === 'Task timed out') {
    const { memoryMB } = sizeOf(r, fn, e);
    const more = memoryMB !== undefined && memoryMB < ONE_VCPU_MB ? ` (${fmtInt(Math.min(ONE_VCPU_MB, memoryMB * 4))} MB gives it ${fmtNum(Math.min(ONE_VCPU_MB, memoryMB * 4) / memoryMB)}× the CPU; ${fmtInt(ONE_VCPU_MB)} MB is one vCPU)` : '';
    return `more memory, since Lambda's CPU share follows it${more}; SDK clients built once at module scope, in INIT, rather than in every call; or a longer Timeout`;
  }
  if (e.kind === 'GoneException') return goneRemedy(r);
  const outside = e.kind === 'Runtime.ImportModuleError' ? FOUND_OUTSIDE.exec(e.message) : null;
  if (outside) return `${outside[2]}; every invocation fails until it loads`;
  const runtime = r.config.target.functions?.functions.find((x) => x.name === fn)?.runtime;
  if (e.kind === 'Runtime.ImportModuleError') return importRemedy(e.message, runtime);
  if (e.kind === 'Runtime.CallbackHandlerDeprecated') return callbackRemedy(runtime);
  if (e.kind === 'Runtime.OutOfMemory') return 'more memory (MemorySize), or less held at once in an invocation';
  if (e.phase === 'init') return "fix the function's INIT (its module fails to load): every invocation fails until it does";
  return `handle or fix the error where it is raised${e.firstFrame ? ` (${e.firstFrame})` : ''}`;
}

/** A callback handler on Node.js 24 or later, whose runtime client refuses it at INIT (docs/aws-facts.md: nodejs24.x supports no callback handlers). */
function callbackRemedy(runtime: string | undefined): string {
  return `${runtime ?? 'Node.js 24 and later'} has no callback handlers: make the handler async (return its result and throw its error, in place of the callback and context.succeed, fail or done), or run it on nodejs22.x; every invocation fails until it does`;
}

/**
 * The statement that allows a denied call, as a policy writes it: the account the message masks
 * (`********0000`, as @connections writes it) taken from the principal's ARN, a literal
 * `{connectionId}` as any connection (`*`).
 */
export function statementToAdd(d: { principal: string; action: string; resource: string }): { Effect: 'Allow'; Action: string; Resource: string } {
  const account = /^arn:[^:]+:sts::(\d{12}):/.exec(d.principal)?.[1];
  const resource = d.resource.replace(/^(arn:[^:]+:[^:]+:[^:]*:)\*+\d{0,4}(?=:)/, (all, head: string) => (account ? `${head}${account}` : all)).replace(/\{[A-Za-z]+\}/g, '*');
  return { Effect: 'Allow', Action: d.action, Resource: resource };
}

/** The line said when no evidence points anywhere. */
export const NO_EVIDENCE_LINE =
  'no evidence: no throttles, 429s, DynamoDB throttling, post errors, denied calls, logged errors, cold-start storm or held-back invocations, and the harness kept up; the SLO was crossed by the latency of the work itself';
