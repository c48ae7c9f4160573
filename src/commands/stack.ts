import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Command } from 'commander';
import { readToken } from '../auth-token.ts';
import { UserError } from '../errors.ts';
import { installNode } from '../targets/install-node.ts';
import { findNode, nodeCacheDir, PINNED_NODE_VERSIONS, type NodeBinary } from '../targets/node-binaries.ts';
import { loadStackConfig, type StackConfig } from '../../reference-stack/local/config.ts';
import { DEFAULT_NODE_RUNTIME, isNodeRuntime, NODE_RUNTIMES, nodeMajorOf, type NodeRuntime } from '../../reference-stack/local/lambda/node-runtimes.ts';
import { startStack } from '../../reference-stack/local/stack.ts';

/**
 * `fanout-bench stack up`: the local emulator in the foreground. Prints exactly one JSON line on
 * stdout when ready (the endpoints and the Lambda runtime), logs on stderr, stops cleanly on
 * SIGINT/SIGTERM. The functions run in this process's worker threads, so when this Node's major
 * is not the emulated runtime's, `stack up` runs itself again on a Node that is (see
 * node-binaries.ts) or, with none at hand, says so once and runs them on this one.
 */

/** Set in a `stack up` run again on another Node: the pid of the process that ran it, which it must not outlive. */
const PARENT_ENV = 'FANOUT_BENCH_STACK_PARENT';

export interface StackUpOptions {
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
  runtime?: string;
  /** the $connect authorizer on */
  auth?: boolean;
  /** header | query */
  authIdentity?: string;
  authTokenFile?: string;
  /** Where the ready line goes (default stdout). */
  out?: NodeJS.WritableStream;
  /** Where warnings go (default stderr). */
  err?: NodeJS.WritableStream;
  /** Stop when aborted; default: on SIGINT or SIGTERM. */
  signal?: AbortSignal;
  /** Also stop when stdin ends: a parent that started the stack (the local target) died. */
  exitWithStdin?: boolean;
  /**
   * Called when the owner is gone (stdin ended, or the process that ran this one again), instead
   * of a clean close (the CLI ends the process).
   */
  onOrphaned?: () => void;
}

export function addStackCommand(program: Command): void {
  const stack = program.command('stack').description('The local AWS emulator running the reference stack');
  stack
    .command('up')
    .description('Start the emulator in the foreground; prints one JSON line with its endpoints when ready')
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
    .option('--runtime <runtime>', `Lambda runtime emulated: ${NODE_RUNTIMES.join('|')} (default ${DEFAULT_NODE_RUNTIME}); runs on that Node major when one is found`)
    .option('--auth', 'a Lambda REQUEST authorizer on $connect; the token it expects from FANOUT_BENCH_TOKEN or --auth-token-file')
    .option('--auth-identity <where>', 'where clients put the token: header (x-api-key, default) or query (?token=)')
    .option('--auth-token-file <file>', 'file holding the token the authorizer expects (else FANOUT_BENCH_TOKEN)')
    .option('--exit-with-stdin', 'stop when stdin closes (used by a parent process that owns the stack)')
    .action(async (opts: StackUpOptions) => {
      const config = stackConfig(opts);
      const node = findNode(nodeMajorOf(config.lambda.runtime));
      if (node && node.source !== 'this process' && process.env[PARENT_ENV] === undefined) {
        process.exit(await runAgainOn(node));
      }
      const owned = opts.exitWithStdin || process.env[PARENT_ENV] !== undefined;
      await stackUp({ ...opts, onOrphaned: owned ? endNow : undefined }, config);
      // Closed: servers, environments and dynalite are down and stderr is written synchronously, so
      // nothing is left to wait for. Waiting for the loop to empty instead cost an owned stack 3 s
      // a run (stdin, read to notice an owner's death, holds it) and any stray keep-alive socket more.
      process.exit(0);
    });
  stack
    .command('install-node')
    .description(
      `Put the pinned Node of each runtime into ${nodeCacheDir()} (from the npm registry); prints each binary's path`,
    )
    .argument('[runtimes...]', `${NODE_RUNTIMES.join(', ')} (default ${DEFAULT_NODE_RUNTIME}); pinned: ${pinnedList()}`)
    .action(async (runtimes: string[]) => {
      const wanted = runtimes.length > 0 ? runtimes : [DEFAULT_NODE_RUNTIME];
      for (const r of wanted) {
        if (!isNodeRuntime(r)) throw new UserError(`install-node: unknown runtime "${r}" (known: ${NODE_RUNTIMES.join(', ')})`);
      }
      for (const r of wanted as NodeRuntime[]) {
        const node = await installNode(nodeMajorOf(r), nodeCacheDir(), (line) => process.stderr.write(`${line}\n`));
        process.stdout.write(`${node.path}\n`);
      }
    });
}

