import { Command, CommanderError } from 'commander';
import { isCheckout } from '../common/cache-dir.ts';
import { UserError } from '../common/errors.ts';
import { PACKAGE_ROOT } from '../common/package-paths.ts';
import { unlinkAbovePackage } from './local-stack/unlink-bundled-node.ts';

/**
 * Each command's module (its flags, description and action), loaded only when that command runs:
 * loading them all (the run, compare and search modes, the report renderers, the AWS SDK clients)
 * costs a `stack up` or a `trend` about a CPU-second at start that it never uses. `--help`, and
 * anything that is not a known command, loads them all, in the order --help lists them.
 */
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  run: async () => (await import('./commands/run.ts')).addRunCommand,
  compare: async () => (await import('./commands/compare.ts')).addCompareCommand,
  search: async () => (await import('./commands/search.ts')).addSearchCommand,
  stack: async () => (await import('./commands/stack.ts')).addStackCommand,
  report: async () => (await import('./commands/report.ts')).addReportCommand,
  artillery: async () => (await import('./commands/artillery-export.ts')).addArtilleryCommand,
  trend: async () => (await import('./commands/trend.ts')).addTrendCommand,
  plan: async () => (await import('./commands/plan.ts')).addPlanCommand,
};

// Installed as a dependency (no install script runs), npm's `node` link to the bundled Node is
// removed here, at first use, as the checkout's prepare script does at `npm ci`.
if (!isCheckout(PACKAGE_ROOT)) unlinkAbovePackage();

// Thin entry: each command module declares its flags and calls one function.
const program = new Command('fanout-bench')
  .description('Load-test WebSocket fan-out on AWS (API Gateway WebSocket -> Lambda -> DynamoDB)')
  // commander's own mistakes (unknown option, missing argument) as our one-line errors
  .configureOutput({ outputError: (text, write) => write(`fanout-bench: ${text.replace(/^error: /, '').trimEnd()} (see --help)\n`) })
  .exitOverride();

const named = process.argv[2];
const only = named !== undefined && Object.hasOwn(COMMANDS, named) ? [COMMANDS[named]!] : Object.values(COMMANDS);
for (const add of await Promise.all(only.map((load) => load()))) add(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander already printed its message (help, version, unknown option ...)
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  if (err instanceof UserError) {
    process.stderr.write(`fanout-bench: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  throw err;
}
