import { runHarness, type HarnessRun } from './harness-run.ts';
import { phaseEnd, phaseIntervals, phaseNamed, sampledAt, shardCpuSeconds, spanSeconds, sum } from './run-math.ts';
import { defaultShards, ROOM_MEMBERS, stepPhase, stepsScenario, writeScenario, type Sizes } from './scenarios.ts';
import { startServer } from './server-process.ts';

/**
 * Measurement 5: the send rate raised step by step (one send phase per step, same run). A step
 * keeps up when (a) at most 0.1 % of expected deliveries are lost, (b) the deliveries arriving
 * during the step are ≥ 95 % of those owed for the messages sent during it (a backlog shows as
 * arrivals falling behind sends), and (c) broadcast p99 stays ≤ 1 s (lag). The result is the
 * delivery rate of the highest step that kept up, below the first step that did not.
 */
export const MAX_LOST_SHARE = 0.001;
export const MIN_DELIVERED_SHARE = 0.95;
export const MAX_P99_MS = 1000;
/** An interval this far behind means the run has fallen over: later steps would only pile on. */
export const GIVE_UP_P99_MS = 3000;

export interface StepResult {
  offeredPerSec: number;
  /** deliveries of this step's messages per second of sending */
  deliveredPerSec: number;
  /** arrivals during the step ÷ deliveries owed for the messages sent during it */
  arrivalShare: number;
  lost: number;
  expected: number;
  p99Ms: number;
  missedSlots: number;
  /** harness CPU (all shards) in cores during the step */
  harnessCores: number;
  /** harness CPU-seconds per 10,000 deliveries that arrived during the step */
  harnessCpuPer10k: number;
  serverCores: number;
  keptUp: boolean;
  why?: string;
}

export interface StepsMeasurement {
  maxDeliveriesPerSec: number;
  steps: StepResult[];
  /** why the run was interrupted before its last step */
  stoppedEarly?: string;
  run: HarnessRun;
}

export async function measureSteps(sizes: Sizes, dir: string): Promise<StepsMeasurement> {
  const scenario = stepsScenario(sizes);
  const server = await startServer(2);
  try {
    const run = await runHarness({
      scenarioFile: writeScenario(dir, scenario),
      targetUrl: server.url,
      shards: defaultShards(scenario),
      outDir: dir,
      timeoutMs: (sizes.deliverySteps.length * sizes.stepSeconds + 90) * 1000,
      otherPids: server.pids,
      stopWhen: (rec) =>
        rec.phase.startsWith('step-') && (rec.broadcast?.p99 ?? 0) > GIVE_UP_P99_MS
          ? `stopped in ${rec.phase}: broadcast p99 ${Math.round(rec.broadcast!.p99)} ms in one interval`
          : undefined,
    });
    const steps = sizes.deliverySteps.map((offered) => judgeStep(run, offered, sizes.stepSeconds));
    let max = 0;
    for (const s of steps) {
      if (!s.keptUp) break;
      max = Math.max(max, s.deliveredPerSec);
    }
    return { maxDeliveriesPerSec: max, steps, run, ...(run.stoppedEarly ? { stoppedEarly: run.stoppedEarly } : {}) };
  } finally {
    await server.stop();
  }
}

export function judgeStep(run: HarnessRun, offeredPerSec: number, stepSeconds: number): StepResult {
  const r = run.results;
  const name = stepPhase(offeredPerSec);
  if (!r.phases?.some((p) => p.name === name)) {
    const nan = Number.NaN;
    return { offeredPerSec, deliveredPerSec: nan, arrivalShare: nan, lost: nan, expected: nan, p99Ms: nan, missedSlots: nan, harnessCores: nan, harnessCpuPer10k: nan, serverCores: nan, keptUp: false, why: `not run (${r.status}${r.statusReason ? `: ${r.statusReason}` : ''})` };
  }
  const phase = phaseNamed(r, name);
  const spans = phaseIntervals(r, name);
  const seconds = spanSeconds(spans);
  const d = phase.deliveries;
  const serverCpu = sampledAt(run.samples, phaseEnd(phase), 'otherCpuSeconds') - sampledAt(run.samples, phase.startedAt, 'otherCpuSeconds');
  const step: StepResult = {
    offeredPerSec,
    deliveredPerSec: d.received / stepSeconds,
    arrivalShare: sum(spans, 'sent') > 0 ? sum(spans, 'delivered') / (sum(spans, 'sent') * ROOM_MEMBERS) : Number.NaN,
    lost: d.lost,
    expected: d.expected,
    p99Ms: phase.broadcast?.p99 ?? Number.NaN,
    missedSlots: phase.sends.missedSlots,
    harnessCores: seconds > 0 ? shardCpuSeconds(spans) / seconds : Number.NaN,
    harnessCpuPer10k: (shardCpuSeconds(spans) / Math.max(1, sum(spans, 'delivered'))) * 10_000,
    serverCores: seconds > 0 ? serverCpu / seconds : Number.NaN,
    keptUp: true,
  };
  const fail: string[] = [];
  if (d.expected === 0) fail.push('nothing expected');
  if (d.lost > d.expected * MAX_LOST_SHARE) fail.push(`lost ${d.lost} of ${d.expected}`);
  if (step.deliveredPerSec < offeredPerSec * MIN_DELIVERED_SHARE) fail.push(`delivered ${Math.round(step.deliveredPerSec)}/s of ${offeredPerSec}/s offered`);
  if (!(step.arrivalShare >= MIN_DELIVERED_SHARE)) fail.push(`arrivals fell behind sends (${(step.arrivalShare * 100).toFixed(0)} %)`);
  if (!(step.p99Ms <= MAX_P99_MS)) fail.push(`p99 ${step.p99Ms} ms > ${MAX_P99_MS} ms`);
  if (fail.length > 0) {
    step.keptUp = false;
    step.why = fail.join('; ');
  }
  return step;
}
