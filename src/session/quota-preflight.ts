import { fieldPath, UserError } from '../../common/errors.ts';
import { encodeProbe } from '../../common/probe-text.ts';
import { sendMessageFrame, sendMessagePrefix } from '../fleet/protocols/chat-v1.ts';
import { roomSizes } from '../fleet/room-plan.ts';
import { newRunId } from '../metrics/results/run-id.ts';
import { DEFAULT_IDLE_RULE, type IdleRule, type QuotaLimit, type Quotas, type QuotaValue } from '../contracts/quotas-schema.ts';
import { attributeQuotas, quotaSourceText as sourceText, quotaValueText } from '../metrics/results/quota-attribution.ts';
import type { Results } from '../contracts/results-schema.ts';
import { formatDuration } from '../contracts/duration.ts';
import { plannedMs } from '../scenarios/planned-length.ts';
import type { PlannedPhase, Scenario, StackKnobs } from '../contracts/scenario-schema.ts';
import { withKnobs } from '../local-stack/stack-knobs.ts';
import { targetQuotas, type TargetQuotas } from '../targets/target-quotas.ts';
import type { OwnLimits } from '../targets/target.ts';
import type { TargetSpec } from '../contracts/target-spec.ts';
import { roomPrefix } from './room-names.ts';
import { fmtInt } from '../number-format.ts';

/**
 * The plan held against the target's quotas, before any load: one line per limit the scenario
 * would pass, naming the limit, its value (and where it comes from) and the scenario's figure.
 * A send phase whose frame cannot pass a target that refuses frames over its size is refused
 * (UserError, exit 2): the harness sends every message as one frame, so no message of it would
 * arrive. Said by `run --dry-run` and at the start of `run` (warnings), kept in results.quotas.
 */
export async function preflightQuotas(
  scenario: Scenario,
  spec: TargetSpec,
  o: { aws?: { region?: string; profile?: string; tables?: string[] }; shards?: number; stackKnobs?: StackKnobs },
): Promise<Quotas | undefined> {
  // the local stack's knobs as it will start: the run's flags (--template among them) over the scenario's
  const quotas = await targetQuotas(spec, { knobs: withKnobs(scenario.target, o.stackKnobs), aws: o.aws });
  if (!quotas) return undefined;
  const { lines, refusal } = quotaLines(scenario, quotas);
  if (refusal) throw new UserError(refusal);
  return {
    limits: quotas.limits,
    ...(quotas.routes ? { routes: quotas.routes } : {}),
    idleRule: quotas.idleRule,
    frameEnforced: quotas.frameEnforced,
    note: quotas.note,
    plan: [...quotas.problems, ...lines],
  };
}

/**
 * The plan with what the started target says of its own limits (target.ownLimits: a local
 * template's stage and route throttles): a limit or a route throttle the plan did not know is
 * added, and the scenario's lines against it are said (`warn`) and kept with the plan's.
 */
export function withOwnLimits(scenario: Scenario, quotas: Quotas, own: OwnLimits, warn: (line: string) => void): Quotas {
  const limits = Object.entries(own.limits).filter(([l]) => quotas.limits[l as QuotaLimit] === undefined);
  const routes = Object.entries(own.routes ?? {}).filter(([r]) => quotas.routes?.[r] === undefined);
  if (limits.length === 0 && routes.length === 0) return quotas;
  const merged: Quotas = {
    ...quotas,
    limits: { ...quotas.limits, ...Object.fromEntries(limits) },
    ...(quotas.routes || routes.length > 0 ? { routes: { ...quotas.routes, ...Object.fromEntries(routes) } } : {}),
  };
  const { lines } = quotaLines(scenario, { ...merged, idleRule: merged.idleRule ?? { rule: DEFAULT_IDLE_RULE, source: 'assumed' }, problems: [] });
  const fresh = lines.filter((l) => !quotas.plan.includes(l));
  for (const l of fresh) warn(l);
  return { ...merged, plan: [...quotas.plan, ...fresh] };
}

/** The results with the quotas they were held against, and their refusals and closes attributed. */
export function withQuotas<R extends Results>(results: R, quotas: Quotas | undefined): R {
  if (!quotas) return results;
  return { ...results, quotas: { ...quotas, attributed: attributeQuotas({ ...results, quotas }) } };
}

