import { now } from '../clock.ts';
import { buildResults } from '../metrics/results/results-builder.ts';
import type { Results } from '../contracts/results-schema.ts';
import { RunRecorder } from '../metrics/measurement/run-recorder.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';
import type { TargetSpec } from '../contracts/target-spec.ts';

export interface FailedStart {
  runId: string;
  scenario: Scenario;
  /** the target asked for */
  target: TargetSpec;
  shards: number;
  seed: number;
  rate?: number;
  /** epoch ms when the target was asked to start */
  startedAt: number;
  /** why it did not start, one line */
  reason: string;
}

/** The results of a run whose target never started: status failed with the reason, nothing measured. */
export function failedStartResults(f: FailedStart): Results {
  return buildResults({
    runId: f.runId,
    status: 'failed',
    statusReason: f.reason,
    startedAt: f.startedAt,
    endedAt: now(),
    scenario: f.scenario,
    target: f.target.recorded,
    shards: f.shards,
    seed: f.seed,
    rate: f.rate,
    recorder: new RunRecorder(f.shards, f.startedAt, f.scenario.timeouts),
    intervals: [],
    parentCpuSeconds: 0,
    openAtEnd: 0,
    extraWarnings: [],
  });
}
