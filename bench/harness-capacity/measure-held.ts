import { runHarness, type HarnessRun } from './harness-run.ts';
import { median, phaseEnd, phaseIntervals, phaseNamed, samplesWithin, sum } from './run-math.ts';
import { BASELINE_PHASE, defaultShards, HOLD_PHASE, RAMP_PHASE, heldScenario, writeScenario, type Sizes } from './scenarios.ts';
import { startServer } from './server-process.ts';

/**
 * Measurements 2–4 from one run: empty shards idle (baseline RSS), a connect ramp offered at
 * 20,000/s (the harness's connect ceiling), joins, then a quiet hold with every client open
 * (clients held, RSS per 1,000 clients). Past 10,000 clients the harness spreads source
 * addresses over 127.0.0.x; the server spreads sockets over cluster workers (20,000 files each).
 */
export const SERVER_SOCKETS_PER_WORKER = 10_000;

export interface HeldMeasurement {
  clients: number;
  shards: number;
  serverWorkers: number;
  /** open in every interval of the hold */
  held: number;
  connectsPerSec: number;
  /** best 1-second interval of the ramp */
  connectsPeakPerSec: number;
  connectP99Ms: number;
  connectFailed: number;
  baselineRssMB: number;
  heldRssMB: number;
  rssPer1000MB: number;
  serverCpuPerConnectMs: number;
  harnessCpuPerConnectMs: number;
  run: HarnessRun;
}

const MB = 2 ** 20;

export async function measureHeld(sizes: Sizes, dir: string): Promise<HeldMeasurement> {
  const scenario = heldScenario(sizes);
  const shards = defaultShards(scenario);
  const workers = Math.max(2, Math.ceil(scenario.clients / SERVER_SOCKETS_PER_WORKER));
  const server = await startServer(workers);
  try {
    const run = await runHarness({
      scenarioFile: writeScenario(dir, scenario),
      targetUrl: server.url,
      shards,
      outDir: dir,
      timeoutMs: 150_000,
      otherPids: server.pids,
    });
    const r = run.results;
    const baseline = phaseNamed(r, BASELINE_PHASE);
    const ramp = phaseNamed(r, RAMP_PHASE);
    const hold = phaseNamed(r, HOLD_PHASE);

    const holdSpans = phaseIntervals(r, HOLD_PHASE);
    if (holdSpans.length === 0) throw new Error(`no interval in phase ${HOLD_PHASE} (${run.resultsFile})`);
    const held = Math.min(...holdSpans.map((s) => s.record.openClients));

    const rampSpans = phaseIntervals(r, RAMP_PHASE);
    const opened = sum(rampSpans, 'connects');
    const connectsPerSec = opened / (ramp.durationMs / 1000);
    const connectsPeakPerSec = Math.max(0, ...rampSpans.filter((s) => s.seconds >= 0.5).map((s) => s.record.connects / s.seconds));

    // RSS: medians of the samples inside each phase (all shards alive), skipping the first
    // second of the baseline while shards finish loading.
    const rss = (from: number, to: number) => median(samplesWithin(run.samples, from, to, shards).map((s) => s.shardRssBytes)) / MB;
    const baselineRssMB = rss(baseline.startedAt + 1000, phaseEnd(baseline));
    const heldRssMB = rss(hold.startedAt, phaseEnd(hold));
    if (!Number.isFinite(baselineRssMB) || !Number.isFinite(heldRssMB)) throw new Error('no /proc samples of all shards in the baseline or hold phase');

    const cpuAcross = (key: 'shardCpuSeconds' | 'otherCpuSeconds') => {
      const inRamp = run.samples.filter((s) => s.t >= ramp.startedAt && s.t <= phaseEnd(ramp));
      if (inRamp.length < 2) return Number.NaN;
      return inRamp[inRamp.length - 1][key] - inRamp[0][key];
    };
    const perConnectMs = (cpu: number) => (cpu / Math.max(1, opened)) * 1000;
    return {
      clients: scenario.clients,
      shards,
      serverWorkers: workers,
      held,
      connectsPerSec,
      connectsPeakPerSec,
      connectP99Ms: ramp.connect?.p99 ?? Number.NaN,
      connectFailed: r.connections?.failed ?? 0,
      baselineRssMB,
      heldRssMB,
      rssPer1000MB: (heldRssMB - baselineRssMB) / (held / 1000),
      serverCpuPerConnectMs: perConnectMs(cpuAcross('otherCpuSeconds')),
      harnessCpuPerConnectMs: perConnectMs(cpuAcross('shardCpuSeconds')),
      run,
    };
  } finally {
    await server.stop();
  }
}
