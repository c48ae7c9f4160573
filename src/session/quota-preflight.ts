import { fieldPath, UserError } from '../../common/errors.ts';
import { encodeProbe, sendMessageFrame, sendMessagePrefix } from '../fleet/protocols/chat-v1.ts';
import { roomSizes } from '../fleet/room-plan.ts';
import { newRunId } from '../metrics/results/run-id.ts';
import type { QuotaLimit, Quotas, QuotaValue } from '../contracts/quotas-schema.ts';
import { attributeQuotas, quotaValueText } from '../metrics/results/quota-attribution.ts';
import type { Results } from '../contracts/results-schema.ts';
import { formatDuration } from '../contracts/duration.ts';
import { plannedMs } from '../scenarios/planned-length.ts';
import type { PlannedPhase, Scenario } from '../contracts/scenario-schema.ts';
import { targetQuotas, type TargetQuotas } from '../targets/target-quotas.ts';
import type { TargetSpec } from '../contracts/target-spec.ts';

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
  o: { aws?: { region?: string; profile?: string }; shards?: number },
): Promise<Quotas | undefined> {
  const quotas = await targetQuotas(spec, { knobs: scenario.target, aws: o.aws });
  if (!quotas) return undefined;
  const { lines, refusal } = quotaLines(scenario, quotas);
  if (refusal) throw new UserError(refusal);
  return { limits: quotas.limits, frameEnforced: quotas.frameEnforced, note: quotas.note, plan: [...quotas.problems, ...lines] };
}

/** The results with the quotas they were held against, and their refusals and closes attributed. */
export function withQuotas<R extends Results>(results: R, quotas: Quotas | undefined): R {
  if (!quotas) return results;
  results.quotas = { ...quotas, attributed: attributeQuotas({ ...results, quotas }) };
  return results;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The quota lines of a scenario against these quotas, and the refusal of a frame that cannot pass. */
export function quotaLines(scenario: Scenario, q: TargetQuotas): { lines: string[]; refusal?: string } {
  const lines: string[] = [];
  const at = (l: QuotaLimit): QuotaValue | undefined => q.limits[l];
  const limit = (l: QuotaLimit) => quotaValueText(l, at(l)!);
  const phaseField = (i: number, p: PlannedPhase, field: string) => `${scenario.source}: ${fieldPath(['phases', i, p.kind, field])}`;
  const sizes = roomSizes(scenario.clients, scenario.rooms, scenario.roomSizes);
  let refusal: string | undefined;

  scenario.phases.forEach((p, i) => {
    if (p.kind === 'connect') {
      const quota = at('newConnectionsPerSecond');
      if (quota && p.rate > quota.value) {
        lines.push(`quota: connect phase "${p.name}" opens ${fmt(p.rate)} connections/s, over ${limit('newConnectionsPerSecond')}: expect 429s at handshake`);
      }
    }
    if (p.kind === 'connect' || p.kind === 'join') {
      // every connect or join in flight is one running invocation ($connect, or joinRoom)
      const quota = at('lambdaUnreservedConcurrency');
      if (quota && p.maxInFlight > quota.value) {
        lines.push(
          `quota: ${p.kind} phase "${p.name}" keeps up to ${fmt(p.maxInFlight)} invocations running (maxInFlight), over ${limit('lambdaUnreservedConcurrency')}: expect throttled invocations (${p.kind === 'connect' ? '500 at handshake' : 'errors on join'})`,
        );
      }
    }
    if (p.kind !== 'send') return;
    const frame = sendFrameBytes(scenario, p.payloadBytes);
    const frameQuota = at('frameBytes');
    const messageQuota = at('messageBytes');
    if (frameQuota && frame > frameQuota.value) {
      const fits = Math.max(0, p.payloadBytes - (frame - frameQuota.value));
      const what = `${fmt(p.payloadBytes)} bytes make a ${fmt(frame)}-byte sendMessage frame, over ${limit('frameBytes')}`;
      if (q.frameEnforced) refusal ??= `${phaseField(i, p, 'payloadBytes')}: ${what}: the harness sends each message as one frame, which the target refuses (at most ${fmt(fits)} bytes of payload fit)`;
      else lines.push(`quota: send phase "${p.name}": ${what}: the emulator does not refuse frames, AWS would`);
    }
    if (messageQuota && frame > messageQuota.value) {
      lines.push(`quota: send phase "${p.name}" sends ${fmt(frame)}-byte messages, over ${limit('messageBytes')}: expect closes with 1009 (message too big)`);
    }
    const throttle = at('requestsPerSecond');
    if (throttle) {
      const posts = p.rate * meanRecipients(sizes, p.senders);
      const requests = p.rate + posts;
      if (requests > throttle.value) {
        const burst = at('requestBurst');
        lines.push(
          `quota: send phase "${p.name}" makes about ${fmt(requests)} requests/s (${fmt(p.rate)} messages/s + ${fmt(posts)} @connections posts/s = rate × room size), over ${limit('requestsPerSecond')}${burst ? `, burst ${fmt(burst.value)}` : ''}: expect 429s ("Too Many Requests") on messages and posts`,
        );
      }
    }
  });

  const idle = at('idleTimeoutSeconds');
  const quiet = longestQuiet(scenario, sizes, idle ? idle.value * 1000 : Infinity);
  if (idle && quiet.ms >= idle.value * 1000) {
    lines.push(
      `quota: clients stay quiet (no message of their own) for about ${formatDuration(quiet.ms)} (${quiet.phases.join(', ')}), over ${limit('idleTimeoutSeconds')}: expect closes with 1001 (going away)`,
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
  const room = `fb.${newRunId(scenario.name)}-repeat-20.r${scenario.rooms - 1}`;
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
 * The longest stretch a client sends nothing of its own, from the last connect or join step: idle
 * phases, and send phases in which some clients do not send or each sender's turn comes less
 * often than the idle timeout. The idle timeout counts from the client's last message (deliveries
 * to it do not reset it).
 */
function longestQuiet(scenario: Scenario, sizes: number[], idleMs: number): { ms: number; phases: string[] } {
  let best = { ms: 0, phases: [] as string[] };
  let cur = { ms: 0, phases: [] as string[] };
  for (const p of scenario.phases) {
    const everyoneSends = p.kind === 'send' && sizes.every((size) => sendersOf(size, p.senders) >= size);
    // each sender's turn comes every (senders / rate) s
    const often = p.kind === 'send' && (scenario.clients / p.rate) * 1000 < idleMs;
    if (p.kind === 'connect' || p.kind === 'join' || (everyoneSends && often)) {
      cur = { ms: 0, phases: [] };
      continue;
    }
    if (p.kind === 'send' || p.kind === 'idle') cur = { ms: cur.ms + p.durationMs, phases: [...cur.phases, p.name] };
    if (cur.ms > best.ms) best = cur;
  }
  return best;
}
