import type { Command } from 'commander';
import { DEFAULT_NODE_RUNTIME, NODE_RUNTIMES } from '../../common/node-runtimes.ts';
import { formatDuration } from '../contracts/duration.ts';
import { MAX_CLIENTS } from '../contracts/scenario-limits.ts';
import { DEFAULT_METRICS_WAIT_MS } from '../aws/cloudwatch-source.ts';

/**
 * The flags `run`, `compare` and `search` share, declared once so that each reads the same in
 * every command's --help. Each command adds its own flags around these groups, in this order:
 * target, fleet, stack, closing. runOptionsFromFlags (run.ts) reads them all.
 */

/** A repeatable flag's values, in order (never commander's variadic `<x...>`, which takes the scenario after it too). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** What is measured against: the target, and for an aws: stack the identity it is read with. */
export function targetFlags(cmd: Command, targetHelp = '"local" (start the emulator), a ws:// / wss:// URL, or aws:<stackName> (a deployed stack, by its CloudFormation name)'): Command {
  return cmd
    .option('--target <target>', targetHelp, 'local')
    .option('--region <region>', "aws:<stackName>: the stack's AWS region (default: the SDK's chain: AWS_REGION, the profile)")
    .option('--profile <profile>', "aws:<stackName>: the named AWS profile for credentials and region (default: the SDK's chain: AWS_PROFILE, default)");
}

/** The fleet: its size and pace (over the scenario's), its shards and seed, and where results go. */
export function fleetFlags(cmd: Command, o: { duration?: string; rate?: string; shards?: string } = {}): Command {
  cmd.option('--clients <n>', `simulated clients (overrides the scenario; at most ${MAX_CLIENTS})`).option('--rooms <n>', 'rooms (overrides the scenario)');
  if (o.duration) cmd.option('--duration <d>', o.duration);
  return cmd
    .option('--rate <n>', o.rate ?? 'messages per second of every send phase')
    .option('--shards <n>', o.shards ?? 'shard processes (default: 1 up to 30,000 deliveries/s and 2,000 connects/s planned, else one per core)')
    .option('--seed <n>', 'seed for rooms, senders and drops')
    .option('--out <dir>', 'reports directory', 'reports');
}

/** The stack: the runtime the emulator runs, the prices and architecture of the cost estimate, the $connect token. */
export function stackFlags(cmd: Command): Command {
  return cmd
    .option('--runtime <runtime>', `local target: Lambda runtime emulated, ${[`${DEFAULT_NODE_RUNTIME} (default)`, ...NODE_RUNTIMES.filter((r) => r !== DEFAULT_NODE_RUNTIME)].join(', ')}`)
    .option('--prices <file|aws>', "the cost estimate's prices: a JSON/YAML price file, or aws (the AWS Price List API, aws: targets); default: the dated table of the stack's region")
    .option('--arch <arch>', 'Lambda architecture priced: x86_64 (default) or arm64')
    .option('--token-file <file>', "file holding the token for the stack's $connect authorizer (else FANOUT_BENCH_TOKEN)")
    .option('--token-in <where>', "where the token goes: header (x-api-key) or query (?token=); default header, or the scenario's target.auth.identitySource");
}

/** How every measurement ends: the wait for CloudWatch, the host-limit override, the progress line. */
export function closingFlags(cmd: Command, ignoreHostLimits = "run even if the fleet looks bigger than this host's memory, cores, files or ports can hold"): Command {
  return cmd
    .option('--metrics-wait <d>', `how long to wait after the run for CloudWatch to publish its metrics where they arrive late (AWS, stack up --aws-metrics); default ${formatDuration(DEFAULT_METRICS_WAIT_MS)}`)
    .option('--ignore-host-limits', ignoreHostLimits)
    .option('--no-progress', 'no progress output on stderr');
}
