/**
 * The code inside one execution environment (a worker thread). Bundled to plain JS with the
 * functions at start-up, so workers load no TypeScript loader. It loads the function's bundle
 * (INIT, timed), then runs one invocation per message: START line, handler, END and REPORT lines
 * on its own stdout (so they stay in order with the function's output), result back to the
 * runtime. The runtime enforces timeouts and reads stdout into CloudWatch Logs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { CpuThrottle, threadCpuClock } from './cpu-share.ts';
import { endLine, initReportLine, reportLine, startLine } from './report-line.ts';
import { installLambdaConsole } from './runtime-console.ts';
import { EXIT_REQUEST, type InvokeRequest, type WorkerInit, type WorkerMessage } from './worker-protocol.ts';

type Handler = (event: unknown, context: unknown, callback?: (err: unknown, value?: unknown) => void) => unknown;

const init = workerData as WorkerInit;
const port = parentPort!;
const write = (text: string): void => {
  process.stdout.write(text);
};
let currentRequestId: string | undefined;
installLambdaConsole(() => currentRequestId, write);

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

function callHandler(event: unknown, context: unknown): unknown {
  if (handler.length < 3) return handler(event, context);
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
  write(`${startLine(id)}\n`);
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
    console.error(`Invoke Error \t${JSON.stringify(d)}`);
  }
  throttle?.end();
  const durationMs = performance.now() - start;
  maxMemoryUsedMB = Math.max(maxMemoryUsedMB, memoryUsedMB());
  const initDurationMs = pendingInitMs;
  pendingInitMs = undefined;
  write(
    `${endLine(id)}\n${reportLine({ requestId: id, durationMs, memoryMB: init.memoryMB, maxMemoryUsedMB, initDurationMs })}\n`,
  );
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
}

/**
 * Load the CommonJS bundle as Node's loader would (same wrapper, require, module), but compiled
 * with a V8 code cache held by the runtime: the first environment of a function makes it (after
 * its module ran, so what INIT compiled is in it) and hands it over; later ones skip most of
 * parsing and compiling. INIT stays the real cost of evaluating the module (creating SDK
 * clients, reading config); only the compile work a host repeats is saved. Kept in memory, per
 * runtime: the first INIT of a function in each stack compiles everything, as every INIT on AWS does.
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

async function boot(): Promise<void> {
  const t0 = performance.now();
  try {
    const mod = loadBundle(init.bundlePath);
    if (typeof mod.handler !== 'function') {
      const err = new Error('index.handler is undefined or not exported');
      err.name = 'Runtime.HandlerNotFound';
      throw err;
    }
    handler = mod.handler as Handler;
  } catch (err) {
    const initMs = performance.now() - t0;
    const code = (err as { code?: string }).code;
    const notFound = code === 'MODULE_NOT_FOUND' || (code === 'ENOENT' && (err as { path?: string }).path === init.bundlePath);
    const d = describeError(err);
    if (notFound) d.errorType = 'Runtime.ImportModuleError';
    console.error(`Uncaught Exception \t${JSON.stringify(d)}`);
    write(`${initReportLine(initMs, 'error', d.errorType)}\n`);
    post({ t: 'init-error', initMs, errorType: d.errorType, errorMessage: d.errorMessage });
    return;
  }
  pendingInitMs = performance.now() - t0;
  maxMemoryUsedMB = memoryUsedMB();
  port.on('message', (request: InvokeRequest | typeof EXIT_REQUEST) => {
    if (request === EXIT_REQUEST) process.exit(0);
    else void onInvoke(request);
  });
  post({ t: 'ready', initMs: pendingInitMs, maxMemoryUsedMB, cpuMs: cpuSinceLastMessage() });
}

void boot();
