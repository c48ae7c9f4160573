import type { Command } from 'commander';
import { join } from 'node:path';
import { UserError } from '../../common/errors.ts';
import { HoldConstant, LatencyMetric } from '../analyses/compare/compare-schema.ts';
import { renderCompareConsole } from '../report/compare/console.ts';
import { renderSweepConsole } from '../report/compare-sweep/console.ts';
import { parseVariants } from '../modes/compare-variants.ts';
import { runSweep, type Sweep } from '../modes/compare-sweep.ts';
import { MAX_PAYLOAD_BYTES, numberList } from '../modes/sweep-points.ts';
import { MAX_CLIENTS } from '../contracts/scenario-limits.ts';
import { THRESHOLD_FLAG } from '../verdict/threshold-list.ts';
import { COMPARE_FILES } from '../report/compare/write.ts';
import { writeLines } from '../report/shared/console-lines.ts';
import { DEFAULT_COMPARED_FUNCTIONS, runComparison } from '../modes/compare.ts';
import { formatDuration, parseDuration } from '../contracts/duration.ts';
import { BUILTIN_SCENARIOS } from '../scenarios/builtin/index.ts';
import { EXIT, EXIT_INTERRUPTED } from '../../common/exit-codes.ts';
import { LAMBDA_MEMORY_MB } from '../../common/lambda-memory.ts';
import { catchInterrupts } from './interrupts.ts';
import { progressPrinter } from './progress-printer.ts';
import { MAX_REPEAT } from './run.ts';
import { closingFlags, collect, fleetFlags, intFlag, sessionOptionsFromFlags, stackFlags, targetFlags, type SharedFlags } from './shared-flags.ts';
import { summaryFlag, summaryLength } from './summary-flag.ts';
import { fmtInt } from '../number-format.ts';

/**
 * `fanout-bench compare --memory 128,256,… | --room-size 10,100,… | --payload 128,4096,… |
 * --provisioned 0,2,… [--function NAME] | --snapstart off,on [--function NAME] | --targets A,B[,…] [--room-size 10,100,…] [scenario]`: the scenario at each value of one swept
 * parameter (or the variants at each room size: a grid), one
 * comparison (compare.json, index.html, summary.md). Takes run's flags (target, load, output,
 * prices) except run's `--memory fn=MB`: here `--memory` lists the sizes and `--function` names
 * what is set to them. The sweeps take `--threshold` (the SLO each point is judged by). Exit 0
 * every point measured, 1 a measurement failed, 130/143 interrupted (memory: the original sizes
 * restored first), 2 bad input.
 */
interface CompareFlags extends SharedFlags {
  summary?: string;
  memory?: string;
  threshold?: string[];
  repeat?: string;
  roomSize?: string;
  holdConstant?: string;
  payload?: string;
  targets?: string;
  provisioned?: string;
  snapstart?: string;
  function?: string[];
  latency?: string;
  weight?: string[];
  warmUp?: string;
}

const MAX_SIZES = 12;

