import type { Results } from '../contracts/results-schema.ts';
import { localHostFindings } from '../metrics/cloudwatch/local-host.ts';
import { fmtInt } from '../number-format.ts';
import { ms, NO_FANOUT_ROUTES, type Detector, type Judged, type Symptom } from './limit-detector.ts';
import { waitsInLatency } from './local-host-waits.ts';
import { hostFindingText } from './local-host-text.ts';

/** A wait this large a share of a limit (the function's Timeout, the integration's 29 s, the loss timeout) can reach it. */
export const WAIT_REACH_SHARE = 0.5;
/** API Gateway's integration timeout, ms. */
const INTEGRATION_TIMEOUT_MS = 29_000;

/**
 * The emulator's host (FanoutBench/LocalHost): its busy cores and the invocations it held back.
 * For a latency, only where a client waited for the route held back, and, for a latency judged on
 * the stack's figure, only where the waits are still in it or the stack's own figure stays within
 * the limit (local-host-waits.ts); for an error, only where a wait came within reach of the
 * function's Timeout or the integration's 29 s; for a loss, only where a fan-out's did, or came
 * within reach of the loss timeout.
 */
export const localHostEvidence: Detector = (r, symptoms, judged) => {
  const all = localHostFindings(r);
  // A latency: what a client waited for (busy cores: in every figure; held-back waits: where the
  // judged figure still holds them). A loss or an error: a wait that could reach a limit.
  const waits = symptoms.has('latency') ? heldWaitsInLatency(r, judged) : { cause: false, said: [] };
  const bearing = all.filter(
    (f) =>
      (symptoms.has('latency') && f.inLatencies && (f.sign === 'busy' || waits.cause)) ||
      (f.inLatencies && f.sign === 'held' && [...symptoms].some((s) => s !== 'latency' && withinReach(r, f.held, s))),
  );
  const said = waits.cause && bearing.some((f) => f.sign === 'held') ? waits.said : [];
  if (bearing.length > 0) return { line: [...bearing.map(hostFindingText), ...said].join('; '), share: Math.max(...bearing.map((f) => (f.sign === 'held' ? f.held.share : 0))) || undefined };
  if (!waits.cause) return undefined;
  // below the warnings' share, still named for a latency: the waited routes' held-back invocations
  const host = r.cloudwatch?.localHost;
  const unwaited = new Set((r.config.target.functions?.functions ?? []).filter((f) => f.route === '$disconnect').map((f) => f.name));
  const held = Object.entries(host?.heldBack ?? {}).filter(([fn, h]) => h.count > 0 && !unwaited.has(fn));
  if (held.length === 0) return undefined;
  const line = `local host held back ${held.map(([fn, h]) => `${fmtInt(h.count)} ${fn} invocations (wait p99 ${ms(h.p99Ms)})`).join(', ')}; its cores averaged ${host!.hostBusyAvgPercent === null ? '?' : `${Math.round(host!.hostBusyAvgPercent)} %`}`;
  return [line, ...waits.said].join('; ');
};

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
