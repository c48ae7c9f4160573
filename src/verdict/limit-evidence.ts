import { localHostWarnings } from '../metrics/cloudwatch/local-host.ts';
import type { Results } from '../contracts/results-schema.ts';
import { messageThrottleOf, quotaValueText, THROTTLE_NEAR } from '../metrics/results/quota-attribution.ts';
import { fmtInt, fmtNum } from '../number-format.ts';
import { LIMIT_FACTORS, type Evidence, type LimitFactor } from '../contracts/limit-factors.ts';

/**
 * What limited one run (a search's step; a failed run, whose explanations read it too), read from
 * its results.json alone: one line per kind of limit the run's numbers point at, each with its
 * figures, in the order of LIMIT_FACTORS (a hard limit that refused work first; then what makes
 * the numbers untrustworthy, the local host or the harness; then what made the work slow). No
 * line: nothing in the results points anywhere.
 *
 * The evidence: AWS/Lambda Throttles and ConcurrentExecutions against the account's (or a
 * function's reserved) concurrency; API Gateway's 429s as the fleet counted them (`throttle:*`
 * answers, `handshake:429`: the stage's throttle or the account's, by the step's rates), or the
 * step's messages and posts at the account's throttle with API Gateway's client errors (throttled
 * posts); DynamoDB's throttled requests and throttle events (AWS/DynamoDB: ThrottledRequests,
 * Read/WriteThrottleEvents of tables and indexes; or the functions' own DynamoDbThrottles);
 * @connections post errors and timeouts (FanoutPostErrors, FanoutPostTimeouts); the harness's saturated flag; the emulator's held-back invocations and busy
 * cores (FanoutBench/LocalHost); the INIT share of the step's Lambda time (REPORT lines); the
 * fan-out's own duration (FanoutDurationMs) against broadcast p99.
 */

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

type Detector = (r: Results) => string | undefined;

