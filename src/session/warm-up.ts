import type { Scenario } from '../contracts/scenario-schema.ts';
import type { IntervalSink } from '../metrics/measurement/interval-sink.ts';
import type { Target } from '../targets/target.ts';
import { measure, type MeasureOptions } from './measure.ts';

/** A warm-up's send phases, unless a mode's flag says otherwise (`--warm-up`). */
export const DEFAULT_WARM_UP_MS = 3_000;

/** A null sink: a warm-up's intervals are not kept. */
const DISCARD: IntervalSink = { append: () => {}, records: () => [] };

/**
 * The scenario's connect, join and send phases, sends shortened to `warmUpMs`: the functions run
 * on warm environments (of a new memory size, at a step's load) before a measurement. Nothing of
 * it is kept: no interval, no file, no CloudWatch pull, no wait for a fresh window (its traffic
 * only has to stay out of the next measurement's window).
 */
export async function warmUp(
  scenario: Scenario,
  target: Target,
  o: Pick<MeasureOptions, 'runId' | 'seed' | 'shards' | 'token' | 'signal' | 'onWarning'> & { warmUpMs: number },
): Promise<void> {
  const phases = scenario.phases
    .filter((p) => p.kind === 'connect' || p.kind === 'join' || p.kind === 'send')
    .map((p) => (p.kind === 'send' ? { ...p, durationMs: Math.min(p.durationMs, o.warmUpMs) } : p));
  const { warmUpMs: _warmUpMs, ...rest } = o;
  await measure({ ...scenario, phases }, target, { ...rest, intervals: DISCARD, systemMetrics: false });
}
