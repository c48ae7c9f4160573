/**
 * The code inside one execution environment (a worker thread). Bundled to plain JS with the
 * functions at start-up, so workers load no TypeScript loader. It loads the function's code
 * (INIT, timed): a bundle, or code as written (handler-module.ts), then runs one invocation per
 * message: START line, handler, END and REPORT lines in its log (so they stay in order with the
 * function's output), result back to the runtime, then freezes until the next one (freeze.ts).
 * The runtime enforces timeouts and turns the log into CloudWatch Logs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { CpuThrottle, ownThreadId, threadCpuClock } from '../environments/cpu-share.ts';
import { platformLines } from '../environments/platform-lines.ts';
import { installLambdaConsole } from './runtime-console.ts';
import { installAwsEndpointRedirect } from './aws-endpoint-redirect.ts';
import { eventLoopDrained } from './event-loop-drain.ts';
import { Freezer } from '../environments/freeze.ts';
import { loadHandler, type Handler } from './handler-module.ts';
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
installAwsEndpointRedirect(init.awsEndpoints);
let currentRequestId: string | undefined;
const logError = installLambdaConsole(() => currentRequestId, write);
/** START, END and REPORT in the function's log format (Text or JSON, its SystemLogLevel). */
const platform = platformLines({ name: init.functionName, logging: init.logging });
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
const memoryLimitInMB = String(init.memoryMB);
let handler: Handler;
let pendingInitMs: number | undefined;
let maxMemoryUsedMB = 0;

/** Isolate memory (heap + external), not process RSS: workers share one process. */
function memoryUsedMB(): number {
  const h = getHeapStatistics();
  return Math.ceil((h.used_heap_size + h.external_memory) / (1024 * 1024));
}

function describeError(err: unknown, fallbackType = 'Error'): { errorType: string; errorMessage: string; stack: string[] } {
  if (err instanceof Error) {
    return {
      errorType: err.name || fallbackType,
      errorMessage: err.message,
      stack: (err.stack ?? '').split('\n'),
    };
  }
  return { errorType: typeof err, errorMessage: String(err), stack: [] };
}

const callbackStyle = (): boolean => handler.length >= 3;

function callHandler(event: unknown, context: unknown): unknown {
  if (!callbackStyle()) return handler(event, context);
  // Callback-style handler (Node.js 20 runtime still supports it).
  return new Promise((resolve, reject) => {
    const returned = handler(event, context, (err, value) => (err ? reject(err) : resolve(value)));
    if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(resolve, reject);
  });
}

function post(message: WorkerMessage): void {
  try {
    port.postMessage(message);
  } catch {
    // Not structured-cloneable (functions, class instances with symbols…): Lambda serialises
    // results as JSON, so fall back to exactly that.
    if (message.t === 'done' && message.ok) {
      try {
        port.postMessage({ ...message, result: JSON.parse(JSON.stringify(message.result) ?? 'null') });
        return;
      } catch (err) {
        port.postMessage({ ...message, ok: false, result: undefined, errorType: 'Runtime.MarshalError', errorMessage: String(err) });
        return;
      }
    }
    throw new Error('worker could not post its message');
  }
}

async function onInvoke(request: InvokeRequest): Promise<void> {
  const id = request.id;
  currentRequestId = id;
  writeLine(platform.start(id));
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: init.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn,
    memoryLimitInMB,
    awsRequestId: id,
    logGroupName: init.logGroupName,
    logStreamName: init.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, request.deadline - Date.now()),
  };
  let ok = true;
  let result: unknown;
  let errorType: string | undefined;
  let errorMessage: string | undefined;
  throttle?.begin();
  const start = performance.now();
  try {
    result = await callHandler(request.event, context);
  } catch (err) {
    ok = false;
    const d = describeError(err);
    errorType = d.errorType;
    errorMessage = d.errorMessage;
    logError('Invoke Error', d, err);
  }
  throttle?.end();
  if (callbackStyle() && context.callbackWaitsForEmptyEventLoop) await eventLoopDrained(request.deadline);
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
  });
  // Frozen until the next invocation: nothing the handler left pending runs meanwhile.
  freeze();
}

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
  if (code.kind === 'handler') return loadHandler(code);
  const mod = loadBundle(code.path);
  if (typeof mod.handler !== 'function') {
    const err = new Error('index.handler is undefined or not exported');
    err.name = 'Runtime.HandlerNotFound';
    throw err;
  }
  return mod.handler as Handler;
}

async function boot(): Promise<void> {
  writeLine(platform.initStart());
  const t0 = performance.now();
  try {
    handler = await load(init.code);
  } catch (err) {
    const initMs = performance.now() - t0;
    const code = (err as { code?: string }).code;
    const bundlePath = init.code.kind === 'bundle' ? init.code.path : undefined;
    const notFound = code === 'MODULE_NOT_FOUND' || (code === 'ENOENT' && (err as { path?: string }).path === bundlePath);
    const d = describeError(err);
    if (notFound) d.errorType = 'Runtime.ImportModuleError';
    logError('Uncaught Exception', d);
    writeLine(platform.initReport(initMs, 'error', d.errorType));
    post({ t: 'init-error', initMs, errorType: d.errorType, errorMessage: d.errorMessage });
    return;
  }
  pendingInitMs = performance.now() - t0;
  maxMemoryUsedMB = memoryUsedMB();
  port.on('message', onMessage);
  post({ t: 'ready', initMs: pendingInitMs, maxMemoryUsedMB, cpuMs: cpuSinceLastMessage(), tid: ownThreadId() });
  // Lambda freezes an environment after INIT too, until its first invocation.
  freeze();
}

void boot();