/**
 * An orphaned stack ends at once: nobody is left to read from it, and it must not outlive its
 * owner by more than a moment. Not process.exit(): Node's exit joins every Lambda worker thread
 * one after the other, and closing the gateway first starts more of them for the $disconnects
 * (measured: 5 to 30 s on a busy 2-core host). The kernel ends it in milliseconds.
 */
function endNow(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL');
}

/** Flags and config file, validated: a mistake is one UserError line naming the file or flag. */
function stackConfig(options: StackUpOptions): StackConfig {
  const { overrides, flagFor } = flagOverrides(options);
  return loadStackConfig({ file: options.config, overrides, flagFor });
}

export async function stackUp(options: StackUpOptions, preloaded?: StackConfig): Promise<void> {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const config = preloaded ?? stackConfig(options);
  if (!isLoopback(config.host)) {
    err.write(`fanout-bench: warning: binding ${config.host}: the emulator checks no credentials; anyone who can reach it can use it\n`);
  }

  // Watched from the start: an owner that dies while the stack is still starting ends it too.
  // The owner is whoever holds stdin (--exit-with-stdin), or the process that ran this one again.
  const owners = [
    ...(options.exitWithStdin ? [stdinEnded()] : []),
    ...(process.env[PARENT_ENV] ? [parentGone(Number(process.env[PARENT_ENV]))] : []),
  ];
  const orphaned = owners.length > 0 ? Promise.race(owners) : undefined;
  if (orphaned && options.onOrphaned) void orphaned.then(options.onOrphaned);
  const authToken = config.auth.enabled ? readToken({ file: config.auth.tokenFile, fileField: options.authTokenFile !== undefined ? '--auth-token-file' : 'auth.tokenFile' }) : undefined;
  const stack = await startStack({ config, authToken, log: (line) => err.write(`${line}\n`) });
  try {
    const runtime = stack.ready.lambdaRuntime;
    if (!runtime.matches) {
      runtime.note = fallbackNote(runtime.runtime, runtime.node, findNode(nodeMajorOf(runtime.runtime)));
      err.write(`fanout-bench: warning: ${runtime.note}\n`);
    }
    out.write(`${JSON.stringify(stack.ready)}\n`);
    const stop = stopRequested(options.signal, () => err.write('fanout-bench: second signal, exiting now\n'));
    await (orphaned ? Promise.race([stop, orphaned]) : stop);
  } finally {
    await stack.close();
  }
}

/** Why the functions run on a Node that is not their runtime's: the one line said once. */
export function fallbackNote(runtime: NodeRuntime, node: string, found: NodeBinary | undefined): string {
  const major = nodeMajorOf(runtime);
  if (found) return `${runtime} runs on Node ${major}; these functions run on this process's Node ${node} (Node ${found.version} at ${found.path} was not used)`;
  const pinned = PINNED_NODE_VERSIONS[major];
  const install = pinned ? `; \`npx fanout-bench stack install-node ${runtime}\` puts Node ${pinned} there` : '';
  return `${runtime} runs on Node ${major}, and none was found in node_modules, ${nodeCacheDir()} or on PATH: the functions run on Node ${node} instead${install}`;
}