export function addCompareCommand(program: Command): void {
  const compare = program
    .command('compare')
    .description("run a scenario at several Lambda memory sizes, room sizes, payloads, one function's provisioned concurrencies or SnapStart, or deployed variants and write one comparison to <out>/<id>/")
    .argument('[scenario]', `built-in scenario (${Object.keys(BUILTIN_SCENARIOS).join(', ')}) or a YAML/JSON file`, 'fanout')
    .option('--memory <MB,MB,...>', `memory sizes to compare, e.g. 128,256,512,1024,1769 (2 to ${MAX_SIZES}, ${LAMBDA_MEMORY_MB.min}–${LAMBDA_MEMORY_MB.max} MB)`)
    .option('--room-size <N,N,...>', `members per room to compare, e.g. 10,100,1000 (2 to ${MAX_SIZES})`)
    .option('--hold-constant <what>', `--room-size: ${HoldConstant.options.join(' or ')} stay the same at every size (default deliveries: deliveries per second)`)
    .option('--payload <bytes,...>', `payload sizes to compare, e.g. 128,4096,32000 (2 to ${MAX_SIZES}, at most ${fmtInt(MAX_PAYLOAD_BYTES)} bytes)`)
    .option('--provisioned <N,N,...>', `provisioned environments to compare for one function (--function, else the stack's one with provisioned concurrency), e.g. 0,2,8 (2 to ${MAX_SIZES}, 0 to ${fmtInt(MAX_PROVISIONED)}; 0: none)`)
    .option('--snapstart <off,on>', "one function's SnapStart off and on (--function, else the stack's one with SnapStart on; its route must invoke an alias): each point publishes a version and moves the alias to it")
    .option('--targets <A,B,...|file>', 'deployed variants to compare, e.g. aws:ChatArm64,aws:ChatX86, or a variants file (YAML/JSON) that can give local stacks their knobs; with --room-size, side by side at each room size (a grid)')
    .option(`${THRESHOLD_FLAG} <expr>`, 'sweeps: the SLO every point is judged by, after the scenario\'s thresholds (repeatable), e.g. "fanout.p99 < 500ms"', collect)
    .option('--function <names>', `--memory: functions set to each size, comma-separated or repeated (default: ${DEFAULT_COMPARED_FUNCTIONS.join(', ')}); --provisioned, --snapstart: the one function; a template's by name or logical id`, collect)
    .option('--repeat <n>', `measurements per size (at most ${MAX_REPEAT}; medians and their spread are compared)`)
    .option('--latency <metric>', `what "speed" means: ${LatencyMetric.options.join(', ')} (default duration: the compared functions' Duration p50)`)
    .option('--weight <w>', 'balanced strategy weights, 0 (speed only) to 1 (cost only), comma-separated or repeated; default 0.5', collect)
    .option('--warm-up <d>', 'length of the warm-up send phases at each size or target (default 3s; 0 skips the warm-up)');
  targetFlags(compare, '"local" (start the emulator), aws:<stackName>, or an execute-api wss:// URL');
  fleetFlags(compare, { duration: 'length of every send phase, e.g. 30s' });
  stackFlags(compare);
  summaryFlag(closingFlags(compare)).action(async (scenario: string, flags: CompareFlags, cmd: Command) => {
    summaryLength(flags.summary);
    process.exitCode = await compareCommand(scenario, flags, cmd.getOptionValueSource('target') === 'cli');
  });
}

export function sizesFlag(v: string): number[] {
  const parts = v.split(',').map((p) => p.trim());
  const sizes = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  const bad = parts.find((p, i) => !Number.isInteger(sizes[i]) || sizes[i]! < LAMBDA_MEMORY_MB.min || sizes[i]! > LAMBDA_MEMORY_MB.max);
  if (bad !== undefined) throw new UserError(`--memory: each size must be an integer from ${LAMBDA_MEMORY_MB.min} to ${LAMBDA_MEMORY_MB.max} MB, got "${bad}" in "${v}"`);
  const twice = sizes.find((s, i) => sizes.indexOf(s) !== i);
  if (twice !== undefined) throw new UserError(`--memory: ${twice} MB is listed twice in "${v}"`);
  if (sizes.length < 2 || sizes.length > MAX_SIZES) throw new UserError(`--memory: list 2 to ${MAX_SIZES} sizes to compare, got ${sizes.length} ("${v}")`);
  return sizes;
}

/**
 * A list flag: comma-separated, repeated, or both (`--function a,b --function c`). Never
 * variadic: commander's `<name...>` took the scenario after it as one more name.
 */
function listFlag(name: string, v: string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return v.flatMap((item) => {
    const parts = item.split(',').map((p) => p.trim());
    if (parts.some((p) => p === '')) throw new UserError(`${name}: an empty item in "${item}" (a comma-separated list, e.g. ${name} a,b)`);
    return parts;
  });
}

