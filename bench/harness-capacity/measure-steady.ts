import { runHarness, type HarnessRun } from './harness-run.ts';
import { phaseEnd, phaseIntervals, phaseNamed, sampledAt, shardCpuSeconds, spanSeconds, sum } from './run-math.ts';
import { defaultShards, STEADY_PHASE, steadyScenario, writeScenario, type Sizes } from './scenarios.ts';
import { startServer } from './server-process.ts';

/**
 * Measurement 1: 20,000 deliveries/s held steady. Harness CPU (all shards, as they measure
 * themselves per interval, cross-checked against /proc) per 10,000 deliveries, and the broadcast
 * p99 at that load. The server's CPU is read separately and never counted as the harness's.
 */
export interface SteadyMeasurement {
  cpuPer10k: number;
  p99Ms: number;
  deliveriesPerSec: number;
  shardCpuSeconds: number;
  /** the same window read from /proc, as a check on the shards' own accounting */
  procCpuSeconds: number;
  parentCpuPer10k: number;
  serverCpuPer10k: number;
  lost: number;
  lagP99Ms: number;
  saturated: boolean;
  run: HarnessRun;
}

export async function measureSteady(sizes: Sizes, dir: string): Promise<SteadyMeasurement> {
  const scenario = steadyScenario(sizes);
  const server = await startServer(2);
  try {
    const run = await runHarness({
      scenarioFile: writeScenario(dir, scenario),
      targetUrl: server.url,
      shards: defaultShards(scenario),
      outDir: dir,
      timeoutMs: (sizes.steadySeconds + 60) * 1000,
      otherPids: server.pids,
    });
    const r = run.results;
    const phase = phaseNamed(r, STEADY_PHASE);
    const spans = phaseIntervals(r, STEADY_PHASE);
    const delivered = sum(spans, 'delivered');
    if (delivered === 0) throw new Error(`no deliveries in phase ${STEADY_PHASE} (${run.resultsFile})`);
    const seconds = spanSeconds(spans);
    const cpu = shardCpuSeconds(spans);
    const from = phase.startedAt;
    const to = phaseEnd(phase);
    const delta = (key: 'shardCpuSeconds' | 'parentCpuSeconds' | 'otherCpuSeconds') =>
      sampledAt(run.samples, to, key) - sampledAt(run.samples, from, key);
    const per10k = (cpuSeconds: number) => (cpuSeconds / delivered) * 10_000;
    return {
      cpuPer10k: per10k(cpu),
      p99Ms: phase.broadcast?.p99 ?? Number.NaN,
      deliveriesPerSec: delivered / seconds,
      shardCpuSeconds: cpu,
      procCpuSeconds: delta('shardCpuSeconds'),
      parentCpuPer10k: per10k(delta('parentCpuSeconds')),
      serverCpuPer10k: per10k(delta('otherCpuSeconds')),
      lost: phase.deliveries.lost,
      lagP99Ms: r.harness.eventLoopLagP99Ms,
      saturated: r.harness.saturated,
      run,
    };
  } finally {
    await server.stop();
  }
}
