import { readFileSync } from 'node:fs';
import type { IntervalRecord } from './results-schema.ts';

/**
 * Reads a run's intervals.ndjson back. The parent keeps no interval records in memory while a run
 * goes (a long run would grow by one record a second); results.json takes them from the file,
 * which already holds every one of them.
 */
export function readIntervals(file: string): IntervalRecord[] {
  const out: IntervalRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.length > 0) out.push(JSON.parse(line) as IntervalRecord);
  }
  return out;
}
