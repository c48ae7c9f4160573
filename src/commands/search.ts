import type { Command } from 'commander';
import { join } from 'node:path';
import { EXIT, EXIT_INTERRUPTED } from '../../common/exit-codes.ts';
import { UserError } from '../../common/errors.ts';
import { parseExpect, type Expectation } from '../analyses/search/search-expect.ts';
import { SEARCH_VARY, SearchVary, type Search } from '../analyses/search/search-schema.ts';
import { renderSearchConsole } from '../report/search/console.ts';
import { SEARCH_FILES } from '../report/search/write.ts';
import { writeLines } from '../report/shared/console-lines.ts';
import { DEFAULT_RESOLUTION, runSearch } from '../modes/search.ts';
import { DEFAULT_WARM_UP_MS } from '../session/warm-up.ts';
import { BUILTIN_SCENARIOS } from '../scenarios/builtin/index.ts';
import { formatDuration, parseDuration } from '../contracts/duration.ts';
import { MAX_PHASE_MS } from '../contracts/scenario-limits.ts';
import { catchInterrupts } from './interrupts.ts';
import { progressPrinter } from './progress-printer.ts';
import { summaryFlag, summaryLength } from './summary-flag.ts';
import { closingFlags, collect, durationFlag, fleetFlags, intFlag, memoryFlags, sessionOptionsFromFlags, stackFlags, targetFlags, type SharedFlags } from './shared-flags.ts';

/**
 * `fanout-bench search [scenario] --vary rate|clients|room-size --slo EXPR…`: the highest load
 * that meets every SLO, the first that does not, and what limited it (src/modes/search.ts). Takes
 * run's flags, except that `--memory fn=MB` sets a function's memory for the search through
 * Lambda's API (any target that has one) and puts it back at the end. Exit codes as run's: 0 a
 * limit found inside --from…--to or --to passed; 99 the first step already failed, or --expect
 * does not hold; 1 the search stopped on mass errors before it had an answer; 130/143
 * interrupted (memory restored, every step measured kept); 2 bad input.
 */
interface SearchFlags extends Omit<SharedFlags, 'duration'> {
  summary?: string;
  vary: string;
  slo: string[];
  from?: string;
  to?: string;
  hold: string;
  warmUp?: string;
  resolution: string;
  expect?: string;
  memory?: string[];
}

export function addSearchCommand(program: Command): void {
  const search = program
    .command('search')
    .description('find the highest load that meets every SLO, and what limited it; one search to <out>/<id>/')
    .argument('[scenario]', `built-in scenario (${Object.keys(BUILTIN_SCENARIOS).join(', ')}) or a YAML/JSON file`, 'fanout')
    .requiredOption('--vary <what>', `what grows from step to step: ${SEARCH_VARY.join(', ')}`)
    .requiredOption('--slo <expr>', 'an SLO every step must meet, in run\'s threshold language, e.g. "broadcast.p99 < 250ms" (repeatable)', collect)
    .option('--from <n>', "the first step's load (default: the scenario's own)")
    .option('--to <n>', 'the highest load ever measured (default: 16 × --from)')
    .option('--hold <d>', 'how long each step holds its load, measured', '30s')
    .option('--warm-up <d>', `each step's warm-up at its load before the hold (default ${formatDuration(DEFAULT_WARM_UP_MS)}; 0s: none)`)
    .option('--resolution <share>', 'bisect until the gap is at most this share of the passing load, e.g. 10% or 0.1', `${DEFAULT_RESOLUTION * 100}%`)
    .option('--expect <expr>', 'a CI check on the answer: "max >= N" (or "first > N"); exit 99 when it does not hold');
  targetFlags(search);
  fleetFlags(search, {
    rate: 'messages per second of every send phase (when --vary is not rate)',
    shards: 'shard processes, the same at every step (default: as the largest step plans: 1 up to 30,000 deliveries/s and 2,000 connects/s, else one per core)',
  });
  search.option('--memory <fn=MB>', "a function's memory while the search runs, set through Lambda's API and restored at the end (repeatable)", collect);
  stackFlags(search);
  summaryFlag(closingFlags(search, "run even if the largest step's fleet looks bigger than this host's memory, cores, files or ports can hold")).action(async (scenario: string, flags: SearchFlags) => {
    summaryLength(flags.summary);
    process.exitCode = await searchCommand(scenario, flags);
  });
}

