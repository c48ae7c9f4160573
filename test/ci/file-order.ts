import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The order test files start in, from what each cost in a recorded CI run (test/ci/file-seconds.json,
 * written by `tsx test/ci/timing.ts --file-seconds`): its wall seconds and the CPU seconds it and
 * its children used. Long files first, so that the suite does not end on a tail of one worker
 * (longest-processing-time scheduling); and no more files that mostly wait (a search holding its
 * steps, a run waiting out a loss timeout) side by side than the cores leave room for. In pure
 * longest-first order the three capacity searches, each about 105 s of wall time at a third of a
 * core, started together: for the suite's first two minutes its files kept 0.8 of the 2 cores busy.
 *
 * The order comes from replaying the record on the workers: each time a worker is free, the
 * longest file left that fits the cores' idle share: one that works (half a core or more) while
 * half a core or more is idle, else one that waits. A file the record does not know (a new one)
 * starts first, as vitest starts unknown files first: it may be long.
 */
export const FILE_SECONDS = 'test/ci/file-seconds.json';

/** What a file cost in the recorded run. */
export interface FileCost {
  wallS: number;
  /** CPU seconds of the file's process and its children (absent: taken as one core throughout) */
  cpuS?: number;
}

export type FileRecord = Record<string, FileCost>;

/** A file using at least this share of a core over its wall time works; below, it mostly waits. */
const WORKING_CORES = 0.5;

export function readFileSeconds(path = FILE_SECONDS): FileRecord {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as FileRecord) : {};
}

/** The cores a file keeps busy on average over its run. */
function coresOf(cost: FileCost): number {
  return cost.cpuS === undefined || cost.wallS <= 0 ? 1 : cost.cpuS / cost.wallS;
}

/**
 * `files` (paths relative to the root) in the order they should start on `workers` workers sharing
 * `cores` cores: the unknown ones first, by name, then the record replayed as above. Ties by name.
 */
export function fileOrder<T>(files: readonly T[], path: (f: T) => string, record: FileRecord, o: { workers: number; cores: number }): T[] {
  const byName = (a: T, b: T) => path(a).localeCompare(path(b));
  const unknown = files.filter((f) => record[path(f)] === undefined).sort(byName);
  const left = files.filter((f) => record[path(f)] !== undefined).sort((a, b) => record[path(b)]!.wallS - record[path(a)]!.wallS || byName(a, b));
  const order = [...unknown];
  const running: { end: number; cores: number }[] = [];
  let now = 0;
  while (left.length > 0) {
    if (running.length >= Math.max(1, o.workers)) {
      running.sort((a, b) => a.end - b.end);
      now = running.shift()!.end;
      continue;
    }
    const idle = o.cores - running.reduce((sum, r) => sum + r.cores, 0);
    const wantWorking = idle >= WORKING_CORES;
    const at = left.findIndex((f) => coresOf(record[path(f)]!) >= WORKING_CORES === wantWorking);
    const [next] = left.splice(Math.max(0, at), 1);
    const cost = record[path(next!)]!;
    order.push(next!);
    running.push({ end: now + cost.wallS, cores: coresOf(cost) });
  }
  return order;
}

export default class FileOrderSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { root, maxWorkers } = this.ctx.config;
    return fileOrder(files, (f) => relative(root, f.moduleId), readFileSeconds(), { workers: maxWorkers, cores: availableParallelism() });
  }
}
