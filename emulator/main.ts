import { readToken } from '../common/auth-token.ts';
import { UserError, fieldPath } from '../common/errors.ts';
import { STACK_LAUNCH_ENV, StackLaunch, type StackLaunchParsed } from '../common/stack-launch.ts';
import { awsExportBlock } from './aws-endpoint-urls.ts';
import { loadStackConfig } from './config.ts';
import { startStack } from './stack.ts';
import { notEmulatedPathText } from '../common/not-emulated-paths.ts';
import { describeStack } from './stack-model/describe-stack.ts';
import { removeOwnedTempDirsNow } from './owned-temp-dirs.ts';
import { killEnvironmentProcesses } from './lambda/environments/environment-processes.ts';

/**
 * The stack program: reads its launch object (common/stack-launch.ts) from the environment,
 * starts the whole local stack, prints exactly one JSON line on stdout when ready (the
 * endpoints, the functions and the Lambda runtime), logs on stderr, and stops cleanly on
 * SIGINT/SIGTERM (a second signal exits at once). Started by the harness's launcher
 * (`fanout-bench stack up`, the local target); a mistake is one line, `fanout-bench: …`, and
 * exit code 2.
 */
async function main(): Promise<void> {
  const launch = readLaunch();
  const sources = { file: launch.configFile, overrides: launch.settings, flagFor: (field: string) => launch.sources[field] };
  const config = loadStackConfig(sources);
  if (!isLoopback(config.host)) {
    process.stderr.write(`fanout-bench: warning: binding ${config.host}: the emulator checks no credentials; anyone who can reach it can use it\n`);
  }

  // Watched from the start: an owner that dies while the stack is still starting ends it too.
  const owners = [...(launch.exitWithStdin ? [stdinEnded()] : []), ...(launch.ownerPid !== undefined ? [ownerGone(launch.ownerPid)] : [])];
  const orphaned = owners.length > 0 ? Promise.race(owners) : undefined;
  void orphaned?.then(endNow);
  const authToken = config.auth.enabled
    ? readToken({ file: config.auth.tokenFile, fileField: launch.sources['auth.tokenFile'] ?? 'auth.tokenFile' })
    : undefined;
  const described = await describeStack(config);
  const stack = await startStack({ config, stack: described.stack, authToken, configSources: sources, log: (line) => process.stderr.write(`${line}\n`) }).catch(async (err: unknown) => {
    await described.dispose();
    throw err;
  });
  // Listed once the stack runs: a stack refused (a --memory or --reserved naming no function of
  // it, a port taken) is its one line alone.
  for (const r of described.stack.notEmulated) process.stderr.write(`fanout-bench: not emulated: ${r.logicalId} (${r.type})\n`);
  for (const p of described.stack.notEmulatedPaths ?? []) process.stderr.write(`fanout-bench: not emulated: ${notEmulatedPathText(p)}\n`);
  for (const w of described.stack.warnings ?? []) process.stderr.write(`fanout-bench: warning: ${w}\n`);
  try {
    const runtime = stack.ready.lambdaRuntime;
    // Said only where a function runs on Node: a stack of Python functions has none.
    if (!runtime.matches && runtime.nodeFunctions !== false) {
      runtime.note = launch.nodeNote ?? `${runtime.runtime}'s functions run on this process's Node ${runtime.node}`;
      process.stderr.write(`fanout-bench: warning: ${runtime.note}\n`);
    }
    // Listening before the ready line: a SIGTERM sent as soon as it is read must stop the stack
    // cleanly, not meet Node's default of dying by the signal (CI once saw that on a busy host).
    const stop = stopRequested(() => process.stderr.write('fanout-bench: second signal, exiting now\n'));
    process.stdout.write(`${JSON.stringify(stack.ready)}\n`);
    process.stderr.write(awsExportBlock(stack.ready.awsEndpointUrls, stack.ready.region, stack.ready.stackName, stack.ready.webSocketApi !== false));
    await (orphaned ? Promise.race([stop, orphaned]) : stop);
  } finally {
    await stack.close();
    await described.dispose();
  }
}

/** The launch object, checked: a malformed one is a launcher's mistake, named in one line. */
function readLaunch(): StackLaunchParsed {
  const text = process.env[STACK_LAUNCH_ENV];
  if (text === undefined) throw new UserError(`${STACK_LAUNCH_ENV} is not set: start the stack with \`fanout-bench stack up\``);
  // Not for the functions' environments nor anything else this process starts.
  delete process.env[STACK_LAUNCH_ENV];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${STACK_LAUNCH_ENV}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = StackLaunch.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${STACK_LAUNCH_ENV}: ${fieldPath(issue.path)}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * An orphaned stack ends at once: nobody is left to read from it, and it must not outlive its
 * owner by more than a moment. Not process.exit(): Node's exit joins every Lambda worker thread
 * one after the other, and closing the gateway first starts more of them for the $disconnects
 * (measured: 5 to 30 s on a busy 2-core host). The kernel ends it in milliseconds. The runtime
 * processes of non-Node functions go first: a SIGKILL runs no 'exit' handler to end them.
 */
function endNow(): never {
  killEnvironmentProcesses();
  // SIGKILL runs no exit handler: the stack's work directory and its environments' /tmp folders go first
  removeOwnedTempDirsNow();
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL');
}

/** Resolves when stdin reaches its end, e.g. because the owner holding the pipe was killed. */
function stdinEnded(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.once('end', resolve).once('close', resolve).once('error', () => resolve());
    process.stdin.resume();
  });
}

/** Resolves when the process that launched this one is gone (this one was re-parented). */
function ownerGone(ownerPid: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (process.ppid !== ownerPid) {
        clearInterval(timer);
        resolve();
      }
    }, 1_000);
    timer.unref();
  });
}

/** Resolves on the first SIGINT/SIGTERM; a second signal exits at once. */
function stopRequested(onForce: () => void): Promise<void> {
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

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

try {
  await main();
  // Closed: servers, environments and dynalite are down and stderr is written synchronously, so
  // nothing is left to wait for. Waiting for the loop to empty instead cost an owned stack 3 s
  // a run (stdin, read to notice an owner's death, holds it) and any stray keep-alive socket more.
  process.exit(0);
} catch (err) {
  if (!(err instanceof UserError)) throw err;
  process.stderr.write(`fanout-bench: ${err.message}\n`);
  process.exit(err.exitCode);
}
