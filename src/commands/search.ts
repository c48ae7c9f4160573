import type { Command } from 'commander';
import { join } from 'node:path';
import { EXIT, EXIT_INTERRUPTED } from '../../common/exit-codes.ts';
import { UserError } from '../../common/errors.ts';
import { parseExpect, type Expectation } from '../analyses/search/search-expect.ts';
import { SEARCH_VARY, SearchVary, type Search } from '../analyses/search/search-schema.ts';
import { renderSearchConsole } from '../report/search-console.ts';
import { SEARCH_FILES } from '../report/write-search.ts';
import { DEFAULT_RESOLUTION, DEFAULT_SEARCH_WARM_UP_MS, runSearch } from '../modes/search.ts';
import { BUILTIN_SCENARIOS } from '../scenarios/builtin/index.ts';
import { formatDuration, parseDuration } from '../contracts/duration.ts';
import { MAX_CLIENTS, MAX_PHASE_MS, MAX_RATE, MIN_SEND_MS } from '../contracts/scenario-limits.ts';
import { catchInterrupts } from './interrupts.ts';
import { progressPrinter } from './progress-printer.ts';
import { memoryFlag, runOptionsFromFlags, type RunFlags } from './run.ts';
import { closingFlags, collect, fleetFlags, stackFlags, targetFlags } from './shared-flags.ts';

/**
 * `fanout-bench search [scenario] --vary rate|clients|room-size --slo EXPR…`: the highest load
 * that meets every SLO, the first that does not, and what limited it (src/modes/search.ts). Takes
 * run's flags, except that `--memory fn=MB` sets a function's memory for the search through
 * Lambda's API (any target that has one) and puts it back at the end. Exit codes as run's: 0 a
 * limit found inside --from…--to or --to passed; 99 the first step already failed, or --expect
 * does not hold; 1 the search stopped on mass errors before it had an answer; 130/143
 * interrupted (memory restored, every step measured kept); 2 bad input.
 */
interface SearchFlags extends Omit<RunFlags, 'memory' | 'threshold' | 'baseline' | 'dryRun' | 'repeat' | 'duration'> {
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
    .option('--warm-up <d>', `each step's warm-up at its load before the hold (default ${formatDuration(DEFAULT_SEARCH_WARM_UP_MS)}; 0s: none)`)
    .option('--resolution <share>', 'bisect until the gap is at most this share of the passing load, e.g. 10% or 0.1', `${DEFAULT_RESOLUTION * 100}%`)
    .option('--expect <expr>', 'a CI check on the answer: "max >= N" (or "first > N"); exit 99 when it does not hold');
  targetFlags(search);
  fleetFlags(search, {
    rate: 'messages per second of every send phase (when --vary is not rate)',
    shards: 'shard processes, the same at every step (default: as the largest step plans: 1 up to 30,000 deliveries/s and 2,000 connects/s, else one per core)',
  });
  search.option('--memory <fn=MB>', "a function's memory while the search runs, set through Lambda's API and restored at the end (repeatable)", collect);
  stackFlags(search);
  closingFlags(search, "run even if the largest step's fleet looks bigger than this host's memory, cores, files or ports can hold").action(async (scenario: string, flags: SearchFlags) => {
    process.exitCode = await searchCommand(scenario, flags);
  });
}

function varyFlag(v: string): SearchVary {
  const parsed = SearchVary.safeParse(v);
  if (!parsed.success) throw new UserError(`--vary: must be one of ${SEARCH_VARY.join(', ')}, got "${v}"`);
  return parsed.data;
}

/** A load: a whole number ≥ 1, at most what the varied quantity allows. */
function loadFlag(name: string, v: string | undefined, vary: SearchVary): number | undefined {
  if (v === undefined) return undefined;
  const max = vary === 'rate' ? MAX_RATE : MAX_CLIENTS;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) throw new UserError(`${name}: must be a whole number from 1 to ${max} (${vary}), got "${v}"`);
  return n;
}

function holdFlag(name: string, v: string, min: number): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms < min || ms > MAX_PHASE_MS) {
    throw new UserError(`${name}: must be a duration from ${formatDuration(min)} to ${formatDuration(MAX_PHASE_MS)}, like "30s" or "2m", got "${v}"`);
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

/** Each `--memory fn=MB` as run reads it; a function named twice keeps its last size. */
function memoryFlags(v: string[] | undefined): Record<string, number> | undefined {
  return v === undefined ? undefined : Object.fromEntries(v.map(memoryFlag));
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
  const from = loadFlag('--from', flags.from, vary);
  const to = loadFlag('--to', flags.to, vary);
  if (from !== undefined && to !== undefined && to < from) throw new UserError(`--to: must be at least --from (${from}), got ${to}`);
  const holdMs = holdFlag('--hold', flags.hold, MIN_SEND_MS);
  const warmUpMs = flags.warmUp === undefined ? undefined : holdFlag('--warm-up', flags.warmUp, 0);
  const resolution = resolutionFlag(flags.resolution);
  const expect = expectFlag(flags.expect);
  const memory = memoryFlags(flags.memory);
  const base = await runOptionsFromFlags(scenario, { ...flags, memory: undefined, threshold: undefined, baseline: undefined, repeat: undefined, duration: undefined });
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
    process.stdout.write(`${renderSearchConsole(search).join('\n')}\n`);
    process.stdout.write(`search: ${join(dir, SEARCH_FILES.json)}\nreport: ${join(dir, SEARCH_FILES.html)}\n`);
    const signal = interrupts.first();
    if (signal) return EXIT_INTERRUPTED[signal];
    return searchExitCode(search);
  } finally {
    interrupts.dispose();
  }
}
