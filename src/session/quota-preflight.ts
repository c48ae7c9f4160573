import { fieldPath, UserError } from '../../common/errors.ts';
import { encodeProbe } from '../../common/probe-text.ts';
import { sendMessageFrame, sendMessagePrefix } from '../fleet/protocols/chat-v1.ts';
import { roomSizes } from '../fleet/room-plan.ts';
import { newRunId } from '../metrics/results/run-id.ts';
import { DEFAULT_IDLE_RULE, type IdleRule, type PassedLimit, type QuotaExpectation, type QuotaLimit, type Quotas, type QuotaValue } from '../contracts/quotas-schema.ts';
import { attributeQuotas } from '../metrics/results/quota-attribution.ts';
import { quotaValueText } from '../metrics/results/quota-value-text.ts';
import { quotaPlanLine } from '../report/run/quota-text.ts';
import type { Results } from '../contracts/results-schema.ts';
import { plannedMs } from '../scenarios/planned-length.ts';
import type { PlannedPhase, Scenario, StackKnobs } from '../contracts/scenario-schema.ts';
import { withKnobs } from '../local-stack/stack-knobs.ts';
import { targetQuotas, type TargetQuotas } from '../targets/target-quotas.ts';
import type { OwnLimits } from '../targets/target.ts';
import type { TargetSpec } from '../contracts/target-spec.ts';
import { roomPrefix } from './room-names.ts';
import { fmtInt } from '../number-format.ts';

/**
 * The plan held against the target's quotas, before any load: one finding per limit the scenario
 * would pass, with the limit, its value (and where it comes from) and the scenario's figure.
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
  const { expectations, refusal } = quotaPlan(scenario, quotas);
  if (refusal) throw new UserError(refusal);
  return {
    limits: quotas.limits,
    ...(quotas.routes ? { routes: quotas.routes } : {}),
    idleRule: quotas.idleRule,
    frameEnforced: quotas.frameEnforced,
    note: quotas.note,
    plan: [...quotas.problems, ...expectations],
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
  const { expectations } = quotaPlan(scenario, { ...merged, idleRule: merged.idleRule ?? { rule: DEFAULT_IDLE_RULE, source: 'assumed' }, problems: [] });
  const said = new Set(quotas.plan.map(quotaPlanLine));
  const fresh = expectations.filter((e) => !said.has(quotaPlanLine(e)));
  for (const e of fresh) warn(quotaPlanLine(e));
  return { ...merged, plan: [...quotas.plan, ...fresh] };
}

/** The results with the quotas they were held against, and their refusals and closes attributed. */
export function withQuotas<R extends Results>(results: R, quotas: Quotas | undefined): R {
  if (!quotas) return results;
  return { ...results, quotas: { ...quotas, attributed: attributeQuotas({ ...results, quotas }) } };
}