function weightsFlag(v: string[] | undefined): number[] | undefined {
  return listFlag('--weight', v)?.map((w) => {
    const n = w.trim() === '' ? Number.NaN : Number(w);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new UserError(`--weight: must be a number from 0 to 1, got "${w}"`);
    return n;
  });
}

function latencyFlag(v: string | undefined): LatencyMetric | undefined {
  if (v === undefined) return undefined;
  const parsed = LatencyMetric.safeParse(v);
  if (!parsed.success) throw new UserError(`--latency: must be one of ${LatencyMetric.options.join(', ')}, got "${v}"`);
  return parsed.data;
}

function warmUpFlag(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined || ms < 0 || ms > 60_000) throw new UserError(`--warm-up: must be a duration from 0s (none) to ${formatDuration(60_000)}, got "${v}"`);
  return ms;
}

const SWEEP_FLAGS = ['--memory', '--room-size', '--payload', '--provisioned', '--snapstart', '--targets'] as const;

/** The most provisioned environments one point may ask for (Lambda's default account concurrency is 1,000). */
const MAX_PROVISIONED = 10_000;

/** Which sweep the flags ask for: exactly one of --memory, --room-size, --payload, --targets, or --targets with --room-size (a grid). */
function sweepOf(flags: CompareFlags, targetGiven: boolean): Sweep | { parameter: 'memory'; sizes: number[] } {
  const given = SWEEP_FLAGS.filter((f) => flagValue(flags, f) !== undefined);
  // the one pair: the variants side by side at each room size (a grid)
  const grid = given.length === 2 && given.includes('--targets') && given.includes('--room-size');
  if (given.length !== 1 && !grid) {
    throw new UserError(`compare: give exactly one of ${SWEEP_FLAGS.slice(0, -1).join(', ')} or ${SWEEP_FLAGS.at(-1)}, or --targets with --room-size (${given.length === 0 ? 'none given' : `got ${given.join(' and ')}`})`);
  }
  const which = grid ? '--targets' : given[0]!;
  if (flags.holdConstant !== undefined && flags.roomSize === undefined) throw new UserError('--hold-constant: applies to --room-size only');
  if (which !== '--memory') {
    if (flags.weight !== undefined) throw new UserError('--weight: applies to --memory only');
    if (flags.function !== undefined && which !== '--provisioned' && which !== '--snapstart') throw new UserError('--function: applies to --memory, --provisioned and --snapstart only');
  } else if (flags.threshold !== undefined) {
    throw new UserError(`${THRESHOLD_FLAG}: applies to --room-size, --payload and --targets (a memory comparison recommends by cost and speed)`);
  }
  switch (which) {
    case '--memory':
      return { parameter: 'memory', sizes: sizesFlag(flags.memory!) };
    case '--room-size':
      return { parameter: 'room-size', ...roomSizesOf(flags) };
    case '--payload':
      return { parameter: 'payload', bytes: numberList('--payload', flags.payload!, 0, MAX_PAYLOAD_BYTES, ' bytes') };
    case '--provisioned':
    case '--snapstart': {
      const named = listFlag('--function', flags.function);
      if (named !== undefined && named.length !== 1) throw new UserError(`--function: ${which} compares one function's ${which === '--snapstart' ? 'SnapStart' : 'provisioned concurrency'}, got ${named.length} (${named.join(', ')})`);
      const fn = named ? { function: named[0]! } : {};
      if (which === '--snapstart') return { parameter: 'snapstart', settings: snapStartSettings(flags.snapstart!), ...fn };
      return { parameter: 'provisioned', counts: numberList('--provisioned', flags.provisioned!, 0, MAX_PROVISIONED, ' environments'), ...fn };
    }
    case '--targets':
      if (targetGiven) throw new UserError('--target: --targets names the targets compared (give one or the other)');
      return { parameter: 'targets', variants: parseVariants(flags.targets!), ...(grid ? { roomSizes: roomSizesOf(flags) } : {}) };
  }
}

