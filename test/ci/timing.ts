import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { FileRecord } from './file-order.ts';

/**
 * The suite's timing, per lane and per file: what .ci/run prints at its end and keeps for the
 * budget test (test/ci/file-budget.test.ts). A lane is one vitest invocation (a Node, a part of
 * the suite); its files' wall time comes from vitest's JSON reporter, their CPU from
 * test/ci/file-cpu.ts.
 */

/** Where .ci/run leaves the last run's timing: read by the budget test when present. */
export const LAST_RUN_TIMING = '.cache/ci/timing.json';

/** A single test file may not take longer than this, on any lane. */
export const FILE_BUDGET_S = 180;

/**
 * Files allowed past the budget, each with why. Compare and search against a target that
 * publishes CloudWatch as AWS does wait for two measurements' minutes each (a fresh minute, the
 * run, the lag, a full period of stable counts: about four minutes apiece on a quiet host), and no
 * shorter clock exists for them yet. They run in CI's waiting lane, beside the main suite, and hold
 * none of its workers. An entry goes when its file fits.
 */
export const OVER_BUDGET: Readonly<Record<string, string>> = {
  'test/e2e/aws-metrics-compare.test.ts': "two measurements on AWS's real minutes",
  'test/e2e/aws-metrics-search.test.ts': "two steps on AWS's real minutes",
};

export interface FileTiming {
  lane: string;
  file: string;
  wallS: number;
  /** CPU of the file's own process and of the children it reaped; absent when not recorded. */
  cpuS?: number;
  tests: number;
  failed: number;
}

export interface StepTiming {
  step: string;
  s: number;
}

export interface RunTiming {
  files: FileTiming[];
  steps: StepTiming[];
  totalS?: number;
}

interface VitestJson {
  testResults: { name: string; startTime: number; endTime: number; assertionResults: { status: string }[] }[];
}

interface CpuLine {
  file: string;
  cpuSelfS: number;
  cpuChildrenS: number;
  /** from the file's setup to its last after-hook (absent in lines written before it was) */
  wallS?: number;
}

/** One lane's files, from its JSON report and (when present) its CPU lines. */
export function laneTimings(lane: string, report: VitestJson, cpuLines: CpuLine[], root: string): FileTiming[] {
  const lines = new Map(cpuLines.map((l) => [l.file, l]));
  return report.testResults.map((r) => {
    const file = relative(root, r.name);
    const line = lines.get(file);
    const cpuS = line && line.cpuSelfS + line.cpuChildrenS;
    return {
      lane,
      file,
      // the CPU line's wall time has the file's hooks; the reporter's starts at its first test
      wallS: line?.wallS ?? round((r.endTime - r.startTime) / 1000),
      ...(cpuS === undefined ? {} : { cpuS: round(cpuS) }),
      tests: r.assertionResults.length,
      failed: r.assertionResults.filter((a) => a.status === 'failed').length,
    };
  });
}

/** Every lane in a directory: `<lane>.json` from the reporter, `<lane>.cpu.ndjson` beside it. */
export function readLanes(dir: string, root: string): FileTiming[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => {
      const lane = f.slice(0, -'.json'.length);
      const report = JSON.parse(readFileSync(join(dir, f), 'utf8')) as VitestJson;
      const cpuFile = join(dir, `${lane}.cpu.ndjson`);
      const cpuLines = existsSync(cpuFile)
        ? readFileSync(cpuFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as CpuLine)
        : [];
      return laneTimings(lane, report, cpuLines, root);
    });
}

/** Steps as .ci/run records them: one `<seconds>\t<step>` line each. */
export function readSteps(text: string): StepTiming[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      return { s: Number(line.slice(0, tab)), step: line.slice(tab + 1) };
    });
}

export function slowest(files: FileTiming[], n: number): FileTiming[] {
  return [...files].sort((a, b) => b.wallS - a.wallS).slice(0, n);
}

/** Files over the per-file budget (but those allowed), each as one line naming it. */
export function overBudget(files: FileTiming[], budgetS = FILE_BUDGET_S, allowed: Readonly<Record<string, string>> = OVER_BUDGET): string[] {
  return files
    .filter((f) => f.wallS > budgetS && !(f.file in allowed))
    .map((f) => `${f.file} took ${f.wallS} s on lane ${f.lane} (budget ${budgetS} s per file)`);
}

export function formatSummary(run: RunTiming, n = 10): string {
  const lines = ['== time per step'];
  for (const s of run.steps) lines.push(`${String(s.s).padStart(6)} s  ${s.step}`);
  if (run.totalS !== undefined) lines.push(`${String(run.totalS).padStart(6)} s  in all`);
  lines.push('', `== the ${n} slowest files (wall s, CPU s incl. children, lane)`);
  for (const f of slowest(run.files, n)) {
    const cpu = f.cpuS === undefined ? '   -' : String(f.cpuS).padStart(6);
    lines.push(`${String(f.wallS).padStart(6)} ${cpu}  ${f.file}  [${f.lane}]`);
  }
  return lines.join('\n');
}

/** Each file's wall and CPU seconds on `lane`, longest first: test/ci/file-order.ts's record. */
export function fileSeconds(run: RunTiming, lane: string): FileRecord {
  const files = run.files.filter((f) => f.lane === lane).sort((a, b) => b.wallS - a.wallS || a.file.localeCompare(b.file));
  return Object.fromEntries(files.map((f) => [f.file, { wallS: f.wallS, ...(f.cpuS === undefined ? {} : { cpuS: f.cpuS }) }]));
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

// `tsx test/ci/timing.ts <lanes-dir> <steps-file> [total-s]`: merge, write LAST_RUN_TIMING, print.
// `tsx test/ci/timing.ts --over-budget <timing.json>`: the files over the budget, one line each.
// `tsx test/ci/timing.ts --file-seconds <timing.json> <lane>`: the record test/ci/file-order.ts orders by.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const args = process.argv.slice(2);
  if (args[0] === '--over-budget' && args[1]) {
    const over = overBudget((JSON.parse(readFileSync(args[1], 'utf8')) as RunTiming).files);
    console.log(over.length === 0 ? `every file within ${FILE_BUDGET_S} s` : over.map((l) => `over budget: ${l}`).join('\n'));
  } else if (args[0] === '--file-seconds' && args[1] && args[2]) {
    console.log(JSON.stringify(fileSeconds(JSON.parse(readFileSync(args[1], 'utf8')) as RunTiming, args[2]), null, 2));
  } else {
    const [dir, stepsFile, total] = args;
    if (!dir || !stepsFile) {
      console.error('usage: tsx test/ci/timing.ts <lanes-dir> <steps-file> [total-s] | --over-budget <timing.json> | --file-seconds <timing.json> <lane>');
      process.exit(2);
    }
    const run: RunTiming = {
      files: readLanes(dir, process.cwd()),
      steps: readSteps(readFileSync(stepsFile, 'utf8')),
      ...(total ? { totalS: Number(total) } : {}),
    };
    mkdirSync(dirname(LAST_RUN_TIMING), { recursive: true });
    writeFileSync(LAST_RUN_TIMING, `${JSON.stringify(run, null, 2)}\n`);
    console.log(formatSummary(run));
  }
}