/** The quota lines of a scenario against these quotas, and the refusal of a frame that cannot pass. */
export function quotaLines(scenario: Scenario, q: TargetQuotas): { lines: string[]; refusal?: string } {
  const lines: string[] = [];
  const at = (l: QuotaLimit): QuotaValue | undefined => q.limits[l];
  const limit = (l: QuotaLimit) => quotaValueText(l, at(l)!);
  const phaseField = (i: number, p: PlannedPhase, field: string) => `${scenario.source}: ${fieldPath(['phases', i, p.kind, field])}`;
  const sizes = roomSizes(scenario.clients, scenario.rooms, scenario.roomSizes);
  let refusal: string | undefined;
  // A client's messages meet their route's throttle, else the stage's ($connect is a route too).
  const routeThrottle = (route: string): string | undefined => {
    const r = q.routes?.[route];
    if (r) return `the ${route} route's throttle of ${fmtInt(r.rate.value)} requests/s (${sourceText(r.rate)})${r.burst ? `, burst ${fmtInt(r.burst.value)}` : ''}`;
    const stage = at('requestsPerSecond');
    if (!stage) return undefined;
    const burst = at('requestBurst');
    return `${limit('requestsPerSecond')}${burst ? `, burst ${fmtInt(burst.value)}` : ''}`;
  };
  const routeRate = (route: string): number | undefined => q.routes?.[route]?.rate.value ?? at('requestsPerSecond')?.value;

  scenario.phases.forEach((p, i) => {
    if (p.kind === 'connect') {
      const quota = at('newConnectionsPerSecond');
      if (quota && p.rate > quota.value) {
        lines.push(`quota: connect phase "${p.name}" opens ${fmtInt(p.rate)} connections/s, over ${limit('newConnectionsPerSecond')}: expect 429s at handshake`);
      }
      const stage = routeRate('$connect');
      if (stage !== undefined && p.rate > stage) {
        lines.push(`quota: connect phase "${p.name}" opens ${fmtInt(p.rate)} connections/s, over ${routeThrottle('$connect')} ($connect is one of its routes): expect 429s at handshake`);
      }
    }
    if (p.kind === 'join') {
      const stage = routeRate('joinRoom');
      if (stage !== undefined && p.rate > stage) {
        lines.push(`quota: join phase "${p.name}" sends ${fmtInt(p.rate)} joinRoom messages/s, over ${routeThrottle('joinRoom')}: expect 429s ("Too Many Requests") on joins`);
      }
    }
    if (p.kind === 'connect' || p.kind === 'join') {
      // every connect or join in flight is one running invocation ($connect, or joinRoom)
      const quota = at('lambdaUnreservedConcurrency');
      if (quota && p.maxInFlight > quota.value) {
        lines.push(
          `quota: ${p.kind} phase "${p.name}" keeps up to ${fmtInt(p.maxInFlight)} invocations running (maxInFlight), over ${limit('lambdaUnreservedConcurrency')}: expect throttled invocations (${p.kind === 'connect' ? '500 at handshake' : 'errors on join'})`,
        );
      }
    }
    if (p.kind !== 'send') return;
    const frame = sendFrameBytes(scenario, p.payloadBytes);
    const frameQuota = at('frameBytes');
    const messageQuota = at('messageBytes');
    if (frameQuota && frame > frameQuota.value) {
      const fits = Math.max(0, p.payloadBytes - (frame - frameQuota.value));
      const what = `${fmtInt(p.payloadBytes)} bytes make a ${fmtInt(frame)}-byte sendMessage frame, over ${limit('frameBytes')}`;
      if (q.frameEnforced) refusal ??= `${phaseField(i, p, 'payloadBytes')}: ${what}: the harness sends each message as one frame, which the target refuses (at most ${fmtInt(fits)} bytes of payload fit)`;
      else lines.push(`quota: send phase "${p.name}": ${what}: the emulator does not refuse frames, AWS would`);
    }
    if (messageQuota && frame > messageQuota.value) {
      lines.push(`quota: send phase "${p.name}" sends ${fmtInt(frame)}-byte messages, over ${limit('messageBytes')}: expect closes with 1009 (message too big)`);
    }
    // the stage (or the route) holds the clients' messages; the account holds messages and @connections posts together
    const stage = routeRate('sendMessage');
    if (stage !== undefined && p.rate > stage) {
      lines.push(`quota: send phase "${p.name}" sends ${fmtInt(p.rate)} messages/s, over ${routeThrottle('sendMessage')}: expect 429s ("Too Many Requests") on messages; @connections posts do not count against it`);
    }
    const account = at('accountRequestsPerSecond');
    if (account) {
      const posts = p.rate * meanRecipients(sizes, p.senders);
      const requests = p.rate + posts;
      if (requests > account.value) {
        const burst = at('accountRequestBurst');
        lines.push(
          `quota: send phase "${p.name}" makes about ${fmtInt(requests)} requests/s (${fmtInt(p.rate)} messages/s + ${fmtInt(posts)} @connections posts/s = rate × room size), over ${limit('accountRequestsPerSecond')}${burst ? `, burst ${fmtInt(burst.value)}` : ''}, which messages and posts share: expect 429s on messages and LimitExceededException on posts`,
        );
      }
    }
  });

  const idle = at('idleTimeoutSeconds');
  const rule = q.idleRule.rule;
  const quiet = longestQuiet(scenario, sizes, idle ? idle.value * 1000 : Infinity, rule);
  if (idle && quiet.ms >= idle.value * 1000) {
    const what = rule === 'either' ? 'no message of their own, none delivered to them' : 'no message of their own';
    const assumed = q.idleRule.source === 'assumed' ? 'assumed' : "the emulator's rule";
    lines.push(
      `quota: clients stay quiet (${what}) for about ${formatDuration(quiet.ms)} (${quiet.phases.join(', ')}), over ${limit('idleTimeoutSeconds')}: expect closes with 1001 (going away) (${assumed}: ${IDLE_RULE_TEXT[rule]}; AWS does not document which)`,
    );
  }
  const lifetime = at('connectionLifetimeSeconds');
  const length = plannedMs(scenario);
  if (lifetime && length >= lifetime.value * 1000) {
    lines.push(`quota: the run lasts about ${formatDuration(length)}, over ${limit('connectionLifetimeSeconds')}: expect closes with 1001 (going away) at that age`);
  }
  return { lines, ...(refusal ? { refusal } : {}) };
}

