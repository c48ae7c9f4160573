import type { Scenario } from '../scenarios/schema.ts';
import type { Target } from '../targets/target.ts';
import type { Results } from '../metrics/results/results-schema.ts';
import { IntervalFile } from '../metrics/results/interval-file.ts';
import { writeResults } from '../metrics/results/results-writer.ts';
import { measure, type MeasureOptions } from './measure.ts';

/**
 * A measurement that belongs to a run directory: its intervals stream to the directory's
 * intervals.ndjson, and results.json is written there as soon as the fleet is done, before
 * CloudWatch is asked (a failure later loses nothing measured). `run` and `compare` both measure
 * this way; finishing (the reports) is theirs.
 */
export function measureInto(dir: string, scenario: Scenario, target: Target, o: Omit<MeasureOptions, 'intervals' | 'checkpoint'>): Promise<Results> {
  return measure(scenario, target, { ...o, intervals: new IntervalFile(dir), checkpoint: (r) => void writeResults(dir, r) });
}
