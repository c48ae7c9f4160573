import { fmtNum, fmtRoomSize } from '../../number-format.ts';
import type { FunctionWork, PlanOperation, PlanTraffic, WorkModel } from './plan-schema.ts';

/**
 * Each function at the peak of a traffic: its invocations per second (its invocations per
 * operation × that operation's rate) and, by Little's law on its p99 duration, its concurrency.
 * The headroom holds it against Lambda's limits (headroom.ts); the month's INIT counts the
 * environments it starts (cold-starts.ts).
 */

/** A concurrency in whole environments, at least one (what serves it warm). */
export function wholeEnvironments(concurrency: number): number {
  return Math.max(1, Math.ceil(concurrency - 1e-9));
}

/** The peak's operations per second. */
export function peakRates(model: WorkModel, t: PlanTraffic): Record<PlanOperation, number> {
  return {
    connect: t.connectsPerS,
    // the rooms the traffic holds are created once over the period
    room: t.totals.rooms / t.periodSec,
    join: t.connectsPerS * model.joinsPerConnect,
    message: t.messagesPerS,
    recipient: t.messagesPerS * t.roomSize,
  };
}

/** One function at the peak: invocations per second, the duration Little's law holds them for, and so its concurrency. */
export interface FunctionPeak {
  f: FunctionWork;
  perS: number;
  durationMs: number;
  /** where durationMs came from, in figures */
  durationHow: string;
  concurrency: number;
}

/** A fan-out function's billed ms per invocation when a message reaches `recipients`: its fit's line, else its billed ms per recipient. */
function billedPerInvocation(f: FunctionWork, recipients: number): number {
  if (f.fit) return f.fit.interceptMs + f.fit.perRecipientMs * recipients;
  return f.billedMsPerUnit === 'recipient' ? (f.billedMsPer * recipients) / (f.invocationsPer > 0 ? f.invocationsPer : 1) : f.billedMsPer;
}

const sec = (ms: number) => `${fmtNum(ms / 1000)} s`;

/**
 * The duration of one invocation at the peak: the measured p99; a fan-out function's scaled to the
 * planned room size by its billed ms per invocation there over at the room size the p99 was
 * measured at (the fit's line, else per recipient); with no p99 measured, the mean billed ms.
 */
function peakDuration(f: FunctionWork, roomSize: number): { ms: number; how: string } {
  const fanout = f.billedMsPerUnit === 'recipient';
  if (f.p99Ms === null) {
    const ms = fanout ? billedPerInvocation(f, roomSize) : f.billedMsPer;
    return { ms, how: `${sec(ms)} (mean billed ms: no p99 measured)` };
  }
  const at = f.p99AtRecipients;
  if (!fanout || at === null || at <= 0 || at === roomSize) return { ms: f.p99Ms, how: `p99 ${sec(f.p99Ms)}` };
  const planned = billedPerInvocation(f, roomSize);
  const measured = billedPerInvocation(f, at);
  const byFit = f.fit !== undefined && planned > 0 && measured > 0;
  const scale = byFit ? planned / measured : roomSize / at;
  const ms = f.p99Ms * scale;
  return { ms, how: `p99 ${sec(f.p99Ms)} at rooms of ${fmtRoomSize(at)} × ${fmtNum(scale)} (${byFit ? 'the fit of billed ms against recipients' : 'per recipient'}) = ${sec(ms)}` };
}

export function functionPeaks(model: WorkModel, t: PlanTraffic): FunctionPeak[] {
  const rates = peakRates(model, t);
  return model.functions.map((f) => {
    const perS = f.invocationsPer * rates[f.per];
    const d = peakDuration(f, t.roomSize);
    return { f, perS, durationMs: d.ms, durationHow: d.how, concurrency: (perS * d.ms) / 1000 };
  });
}