/**
 * Bytes of the largest sendMessage frame the harness would send in this scenario: one real frame,
 * built as the fleet builds it, for the last room of a run id as long as a repeated run's, with a
 * probe of the widest numbers.
 */
export function sendFrameBytes(scenario: Scenario, payloadBytes: number): number {
  const room = `${roomPrefix(`${newRunId(scenario.name)}-repeat-20`)}r${scenario.rooms - 1}`;
  const probe = encodeProbe({ origin: 999, slot: 2 ** 31 - 1, sender: scenario.clients - 1, seq: 2 ** 31 - 1, intended: Date.now() + 86_400_000 }, payloadBytes);
  return Buffer.byteLength(sendMessageFrame(sendMessagePrefix(room), probe));
}

/** How many of a room's members send (as the fleet chooses them: fleet/room-plan.ts). */
function sendersOf(size: number, senders: { perRoom?: number; share?: number }): number {
  return senders.share !== undefined ? Math.min(size, Math.max(1, Math.round(senders.share * size))) : Math.min(size, senders.perRoom ?? 1);
}

/** Posts per message: a room's members, weighted by how many of each room's members send. */
function meanRecipients(sizes: number[], senders: { perRoom?: number; share?: number }): number {
  let weight = 0;
  let posts = 0;
  for (const size of sizes) {
    const s = sendersOf(size, senders);
    weight += s;
    posts += s * size;
  }
  return weight > 0 ? posts / weight : 0;
}

const IDLE_RULE_TEXT: Record<IdleRule, string> = {
  either: 'traffic either way resets the idle timer',
  client: "only a client's own messages reset the idle timer",
};

/**
 * The longest stretch a client is quiet, from the last connect or join step: idle phases, and
 * send phases that leave some client quiet for longer than the idle timeout. Under `client` only a
 * client's own messages reset the timer (some clients do not send, or each sender's turn comes
 * less often than the timeout); under `either` a delivery to it does too (a room's messages come
 * less often than the timeout).
 */
function longestQuiet(scenario: Scenario, sizes: number[], idleMs: number, rule: IdleRule): { ms: number; phases: string[] } {
  let best = { ms: 0, phases: [] as string[] };
  let cur = { ms: 0, phases: [] as string[] };
  for (const p of scenario.phases) {
    const everyoneSends = p.kind === 'send' && sizes.every((size) => sendersOf(size, p.senders) >= size);
    // each sender's turn comes every (senders / rate) s
    const often = p.kind === 'send' && (scenario.clients / p.rate) * 1000 < idleMs;
    const totalSenders = p.kind === 'send' ? sizes.reduce((n, size) => n + sendersOf(size, p.senders), 0) : 0;
    // the quietest room's messages come every (all senders / (rate × its senders)) s
    const everyRoomHears = p.kind === 'send' && sizes.every((size) => (totalSenders / (p.rate * sendersOf(size, p.senders))) * 1000 < idleMs);
    const reset = p.kind === 'send' && (rule === 'either' ? everyRoomHears || (everyoneSends && often) : everyoneSends && often);
    if (p.kind === 'connect' || p.kind === 'join' || reset) {
      cur = { ms: 0, phases: [] };
      continue;
    }
    if (p.kind === 'send' || p.kind === 'idle') cur = { ms: cur.ms + p.durationMs, phases: [...cur.phases, p.name] };
    if (cur.ms > best.ms) best = cur;
  }
  return best;
}
