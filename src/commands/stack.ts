import { constants } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../common/errors.ts';
import { DEFAULT_NODE_RUNTIME, NODE_RUNTIMES } from '../../common/node-runtimes.ts';
import type { StackLaunch, StackSettings } from '../../common/stack-launch.ts';
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

export interface StackUpFlags {
  port?: string;
  host?: string;
  stage?: string;
  config?: string;
  lostDisconnectShare?: string;
  dynamodbThrottleShare?: string;
  /** "function=MB", repeatable */
  memory?: string[];
  /** "function=N", repeatable */
  reserved?: string[];
  idleReapSeconds?: string;
  cpuModel?: string;
  hostMaxEnvironments?: string;
  hostEnvironmentsPerCore?: string;
  initConcurrency?: string;
  prepared?: string;
  accountConcurrency?: string;
  accountRps?: string;
  accountBurst?: string;
  stageRps?: string;
  stageBurst?: string;
  idleRule?: string;
  idleTimeoutSeconds?: string;
  maxConnectionSeconds?: string;
  runtime?: string;
  /** the $connect authorizer on */
  auth?: boolean;
  /** header | query */
  authIdentity?: string;
  authTokenFile?: string;
  /** direct | queued: the reference stack's server push */
  pushFanout?: string;
  /** the CloudFormation stack it stands in for (default FanoutBenchChat); names derive from it */
  stackName?: string;
  /** enforce | report | off */
  iam?: string;
  /** a stack of the user's own instead of the reference stack */
  template?: string;
  /** "Key=Value", repeatable: the template's parameters */
  parameter?: string[];
  /** AWS's metric timing in CloudWatch */
  awsMetrics?: boolean;
  /** the Lambda / API Gateway metric lag (implies awsMetrics) */
  awsMetricsLag?: string;
  /** stop when stdin closes: a parent that started the stack died */
  exitWithStdin?: boolean;
}

