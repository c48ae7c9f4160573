import type { Command } from 'commander';
import { readToken } from '../../common/auth-token.ts';
import { TOKEN_PLACEMENTS, type TokenPlacement } from '../contracts/token-placement.ts';
import { UserError } from '../../common/errors.ts';
import { costOptionsFromFlags } from '../metrics/cost/cost-flags.ts';
import { RESULTS_FILE } from '../metrics/results/run-dir.ts';
import { estimatedMemoryMB } from '../fleet/fleet-limits.ts';
import { hostFacts, type HostFacts } from '../fleet/host-facts.ts';
import { CONFIGURABLE_FUNCTION_NAMES } from '../contracts/reference-functions.ts';
import { checkRunInput, type RunInput } from '../modes/run-input.ts';
import { runBenchmark, type RunOptions } from '../modes/run.ts';
import { plannedMs } from '../scenarios/planned-length.ts';
import { consoleSummary } from '../report/console-summary.ts';
import { formatDuration, parseDuration } from '../contracts/duration.ts';
import { MAX_CLIENTS, MAX_PHASE_MS, MAX_RATE, MIN_SEND_MS } from '../contracts/scenario-limits.ts';
import { BUILTIN_SCENARIOS } from '../scenarios/builtin/index.ts';
import type { StackKnobs } from '../contracts/scenario-schema.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_FILES } from '../report/write-reports.ts';
import { isNodeRuntime, NODE_RUNTIMES, type NodeRuntime } from '../../common/node-runtimes.ts';
import { LAMBDA_MEMORY_MB } from '../../common/lambda-memory.ts';
import { exitCodeOf } from '../verdict/exit-codes.ts';
import { parseTargetSpec } from '../targets/target-spec.ts';
import { THRESHOLD_FLAG } from '../verdict/threshold-list.ts';
import { checkVerdictInput } from '../modes/verdict-input.ts';
import { preflightQuotas } from '../modes/quota-preflight.ts';
import { catchInterrupts } from './interrupts.ts';
import { progressPrinter } from './progress-printer.ts';
import { closingFlags, collect, fleetFlags, stackFlags, targetFlags } from './shared-flags.ts';

/**
 * `fanout-bench run [scenario|file]`: parses flags, wires Ctrl-C / SIGTERM and the progress line,
 * calls runBenchmark(), prints the console summary. The exit code follows the verdict
 * (src/verdict/exit-codes.ts): 0 passed, 99 a check or threshold failed, 1 the run failed, 130
 * interrupted by SIGINT (Ctrl-C), 143 by SIGTERM, 2 bad input or unreachable target (a
 * UserError, printed by cli.ts as one line).
 */
/** At most this many repeats: each is a whole run. */
export const MAX_REPEAT = 20;

export interface RunFlags {
  target: string;
  clients?: string;
  rooms?: string;
  duration?: string;
  rate?: string;
  shards?: string;
  seed?: string;
  out: string;
  memory?: string[];
  runtime?: string;
  region?: string;
  profile?: string;
  prices?: string;
  arch?: string;
  progress: boolean;
  ignoreHostLimits?: boolean;
  dryRun?: boolean;
  tokenFile?: string;
  tokenIn?: string;
  threshold?: string[];
  baseline?: string;
  repeat?: string;
  metricsWait?: string;
}

export function addRunCommand(program: Command): void {
  const run = program
    .command('run')
    .description('run a scenario against a target and write results to <out>/<run-id>/')
    .argument('[scenario]', `built-in scenario (${Object.keys(BUILTIN_SCENARIOS).join(', ')}) or a YAML/JSON file`, 'default');
  targetFlags(run);
  fleetFlags(run, { duration: `length of every send phase, e.g. 30s (at most ${formatDuration(MAX_PHASE_MS)})` });
  run.option('--memory <fn=MB>', 'local target: Lambda memory for a function (repeatable)', collect);
  stackFlags(run)
    .option(`${THRESHOLD_FLAG} <expr>`, 'pass/fail criterion, e.g. "broadcast.p99 < 250ms" or "broadcast.p99 <= baseline * 1.10" (repeatable)', collect)
    .option('--baseline <results.json>', 'a previous run to compare with (thresholds may name `baseline`)')
    .option('--repeat <n>', `measure the scenario n times against one target and judge the medians (at most ${MAX_REPEAT})`)
    .option('--dry-run', "check the scenario, the flags, the host limits and the target's quotas, print the plan, start nothing");
  closingFlags(run).action(async (scenario: string, flags: RunFlags) => {
    process.exitCode = flags.dryRun ? await dryRun(scenario, flags) : await runCommand(scenario, flags);
  });
}

