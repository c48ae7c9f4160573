import type { PhaseResult, Results } from '../../contracts/results-schema.ts';
import type { QuotaAttribution, QuotaEvidence, QuotaLimit, Quotas } from '../../contracts/quotas-schema.ts';

/**
 * Refusals and closes, attributed to the limit that caused them: one table, limit → evidence,
 * kept with the run (results.quotas.attributed) and worded by report/run/quota-text.ts. A 429 to a message is the stage's (or its
 * route's) or the account's throttle, by the phase's rates (messageThrottleOf); a post's is never
 * the stage's; a handshake's is the new-connection quota's or the stage's, by the phase's connects
 * (connectThrottleOf). The evidence is the error kinds the fleet
 * counts (src/fleet: `handshake:<status>`, `throttle:<message>`, `close:<code>`), per phase, and
 * the quotas the run was held against (results.quotas). A run with no quotas recorded (a URL of a
 * stack of your own, older results) is attributed nothing: its limits are not known.
 */

interface Evidence {
  is: QuotaEvidence;
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

/** The table: limit → evidence. */
const ATTRIBUTION: Array<{ limit: QuotaLimit; evidence: Evidence }> = [
  { limit: 'newConnectionsPerSecond', evidence: { is: 'handshake-429', kind: isHandshakeThrottle, whose: phaseConnectThrottle } },
  { limit: 'requestsPerSecond', evidence: { is: 'handshake-429', kind: isHandshakeThrottle, whose: phaseConnectThrottle } },
  { limit: 'requestsPerSecond', evidence: { is: 'message-429', kind: isMessageThrottle, whose: phaseMessageThrottle } },
  { limit: 'accountRequestsPerSecond', evidence: { is: 'message-429', kind: isMessageThrottle, whose: phaseMessageThrottle } },
  { limit: 'messageBytes', evidence: { is: 'close-1009', kind: (k) => k === 'close:1009' } },
  { limit: 'connectionLifetimeSeconds', evidence: { is: 'close-1001-age', kind: (k) => k === 'close:1001', phase: (_p, ctx, v) => ctx.endOffsetMs >= v * 1000 } },
  { limit: 'idleTimeoutSeconds', evidence: { is: 'close-1001-quiet', kind: (k) => k === 'close:1001', phase: (_p, ctx, v) => ctx.quietMs >= v * 1000 } },
];

/** One attribution per limit the run's refusals and closes point at, most frequent first (worded by report/run/quota-text.ts). */
export function attributeQuotas(r: Pick<Results, 'errors' | 'phases'> & { quotas?: Quotas }): QuotaAttribution[] {
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
  return [...counted.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([row, count]) => ({ limit: row.limit, value: q.limits[row.limit]!, evidence: row.evidence.is, count }));
}

function phaseContexts(phases: PhaseResult[]): PhaseContext[] {
  const start = phases[0]?.startedAt ?? 0;
  let quiet = 0;
  return phases.map((p) => {
    quiet = p.kind === 'connect' || p.kind === 'join' ? 0 : quiet + p.durationMs;
    return { endOffsetMs: p.startedAt + p.durationMs - start, quietMs: quiet };
  });
}