function varyFlag(v: string): SearchVary {
  const parsed = SearchVary.safeParse(v);
  if (!parsed.success) throw new UserError(`--vary: must be one of ${SEARCH_VARY.join(', ')}, got "${v}"`);
  return parsed.data;
}

/** A load: a whole number ≥ 1; the scenario schema holds it to its field's limits at the step it sets (--from, --to). */
function loadFlag(name: string, v: string | undefined): number | undefined {
  const n = intFlag(name, v);
  if (n === 0) throw new UserError(`${name}: must be a whole number >= 1, got "${v}"`);
  return n;
}

/** --warm-up: no scenario field holds it (it shortens the send phases), so its bounds are here. */
function warmUpFlag(v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms > MAX_PHASE_MS) {
    throw new UserError(`--warm-up: must be a duration from 0s to ${formatDuration(MAX_PHASE_MS)}, like "3s" or "0s", got "${v}"`);
  }
  return ms;
}

/** `10%` or `0.1`: a share from 0.1 % to 100 %. */
function resolutionFlag(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(v);
  const share = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!(share >= 0.001 && share <= 1)) throw new UserError(`--resolution: must be a share from 0.1% to 100%, like "10%" or "0.1", got "${v}"`);
  return share;
}

function expectFlag(v: string | undefined): Expectation | undefined {
  if (v === undefined) return undefined;
  const e = parseExpect(v);
  if ('problem' in e) throw new UserError(`--expect: ${e.problem}`);
  return e;
}

/** The exit code of a search that was not interrupted. */
export function searchExitCode(s: Search): number {
  if (s.expect && !s.expect.held) return EXIT.thresholdsCrossed;
  switch (s.answer.kind) {
    case 'limit-found':
    case 'to-passed':
      return EXIT.pass;
    case 'first-step-failed':
      return EXIT.thresholdsCrossed;
    case 'stopped':
      return EXIT.runFailed;
  }
}

async function searchCommand(scenario: string, flags: SearchFlags): Promise<number> {
  const vary = varyFlag(flags.vary);
  if (vary === 'rate' && flags.rate !== undefined) throw new UserError('--rate: the search varies the rate itself (--from, --to)');
  if (vary !== 'rate' && flags.clients !== undefined) throw new UserError(`--clients: a search over ${vary} sets the clients itself (--from, --to)`);
  const from = loadFlag('--from', flags.from);
  const to = loadFlag('--to', flags.to);
  if (from !== undefined && to !== undefined && to < from) throw new UserError(`--to: must be at least --from (${from}), got ${to}`);
  const holdMs = durationFlag('--hold', flags.hold)!;
  const warmUpMs = flags.warmUp === undefined ? undefined : warmUpFlag(flags.warmUp);
  const resolution = resolutionFlag(flags.resolution);
  const expect = expectFlag(flags.expect);
  const memory = memoryFlags(flags.memory);
  const base = await sessionOptionsFromFlags(scenario, flags);
  const tty = process.stderr.isTTY === true;
  const interrupts = catchInterrupts({ tty, what: 'restoring what the search changed, writing the steps measured' });
  const printer = progressPrinter({ progress: flags.progress, tty });
  try {
    const { search, dir } = await runSearch({
      ...base,
      vary,
      slos: flags.slo,
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      holdMs,
      ...(warmUpMs !== undefined ? { warmUpMs } : {}),
      resolution,
      ...(expect ? { expect } : {}),
      ...(memory ? { memory } : {}),
      signal: interrupts.signal,
      onInterval: printer.onInterval,
      onWarning: printer.onWarning,
      onStatus: printer.onStatus,
    });
    printer.end();
    writeLines(process.stdout, renderSearchConsole(search, undefined, summaryLength(flags.summary)), join(dir, SEARCH_FILES.summary));
    process.stdout.write(`search: ${join(dir, SEARCH_FILES.json)}\nreport: ${join(dir, SEARCH_FILES.html)}\n`);
    const signal = interrupts.first();
    if (signal) return EXIT_INTERRUPTED[signal];
    return searchExitCode(search);
  } finally {
    interrupts.dispose();
  }
}