/** The flags as RunOptions, each checked on its own (one line naming the flag). */
export async function runOptionsFromFlags(scenario: string, flags: RunFlags): Promise<RunOptions> {
  if (flags.memory !== undefined && !parseTargetSpec(flags.target).startsLocalStack) {
    throw new UserError(`--memory: sets a Lambda's memory in the local emulator (--target local) only; a deployed stack's is set when it is deployed (cdk deploy -c memory=MB)`);
  }
  const aws = flags.region !== undefined || flags.profile !== undefined ? { region: regionFlag(flags.region), profile: profileFlag(flags.profile) } : undefined;
  return {
    scenario,
    target: flags.target,
    ...(aws ? { aws } : {}),
    clients: intFlag('--clients', flags.clients, 1, MAX_CLIENTS),
    rooms: intFlag('--rooms', flags.rooms, 1),
    durationMs: durationFlag('--duration', flags.duration),
    rate: rateFlag('--rate', flags.rate),
    shards: intFlag('--shards', flags.shards, 1),
    seed: intFlag('--seed', flags.seed, 0),
    outDir: flags.out,
    stackKnobs: stackKnobsFromFlags(flags),
    cost: await costOptionsFromFlags(flags, flags.target),
    ignoreHostLimits: flags.ignoreHostLimits === true,
    token: readToken({ file: flags.tokenFile, fileField: '--token-file' }),
    tokenIn: tokenInFlag(flags.tokenIn),
    thresholds: flags.threshold ?? [],
    baseline: flags.baseline,
    repeat: intFlag('--repeat', flags.repeat, 1, MAX_REPEAT),
    ...(flags.metricsWait !== undefined ? { metricsWaitMs: metricsWaitFlag(flags.metricsWait) } : {}),
  };
}

/** At most an hour: AWS publishes within minutes; `report --repull` pulls again later. */
const MAX_METRICS_WAIT_MS = 3_600_000;

function metricsWaitFlag(v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms < 0 || ms > MAX_METRICS_WAIT_MS) {
    throw new UserError(`--metrics-wait: must be a duration from 0s to ${formatDuration(MAX_METRICS_WAIT_MS)}, like "90s" or "5m", got "${v}"`);
  }
  return ms;
}

function tokenInFlag(v: string | undefined): TokenPlacement | undefined {
  if (v === undefined) return undefined;
  if (!(TOKEN_PLACEMENTS as readonly string[]).includes(v)) throw new UserError(`--token-in: must be ${TOKEN_PLACEMENTS.join(' or ')}, got "${v}"`);
  return v as TokenPlacement;
}

/** `--dry-run`: everything checked that a run would check before it starts, then the plan on stdout. */
async function dryRun(scenario: string, flags: RunFlags): Promise<number> {
  const options = await runOptionsFromFlags(scenario, flags);
  const input = checkRunInput(options);
  await checkVerdictInput(input.scenario, options);
  // the target's quotas: an aws: stack's read from its account (nothing is started, no WebSocket opened)
  const quotas = await preflightQuotas(input.scenario, input.target, { aws: options.aws });
  process.stdout.write(planLine(input, hostFacts()));
  if (quotas) process.stdout.write([`quotas: ${quotas.note}`, ...quotas.plan].map((l) => `${l}\n`).join(''));
  return 0;
}

export function planLine(input: RunInput, host: HostFacts): string {
  const s = input.scenario;
  const phases = s.phases.map((p) => p.name).join(', ');
  const memory = estimatedMemoryMB(
    { clients: s.clients, shards: input.shards, localStack: input.target.startsLocalStack, hostMaxEnvironments: s.target.hostMaxEnvironments },
    host.totalMemoryBytes,
  );
  return (
    `fanout-bench ${s.name}: valid: ${s.clients} clients in ${s.rooms} rooms on ${input.shards} shard(s), phases ${phases}, ` +
    `about ${formatDuration(plannedMs(s))}, against ${input.targetSpec}; ` +
    `estimated memory ${Math.round(memory)} MB of ${Math.round(host.availableMemoryBytes / 2 ** 20)} MB available\n`
  );
}