export function addStackCommand(program: Command): void {
  const stack = program.command('stack').description('the local AWS emulator, running the reference stack or a template of your own');
  stack
    .command('up')
    .description('start the emulator in the foreground; prints one JSON line with its endpoints when ready')
    .option('--port <n>', 'port for the WebSocket and @connections endpoints (0 = any free port)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--stage <name>', 'stage name, the first path segment (default "local")')
    .option('--config <file>', 'YAML or JSON emulator config (flags win over it)')
    .option('--lost-disconnect-share <x>', 'share of $disconnect events silently dropped, 0..1')
    .option('--dynamodb-throttle-share <x>', 'share of DynamoDB calls answered with ProvisionedThroughputExceededException, 0..1')
    .option('--memory <fn=MB>', 'memory size of a function (repeatable)', collect)
    .option('--reserved <fn=N>', 'reserved concurrency of a function (repeatable)', collect)
    .option('--idle-reap-seconds <n>', 'reap execution environments idle this long')
    .option('--cpu-model <model>', 'throttle|off: scale CPU with memory size like Lambda, or not')
    .option('--host-max-environments <n>', 'host cap on live execution environments')
    .option('--host-environments-per-core <x>', "host cap on one function's environments, per core at a full vCPU share (default 0.5; 0 = none)")
    .option('--init-concurrency <n>', 'INITs running at once on this host (default: cores - 1)')
    .option('--prepared <n>', 'environments per function initialised before they are needed (default 2; 0 = none)')
    .option('--account-concurrency <n>', "Lambda's account concurrency (AWS's default 1000)")
    .option('--account-rps <n>', 'the account throttle on messages in and @connections calls, requests/s (default 10000)')
    .option('--account-burst <n>', "that throttle's burst (default 5000)")
    .option('--stage-rps <n>', "the stage's default route throttle on messages in, requests/s (default 500, as the CDK app deploys the stage)")
    .option('--stage-burst <n>', "that throttle's burst (default 1000)")
    .option('--idle-rule <rule>', "what resets a connection's idle timer: client (its own messages) or either (traffic either way; default)")
    .option('--idle-timeout-seconds <n>', "a connection idle this long is closed with 1001 (default 600, AWS's)")
    .option('--max-connection-seconds <n>', "a connection open this long is closed with 1001 (default 7200, AWS's)")
    .option('--runtime <runtime>', `Lambda runtime emulated: ${NODE_RUNTIMES.join('|')} (default ${DEFAULT_NODE_RUNTIME}); runs on that Node major when one is found`)
    .option('--auth', 'a Lambda REQUEST authorizer on $connect; the token it expects from FANOUT_BENCH_TOKEN or --auth-token-file')
    .option('--auth-identity <where>', 'where clients put the token: header (x-api-key, default) or query (?token=)')
    .option('--auth-token-file <file>', 'file holding the token the authorizer expects (else FANOUT_BENCH_TOKEN)')
    .option('--push-fanout <how>', "the reference stack's server push: direct (its push function posts to every recipient; default) or queued (a fan-out function, an SQS queue, posting workers)")
    .option('--stack-name <name>', 'the CloudFormation stack it answers for (default FanoutBenchChat, or the template\'s); resources without a name of their own are named after it')
    .option('--iam <mode>', "IAM on the functions' calls and API Gateway's invokes: enforce (default, as AWS), report (allowed, what would be denied recorded) or off")
    .option('--template <path>', 'run your own stack: a CloudFormation or SAM template (YAML/JSON), a CDK cloud assembly (cdk.out) or a Serverless package (.serverless/)')
    .option('--parameter <Key=Value>', "a template parameter's value (repeatable)", collect)
    .option('--aws-metrics', "AWS's metric timing in CloudWatch: 60 s periods only, each published after a lag (default 60 s; DynamoDB and EMF twice it)")
    .option('--aws-metrics-lag <duration>', 'the lag of --aws-metrics after a minute ends, e.g. 5s (DynamoDB and EMF: twice it); implies --aws-metrics')
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
  const set = (path: string[], value: unknown) => {
    let cur = settings as Record<string, unknown>;
    for (const key of path.slice(0, -1)) cur = (cur[key] ??= {}) as Record<string, unknown>;
    cur[path[path.length - 1]!] = value;
  };
  if (o.port !== undefined) set(['port'], number('--port', o.port));
  if (o.host !== undefined) set(['host'], o.host);
  if (o.stage !== undefined) set(['stage'], o.stage);
  if (o.lostDisconnectShare !== undefined) set(['faults', 'lostDisconnectShare'], number('--lost-disconnect-share', o.lostDisconnectShare));
  if (o.dynamodbThrottleShare !== undefined) {
    set(['faults', 'dynamodbThrottleShare'], number('--dynamodb-throttle-share', o.dynamodbThrottleShare));
  }
  if (o.idleReapSeconds !== undefined) set(['lambda', 'idleReapSeconds'], number('--idle-reap-seconds', o.idleReapSeconds));
  if (o.cpuModel !== undefined) set(['lambda', 'cpuModel'], o.cpuModel);
  if (o.hostMaxEnvironments !== undefined) set(['lambda', 'hostMaxEnvironments'], number('--host-max-environments', o.hostMaxEnvironments));
  if (o.hostEnvironmentsPerCore !== undefined) {
    set(['lambda', 'hostEnvironmentsPerCore'], number('--host-environments-per-core', o.hostEnvironmentsPerCore));
  }
  if (o.initConcurrency !== undefined) set(['lambda', 'initConcurrency'], number('--init-concurrency', o.initConcurrency));
  if (o.prepared !== undefined) set(['lambda', 'preparedPerFunction'], number('--prepared', o.prepared));
  if (o.accountConcurrency !== undefined) set(['lambda', 'accountConcurrency'], number('--account-concurrency', o.accountConcurrency));
  if (o.accountRps !== undefined) set(['limits', 'accountRps'], number('--account-rps', o.accountRps));
  if (o.accountBurst !== undefined) set(['limits', 'accountBurst'], number('--account-burst', o.accountBurst));
  if (o.stageRps !== undefined) set(['limits', 'stageRps'], number('--stage-rps', o.stageRps));
  if (o.stageBurst !== undefined) set(['limits', 'stageBurst'], number('--stage-burst', o.stageBurst));
  if (o.idleRule !== undefined) set(['limits', 'idleTimeoutRule'], o.idleRule);
  if (o.idleTimeoutSeconds !== undefined) set(['limits', 'idleTimeoutSeconds'], number('--idle-timeout-seconds', o.idleTimeoutSeconds));
  if (o.maxConnectionSeconds !== undefined) set(['limits', 'maxConnectionSeconds'], number('--max-connection-seconds', o.maxConnectionSeconds));
  if (o.runtime !== undefined) set(['lambda', 'runtime'], o.runtime);
  if (o.auth) set(['auth', 'enabled'], true);
  if (o.authIdentity !== undefined) set(['auth', 'identitySource'], o.authIdentity);
  if (o.authTokenFile !== undefined) set(['auth', 'tokenFile'], o.authTokenFile);
  if (o.pushFanout !== undefined) set(['pushFanout'], o.pushFanout);
  if (o.stackName !== undefined) set(['stackName'], o.stackName);
  if (o.iam !== undefined) set(['iam'], o.iam);
  if (o.template !== undefined) set(['template', 'path'], resolve(o.template));
  for (const item of o.parameter ?? []) {
    if (o.template === undefined) throw new UserError('--parameter: a parameter is for a template: give --template too');
    const [key, value] = parameterPair(item);
    set(['template', 'parameters', key], value);
  }
  if (o.awsMetrics || o.awsMetricsLag !== undefined) set(['awsMetrics', 'enabled'], true);
  if (o.awsMetricsLag !== undefined) set(['awsMetrics', 'lag'], o.awsMetricsLag);
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
