import { stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../../../common/errors.ts';
import type { Results } from '../../contracts/results-schema.ts';
import type { MeasuredRun } from './work-model.ts';

/**
 * The runs a plan is made from, from the directories named: a run dir (its results.json), or a
 * directory `fanout-bench compare` wrote (its compare.json): a room-size sweep gives every run it
 * counted, at every size, and so the fan-out functions' line of billed time against recipients.
 * The other comparisons vary what a plan holds fixed, so they are refused with the run dir to
 * pass instead: a memory comparison (a plan is of one memory size), a payload sweep (one
 * payload), a targets sweep (one stack). A grid (`compare --targets … --room-size …`) is read
 * variant by variant: each variant's runs at every room size, planned each on its own (named
 * alone: its variants cannot be pooled with other runs). Runs the comparison left out of its medians (failed,
 * interrupted) are left out here too, and the plan's notes say so. Reading the files is the
 * command's (`DirReader`: the results and comparison contracts, older versions too).
 */

/** A run of a comparison, as compare.json lists it. */
export interface ComparisonRunRef {
  runId: string | null;
  /** relative to the comparison's directory (or, from some versions, to where compare ran) */
  dir: string | null;
  included: boolean;
  excludedBecause?: string;
}

/** What a plan reads of a compare.json: a memory comparison's sizes, or a sweep's points. */
export interface ComparisonRuns {
  /** absent or "memory": a memory comparison */
  parameter?: string;
  sizes?: ReadonlyArray<{ memoryMB: number; runs: readonly ComparisonRunRef[] }>;
  points?: ReadonlyArray<{ label: string; runs: readonly ComparisonRunRef[]; variant?: string; setting?: { membersPerRoom: number } }>;
  /** present on a grid: its points carry their variant */
  grid?: unknown;
}

/** A grid's variant: its counted runs, the room sizes ascending, and those of its largest room size. */
export interface VariantRuns {
  name: string;
  runs: MeasuredRun[];
  /** the counted runs at the largest room size it measured */
  atLargest: MeasuredRun[];
  /** that room size, members */
  largestRoomSize: number;
}

export interface DirReader {
  /** the file a run dir holds (results.json), and how it is read */
  resultsFile: string;
  readResults(file: string): Promise<Results>;
  /** the file a compare or sweep dir holds (compare.json), and how it is read */
  comparisonFile: string;
  readComparison(file: string): Promise<ComparisonRuns>;
}

export async function readPlanDirs(dirs: readonly string[], reader: DirReader): Promise<{ runs: MeasuredRun[]; notes: string[]; variants?: VariantRuns[] }> {
  const runs: MeasuredRun[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  const add = async (file: string) => {
    // a run named twice (its dir and its sweep's) is counted once
    if (seen.has(resolve(file))) return;
    seen.add(resolve(file));
    runs.push({ file, results: await reader.readResults(file) });
  };
  for (const dir of dirs) {
    const kind = await kindOf(dir, reader);
    if (kind === 'run') await add(join(dir, reader.resultsFile));
    else {
      const file = join(dir, reader.comparisonFile);
      const c = await reader.readComparison(file);
      if (c.grid && c.points) {
        if (dirs.length > 1) throw new UserError(`${dir}: a grid of variants (compare --targets with --room-size) is planned variant by variant: name it alone`);
        return gridRuns(dir, c.points, reader);
      }
      const found = await comparisonRuns(dir, c, reader);
      for (const f of found.files) await add(f);
      notes.push(...found.notes);
    }
  }
  return { runs, notes };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function kindOf(dir: string, reader: DirReader): Promise<'run' | 'comparison'> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${dir}: ${code === 'ENOENT' ? 'no such directory' : `cannot read (${code ?? (err as Error).message})`}`);
  }
  const what = `a run dir (holding ${reader.resultsFile}) or a compare or sweep dir (holding ${reader.comparisonFile})`;
  if (!isDir) throw new UserError(`${dir}: not a directory: give ${what}`);
  if (await isFile(join(dir, reader.resultsFile))) return 'run';
  if (await isFile(join(dir, reader.comparisonFile))) return 'comparison';
  throw new UserError(`${dir}: no ${reader.resultsFile} nor ${reader.comparisonFile}: give ${what}`);
}

interface Group {
  label: string;
  runs: readonly ComparisonRunRef[];
}

/** The results files of the runs a comparison counted; a comparison a plan cannot pool is refused. */
async function comparisonRuns(dir: string, c: ComparisonRuns, reader: DirReader): Promise<{ files: string[]; notes: string[] }> {
  const parameter = c.parameter ?? 'memory';
  const groups: Group[] = c.points ? c.points.map((p) => ({ label: p.label, runs: p.runs })) : (c.sizes ?? []).map((s) => ({ label: `${s.memoryMB} MB`, runs: s.runs }));
  const measured = groups.filter((g) => g.runs.some((r) => r.included && r.dir !== null));
  if (measured.length === 0) throw new UserError(`${dir}: the comparison counted no run: nothing to plan from`);
  if (parameter !== 'room-size' && measured.length > 1) {
    const example = join(dir, basename(measured[0]!.runs.find((r) => r.included && r.dir !== null)!.dir!));
    const labels = measured.map((g) => g.label).join(', ');
    const why: Record<string, string> = {
      memory: `a memory comparison (${labels}): a plan is of one memory size: pass one size's run dir (e.g. ${example}) and plan each size on its own`,
      payload: `a payload sweep (${labels}): a plan prices one payload: pass one point's run dir (e.g. ${example})`,
      targets: `a targets sweep (${labels}): a plan is of one stack: pass one variant's run dir (e.g. ${example})`,
    };
    throw new UserError(`${dir}: ${why[parameter] ?? `a ${parameter} comparison (${labels}): pass one of its run dirs (e.g. ${example})`}`);
  }
  const notes = leftOutNotes(dir, groups);
  const files: string[] = [];
  for (const r of measured.flatMap((g) => g.runs.filter((x) => x.included && x.dir !== null))) files.push(await runFile(dir, r, reader));
  return { files, notes };
}

