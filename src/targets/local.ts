import type { ChildProcess } from 'node:child_process';
import { stackThrottleLimits } from './target-quotas.ts';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { cpuProfilingFlags } from '../../common/cpu-profiling.ts';
import { UserError } from '../../common/errors.ts';
import type { StackLaunch } from '../../common/stack-launch.ts';
import { parseReadyLine } from '../../common/stack-ready.ts';
import { stackUpArgs } from '../local-stack/stack-flags.ts';
import { launchStack } from '../local-stack/stack-launcher.ts';
import { localStackFunctions } from './target-functions.ts';
import { emulatorGonePosts } from './emulator-gone-posts.ts';
import { emulatorUnservedCalls } from './emulator-unserved-calls.ts';
import { cloudWatchFor } from '../aws/cloudwatch-source.ts';
import { emulatorLambdaApi } from '../aws/lambda-api.ts';
import { emulatorSettings } from '../aws/sdk-settings.ts';
import type { StackReady, Target, TargetEndpoints } from './target.ts';

/**
 * `--target local`: the stack program as a child process, started by the launcher `stack up`
 * uses (stack-launcher.ts) with the launch object built from the scenario's knobs, on free
 * ports, on the Node of the Lambda runtime it emulates when one is at hand. Its first stdout line
 * is a JSON ready line with its endpoints and the runtime that ran them; everything it prints
 * after that goes to `logFile`. Stopped with SIGTERM, then SIGKILL after a grace; killed
 * outright when the harness exits without stopping it.
 */
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

export interface LocalTargetOptions {
  /** the stack's settings and config file (stack-knobs.ts builds it from a scenario's knobs) */
  launch: StackLaunch;
  /** where the stack's output goes (the run directory's stack.log) */
  logFile?: string;
  readyTimeoutMs?: number;
  /** the stack's environment (default this process's): how a token reaches a stack with auth */
  env?: NodeJS.ProcessEnv;
}

