import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LOCAL_HOST_METRIC, LOCAL_HOST_NAMESPACE } from '../../common/local-host-metrics.ts';
import { startHostMeter } from '../../emulator/host-meter.ts';

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('host meter (FanoutBench/LocalHost, the emulator\'s own account of its host)', () => {
  const store = new MetricStore();
  const series = (metricName: string, stat: string) =>
    store.query({ namespace: LOCAL_HOST_NAMESPACE, metricName, stat, periodSeconds: 60, startTime: Date.now() - 120_000, endTime: Date.now() + 60_000 });
  const total = (metricName: string, stat: string) => series(metricName, stat).reduce((a, p) => a + p.value, 0);

  it('publishes the stack process\'s CPU and how busy the host\'s cores were, each period, until stopped', async () => {
    const stop = startHostMeter(store, 50);
    // 400 ms of this thread's CPU (counted as CPU, not wall time: a loaded host may preempt it), bounded at 10 s.
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    while (process.cpuUsage(cpu0).user < 400_000 && performance.now() - t0 < 10_000);
    await until(() => total(LOCAL_HOST_METRIC.stackCpuMs, 'SampleCount') >= 2);
    stop();
    const samples = total(LOCAL_HOST_METRIC.stackCpuMs, 'SampleCount');

    // The busy loop's CPU lands in the samples taken after it.
    expect(total(LOCAL_HOST_METRIC.stackCpuMs, 'Sum')).toBeGreaterThanOrEqual(400);
    const busiest = Math.max(...series(LOCAL_HOST_METRIC.hostBusyPercent, 'Maximum').map((p) => p.value));
    // That sample saw at least one of the host's cores mostly busy, and no share is above 100 %.
    expect(busiest).toBeGreaterThanOrEqual(50 / availableParallelism());
    expect(busiest).toBeLessThanOrEqual(100);
    expect(Math.min(...series(LOCAL_HOST_METRIC.hostBusyPercent, 'Minimum').map((p) => p.value))).toBeGreaterThanOrEqual(0);

    await new Promise((r) => setTimeout(r, 150));
    expect(total(LOCAL_HOST_METRIC.stackCpuMs, 'SampleCount')).toBe(samples); // stopped
  });
});
