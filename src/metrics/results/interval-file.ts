import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IntervalSink } from '../measurement/interval-sink.ts';
import type { IntervalRecord } from '../../contracts/results-schema.ts';
import { INTERVALS_FILE } from './run-dir.ts';

/**
 * A run's intervals.ndjson: one line per interval, appended synchronously while the run goes (a
 * crash or Ctrl-C loses nothing already measured). The parent keeps no interval records in memory
 * (a long run would grow by one record a second); results.json takes them back from the file,
 * which already holds every one of them.
 */
export class IntervalFile implements IntervalSink {
  readonly file: string;

  constructor(runDir: string) {
    this.file = join(runDir, INTERVALS_FILE);
    writeFileSync(this.file, '');
  }

  append(record: IntervalRecord): void {
    appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }

  records(): IntervalRecord[] {
    return readIntervals(this.file);
  }
}

/** Reads an intervals.ndjson back. */
export function readIntervals(file: string): IntervalRecord[] {
  const out: IntervalRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.length > 0) out.push(JSON.parse(line) as IntervalRecord);
  }
  return out;
}
