import type { LocalHostTotals } from './cloudwatch-schema.ts';

/**
 * What the local emulator publishes about its own host (reference-stack/local/host-meter.ts; a
 * test keeps the names equal, as the harness imports nothing from the stack). On AWS every
 * execution environment has CPU of its own; locally the stack shares the harness's cores, so a
 * latency may include the host's queueing. These metrics say how much.
 */
export const LOCAL_HOST_NAMESPACE = 'FanoutBench/LocalHost';
export const LOCAL_HOST_METRIC = {
  hostBusyPercent: 'HostBusyPercent',
  stackCpuMs: 'StackCpuMs',
  heldBackMs: 'HeldBackMs',
} as const;

/** A host this busy on average leaves invocations and clients waiting for a core. */
export const BUSY_WARN_PERCENT = 90;
/** A function whose invocations were held back this often (share of its invocations). */
export const HELD_BACK_WARN_SHARE = 0.05;

const ms = (v: number | null) => (v === null ? '?' : `${Math.round(v)} ms`);

/**
 * One line per way the local host's contention shows in the run's latencies; none on AWS or when
 * the host kept up. Pure: the console summary, summary.md and the HTML report all print these.
 */
export function localHostWarnings(cw: { localHost?: LocalHostTotals; lambda: Record<string, { invocations: number }> } | undefined | null): string[] {
  const host = cw?.localHost;
  if (!host) return [];
  const out: string[] = [];
  if (host.hostBusyAvgPercent !== null && host.hostBusyAvgPercent >= BUSY_WARN_PERCENT) {
    out.push(
      `local host busy: its cores averaged ${Math.round(host.hostBusyAvgPercent)} % during the run, so latencies include waiting for a core, which AWS would not have`,
    );
  }
  for (const [fn, held] of Object.entries(host.heldBack)) {
    const invocations = cw.lambda[fn]?.invocations ?? 0;
    if (held.count === 0 || held.count < HELD_BACK_WARN_SHARE * invocations) continue;
    out.push(
      `local host held back ${held.count} of ${invocations} ${fn} invocations (wait p50 ${ms(held.p50Ms)}, p99 ${ms(held.p99Ms)}) where AWS would have started an environment: their clients' latencies include that wait`,
    );
  }
  return out;
}
