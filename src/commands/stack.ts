import { constants } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../common/errors.ts';
import { DEFAULT_NODE_RUNTIME } from '../../common/node-runtimes.ts';
import { setIn, type StackLaunch, type StackSettings } from '../../common/stack-launch.ts';
import { STACK_SETTING_ENTRIES } from '../../common/stack-settings.ts';
import { installRuntime } from '../local-stack/install-node.ts';
import { isLambdaRuntime, LAMBDA_RUNTIMES, runsInWorker, type NodeFunctionRuntime } from '../../common/lambda-runtimes.ts';
import { nodeCache, nodeCacheDir, PINNED_NODE_VERSIONS } from '../local-stack/node-binaries.ts';
import { writableCacheDir } from '../../common/cache-dir.ts';
import { launchStack } from '../local-stack/stack-launcher.ts';
import { collect, parameterPair } from './shared-flags.ts';

/** Every Node.js runtime identifier, for install-node. */
const NODE_FUNCTION_RUNTIMES = LAMBDA_RUNTIMES.filter(runsInWorker);

/**
 * `fanout-bench stack up`: the local emulator in the foreground. Its flags become the stack
 * program's launch object (common/stack-launch.ts), which the launcher starts on the Node of
 * the emulated runtime (stack-launcher.ts, as the local target does); this process only relays:
 * the stack's one JSON ready line on stdout and its logs on stderr are its own, a signal sent
 * here is forwarded, and this process ends as the stack ends (its exit code, or the same signal).
 */

/**
 * `stack up`'s flags as commander gives them: each setting of one value (common/stack-settings.ts)
 * by its flag's name in camelCase (`--host-environments-per-core` → `hostEnvironmentsPerCore`), and
 * the others.
 */
export type StackUpFlags = { [option: string]: string | string[] | boolean | undefined } & {
  config?: string;
  /** "function=MB", repeatable */
  memory?: string[];
  /** "function=N", repeatable */
  reserved?: string[];
  /** the $connect authorizer on */
  auth?: boolean;
  /** a stack of the user's own instead of the reference stack */
  template?: string;
  /** "Key=Value", repeatable: the template's parameters */
  parameter?: string[];
  /** AWS's metric timing in CloudWatch */
  awsMetrics?: boolean;
  /** stop when stdin closes: a parent that started the stack died */
  exitWithStdin?: boolean;
};

/** Commander's key of a flag: `--host-environments-per-core` → `hostEnvironmentsPerCore`. */
const optionKey = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function addStackCommand(program: Command): void {
  const stack = program.command('stack').description('the local AWS emulator, running the reference stack or a template of your own');
  const up = stack.command('up').description('start the emulator in the foreground; prints one JSON line with its endpoints when ready');
  for (const { setting } of STACK_SETTING_ENTRIES) up.option(setting.flag, setting.help);
  up
    .option('--config <file>', 'YAML or JSON emulator config (flags win over it)')
    .option('--memory <fn=MB>', 'memory size of a function (repeatable)', collect)
    .option('--reserved <fn=N>', 'reserved concurrency of a function (repeatable)', collect)
    .option('--auth', 'a Lambda REQUEST authorizer on $connect; the token it expects from FANOUT_BENCH_TOKEN or --auth-token-file')
    .option('--template <path>', 'run your own stack: a CloudFormation or SAM template (YAML/JSON), a CDK cloud assembly (cdk.out) or a Serverless package (.serverless/)')
    .option('--parameter <Key=Value>', "a template parameter's value (repeatable)", collect)
    .option('--aws-metrics', "AWS's metric timing in CloudWatch: 60 s periods only, each published after a lag (default 60 s; DynamoDB and EMF twice it)")
    .option('--exit-with-stdin', 'stop when stdin closes (used by a parent process that owns the stack)')
    .action(async (flags: StackUpFlags) => {
      process.exit(await runStack(stackLaunchOf(flags)));
    });
  stack
    .command('install-node')
    .description(
      `put the pinned Node of each runtime into ${nodeCacheDir()} (from the npm registry); prints each binary's path`,
    )
    .argument('[runtimes...]', `any Node.js runtime (${NODE_FUNCTION_RUNTIMES.join(', ')}; default ${DEFAULT_NODE_RUNTIME}): the pinned Node that runs it (${pinnedList()}), and for nodejs16.x and older the AWS SDK for JavaScript v2 it shipped`)
    .action(async (runtimes: string[]) => {
      const wanted = runtimes.length > 0 ? runtimes : [DEFAULT_NODE_RUNTIME];
      for (const r of wanted) {
        if (!isLambdaRuntime(r) || !runsInWorker(r)) throw new UserError(`install-node: unknown runtime "${r}" (known: ${NODE_FUNCTION_RUNTIMES.join(', ')})`);
      }
      const cacheDir = writableCacheDir(nodeCache());
      const log = (line: string) => process.stderr.write(`${line}\n`);
      for (const r of wanted as NodeFunctionRuntime[]) process.stdout.write(`${(await installRuntime(r, cacheDir, log)).path}\n`);
    });
}

