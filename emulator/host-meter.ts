import { cpus } from 'node:os';
import { LOCAL_HOST_METRIC, LOCAL_HOST_NAMESPACE } from '../common/local-host-metrics.ts';
import type { MetricSink } from './cloudwatch/types.ts';

/**
 * Samples the host for FanoutBench/LocalHost (common/local-host-metrics.ts): `HostBusyPercent`
 * and `StackCpuMs` once a period. `HeldBackMs` is the Lambda runtime's, per invocation.
 */

const NO_DIMENSIONS: Record<string, string> = {};

/** Busy and total milliseconds over all cores since boot (os.cpus: Linux, macOS and Windows). */
function coreTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** Starts sampling once every `periodMs`; the returned function stops it. */
export function startHostMeter(metrics: MetricSink, periodMs = 1_000): () => void {
  let cores = coreTimes();
  let stack = process.cpuUsage();
  const timer = setInterval(() => {
    const now = Date.now();
    const c = coreTimes();
    const s = process.cpuUsage();
    const total = c.total - cores.total;
    const put = (name: string, value: number, unit: string) =>
      metrics.put({ namespace: LOCAL_HOST_NAMESPACE, name, dimensions: NO_DIMENSIONS, value, unit, timestamp: now });
    if (total > 0) put(LOCAL_HOST_METRIC.hostBusyPercent, Math.min(100, (100 * (c.busy - cores.busy)) / total), 'Percent');
    put(LOCAL_HOST_METRIC.stackCpuMs, (s.user - stack.user + s.system - stack.system) / 1_000, 'Milliseconds');
    cores = c;
    stack = s;
  }, periodMs);
  timer.unref(); // never what keeps a stopping stack alive
  return () => clearInterval(timer);
}