async function runCommand(scenario: string, flags: RunFlags): Promise<number> {
  const options = await runOptionsFromFlags(scenario, flags);
  const tty = process.stderr.isTTY === true;
  const interrupts = catchInterrupts({ tty, what: 'writing what was measured' });
  const printer = progressPrinter({ progress: flags.progress, tty });
  try {
    const { results, runDir } = await runBenchmark({
      ...options,
      signal: interrupts.signal,
      onWarning: printer.onWarning,
      onStatus: printer.onStatus,
      onInterval: printer.onInterval,
    });
    printer.end();
    process.stdout.write(consoleSummary(results, join(runDir, RESULTS_FILE)));
    const html = join(runDir, REPORT_FILES.html);
    if (existsSync(html)) process.stdout.write(`report:  ${html}\n`);
    return exitCodeOf(results.verdict, interrupts.first());
  } finally {
    interrupts.dispose();
  }
}

export function intFlag(name: string, v: string | undefined, min: number, max?: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) {
    const range = max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
    throw new UserError(`${name}: must be an integer ${range}, got "${v}"`);
  }
  return n;
}

function regionFlag(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(v)) throw new UserError(`--region: must be an AWS region such as us-east-1, got "${v}"`);
  return v;
}

/** A profile name as the shared config files allow it: no whitespace, no brackets. */
function profileFlag(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^[^\s[\]]{1,128}$/.test(v)) throw new UserError(`--profile: must be a profile name of the AWS config files (1-128 characters, no spaces or brackets), got "${v}"`);
  return v;
}

/** `--memory` and `--runtime`: the local stack's knobs, as a scenario's `target:` would set them. */
function stackKnobsFromFlags(flags: RunFlags): StackKnobs | undefined {
  const knobs: StackKnobs = {};
  for (const m of flags.memory ?? []) {
    const [fn, mb] = memoryFlag(m);
    knobs.memory = { ...knobs.memory, [fn]: mb };
  }
  if (flags.runtime !== undefined) knobs.runtime = runtimeFlag(flags.runtime);
  return Object.keys(knobs).length > 0 ? knobs : undefined;
}

function runtimeFlag(v: string): NodeRuntime {
  if (!isNodeRuntime(v)) throw new UserError(`--runtime: must be one of ${NODE_RUNTIMES.join(', ')}, got "${v}"`);
  return v;
}

export function rateFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? Number.NaN : Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > MAX_RATE) throw new UserError(`${name}: must be a number > 0 and at most ${MAX_RATE}, got "${v}"`);
  return n;
}

export function durationFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined) throw new UserError(`${name}: must be a duration like "30s", "500ms" or "2m", got "${v}"`);
  if (ms < MIN_SEND_MS) throw new UserError(`${name}: must be at least ${formatDuration(MIN_SEND_MS)} (a send phase of 0 sends nothing), got "${v}"`);
  if (ms > MAX_PHASE_MS) throw new UserError(`${name}: must be at most ${formatDuration(MAX_PHASE_MS)}, got "${v}"`);
  return ms;
}

/** `--memory fn=MB`: a function of the reference stack and a size Lambda allows. */
export function memoryFlag(v: string): [string, number] {
  const m = /^([\w.-]+)=(\d+)$/.exec(v);
  if (!m) throw new UserError(`--memory: expected fn=MB, got "${v}"`);
  if (!CONFIGURABLE_FUNCTION_NAMES.includes(m[1])) {
    throw new UserError(`--memory: unknown function "${m[1]}" (known: ${CONFIGURABLE_FUNCTION_NAMES.join(', ')})`);
  }
  const mb = Number(m[2]);
  if (mb < LAMBDA_MEMORY_MB.min || mb > LAMBDA_MEMORY_MB.max) {
    throw new UserError(`--memory: ${m[1]}: must be from ${LAMBDA_MEMORY_MB.min} to ${LAMBDA_MEMORY_MB.max} MB, got ${m[2]}`);
  }
  return [m[1], mb];
}
