import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_FILE } from '../metrics/results/run-dir.ts';
import { estimatedMemoryMB } from '../fleet/fleet-limits.ts';
import { hostFacts, type HostFacts } from '../fleet/host-facts.ts';
import { checkRunInput, type RunInput } from '../session/run-input.ts';
import { runBenchmark, type RunOptions } from '../modes/run.ts';
import { plannedMs } from '../scenarios/planned-length.ts';
import { runConsole } from '../report/run/run-console.ts';
import { formatDuration } from '../contracts/duration.ts';
import { fmtInt } from '../number-format.ts';
import { MAX_PHASE_MS } from '../contracts/scenario-limits.ts';
import { BUILTIN_SCENARIOS } from '../scenarios/builtin/index.ts';
import { REPORT_FILES } from '../report/run/write.ts';
import { consoleWidth } from '../report/shared/console-lines.ts';
import { exitCodeOf } from '../verdict/exit-codes.ts';
import { THRESHOLD_FLAG } from '../verdict/threshold-list.ts';
import { checkVerdictInput } from '../session/verdict-input.ts';
import { preflightQuotas } from '../session/quota-preflight.ts';
import { quotaPlanLine } from '../report/run/quota-text.ts';
import { catchInterrupts } from './interrupts.ts';
import { progressPrinter } from './progress-printer.ts';
import { closingFlags, collect, fleetFlags, intFlag, memoryFlags, sessionOptionsFromFlags, stackFlags, targetFlags, type SharedFlags } from './shared-flags.ts';
import { summaryFlag, summaryLength } from './summary-flag.ts';

/**
 * `fanout-bench run [scenario|file]`: parses flags, wires Ctrl-C / SIGTERM and the progress line,
 * calls runBenchmark(), prints the console summary. The exit code follows the verdict
 * (src/verdict/exit-codes.ts): 0 passed, 99 a check or threshold failed, 1 the run failed, 130
 * interrupted by SIGINT (Ctrl-C), 143 by SIGTERM, 2 bad input or unreachable target (a
 * UserError, printed by cli.ts as one line).
 */
/** At most this many repeats: each is a whole run. */
export const MAX_REPEAT = 20;

export interface RunFlags extends SharedFlags {
  memory?: string[];
  dryRun?: boolean;
  threshold?: string[];
  baseline?: string;
  repeat?: string;
  summary?: string;
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
  summaryFlag(closingFlags(run)).action(async (scenario: string, flags: RunFlags) => {
    summaryLength(flags.summary);
    process.exitCode = flags.dryRun ? await dryRun(scenario, flags) : await runCommand(scenario, flags);
  });
}

/** The flags as RunOptions, each read for its form (one line naming the flag); the input check holds them to the scenario's limits. */
export async function runOptionsFromFlags(scenario: string, flags: RunFlags): Promise<RunOptions> {
  const memory = memoryFlags(flags.memory);
  return {
    ...(await sessionOptionsFromFlags(scenario, flags, memory ? { memory } : undefined)),
    thresholds: flags.threshold ?? [],
    baseline: flags.baseline,
    repeat: intFlag('--repeat', flags.repeat, 1, MAX_REPEAT),
  };
}

/** `--dry-run`: everything checked that a run would check before it starts, then the plan on stdout. */
async function dryRun(scenario: string, flags: RunFlags): Promise<number> {
  const options = await runOptionsFromFlags(scenario, flags);
  const input = checkRunInput(options);
  await checkVerdictInput(input.scenario, options);
  // the target's quotas: an aws: stack's read from its account (nothing is started, no WebSocket opened)
  const quotas = await preflightQuotas(input.scenario, input.target, { aws: options.aws, stackKnobs: options.stackKnobs });
  process.stdout.write(planLine(input, hostFacts()));
  if (quotas) process.stdout.write([`quotas: ${quotas.note}`, ...quotas.plan.map(quotaPlanLine)].map((l) => `${l}\n`).join(''));
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
    `fanout-bench ${s.name}: valid: ${fmtInt(s.clients)} clients in ${fmtInt(s.rooms)} rooms on ${input.shards} shard(s), phases ${phases}, ` +
    `about ${formatDuration(plannedMs(s))}, against ${input.target.spec}; ` +
    `estimated memory ${fmtInt(Math.round(memory))} MB of ${fmtInt(Math.round(host.availableMemoryBytes / 2 ** 20))} MB available\n`
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
    const html = join(runDir, REPORT_FILES.html);
    const files = { results: join(runDir, RESULTS_FILE), ...(existsSync(html) ? { report: html } : {}) };
    process.stdout.write(runConsole(results, files, summaryLength(flags.summary), consoleWidth(process.stdout)));
    return exitCodeOf(results.verdict, interrupts.first());
  } finally {
    interrupts.dispose();
  }
}
