import type { PhaseResult, Results } from '../../contracts/results-schema.ts';
import type { QuotaLimit, Quotas, QuotaValue } from '../../contracts/quotas-schema.ts';
import { fmtInt } from '../../number-format.ts';

/**
 * Refusals and closes, attributed to the limit that caused them: one table, limit → evidence →
 * line, read by the console summary and the reports. A 429 to a message is the stage's (or its
 * route's) or the account's throttle, by the phase's rates (messageThrottleOf); a post's is never
 * the stage's; a handshake's is the new-connection quota's or the stage's, by the phase's connects
 * (connectThrottleOf). The evidence is the error kinds the fleet
 * counts (src/fleet: `handshake:<status>`, `throttle:<message>`, `close:<code>`), per phase, and
 * the quotas the run was held against (results.quotas). A run with no quotas recorded (a URL of a
 * stack of your own, older results) is attributed nothing: its limits are not known.
 */

const SOURCE: Record<QuotaValue['source'], string> = {
  'aws-documented': "AWS's documented default",
  'aws-documented-region': "AWS's documented default for the region",
  account: 'read from the account',
  'emulator-config': "the emulator's config",
};

const minutes = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`);

/** Each limit as a phrase around its value. */
const LIMIT_TEXT: Record<QuotaLimit, (v: number) => string> = {
  newConnectionsPerSecond: (v) => `API Gateway's ${fmtInt(v)} new connections/s per account and region`,
  frameBytes: (v) => `API Gateway's ${fmtInt(v)}-byte WebSocket frame`,
  messageBytes: (v) => `API Gateway's ${fmtInt(v)}-byte WebSocket message`,
  idleTimeoutSeconds: (v) => `API Gateway's ${minutes(v)} idle timeout`,
  connectionLifetimeSeconds: (v) => `API Gateway's ${minutes(v)} connection lifetime`,
  requestsPerSecond: (v) => `the stage's throttle of ${fmtInt(v)} requests/s`,
  requestBurst: (v) => `the stage's burst of ${fmtInt(v)} requests`,
  accountRequestsPerSecond: (v) => `the account's throttle of ${fmtInt(v)} requests/s`,
  accountRequestBurst: (v) => `the account's burst of ${fmtInt(v)} requests`,
  lambdaConcurrency: (v) => `Lambda's ${fmtInt(v)} concurrent executions per account`,
  lambdaUnreservedConcurrency: (v) => `Lambda's ${fmtInt(v)} unreserved concurrent executions`,
};

/** Where a value came from, as lines name it: "AWS's documented default". */
export function quotaSourceText(v: QuotaValue): string {
  return SOURCE[v.source];
}

/** A limit, its value and where the value came from: "API Gateway's 500 new connections/s per account and region (AWS's documented default)". */
export function quotaValueText(limit: QuotaLimit, v: QuotaValue): string {
  return `${LIMIT_TEXT[limit](v.value)} (${SOURCE[v.source]})`;
}

interface Evidence {
  /** the error kinds counted for it */
  kind: (k: string) => boolean;
  /** for a 1001 (the lifetime's or the idle timeout's): does this phase fit this limit? */
  phase?: (p: PhaseResult, ctx: PhaseContext, limitValue: number) => boolean;
  /** for a 429 several throttles give: the limit a phase's rates point at (undefined: the run's, no phases recorded) */
  whose?: (p: PhaseResult | undefined, q: Quotas) => QuotaLimit | undefined;
}

interface PhaseContext {
  /** ms since the first phase started, at this phase's end */
  endOffsetMs: number;
  /** ms without a connect or join step (clients sending nothing of their own may be quiet all along), at this phase's end */
  quietMs: number;
}

/** A phase's rates this close to a throttle are throttled in its bursts. */
export const THROTTLE_NEAR = 0.8;

const isMessageThrottle = (k: string) => k.startsWith('throttle:');
const isHandshakeThrottle = (k: string) => k === 'handshake:429';

/**
 * Whose 429 a throttled message is. API Gateway holds a client's messages to its route's throttle,
 * else the stage's (messages only), and to the account's, which `@connections` posts count
 * against too: the stage's when the phase's messages came near it, else the account's when its
 * messages and posts together did; with neither near, the lower of the two the run knows.
 */
export function messageThrottleOf(p: Pick<PhaseResult, 'sends' | 'deliveries' | 'durationMs'> | undefined, q: Quotas): 'requestsPerSecond' | 'accountRequestsPerSecond' | undefined {
  const stage = q.limits.requestsPerSecond;
  const account = q.limits.accountRequestsPerSecond;
  if (p && p.durationMs > 0) {
    const messages = p.sends.sent / (p.durationMs / 1000);
    const posts = p.deliveries.expected / (p.durationMs / 1000);
    if (stage && messages >= THROTTLE_NEAR * stage.value) return 'requestsPerSecond';
    if (account && messages + posts >= THROTTLE_NEAR * account.value) return 'accountRequestsPerSecond';
  }
  if (stage && (!account || stage.value <= account.value)) return 'requestsPerSecond';
  return account ? 'accountRequestsPerSecond' : undefined;
}

/** The limits a new connection meets (the emulator's handshake takes from both buckets; its $connect is not a request against the account's throttle). */
const CONNECT_LIMITS = ['newConnectionsPerSecond', 'requestsPerSecond'] as const;
export type ConnectLimit = (typeof CONNECT_LIMITS)[number];

/** A phase's attempted connects: those opened and those refused at handshake. */
export function connectAttempts(p: Pick<PhaseResult, 'connect' | 'errors'>): number {
  const refused = Object.entries(p.errors).filter(([k]) => k.startsWith('handshake:'));
  return (p.connect?.count ?? 0) + refused.reduce((n, [, c]) => n + c, 0);
}