/** `--snapstart off,on`: both settings, each once, in either order (a comparison of one is none). */
function snapStartSettings(v: string): Array<'off' | 'on'> {
  const parts = v.split(',').map((p) => p.trim());
  const bad = parts.find((p) => p !== 'off' && p !== 'on');
  if (bad !== undefined) throw new UserError(`--snapstart: each setting must be off or on, got "${bad}" in "${v}"`);
  if (parts.length !== 2 || parts[0] === parts[1]) throw new UserError(`--snapstart: give off,on (SnapStart off against on), got "${v}"`);
  return parts as Array<'off' | 'on'>;
}

function roomSizesOf(flags: CompareFlags): { sizes: number[]; holdConstant: HoldConstant } {
  const hold = flags.holdConstant === undefined ? 'deliveries' : HoldConstant.safeParse(flags.holdConstant).data;
  if (hold === undefined) throw new UserError(`--hold-constant: must be ${HoldConstant.options.join(' or ')}, got "${flags.holdConstant}"`);
  return { sizes: numberList('--room-size', flags.roomSize!, 1, MAX_CLIENTS, ' members'), holdConstant: hold };
}

function flagValue(flags: CompareFlags, f: (typeof SWEEP_FLAGS)[number]): string | undefined {
  return f === '--memory' ? flags.memory : f === '--room-size' ? flags.roomSize : f === '--payload' ? flags.payload : f === '--provisioned' ? flags.provisioned : f === '--snapstart' ? flags.snapstart : flags.targets;
}

async function compareCommand(scenarioRef: string, flags: CompareFlags, targetGiven: boolean): Promise<number> {
  const sweep = sweepOf(flags, targetGiven);
  const target = sweep.parameter === 'targets' ? sweep.variants[0]!.target : flags.target;
  const base = await sessionOptionsFromFlags(scenarioRef, { ...flags, target });
  const common = {
    ...base,
    repeat: intFlag('--repeat', flags.repeat, 1, MAX_REPEAT),
    latencyMetric: latencyFlag(flags.latency),
    warmUpMs: warmUpFlag(flags.warmUp),
  };
  if ((sweep.parameter === 'provisioned' || sweep.parameter === 'snapstart') && (common.warmUpMs ?? 0) > 0) {
    throw new UserError(`--warm-up: --${sweep.parameter} measures without a warm-up (the cold starts are what it compares): give 0 or leave it out`);
  }
  const tty = process.stderr.isTTY === true;
  // A second signal quits at once; the memory session then prints what it could not restore.
  const interrupts = catchInterrupts({ tty, what: sweep.parameter === 'memory' ? 'restoring the original memory sizes, writing what was measured' : 'writing what was measured' });
  const printer = progressPrinter({ progress: flags.progress, tty });
  const live = { signal: interrupts.signal, onInterval: printer.onInterval, onWarning: printer.onWarning, onStatus: printer.onStatus };
  try {
    const { lines, dir, complete } =
      sweep.parameter === 'memory'
        ? await runComparison({ ...common, ...live, sizes: sweep.sizes, functions: listFlag('--function', flags.function), balancedWeights: weightsFlag(flags.weight) }).then((o) => ({ ...o, lines: renderCompareConsole(o.comparison, undefined, summaryLength(flags.summary)) }))
        : await runSweep({ ...common, ...live, sweep, thresholds: flags.threshold ?? [] }).then((o) => ({ ...o, lines: renderSweepConsole(o.comparison, undefined, summaryLength(flags.summary)) }));
    printer.end();
    writeLines(process.stdout, lines, join(dir, COMPARE_FILES.summary));
    process.stdout.write(`compare: ${join(dir, COMPARE_FILES.json)}\nreport:  ${join(dir, COMPARE_FILES.html)}\n`);
    const signal = interrupts.first();
    if (signal) return EXIT_INTERRUPTED[signal];
    return complete ? EXIT.pass : EXIT.runFailed;
  } finally {
    interrupts.dispose();
  }
}