/** What a scenario would pass of these quotas, one finding per limit, and the refusal of a frame that cannot pass. */
export function quotaPlan(scenario: Scenario, q: TargetQuotas): { expectations: QuotaExpectation[]; refusal?: string } {
  const found: QuotaExpectation[] = [];
  const at = (l: QuotaLimit): QuotaValue | undefined => q.limits[l];
  const known = (l: QuotaLimit, burst?: QuotaLimit): PassedLimit => ({ limit: l, value: at(l)!, ...(burst && at(burst) ? { burst: at(burst) } : {}) });
  const phaseField = (i: number, p: PlannedPhase, field: string) => `${scenario.source}: ${fieldPath(['phases', i, p.kind, field])}`;
  const sizes = roomSizes(scenario.clients, scenario.rooms, scenario.roomSizes);
  let refusal: string | undefined;
  // A client's messages meet their route's throttle, else the stage's ($connect is a route too).
  const routeThrottle = (route: string): PassedLimit | undefined => {
    const r = q.routes?.[route];
    if (r) return { route, value: r.rate, ...(r.burst ? { burst: r.burst } : {}) };
    return at('requestsPerSecond') ? known('requestsPerSecond', 'requestBurst') : undefined;
  };
  const over = (route: string, rate: number): PassedLimit | undefined => {
    const t = routeThrottle(route);
    return t && rate > t.value.value ? t : undefined;
  };

  scenario.phases.forEach((p, i) => {
    if (p.kind === 'connect') {
      const quota = at('newConnectionsPerSecond');
      if (quota && p.rate > quota.value) found.push({ kind: 'connect-rate', phase: p.name, connectsPerSecond: p.rate, over: known('newConnectionsPerSecond') });
      const route = over('$connect', p.rate);
      if (route) found.push({ kind: 'connect-rate', phase: p.name, connectsPerSecond: p.rate, over: route });
    }
    if (p.kind === 'join') {
      const route = over('joinRoom', p.rate);
      if (route) found.push({ kind: 'join-rate', phase: p.name, joinsPerSecond: p.rate, over: route });
    }
    if (p.kind === 'connect' || p.kind === 'join') {
      // every connect or join in flight is one running invocation ($connect, or joinRoom)
      const quota = at('lambdaUnreservedConcurrency');
      if (quota && p.maxInFlight > quota.value) {
        found.push({ kind: 'in-flight', phaseKind: p.kind, phase: p.name, maxInFlight: p.maxInFlight, over: known('lambdaUnreservedConcurrency') });
      }
    }
    if (p.kind !== 'send') return;
    const frame = sendFrameBytes(scenario, p.payloadBytes);
    const frameQuota = at('frameBytes');
    const messageQuota = at('messageBytes');
    if (frameQuota && frame > frameQuota.value) {
      if (q.frameEnforced) {
        const fits = Math.max(0, p.payloadBytes - (frame - frameQuota.value));
        refusal ??= `${phaseField(i, p, 'payloadBytes')}: ${fmtInt(p.payloadBytes)} bytes make a ${fmtInt(frame)}-byte sendMessage frame, over ${quotaValueText('frameBytes', frameQuota)}: the harness sends each message as one frame, which the target refuses (at most ${fmtInt(fits)} bytes of payload fit)`;
      } else found.push({ kind: 'frame-size', phase: p.name, payloadBytes: p.payloadBytes, frameBytes: frame, over: known('frameBytes') });
    }
    if (messageQuota && frame > messageQuota.value) found.push({ kind: 'message-size', phase: p.name, frameBytes: frame, over: known('messageBytes') });
    // the stage (or the route) holds the clients' messages; the account holds messages and @connections posts together
    const route = over('sendMessage', p.rate);
    if (route) found.push({ kind: 'message-rate', phase: p.name, messagesPerSecond: p.rate, over: route });
    const account = at('accountRequestsPerSecond');
    if (account) {
      const posts = p.rate * meanRecipients(sizes, p.senders);
      if (p.rate + posts > account.value) {
        found.push({ kind: 'account-rate', phase: p.name, messagesPerSecond: p.rate, postsPerSecond: posts, over: known('accountRequestsPerSecond', 'accountRequestBurst') });
      }
    }
  });

  const idle = at('idleTimeoutSeconds');
  const rule = q.idleRule.rule;
  const quiet = longestQuiet(scenario, sizes, idle ? idle.value * 1000 : Infinity, rule);
  if (idle && quiet.ms >= idle.value * 1000) {
    found.push({ kind: 'idle', quietMs: quiet.ms, phases: quiet.phases, rule, ruleSource: q.idleRule.source, over: known('idleTimeoutSeconds') });
  }
  const lifetime = at('connectionLifetimeSeconds');
  const length = plannedMs(scenario);
  if (lifetime && length >= lifetime.value * 1000) found.push({ kind: 'lifetime', lengthMs: length, over: known('connectionLifetimeSeconds') });
  return { expectations: found, ...(refusal ? { refusal } : {}) };
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
