import { mkdir } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from '../../../common/errors.ts';
import { isSweep, type CompareFile, type RunRef } from '../../analyses/compare/compare-schema.ts';
import { reportAssets } from '../shared/assets.ts';
import { renderCompareHtml } from './html.ts';
import { renderCompareMarkdown } from './md.ts';
import { renderSweepHtml } from '../compare-sweep/html.ts';
import { renderSweepMarkdown } from '../compare-sweep/md.ts';
import { writeTextFiles } from '../shared/write-files.ts';

export const COMPARE_FILES = { json: 'compare.json', html: 'index.html', summary: 'summary.md' } as const;

/**
 * Writes a comparison (of memory sizes, or a sweep) into `dir` (created if missing):
 * compare.json, index.html, summary.md.
 * Run directories given as absolute paths are stored relative to `dir`, so the comparison and
 * its runs can be moved or uploaded together and the links still work. Returns the files
 * written; a file that cannot be written is a UserError naming it (exit 2).
 */
export async function writeComparison(comparison: CompareFile, dir: string): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`${dir}: cannot create the comparison's directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const c = relativeRunDirs(comparison, dir);
  return writeTextFiles(dir, [
    [COMPARE_FILES.json, `${JSON.stringify(c, null, 2)}\n`],
    [COMPARE_FILES.html, isSweep(c) ? renderSweepHtml(c, reportAssets()) : renderCompareHtml(c, reportAssets())],
    [COMPARE_FILES.summary, isSweep(c) ? renderSweepMarkdown(c) : renderCompareMarkdown(c)],
  ]);
}

/** A copy whose absolute run directories are relative to `dir`, with forward slashes. */
export function relativeRunDirs<C extends CompareFile>(c: C, dir: string): C {
  const base = resolve(dir);
  const runs = (list: RunRef[]) => list.map((r) => (r.dir && isAbsolute(r.dir) ? { ...r, dir: relative(base, r.dir).split(sep).join('/') || '.' } : r));
  if (isSweep(c)) return { ...c, points: c.points.map((p) => ({ ...p, runs: runs(p.runs) })) };
  return { ...c, sizes: c.sizes.map((s) => ({ ...s, runs: runs(s.runs) })) };
}