function leftOutNotes(dir: string, groups: readonly Group[]): string[] {
  const left = groups.flatMap((g) => g.runs.filter((r) => !(r.included && r.dir !== null)).map((r) => `${r.runId ?? `a run at ${g.label}`}${r.excludedBecause ? ` (${r.excludedBecause})` : ''}`));
  return left.length > 0 ? [`${dir}: ${left.length === 1 ? 'a run the comparison left out is' : `${left.length} runs the comparison left out are`} left out here too: ${left.join('; ')}`] : [];
}

/** A counted run's results file. */
async function runFile(dir: string, r: ComparisonRunRef, reader: DirReader): Promise<string> {
  // compare.json names a run's dir relative to itself; with a relative --out, compare wrote it
  // relative to where it ran: the run is then the directory of that name beside compare.json
  const candidates = [isAbsolute(r.dir!) ? r.dir! : join(dir, r.dir!), join(dir, basename(r.dir!))];
  for (const candidate of candidates) {
    if (await isFile(join(candidate, reader.resultsFile))) return join(candidate, reader.resultsFile);
  }
  throw new UserError(`${dir}: run ${r.runId ?? r.dir} (${r.dir}): no ${reader.resultsFile} there`);
}

/** A grid's runs, variant by variant (in the order its points give them), each variant's room sizes ascending. */
async function gridRuns(dir: string, points: NonNullable<ComparisonRuns['points']>, reader: DirReader): Promise<{ runs: MeasuredRun[]; notes: string[]; variants: VariantRuns[] }> {
  const names = [...new Set(points.map((p) => p.variant ?? p.label))];
  const variants: VariantRuns[] = [];
  for (const name of names) {
    const own = points.filter((p) => (p.variant ?? p.label) === name).sort((a, b) => (a.setting?.membersPerRoom ?? 0) - (b.setting?.membersPerRoom ?? 0));
    const bySize: Array<{ size: number; runs: MeasuredRun[] }> = [];
    for (const p of own) {
      const runs: MeasuredRun[] = [];
      for (const r of p.runs.filter((x) => x.included && x.dir !== null)) {
        const file = await runFile(dir, r, reader);
        runs.push({ file, results: await reader.readResults(file) });
      }
      if (runs.length > 0) bySize.push({ size: p.setting?.membersPerRoom ?? 0, runs });
    }
    const largest = bySize.at(-1);
    if (!largest) throw new UserError(`${dir}: the grid counted no run of variant ${name}: nothing to plan it from`);
    variants.push({ name, runs: bySize.flatMap((s) => s.runs), atLargest: largest.runs, largestRoomSize: largest.size });
  }
  return { runs: variants.flatMap((v) => v.runs), notes: leftOutNotes(dir, points.map((p) => ({ label: p.label, runs: p.runs }))), variants };
}