const DETECTORS: Record<Exclude<LimitFactor, 'none'>, Detector> = {
  'lambda-throttles': (r) => {
    const lambda = r.cloudwatch?.lambda ?? {};
    const throttled = Object.entries(lambda).filter(([, t]) => t.throttles > 0);
    const limit = r.quotas?.limits.lambdaConcurrency;
    const peak = Math.max(0, ...Object.values(lambda).map((t) => t.concurrentExecutionsMax ?? 0));
    const atLimit = limit !== undefined && peak >= limit.value;
    if (throttled.length === 0 && !atLimit) return undefined;
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
    return parts.join('; ');
  },
  'api-gateway-429': (r) => {
    const messages = sum(Object.entries(r.errors).filter(([k]) => k.startsWith('throttle:')).map(([, n]) => n));
    const connects = r.errors['handshake:429'] ?? 0;
    const q = r.quotas?.limits;
    if (messages + connects === 0) return throttledPosts(r);
    const parts: string[] = [];
    if (messages > 0) {
      // the stage's throttle (messages) or the account's (messages and posts), by the step's rates
      const which = r.quotas ? messageThrottleOf({ sends: r.sends, deliveries: r.deliveries, durationMs: holdMsOf(r) }, r.quotas) : undefined;
      const burst = which === 'requestsPerSecond' ? q?.requestBurst : q?.accountRequestBurst;
      const rate = which && q?.[which] ? `: ${quotaValueText(which, q[which])}${burst ? `, burst ${fmtInt(burst.value)}` : ''}` : '';
      parts.push(`API Gateway answered ${fmtInt(messages)} of ${fmtInt(r.sends.sent)} messages with 429 (Too Many Requests)${rate}`);
    }
    if (connects > 0) {
      const quota = q?.newConnectionsPerSecond ? `: ${quotaValueText('newConnectionsPerSecond', q.newConnectionsPerSecond)}` : '';
      parts.push(`${fmtInt(connects)} connects refused with 429 at handshake${quota}`);
    }
    return parts.join('; ');
  },
  'dynamodb-throttles': (r) => {
    // per table, its throttled requests by operation, most first: "t: PutItem 45, DeleteItem 36"
    const tables = Object.entries(r.cloudwatch?.dynamodb ?? {})
      .map(([t, totals]) => {
        const ops = Object.entries(totals.operations).filter(([, o]) => o.throttled > 0).sort((a, b) => b[1].throttled - a[1].throttled);
        return [t, sum(ops.map(([, o]) => o.throttled)), ops.map(([op, o]) => `${op} ${fmtInt(o.throttled)}`).join(', ')] as const;
      })
      .filter(([, n]) => n > 0);
    // Throttle events count items and indexes short of provisioned capacity: a batch that lost
    // only some items to it counts events and no throttled request.
    const events = Object.entries(r.cloudwatch?.dynamodb ?? {}).flatMap(([t, totals]) => [
      ...throttleEvents(t, totals),
      ...Object.entries(totals.indexes).flatMap(([index, units]) => throttleEvents(`${t} index ${index}`, units)),
    ]);
    const fromFunctions = r.cloudwatch?.emf.DynamoDbThrottles?.sum ?? 0;
    if (tables.length === 0 && events.length === 0 && fromFunctions === 0) return undefined;
    const parts = tables.length > 0 ? [`DynamoDB throttled ${fmtInt(sum(tables.map(([, n]) => n)))} requests (${tables.map(([t, , ops]) => `${t}: ${ops}`).join('; ')})`] : [];
    if (events.length > 0) parts.push(`throttle events: ${events.join(', ')}`);
    if (fromFunctions > 0) parts.push(`the functions saw ${fmtInt(fromFunctions)} throttled DynamoDB attempts (retries included)`);
    return parts.join('; ');
  },
  'connections-post-errors': (r) => {
    const emf = r.cloudwatch?.emf ?? {};
    const errors = emf.FanoutPostErrors?.sum ?? 0;
    const timeouts = emf.FanoutPostTimeouts?.sum ?? 0;
    if (errors + timeouts === 0) return undefined;
    const delivered = emf.FanoutDeliveries?.sum ?? 0;
    return `@connections posts failed: ${fmtInt(errors)} errors and ${fmtInt(timeouts)} timeouts against ${fmtInt(delivered)} posts delivered`;
  },
  'harness-saturated': (r) => {
    const h = r.harness;
    if (!h.saturated) return undefined;
    return `the harness was saturated (event-loop lag p99 ${ms(h.eventLoopLagP99Ms)}, max ${ms(h.eventLoopLagMaxMs)}; peak CPU ${fmtNum(h.cpuCoresMax)} cores on ${fmtInt(h.shards)} shard(s)): its own delay is in the numbers`;
  },
  'local-host': (r) => {
    const warnings = localHostWarnings(r);
    if (warnings.length > 0) return warnings.join('; ');
    const host = r.cloudwatch?.localHost;
    const held = Object.entries(host?.heldBack ?? {}).filter(([, h]) => h.count > 0);
    if (held.length === 0) return undefined;
    return `local host held back ${held.map(([fn, h]) => `${fmtInt(h.count)} ${fn} invocations (wait p99 ${ms(h.p99Ms)})`).join(', ')}; its cores averaged ${host!.hostBusyAvgPercent === null ? '?' : `${Math.round(host!.hostBusyAvgPercent)} %`}`;
  },
  'cold-start-storm': (r) => {
    const reports = Object.values(r.cloudwatch?.reports ?? {});
    const init = sum(reports.map((x) => x.initDurationMsTotal));
    const run = sum(reports.map((x) => x.durationMsTotal));
    if (init === 0 || init / (init + run) < COLD_START_STORM_SHARE) return undefined;
    const cold = sum(reports.map((x) => x.coldStarts));
    const invocations = sum(reports.map((x) => x.invocations));
    return `a cold-start storm: INIT was ${Math.round((init / (init + run)) * 100)} % of the step's Lambda time (${fmtInt(cold)} cold starts in ${fmtInt(invocations)} invocations, ${ms(init)} of INIT)`;
  },
  'posts-per-invocation': (r) => {
    const fanout = r.cloudwatch?.emf.FanoutDurationMs;
    const broadcast = r.metrics.broadcast.p99;
    if (!fanout?.p99 || !broadcast || fanout.p99 < FANOUT_DOMINANT_SHARE * broadcast) return undefined;
    const posts = r.cloudwatch?.emf.FanoutDeliveries?.sum ?? 0;
    const perMessage = r.sends.acked > 0 ? posts / r.sends.acked : 0;
    return `fan-out completion is limited by posts per invocation: one sendMessage invocation posting to ${fmtNum(perMessage)} members took p99 ${ms(fanout.p99)}, ${Math.round((fanout.p99 / broadcast) * 100)} % of broadcast p99 ${ms(broadcast)}`;
  },
  'connections-post-latency': (r) => {
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

/** "t 12 read, 3 write": a table's or an index's Read/WriteThrottleEvents, when there are any. */
function throttleEvents(name: string, e: { readThrottleEvents?: number; writeThrottleEvents?: number }): string[] {
  const kinds = [
    [e.readThrottleEvents ?? 0, 'read'],
    [e.writeThrottleEvents ?? 0, 'write'],
  ] as const;
  const present = kinds.filter(([n]) => n > 0).map(([n, kind]) => `${fmtInt(n)} ${kind}`);
  return present.length > 0 ? [`${name} ${present.join(', ')}`] : [];
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

/** The step's evidence, one line per kind of limit it points at, in the order they are named. */
export function limitEvidence(r: Results): Evidence[] {
  const out: Evidence[] = [];
  for (const factor of LIMIT_FACTORS) {
    if (factor === 'none') continue;
    const line = DETECTORS[factor](r);
    if (line) out.push({ factor, line });
  }
  return out;
}

/** The line said when no evidence points anywhere. */
export const NO_EVIDENCE_LINE =
  'no evidence: no throttles, 429s, DynamoDB throttling, post errors, cold-start storm or held-back invocations, and the harness kept up; the SLO was crossed by the latency of the work itself';
