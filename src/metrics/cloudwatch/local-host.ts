import type { LocalHostTotals } from '../../contracts/cloudwatch-schema.ts';
import { partOfWhole, partOfWholeText } from '../../part-of-whole.ts';
import { fmtInt } from '../../number-format.ts';

/**
 * What the local emulator's account of its own host (common/local-host-metrics.ts) means for a
 * run. On AWS every execution environment has CPU of its own; locally the stack shares the
 * harness's cores, so a latency may include the host's queueing. These warnings say how much.
 */

/** A host this busy on average leaves invocations and clients waiting for a core. */
export const BUSY_WARN_PERCENT = 90;
/** A function whose invocations were held back this often (share of its invocations). */
export const HELD_BACK_WARN_SHARE = 0.05;

const ms = (v: number | null) => (v === null ? '?' : `${fmtInt(Math.round(v))} ms`);

/** What the warnings read of a run's results: the local host's totals and which route each function serves. */
export interface LocalHostView {
  cloudwatch?: { localHost?: LocalHostTotals; lambda: Record<string, { invocations: number }> } | null;
  config: { target: { functions?: { functions: ReadonlyArray<{ name: string; route: string }> } } };
}

/** Routes no client waits for: holding them back delays the stack's own work, not a latency. */
const UNWAITED_ROUTES = new Set(['$disconnect']);

/** One way the local host's contention shows in a run. */
export interface HostFinding {
  text: string;
  /** a client waited for what was held back: its latency includes the wait */
  inLatencies: boolean;
  /** the function held back, and its held-back invocations' longest wait and share of its invocations (absent: the host's busy cores) */
  held?: { fn: string; maxWaitMs: number | null; share: number };
}

/** Each way the local host's contention shows in the run (the evidence of a failed run reads them: which can produce its symptom). */
export function localHostFindings(r: LocalHostView): HostFinding[] {
  const host = r.cloudwatch?.localHost;
  if (!host) return [];
  const out: HostFinding[] = [];
  if (host.hostBusyAvgPercent !== null && host.hostBusyAvgPercent >= BUSY_WARN_PERCENT) {
    out.push({
      text: `local host busy: its cores averaged ${Math.round(host.hostBusyAvgPercent)} % during the run, so latencies include waiting for a core, which AWS would not have`,
      inLatencies: true,
    });
  }
  const routeOf = new Map((r.config.target.functions?.functions ?? []).map((f) => [f.name, f.route]));
  for (const [fn, held] of Object.entries(host.heldBack)) {
    const invocations = r.cloudwatch!.lambda[fn]?.invocations ?? 0;
    if (held.count === 0 || held.count < HELD_BACK_WARN_SHARE * invocations) continue;
    const route = routeOf.get(fn);
    const waited = route === undefined || !UNWAITED_ROUTES.has(route);
    const effect = waited ? "their clients' latencies include that wait" : `no client waits for ${route}, but the stack's work on it ended that much later`;
    // the emulator stamps HeldBackMs when its invocation began, as Invocations is, so the two
    // share a window; results from before it did can count an earlier run's late waits: said, not clamped
    const counted = partOfWhole(held.count, invocations, { part: 'waits', whole: 'invocations' });
    const what = `${counted.disagree ? '' : `${partOfWholeText(counted)} `}${fn} invocations (wait p50 ${ms(held.p50Ms)}, p99 ${ms(held.p99Ms)})`;
    const disagree = counted.disagree ? `; ${counted.disagree} (waits of invocations begun before the run's window)` : '';
    out.push({
      text: `local host held back ${what} where AWS would have started an environment: ${effect}${disagree}`,
      inLatencies: waited,
      // a share the counts cannot give is taken as all of them: the evidence weighs the worst case
      held: { fn, maxWaitMs: held.maxMs ?? held.p99Ms, share: counted.disagree || invocations === 0 ? 1 : held.count / invocations },
    });
  }
  return out;
}

/**
 * One line per way the local host's contention shows in the run; none on AWS or when the host
 * kept up. Pure: the console summary, summary.md and the HTML report all print these.
 */
export function localHostWarnings(r: LocalHostView): string[] {
  return localHostFindings(r).map((f) => f.text);
}

/** Whether some client-side latency of the run includes the local host's queueing. */
export function hostInLatencies(r: LocalHostView): boolean {
  return localHostFindings(r).some((f) => f.inLatencies);
}
