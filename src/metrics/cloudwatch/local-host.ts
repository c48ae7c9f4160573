import type { LocalHostTotals } from '../../contracts/cloudwatch-schema.ts';

/**
 * What the local emulator's account of its own host (common/local-host-metrics.ts) means for a
 * run. On AWS every execution environment has CPU of its own; locally the stack shares the
 * harness's cores, so a latency may include the host's queueing. These findings say how much.
 */

/** A host this busy on average leaves invocations and clients waiting for a core. */
export const BUSY_WARN_PERCENT = 90;
/** A function whose invocations were held back this often (share of its invocations). */
export const HELD_BACK_WARN_SHARE = 0.05;

/** What the warnings read of a run's results: the local host's totals and which route each function serves. */
export interface LocalHostView {
  cloudwatch?: { localHost?: LocalHostTotals; lambda: Record<string, { invocations: number }> } | null;
  config: { target: { functions?: { functions: ReadonlyArray<{ name: string; route: string }> } } };
}

/** Routes no client waits for: holding them back delays the stack's own work, not a latency. */
const UNWAITED_ROUTES = new Set(['$disconnect']);

/** One way the local host's contention shows in a run (worded by diagnosis/local-host-text.ts). */
export type HostFinding =
  | {
      /** the host's cores were this busy on average: every latency includes waiting for one */
      sign: 'busy';
      busyAvgPercent: number;
      inLatencies: true;
    }
  | {
      /** invocations of a function the host held back where AWS would have started an environment */
      sign: 'held';
      /** the route it serves (absent: not known) */
      route?: string;
      /** its held-back invocations: their count against its invocations (said as such where the two disagree), wait p50 and p99 */
      count: number;
      invocations: number;
      p50Ms: number | null;
      p99Ms: number | null;
      /** a client waited for what was held back: its latency includes the wait */
      inLatencies: boolean;
      /** the function held back, and its held-back invocations' longest wait and share of its invocations */
      held: { fn: string; maxWaitMs: number | null; share: number };
    };

/** Each way the local host's contention shows in the run (the evidence of a failed run reads them: which can produce its symptom). */
export function localHostFindings(r: LocalHostView): HostFinding[] {
  const host = r.cloudwatch?.localHost;
  if (!host) return [];
  const out: HostFinding[] = [];
  if (host.hostBusyAvgPercent !== null && host.hostBusyAvgPercent >= BUSY_WARN_PERCENT) out.push({ sign: 'busy', busyAvgPercent: host.hostBusyAvgPercent, inLatencies: true });
  const routeOf = new Map((r.config.target.functions?.functions ?? []).map((f) => [f.name, f.route]));
  for (const [fn, held] of Object.entries(host.heldBack)) {
    const invocations = r.cloudwatch!.lambda[fn]?.invocations ?? 0;
    if (held.count === 0 || held.count < HELD_BACK_WARN_SHARE * invocations) continue;
    const route = routeOf.get(fn);
    // the emulator stamps HeldBackMs when its invocation began, as Invocations is, so the two
    // share a window; results from before it did can count an earlier run's late waits: said, not clamped
    const disagree = held.count > invocations;
    out.push({
      sign: 'held',
      ...(route === undefined ? {} : { route }),
      count: held.count,
      invocations,
      p50Ms: held.p50Ms,
      p99Ms: held.p99Ms,
      inLatencies: route === undefined || !UNWAITED_ROUTES.has(route),
      // a share the counts cannot give is taken as all of them: the evidence weighs the worst case
      held: { fn, maxWaitMs: held.maxMs ?? held.p99Ms, share: disagree || invocations === 0 ? 1 : held.count / invocations },
    });
  }
  return out;
}

/** Whether some client-side latency of the run includes the local host's queueing. */
export function hostInLatencies(r: LocalHostView): boolean {
  return localHostFindings(r).some((f) => f.inLatencies);
}
