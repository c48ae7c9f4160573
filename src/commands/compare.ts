import type { Command } from 'commander';
import { join } from 'node:path';
import { UserError } from '../../common/errors.ts';
import { LatencyMetric } from '../metrics/compare/compare-schema.ts';
import { renderCompareConsole } from '../report/compare-console.ts';
import { COMPARE_FILES } from '../report/write-comparison.ts';
import { DEFAULT_COMPARED_FUNCTIONS, runComparison } from '../run/compare.ts';
import { formatDuration, parseDuration } from '../scenarios/duration.ts';
import { BUILTIN_SCENARIOS } from '../scenarios/builtin/index.ts';
import { EXIT, EXIT_INTERRUPTED } from '../../common/exit-codes.ts';
import { LAMBDA_MEMORY_MB } from '../../common/lambda-memory.ts';
import { catchInterrupts } from './interrupts.ts';
import { progressPrinter } from './progress-printer.ts';
import { collect, intFlag, MAX_REPEAT, METRICS_WAIT_FLAG, METRICS_WAIT_HELP, runOptionsFromFlags, type RunFlags } from './run.ts';

/**
 * `fanout-bench compare --memory 128,256,… [scenario]`: the scenario at each memory size, one
 * comparison (compare.json, index.html, summary.md). Takes run's flags (target, load, output,
 * prices) except run's `--memory fn=MB`: here `--memory` lists the sizes and `--function` names
 * what is set to them. Exit 0 every size measured, 1 a measurement failed, 130/143 interrupted
 * (the original sizes restored first), 2 bad input.
 */
interface CompareFlags extends Omit<RunFlags, 'memory' | 'threshold' | 'baseline' | 'dryRun'> {
  memory: string;
  function?: string[];
  latency?: string;
  weight?: string[];
  warmUp?: string;
}

const MAX_SIZES = 12;

export function addCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('run a scenario at several Lambda memory sizes and write one comparison to <out>/<id>/')
    .argument('[scenario]', `built-in scenario (${Object.keys(BUILTIN_SCENARIOS).join(', ')}) or a YAML/JSON file`, 'fanout')
    .requiredOption('--memory <MB,MB,...>', `memory sizes to compare, e.g. 128,256,512,1024,1769 (2 to ${MAX_SIZES}, ${LAMBDA_MEMORY_MB.min}–${LAMBDA_MEMORY_MB.max} MB)`)
    .option('--function <names>', `functions set to each size, comma-separated or repeated (default: ${DEFAULT_COMPARED_FUNCTIONS.join(', ')})`, collect)
    .option('--repeat <n>', `measurements per size (at most ${MAX_REPEAT}; medians and their spread are compared)`)
    .option('--latency <metric>', `what "speed" means: ${LatencyMetric.options.join(', ')} (default duration: the compared functions' Duration p50)`)
    .option('--weight <w>', 'balanced strategy weights, 0 (speed only) to 1 (cost only), comma-separated or repeated; default 0.5', collect)
    .option('--warm-up <d>', 'length of the warm-up send phases at each size (default 3s)')
    .option('--target <target>', '"local" (start the emulator), aws:<stackName>, or an execute-api wss:// URL', 'local')
    .option('--region <region>', "aws:<stackName>: the stack's AWS region (default: the SDK's chain)")
    .option('--profile <profile>', 'aws:<stackName>: the named AWS profile (default: the SDK\'s chain)')
    .option('--clients <n>', 'simulated clients (overrides the scenario)')
    .option('--rooms <n>', 'rooms (overrides the scenario)')
    .option('--duration <d>', 'length of every send phase, e.g. 30s')
    .option('--rate <n>', 'messages per second of every send phase')
    .option('--shards <n>', 'shard processes (default: 1 up to 30,000 deliveries/s and 2,000 connects/s planned, else one per core)')
    .option('--seed <n>', 'seed for rooms, senders and drops')
    .option('--out <dir>', 'reports directory', 'reports')
    .option('--runtime <runtime>', 'local target: Lambda runtime emulated')
    .option('--prices <file|aws>', "the cost estimate's prices: a JSON/YAML price file, or aws (the AWS Price List API, aws: targets)")
    .option('--arch <arch>', 'Lambda architecture priced: x86_64 (default) or arm64')
    .option('--token-file <file>', "file holding the token for the stack's $connect authorizer (else FANOUT_BENCH_TOKEN)")
    .option('--token-in <where>', 'where the token goes: header (x-api-key, default) or query (?token=)')
    .option(METRICS_WAIT_FLAG, METRICS_WAIT_HELP)
    .option('--ignore-host-limits', "run even if the fleet looks bigger than this host's limits")
    .option('--no-progress', 'no progress output on stderr')
    .action(async (scenario: string, flags: CompareFlags) => {
      process.exitCode = await compareCommand(scenario, flags);
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
  if (ms === undefined || ms <= 0 || ms > 60_000) throw new UserError(`--warm-up: must be a duration from 1ms to ${formatDuration(60_000)}, got "${v}"`);
  return ms;
}

async function compareCommand(scenario: string, flags: CompareFlags): Promise<number> {
  const sizes = sizesFlag(flags.memory);
  const base = await runOptionsFromFlags(scenario, { ...flags, memory: undefined, threshold: undefined, baseline: undefined, repeat: undefined });
  const options = {
    ...base,
    sizes,
    functions: listFlag('--function', flags.function),
    repeat: intFlag('--repeat', flags.repeat, 1, MAX_REPEAT),
    latencyMetric: latencyFlag(flags.latency),
    balancedWeights: weightsFlag(flags.weight),
    warmUpMs: warmUpFlag(flags.warmUp),
  };
  const tty = process.stderr.isTTY === true;
  // A second signal quits at once; the memory session then prints what it could not restore.
  const interrupts = catchInterrupts({ tty, what: 'restoring the original memory sizes, writing what was measured' });
  const printer = progressPrinter({ progress: flags.progress, tty });
  try {
    const { comparison, dir, complete } = await runComparison({
      ...options,
      signal: interrupts.signal,
      onInterval: printer.onInterval,
      onWarning: printer.onWarning,
      onStatus: printer.onStatus,
    });
    printer.end();
    process.stdout.write(`${renderCompareConsole(comparison).join('\n')}\n`);
    process.stdout.write(`compare: ${join(dir, COMPARE_FILES.json)}\nreport:  ${join(dir, COMPARE_FILES.html)}\n`);
    const signal = interrupts.first();
    if (signal) return EXIT_INTERRUPTED[signal];
    return complete ? EXIT.pass : EXIT.runFailed;
  } finally {
    interrupts.dispose();
  }
}
