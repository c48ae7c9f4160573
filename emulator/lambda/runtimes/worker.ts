/**
 * The code inside one execution environment (a worker thread). Bundled to plain JS with the
 * functions at start-up, so workers load no TypeScript loader. It loads the function's code
 * (INIT, timed): a bundle, or code as written (handler-module.ts), then runs one invocation per
 * message: START line, handler, END and REPORT lines in its log (so they stay in order with the
 * function's output), result back to the runtime, then freezes until the next one (freeze.ts).
 * The runtime enforces timeouts and turns the log into CloudWatch Logs.
 */
import { readFileSync } from 'node:fs';
import nodeModule, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { CpuThrottle, ownThreadId, threadCpuClock } from '../environments/cpu-share.ts';
import { initOnRequestPath, platformLines } from '../environments/platform-lines.ts';
import { installLambdaConsole } from './runtime-console.ts';
import { installAwsEndpointRedirect } from './aws-endpoint-redirect.ts';
import { Freezer } from '../environments/freeze.ts';
import { loadHandler, type Handler } from './handler-module.ts';
import { callbacksSupported, checkHandlerSignature, intoError, invokeHandler, onProcessErrors, rapidError } from './node-context.ts';
import type { InvokeRequest, WorkerInit, WorkerMessage } from './worker-protocol.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const freezer = new Freezer(init.freeze, () => process.exit(0));
const write = (text: string): void => {
  port.postMessage({ t: 'log', text } satisfies WorkerMessage);
};
// Everything written to stdout/stderr (Powertools writes there directly) goes the same way: a
// worker's stdio streams hold chunks until the main thread acknowledges the previous ones, so a
// frozen environment would keep its last lines (END, REPORT) to itself.
for (const stream of [process.stdout, process.stderr]) {
  stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((err?: Error | null) => void), cb?: (err?: Error | null) => void) => {
    write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8'));
    const done = typeof encoding === 'function' ? encoding : cb;
    if (done) process.nextTick(done, null);
    return true;
  }) as typeof stream.write;
}
installAwsEndpointRedirect(init.awsEndpoints, (request) => port.postMessage({ t: 'unserved', request, at: Date.now() } satisfies WorkerMessage));
let currentRequestId: string | undefined;
const logError = installLambdaConsole(() => currentRequestId, write);
/** START, END and REPORT in the function's log format (Text or JSON, its SystemLogLevel). */
const platform = platformLines({ name: init.functionName, logging: init.logging }, init);
const writeLine = (line: string | undefined): void => {
  if (line !== undefined) write(`${line}\n`);
};

const throttle = init.cpuThrottle ? new CpuThrottle(init.memoryMB) : undefined;
/** This thread's CPU time, for the host's accounting of where CPU goes (not billed, not Duration). */
const threadCpu = threadCpuClock() ?? (() => 0);
let cpuReported = 0;
const cpuSinceLastMessage = (): number => {
  const now = threadCpu();
  const delta = now - cpuReported;
  cpuReported = now;
  return delta;
};
const invokedFunctionArn = `arn:aws:lambda:${init.region}:${init.accountId}:function:${init.functionName}`;
let handler: Handler;
let pendingInitMs: number | undefined;
let maxMemoryUsedMB = 0;

/** Isolate memory (heap + external), not process RSS: workers share one process. */
function memoryUsedMB(): number {
  const h = getHeapStatistics();
  return Math.ceil((h.used_heap_size + h.external_memory) / (1024 * 1024));
}

/** A result is already what JSON made of it (node-context.ts), so every message clones. */
function post(message: WorkerMessage): void {
  port.postMessage(message);
}

async function onInvoke(request: InvokeRequest): Promise<void> {
  const id = request.id;
  currentRequestId = id;
  writeLine(platform.start(id));
  let result: unknown;
  let errorType: string | undefined;
  let errorMessage: string | undefined;
  throttle?.begin();
  const start = performance.now();
  const outcome = await invokeHandler(handler, request.event, { requestId: id, deadline: request.deadline, invokedFunctionArn: request.qualifier ? `${invokedFunctionArn}:${request.qualifier}` : invokedFunctionArn, ...(request.clientContext !== undefined ? { clientContext: request.clientContext } : {}) });
  throttle?.end();
  const ok = outcome.ok;
  if (outcome.ok) result = outcome.result;
  else {
    const e = rapidError(outcome.error);
    errorType = e.errorType;
    errorMessage = e.errorMessage;
    if (!outcome.logged) logError('Invoke Error', { errorType, errorMessage, stack: e.trace }, intoError(outcome.error));
  }
  const durationMs = performance.now() - start;
  maxMemoryUsedMB = Math.max(maxMemoryUsedMB, memoryUsedMB());
  const initDurationMs = pendingInitMs;
  pendingInitMs = undefined;
  const end = platform.end(id, ok ? 'success' : 'error', errorType);
  const report = platform.report({ requestId: id, durationMs, memoryMB: init.memoryMB, maxMemoryUsedMB, initDurationMs }, ok ? undefined : (errorType ?? 'Error'));
  // one write: the two lines stay together
  write(`${end === undefined ? '' : `${end}\n`}${report === undefined ? '' : `${report}\n`}`);
  post({
    t: 'done',
    id,
    ok,
    result: ok ? (result ?? null) : undefined,
    errorType,
    errorMessage,
    durationMs,
    initDurationMs,
    maxMemoryUsedMB,
    cpuMs: cpuSinceLastMessage(),
    ...(exitAfterAnswer !== undefined ? { exits: true } : {}),
  });
  // The runtime exits after answering an error the process reported (onProcessErrors).
  if (exitAfterAnswer !== undefined) process.exit(exitAfterAnswer);
  // Frozen until the next invocation: nothing the handler left pending runs meanwhile.
  freeze();
}