/**
 * Runs this same command on `node` and ends as it ends (its exit code, or killed by the same
 * signal). The child gets its own process group, so a terminal's Ctrl-C reaches it once,
 * forwarded from here; it ends by itself if this process disappears without forwarding anything
 * (see parentGone).
 */
async function runAgainOn(node: NodeBinary): Promise<number> {
  const child = spawn(node.path, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, [PARENT_ENV]: String(process.pid) },
  });
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

/** Resolves when the process that re-ran this one is gone (this one was re-parented). */
function parentGone(parentPid: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (process.ppid !== parentPid) {
        clearInterval(timer);
        resolve();
      }
    }, 1_000);
    timer.unref();
  });
}

function pinnedList(): string {
  return Object.values(PINNED_NODE_VERSIONS).join(', ');
}

/** Resolves when stdin reaches its end, e.g. because the parent holding the pipe was killed. */
function stdinEnded(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.once('end', resolve).once('close', resolve).once('error', () => resolve());
    process.stdin.resume();
  });
}

/** Resolves on abort, or on the first SIGINT/SIGTERM; a second signal exits at once. */
function stopRequested(signal: AbortSignal | undefined, onForce: () => void): Promise<void> {
  if (signal) {
    return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  return new Promise((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const force = () => {
        onForce();
        process.exit(1);
      };
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

const FLAG_OF_FIELD: Record<string, string> = {
  port: '--port',
  host: '--host',
  stage: '--stage',
  'faults.lostDisconnectShare': '--lost-disconnect-share',
  'faults.dynamodbThrottleShare': '--dynamodb-throttle-share',
  'lambda.idleReapSeconds': '--idle-reap-seconds',
  'lambda.cpuModel': '--cpu-model',
  'lambda.hostMaxEnvironments': '--host-max-environments',
  'lambda.hostEnvironmentsPerCore': '--host-environments-per-core',
  'lambda.initConcurrency': '--init-concurrency',
  'lambda.preparedPerFunction': '--prepared',
  'lambda.runtime': '--runtime',
  'auth.enabled': '--auth',
  'auth.identitySource': '--auth-identity',
  'auth.tokenFile': '--auth-token-file',
};

/** The flags as a config fragment, and which flag set which field (for error messages). */
function flagOverrides(o: StackUpOptions) {
  const overrides: Record<string, unknown> = {};
  const set = (path: string[], value: unknown) => {
    let cur = overrides;
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
  if (o.runtime !== undefined) set(['lambda', 'runtime'], o.runtime);
  if (o.auth) set(['auth', 'enabled'], true);
  if (o.authIdentity !== undefined) set(['auth', 'identitySource'], o.authIdentity);
  if (o.authTokenFile !== undefined) set(['auth', 'tokenFile'], o.authTokenFile);
  const memoryNames = new Set<string>();
  for (const item of o.memory ?? []) {
    const [fn, value] = pair('--memory', item, 'FUNCTION=MB');
    memoryNames.add(fn);
    set(['functions', fn, 'memoryMB'], number('--memory', value));
  }
  for (const item of o.reserved ?? []) {
    const [fn, value] = pair('--reserved', item, 'FUNCTION=N');
    set(['functions', fn, 'reservedConcurrency'], number('--reserved', value));
  }
  const flagFor = (field: string): string | undefined => {
    if (FLAG_OF_FIELD[field]) return FLAG_OF_FIELD[field];
    if (field.endsWith('.memoryMB')) return '--memory';
    if (field.endsWith('.reservedConcurrency')) return '--reserved';
    if (field.startsWith('functions.')) return memoryNames.has(field.slice('functions.'.length)) ? '--memory' : '--reserved';
    return undefined;
  };
  return { overrides, flagFor };
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

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