/**
 * Whose 429 a refused handshake is. A new connection meets API Gateway's new-connection quota,
 * and its $connect is one of the stage's routes, held to the stage's throttle: the lower of the
 * two the phase's attempted connects came near; with neither near, the lower the run knows. (A
 * $connect route's own throttle, `quotas.routes`, is not told apart from the stage's here.)
 */
export function connectThrottleOf(p: { attempts: number; durationMs: number } | undefined, q: Quotas): ConnectLimit | undefined {
  const known = CONNECT_LIMITS.flatMap((limit) => {
    const v = q.limits[limit]?.value;
    return v === undefined ? [] : [{ limit, v }];
  }).sort((a, b) => a.v - b.v);
  const rate = p && p.durationMs > 0 ? p.attempts / (p.durationMs / 1000) : undefined;
  const near = rate === undefined ? undefined : known.find((k) => rate >= THROTTLE_NEAR * k.v);
  return (near ?? known[0])?.limit;
}

const phaseConnectThrottle = (p: PhaseResult | undefined, q: Quotas) => connectThrottleOf(p && { attempts: connectAttempts(p), durationMs: p.durationMs }, q);
const phaseMessageThrottle = (p: PhaseResult | undefined, q: Quotas) => messageThrottleOf(p, q);

/** The table: limit → evidence → line. */
const ATTRIBUTION: Array<{ limit: QuotaLimit; evidence: Evidence; line: (n: number, limit: string) => string }> = [
  {
    limit: 'newConnectionsPerSecond',
    evidence: { kind: isHandshakeThrottle, whose: phaseConnectThrottle },
    line: (n, limit) => `${fmtInt(n)} connects refused with 429 at handshake: the new-connection quota, ${limit}`,
  },
  {
    limit: 'requestsPerSecond',
    evidence: { kind: isHandshakeThrottle, whose: phaseConnectThrottle },
    line: (n, limit) => `${fmtInt(n)} connects refused with 429 at handshake: ${limit}, which holds $connect as one of its routes`,
  },
  {
    limit: 'requestsPerSecond',
    evidence: { kind: isMessageThrottle, whose: phaseMessageThrottle },
    line: (n, limit) => `${fmtInt(n)} messages answered "Too Many Requests" (429): ${limit}, which holds the clients' messages`,
  },
  {
    limit: 'accountRequestsPerSecond',
    evidence: { kind: isMessageThrottle, whose: phaseMessageThrottle },
    line: (n, limit) => `${fmtInt(n)} messages answered "Too Many Requests" (429): ${limit}, which the clients' messages and the @connections posts share`,
  },
  {
    limit: 'messageBytes',
    evidence: { kind: (k) => k === 'close:1009' },
    line: (n, limit) => `${fmtInt(n)} connections closed with 1009 (message too big): ${limit}`,
  },
  {
    limit: 'connectionLifetimeSeconds',
    evidence: { kind: (k) => k === 'close:1001', phase: (_p, ctx, v) => ctx.endOffsetMs >= v * 1000 },
    line: (n, limit) => `${fmtInt(n)} connections closed with 1001 (going away) at the end of their life: ${limit}`,
  },
  {
    limit: 'idleTimeoutSeconds',
    evidence: { kind: (k) => k === 'close:1001', phase: (_p, ctx, v) => ctx.quietMs >= v * 1000 },
    line: (n, limit) => `${fmtInt(n)} connections closed with 1001 (going away) after a quiet stretch: ${limit}`,
  },
];

/** One line per limit the run's refusals and closes point at, most frequent first. */
export function attributeQuotas(r: Pick<Results, 'errors' | 'phases'> & { quotas?: Quotas }): string[] {
  const q = r.quotas;
  if (!q) return [];
  const counted = new Map<(typeof ATTRIBUTION)[number], number>();
  const phases = r.phases ?? [];
  const contexts = phaseContexts(phases);
  for (const row of ATTRIBUTION) {
    const v = q.limits[row.limit];
    if (!v) continue;
    const { kind, phase, whose } = row.evidence;
    const fits = (p: PhaseResult, i: number) => (phase ? phase(p, contexts[i]!, v.value) : whose!(p, q) === row.limit);
    let n = 0;
    if ((phase || whose) && phases.length > 0) {
      phases.forEach((p, i) => {
        if (!fits(p, i)) return;
        for (const [k, c] of Object.entries(p.errors)) if (kind(k)) n += c;
      });
    } else if (!phase && (!whose || whose(undefined, q) === row.limit)) {
      // no phases recorded: a throttled message or connect is the limit the run's quotas point at
      for (const [k, c] of Object.entries(r.errors)) if (kind(k)) n += c;
    }
    // 1001 closes at the connection's age are the lifetime's, not also the idle timeout's
    const lifetime = [...counted.keys()].some((c) => c.limit === 'connectionLifetimeSeconds');
    if (n > 0 && !(row.limit === 'idleTimeoutSeconds' && lifetime)) counted.set(row, n);
  }
  return [...counted.entries()].sort((a, b) => b[1] - a[1]).map(([row, n]) => row.line(n, quotaValueText(row.limit, q.limits[row.limit]!)));
}

function phaseContexts(phases: PhaseResult[]): PhaseContext[] {
  const start = phases[0]?.startedAt ?? 0;
  let quiet = 0;
  return phases.map((p) => {
    quiet = p.kind === 'connect' || p.kind === 'join' ? 0 : quiet + p.durationMs;
    return { endOffsetMs: p.startedAt + p.durationMs - start, quietMs: quiet };
  });
}