/** Set when an uncaught exception or unhandled rejection failed the invocation: the exit code. */
let exitAfterAnswer: number | undefined;
let initStartedAt = 0;
let initDone = false;

onProcessErrors(
  (label, error) => {
    const e = rapidError(error);
    logError(label, { errorType: e.errorType, errorMessage: e.errorMessage, stack: e.trace }, intoError(error));
  },
  (error, code, invocationFailed) => {
    if (invocationFailed) {
      exitAfterAnswer = code;
      return;
    }
    if (!initDone) initFailed(error);
    process.exit(code);
  },
);

/** Whether work left pending at the last freeze (timers, sockets in use) must run before the next invocation. */
let pendingAtFreeze = false;

function freeze(): void {
  pendingAtFreeze = process.getActiveResourcesInfo().some((r) => r !== 'MessagePort');
  freezer.freeze();
}

/**
 * The next invocation, once thawed. The worker froze inside the previous message's handling, and
 * the next message would be handled in the same turn of the event loop: what was due meanwhile
 * (a timer, a socket's data) would wait behind every invocation that follows. On Lambda the loop
 * turns on a thaw (the runtime receives the next event as I/O), so expired timers fire first:
 * when work was pending, the invocation starts after one full turn (timers, then I/O, then it).
 */
function onMessage(request: InvokeRequest): void {
  if (!pendingAtFreeze) {
    void onInvoke(request);
    return;
  }
  pendingAtFreeze = false;
  setImmediate(() => setImmediate(() => void onInvoke(request)));
}

/**
 * Load the CommonJS bundle as Node's loader would (same wrapper, require, module), but compiled
 * with a V8 code cache (bundling/code-cache.ts, a file beside the bundle): the first environment
 * without a usable one makes it (after its module ran, so what INIT compiled is in it) and hands
 * it over; later ones skip most of parsing and compiling. INIT stays the real cost of evaluating
 * the module (creating SDK clients, reading config); only the compile work a host repeats is saved.
 */
function loadBundle(path: string): { handler?: unknown } {
  const source = readFileSync(path, 'utf8');
  const cachedData = init.codeCache;
  const wrapper = `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
  const script = new Script(wrapper, { filename: path, cachedData });
  const module = { exports: {} as { handler?: unknown } };
  const fn = script.runInThisContext() as (...args: unknown[]) => void;
  fn.call(module.exports, module.exports, createRequire(path), module, path, dirname(path));
  if (!cachedData || script.cachedDataRejected) post({ t: 'code-cache', data: script.createCachedData() });
  return module.exports;
}

async function load(code: WorkerInit['code']): Promise<Handler> {
  if (code.kind === 'handler') {
    // Node's compile cache where this Node has one: what INIT compiled is kept for the next environments
    const modules = nodeModule as { enableCompileCache?: (dir: string) => unknown; flushCompileCache?: () => void };
    if (init.compileCacheDir) modules.enableCompileCache?.(init.compileCacheDir);
    const handler = await loadHandler(code);
    modules.flushCompileCache?.();
    return handler;
  }
  const mod = loadBundle(code.path);
  if (typeof mod.handler !== 'function') {
    const err = new Error('index.handler is undefined or not exported');
    err.name = 'Runtime.HandlerNotFound';
    throw err;
  }
  return mod.handler as Handler;
}

/** INIT's failure as the runtime reports it: logged under `label` (unless already), INIT_REPORT, the error to the runtime. */
function initFailed(err: unknown, label?: string): void {
  const initMs = performance.now() - initStartedAt;
  const code = (err as { code?: string } | null)?.code;
  const bundlePath = init.code.kind === 'bundle' ? init.code.path : undefined;
  const notFound = code === 'MODULE_NOT_FOUND' || (code === 'ENOENT' && (err as { path?: string }).path === bundlePath);
  const e = rapidError(err);
  const d = { errorType: notFound ? 'Runtime.ImportModuleError' : e.errorType, errorMessage: e.errorMessage, stack: e.trace };
  if (label) logError(label, d);
  writeLine(platform.initReport(initMs, 'error', d.errorType));
  post({ t: 'init-error', initMs, errorType: d.errorType, errorMessage: d.errorMessage });
}

async function boot(): Promise<void> {
  writeLine(platform.initStart());
  initStartedAt = performance.now();
  try {
    handler = await load(init.code);
    checkHandlerSignature(handler, (message) => console.warn(message));
  } catch (err) {
    initDone = true;
    // RIC 3.x reports a failed INIT as an uncaught exception; 4.x logs it as "Init Error"
    initFailed(err, callbacksSupported() ? 'Uncaught Exception' : 'Init Error');
    return;
  }
  initDone = true;
  const initMs = performance.now() - initStartedAt;
  pendingInitMs = initOnRequestPath(init.initializationType, initMs, writeLine, platform);
  maxMemoryUsedMB = memoryUsedMB();
  port.on('message', onMessage);
  post({ t: 'ready', initMs, maxMemoryUsedMB, cpuMs: cpuSinceLastMessage(), tid: ownThreadId() });
  // Lambda freezes an environment after INIT too, until its first invocation.
  freeze();
}

void boot();