/**
 * Starts the stack program with the terminal's stdio and ends as it ends (its exit code, or
 * killed by the same signal). It runs in its own process group, so a terminal's Ctrl-C reaches
 * it once, forwarded from here; it ends by itself if this process disappears without
 * forwarding anything (the launch names this process as its owner).
 */
async function runStack(launch: StackLaunch): Promise<number> {
  const { child, node } = launchStack(launch, { stdio: 'inherit', execArgv: process.execArgv });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, forward);
  return new Promise((resolve) => {
    child.once('error', (e) => {
      process.stderr.write(`fanout-bench: cannot run Node ${node.version} at ${node.path}: ${e.message}\n`);
      resolve(2);
    });
    child.once('exit', (code, signal) => {
      if (signal) {
        for (const s of signals) process.off(s, forward);
        process.kill(process.pid, signal);
      }
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

function pinnedList(): string {
  return Object.values(PINNED_NODE_VERSIONS).join(', ');
}

/** The flags as the stack's launch object; a flag that is not a number where one is due is one line naming it. */
export function stackLaunchOf(o: StackUpFlags): StackLaunch {
  const settings: StackSettings = {};
  const set = (path: readonly string[], value: unknown) => setIn(settings, path, value);
  for (const { keys, flag, setting } of STACK_SETTING_ENTRIES) {
    const raw = o[optionKey(flag)];
    if (typeof raw !== 'string') continue;
    set(keys, setting.kind === 'number' ? number(flag, raw) : raw);
  }
  if (o.auth) set(['auth', 'enabled'], true);
  if (o.template !== undefined) set(['template', 'path'], resolve(o.template));
  for (const item of o.parameter ?? []) {
    if (o.template === undefined) throw new UserError('--parameter: a parameter is for a template: give --template too');
    const [key, value] = parameterPair(item);
    set(['template', 'parameters', key], value);
  }
  if (o.awsMetrics || settings.awsMetrics?.lag !== undefined) set(['awsMetrics', 'enabled'], true);
  for (const item of o.memory ?? []) {
    const [fn, value] = pair('--memory', item, 'FUNCTION=MB');
    set(['functions', fn, 'memoryMB'], number('--memory', value));
  }
  for (const item of o.reserved ?? []) {
    const [fn, value] = pair('--reserved', item, 'FUNCTION=N');
    set(['functions', fn, 'reservedConcurrency'], number('--reserved', value));
  }
  return { settings, ...(o.config !== undefined ? { configFile: o.config } : {}), exitWithStdin: o.exitWithStdin === true };
}

function number(flag: string, raw: string): number {
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n)) throw new UserError(`${flag}: expected a number, got "${raw}"`);
  return n;
}

function pair(flag: string, raw: string, shape: string): [string, string] {
  const eq = raw.lastIndexOf('=');
  if (eq <= 0 || eq === raw.length - 1) throw new UserError(`${flag}: expected ${shape}, got "${raw}"`);
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}
