import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The order files start in: longest first, from the seconds each took in a recorded CI run
 * (test/ci/file-seconds.json, written by `tsx test/ci/timing.ts --file-seconds`). Two workers
 * draining a queue end soonest when the long files start first and the short ones fill the gaps
 * at the end (longest-processing-time scheduling). vitest's own order needs its results cache,
 * which a clean clone lacks: it then runs the larger files first and each project in turn, so the
 * suite ended on a tail of one worker. A file the record does not know (a new one) starts first,
 * as vitest starts unknown files first: it may be long.
 */
export const FILE_SECONDS = 'test/ci/file-seconds.json';

export function readFileSeconds(path = FILE_SECONDS): Record<string, number> {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>) : {};
}

/** `files` (paths relative to the root) ordered longest first; unknown files before all, by name. */
export function longestFirst<T>(files: readonly T[], path: (f: T) => string, seconds: Record<string, number>): T[] {
  const weight = (f: T) => seconds[path(f)] ?? Number.POSITIVE_INFINITY;
  return [...files].sort((a, b) => weight(b) - weight(a) || path(a).localeCompare(path(b)));
}

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    return longestFirst(files, (f) => relative(root, f.moduleId), readFileSeconds());
  }
}
