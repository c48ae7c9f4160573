import type { IntervalRecord } from '../../contracts/interval-record.ts';

/**
 * Where a measurement puts its interval records (one per second) as they come, and reads them
 * back once it ends to put them in the results. Measuring does no I/O itself: a run streams them
 * to its intervals.ndjson (IntervalFile), so the parent's memory stays flat however long it runs.
 */
export interface IntervalSink {
  append(record: IntervalRecord): void;
  /** every record appended, in order */
  records(): IntervalRecord[];
}