export async function startLocalStack(opts: LocalTargetOptions): Promise<Target> {
  // A harness run under `node --cpu-prof` profiles its local stack too (bench/emulator-capacity).
  const profiling = cpuProfilingFlags();
  // Its own process group: a terminal's Ctrl-C or a `timeout` signalling the harness's group must
  // not stop the stack before the harness has read CloudWatch from it; the harness stops it.
  // If the harness dies without doing so (even SIGKILL), the stdin pipe closes and
  // `exitWithStdin` ends the stack at once.
  const { child } = launchStack(
    { ...opts.launch, settings: { ...opts.launch.settings, port: 0 }, exitWithStdin: true },
    { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env, execArgv: profiling },
  );
  const log: WriteStream | undefined = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  // Why the stack failed, if it does: its own one-line error (not a warning, nor a line of what is
  // not emulated), else the first line naming an Error (not the stack trace's last line, which is
  // Node's version), else its last line.
  let ownError = '';
  let firstError = '';
  let lastStderr = '';
  createInterface({ input: child.stderr! }).on('line', (line) => {
    const t = line.trim();
    if (t) lastStderr = t;
    if (!ownError && t.startsWith('fanout-bench: ') && !/^fanout-bench: (warning|not emulated):/.test(t)) ownError = t;
    if (!firstError && /^[A-Za-z]*Error\b/.test(t)) firstError = t;
    log?.write(`${line}\n`);
  });

  const info = await new Promise<StackReady>((resolve, reject) => {
    let done = false;
    const finish = (err: Error | undefined, v?: StackReady) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(v!);
    };
    const timer = setTimeout(
      () => finish(new UserError(`local stack did not print its ready line within ${(opts.readyTimeoutMs ?? READY_TIMEOUT_MS) / 1000} s`)),
      opts.readyTimeoutMs ?? READY_TIMEOUT_MS,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (done) {
        log?.write(`${line}\n`);
        return;
      }
      let ready: StackReady | undefined;
      try {
        ready = parseReadyLine(line);
      } catch (err) {
        finish(err as Error);
        return;
      }
      if (ready) finish(undefined, ready);
      else log?.write(`${line}\n`);
    });
    child.on('error', (err) => finish(new UserError(`local stack could not start: ${err.message}`)));
    child.on('exit', (code, signal) => {
      // Give stderr's last line a moment to be read before reporting it.
      setTimeout(() => {
        const line = ownError || firstError || lastStderr;
        const why = line ? `: ${line.replace(/^fanout-bench: /, '')}` : '';
        finish(new UserError(`local stack exited before it was ready (${signal ?? `code ${code}`})${why}`));
      }, 50);
    });
  }).catch(async (err) => {
    await stopChild(child);
    process.off('exit', killOnExit);
    log?.end();
    throw err;
  });

  // a stack of HTTP or REST APIs alone runs (`stack up` serves it), but a run's clients connect to a WebSocket API
  if (info.webSocketApi === false) {
    await stopChild(child);
    process.off('exit', killOnExit);
    log?.end();
    const apis = [...(info.httpApis ?? []).map((a) => `HTTP API ${a.name}`), ...(info.restApis ?? []).map((a) => `REST API ${a.name}`)];
    throw new UserError(`stack ${info.stackName} has no WebSocket API to connect to${apis.length > 0 ? ` (it serves ${apis.join(', ')})` : ''}: a run's clients connect to one; \`fanout-bench stack up\` serves the stack as it is`);
  }

  let stopped: Promise<void> | undefined;
  const endpoints = localEndpoints(info);
  const goneEndpoint = info.goneConnectionsEndpoint;
  // The functions are kept once in results.json, in config.target.functions: not again in the ready line.
  const { functions: _functions, ...stack } = info;
  return {
    kind: 'local',
    label: 'local emulator',
    url: info.websocketUrl,
    endpoints,
    describeFunctions: () => localStackFunctions(info),
    local: info,
    stackArgs: stackUpArgs(opts.launch),
    // a stack started with AWS's metric timing is read as AWS is (60 s periods, the wait for publication)
    cloudWatch: cloudWatchFor(endpoints, { awsTiming: opts.launch.settings?.awsMetrics?.enabled === true || opts.launch.settings?.awsMetrics?.lag !== undefined }),
    lambdaApi: emulatorLambdaApi(info),
    iamApi: emulatorSettings(info.edgeEndpoint, info.region),
    apiGatewayApi: emulatorSettings(info.apiGatewayV2Endpoint, info.region),
    // what the stack runs here otherwise than AWS may (its ready line's warnings): said before measuring, kept among the run's warnings
    scenarioWarnings: () => info.warnings ?? [],
    // its stage's throttles as it runs them: a template's own, which the plan made before it started could not know
    ...(info.throttles ? { ownLimits: stackThrottleLimits(info.throttles) } : {}),
    ...(info.notEmulated?.length ? { notEmulated: info.notEmulated } : {}),
    ...(info.notEmulatedResources?.length ? { notEmulatedResources: info.notEmulatedResources } : {}),
    startedWith: { stackArgs: stackUpArgs(opts.launch), stack, ...(info.lambdaRuntime ? { lambdaRuntime: info.lambdaRuntime } : {}) },
    // the reference stack, of this very version, answers connects with its cold/warm subprotocol; a template's stack is the user's own
    connectColdFlag: opts.launch.settings?.template === undefined,
    // the emulator sees every post: its gateway's record of posts to gone connections
    stalePosts: (run) => emulatorGonePosts(goneEndpoint, run),
    // the calls the functions made to AWS endpoints the emulator does not serve: each refused, what it was for not done
    ...(info.unservedCallsEndpoint ? { unservedCalls: (run: { startMs: number }) => emulatorUnservedCalls(info.unservedCallsEndpoint!, run) } : {}),
    stop: (graceMs) =>
      (stopped ??= stopChild(child, graceMs).then(() => {
        process.off('exit', killOnExit);
        log?.end();
      })),
  };
}

/** The emulator's endpoints, as its ready line names them. */
export function localEndpoints(
  info: Pick<StackReady, 'websocketUrl' | 'callbackUrl' | 'cloudwatchEndpoint' | 'dynamodbEndpoint' | 'region' | 'apiId' | 'stage'> & Partial<Pick<StackReady, 'lambdaEndpoint' | 'tables'>>,
): TargetEndpoints {
  return {
    websocket: info.websocketUrl,
    services: 'local',
    region: info.region,
    apiGateway: { apiId: info.apiId, stage: info.stage },
    callback: info.callbackUrl,
    cloudwatch: info.cloudwatchEndpoint,
    logs: info.cloudwatchEndpoint,
    dynamodb: info.dynamodbEndpoint,
    ...(typeof info.lambdaEndpoint === 'string' ? { lambda: info.lambdaEndpoint } : {}),
    ...(Array.isArray(info.tables) ? { tables: info.tables } : {}),
  };
}

async function stopChild(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), Math.min(graceMs, STOP_GRACE_MS));
  await exited;
  clearTimeout(timer);
}
