import { types } from 'node:util';
import { watchEventLoop } from './event-loop-drain.ts';
import { RuntimeError, type Handler } from './handler-module.ts';

/**
 * One invocation of a Node.js handler as AWS's Node runtime interface client (RIC) runs it: the
 * `context` it builds and what ends the invocation. Two generations, by the function's runtime:
 *
 * - RIC 3.x, nodejs22.x and older (aws/aws-lambda-nodejs-runtime-interface-client v3.3.0:
 *   src/Runtime.js, src/CallbackContext.js, src/InvokeContext.js, src/Errors.js). Every handler
 *   gets the callback and the callback-era context (`succeed`, `fail`, `done`,
 *   `callbackWaitsForEmptyEventLoop`); the first of callback/succeed/fail/done called wins, and a
 *   returned promise settles through `succeed`/`fail`, so it loses to an earlier callback too.
 * - RIC 4.x, nodejs24.x and later (the same repository's TypeScript rewrite: src/context/,
 *   src/runtime/buffered-invoke-processor.ts, src/function/callback-deprecation.ts): the handler
 *   is awaited; a handler declaring a third parameter fails INIT with
 *   Runtime.CallbackHandlerDeprecated, and the context has no callback-era members.
 *
 * docs/aws-facts.md ("Node.js and Python handlers: `context` and the callback") gives each
 * behaviour its source.
 */

/** `logged`: the runtime already logged the error (an uncaught one), so no `Invoke Error` line follows. */
export type InvocationOutcome = { ok: true; result: unknown } | { ok: false; error: unknown; logged?: boolean };

/** The Runtime API's per-invocation data (what the RIC reads from `/next`'s headers). */
export interface InvokeData {
  requestId: string;
  /** epoch ms (Lambda-Runtime-Deadline-Ms) */
  deadline: number;
  invokedFunctionArn: string;
  /** Lambda-Runtime-Client-Context: the JSON an Invoke's ClientContext carried */
  clientContext?: string;
}

/** The function's Node.js runtime's major version, read as the RIC reads it (AWS_EXECUTION_ENV); undefined for `nodejs` (0.10). */
function runtimeMajor(): number | undefined {
  const major = /^AWS_Lambda_nodejs(\d+)/.exec(process.env.AWS_EXECUTION_ENV ?? '')?.[1];
  return major === undefined ? undefined : Number(major);
}

/** Whether the function's runtime ships RIC 3.x (callbacks) rather than 4.x (nodejs24.x and later). */
export function callbacksSupported(): boolean {
  return (runtimeMajor() ?? 0) < 24;
}

/** RIC 4.x's message (src/context/constants.ts, CALLBACK_ERROR_NODEJS24_ABOVE). */
const CALLBACK_HANDLER_DEPRECATED =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

/** RIC 3.x's warning at INIT for `(event, context, callback)` handlers (src/WarningForCallbackHandlers.js). */
const CALLBACK_HANDLER_WARNING =
  'AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. You will need to update this function to use an async handler to use Node.js 24 or later. For more information and to provide feedback on this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.';

/** RIC 3.x's NodeJsExit (src/Errors.js): the loop emptied while an async handler's promise was still pending. */
const NODEJS_EXIT =
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes';

/** RIC 3.x Errors.js: its runtime errors carry their name on the prototype (not an own property a log would show). */
class NodeJsExit extends Error {}
NodeJsExit.prototype.name = 'Runtime.NodeJsExit';

class UnhandledPromiseRejection extends Error {
  constructor(
    readonly reason: unknown,
    readonly promise: unknown,
  ) {
    super(reason as string);
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

/** How the invocation in progress ends when the process reports an error of its own (set while one runs). */
let failCurrent: ((error: unknown) => void) | undefined;

/**
 * The RIC's process handlers (3.x src/index.mjs, Runtime.js `_setErrorCallbacks`): an uncaught
 * exception (logged `Uncaught Exception`) or an unhandled rejection (logged `Unhandled Promise
 * Rejection`, as Runtime.UnhandledPromiseRejection whose message is the reason) is posted as the
 * error of the invocation in progress, or of INIT, and the runtime exits (129, 128): the next
 * invocation is cold. `exit` is told whether an invocation took the error (it exits after
 * answering) or not.
 */
export function onProcessErrors(log: (label: string, error: unknown) => void, exit: (error: unknown, code: number, invocationFailed: boolean) => void): void {
  const fail = (error: unknown, code: number): void => {
    const current = failCurrent;
    current?.(error);
    exit(error, code, current !== undefined);
  };
  process.on('uncaughtException', (error) => {
    log('Uncaught Exception', error);
    fail(error, 129);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    log('Unhandled Promise Rejection', error);
    fail(error, 128);
  });
}

/** The RIC's test for an async function (UserFunction.js `_isAsync`): its constructor's name. */
function isAsyncFunction(handler: Handler): boolean {
  return handler.constructor?.name === 'AsyncFunction';
}

/**
 * What the RIC does with the loaded handler before the first invocation: 4.x refuses one declaring
 * three parameters (INIT fails); 3.x warns about a plain function declaring exactly three (from
 * mid-2025, the release every supported runtime of that generation carries).
 */
export function checkHandlerSignature(handler: Handler, warn: (message: string) => void): void {
  if (!callbacksSupported()) {
    if (handler.length >= 3) throw new RuntimeError('Runtime.CallbackHandlerDeprecated', CALLBACK_HANDLER_DEPRECATED);
    return;
  }
  if ((runtimeMajor() ?? 0) >= 18 && handler.length === 3 && !isAsyncFunction(handler) && process.env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined) {
    warn(CALLBACK_HANDLER_WARNING);
  }
}

/**
 * The body the RIC posts for an error (3.x Errors.js `toRapidResponse`, 4.x utils/error.ts
 * `formatError`): an Error's name and message ("\x7F" escaped), else `typeof` and its string
 * form (`callback('Unauthorized')` is `{errorType: 'string', errorMessage: 'Unauthorized'}`);
 * 3.x also takes an error-like object (string name, message and stack) as an Error.
 */
export function rapidError(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  const escape = (s: string): string => s.replaceAll('\x7F', '%7F');
  try {
    if (types.isNativeError(error) || error instanceof Error || (callbacksSupported() && errorLike(error))) {
      const e = error as Error;
      return { errorType: escape(e.name ?? ''), errorMessage: escape(e.message ?? ''), trace: typeof e.stack === 'string' ? escape(e.stack).split('\n') : [] };
    }
    return { errorType: typeof error, errorMessage: callbacksSupported() ? (error as { toString(): string }).toString() : String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

function errorLike(value: unknown): boolean {
  const v = value as { name?: unknown; message?: unknown; stack?: unknown } | null;
  return !!v && !!v.name && !!v.message && !!v.stack && typeof v.name === 'string' && typeof v.message === 'string' && typeof v.stack === 'string';
}

/** What the RIC logs as `Invoke Error` (LogPatch.js: `Errors.intoError(err)`): the value, or an Error made of it. */
export function intoError(error: unknown): Error {
  if (error instanceof Error) return error;
  try {
    return new Error(error as string);
  } catch {
    return new Error('handled');
  }
}

/**
 * The response as the RIC posts it: JSON (`undefined` as null), so what the caller gets is what
 * JSON makes of the value (a Date its string, a function nothing). A value JSON cannot write
 * fails as the RIC's serializer does: 3.x `Error: Unable to stringify response body`
 * (RAPIDClient.js), 4.x `Runtime.JSONStringifyError` (utils/serialize.ts).
 */
function asResponse(result: unknown): unknown {
  let json: string;
  try {
    json = JSON.stringify(result === undefined ? null : result);
  } catch {
    throw callbacksSupported() ? new Error('Unable to stringify response body') : new RuntimeError('Runtime.JSONStringifyError', 'Unable to stringify response body');
  }
  return JSON.parse(json) as unknown;
}

/** The context's members the RIC takes from the environment's variables and the invocation's headers. */
function contextData(invoke: InvokeData, clientContext: unknown): Record<string, unknown> {
  const env = process.env;
  const deadline = invoke.deadline;
  return {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    // Lambda-Runtime-Client-Context (an Invoke's ClientContext) / -Cognito-Identity: sent only for an Invoke that carries them
    clientContext,
    identity: undefined,
    invokedFunctionArn: invoke.invokedFunctionArn,
    awsRequestId: invoke.requestId,
    tenantId: undefined,
    // not clamped: past the deadline it is negative, as the RIC computes it
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

/** Runs one invocation to its outcome, as the function's RIC generation does. */
export function invokeHandler(handler: Handler, event: unknown, invoke: InvokeData): Promise<InvocationOutcome> {
  // The RIC parses the header as it builds the context, before the handler runs and inside its
  // try: one that is not JSON fails the invocation (InvokeContext.js `_parseJson`).
  let clientContext: unknown;
  try {
    clientContext = parseJsonHeader(invoke.clientContext, 'ClientContext');
  } catch (error) {
    return Promise.resolve({ ok: false, error });
  }
  if (!callbacksSupported()) return invokeAwaited(handler, event, invoke, clientContext);
  return invokeCallbackEra(handler, event, invoke, clientContext);
}

function parseJsonHeader(text: string | undefined, name: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${String(err)}`);
  }
}

/** RIC 4.x (buffered-invoke-processor.ts): `await handler(event, context)`. */
function invokeAwaited(handler: Handler, event: unknown, invoke: InvokeData, clientContext: unknown): Promise<InvocationOutcome> {
  const data = contextData(invoke, clientContext);
  if (clientContext === undefined) delete data.clientContext; // 4.x sets only the optional headers that came
  delete data.identity;
  delete data.tenantId;
  return new Promise<InvocationOutcome>((resolve) => {
    const settle = (outcome: InvocationOutcome): void => {
      failCurrent = undefined;
      resolve(outcome);
    };
    failCurrent = (error) => settle({ ok: false, error, logged: true });
    (async () => asResponse(await handler(event, data)))().then(
      (result) => settle({ ok: true, result }),
      (error: unknown) => settle({ ok: false, error }),
    );
  });
}

/**
 * RIC 3.x (Runtime.js `handleOnceNonStreaming`, CallbackContext.js): the callback, the context's
 * `succeed`/`fail`/`done` (only the first call of any of them counts), a returned promise settled
 * through `succeed`/`fail`, a synchronous throw through the callback, and what happens once the
 * event loop is empty (Node's `beforeExit`, here event-loop-drain.ts).
 */
function invokeCallbackEra(handler: Handler, event: unknown, invoke: InvokeData, clientContext: unknown): Promise<InvocationOutcome> {
  return new Promise<InvocationOutcome>((resolve) => {
    let answered = false;
    /** Stops the empty-loop watch, once one runs. */
    let stopWatch: (() => void) | undefined;
    const settle = (outcome: InvocationOutcome): void => {
      answered = true;
      stopWatch?.();
      failCurrent = undefined;
      resolve(outcome);
    };
    failCurrent = (error) => settle({ ok: false, error, logged: true });
    let completed = false;
    const complete = (result: unknown): void => {
      if (completed) {
        console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
        return;
      }
      completed = true;
      // throws where the RIC's postInvocationResponse throws: into whoever called back
      settle({ ok: true, result: asResponse(result) });
    };
    const postError = (error: unknown): void => settle({ ok: false, error });
    let waitForEmptyEventLoop = true;
    /** The `beforeExit` listener: what the runtime does once the loop is empty. */
    let onEmptyLoop: (() => void) | undefined;
    /** Whether an answer waits on the loop (poll it closely) rather than only a stalled promise. */
    let answerWaits = false;

    const callback = (err?: unknown, result?: unknown): void => {
      onEmptyLoop = undefined;
      if (err !== undefined && err !== null) postError(err);
      else if (!waitForEmptyEventLoop) complete(result);
      else {
        answerWaits = true;
        // in an Immediate, as the RIC's beforeExit listener: a response that cannot be written is an uncaught exception there
        onEmptyLoop = () => setImmediate(() => complete(result));
      }
    };
    const done = (err?: unknown, result?: unknown): void => {
      onEmptyLoop = undefined;
      if (err !== undefined && err !== null) postError(err);
      else complete(result);
    };
    let finished = false;
    const firstCallOnly =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A): void => {
        if (finished) return;
        fn(...args);
        finished = true;
      };
    const context = Object.assign(
      {
        get callbackWaitsForEmptyEventLoop(): boolean {
          return waitForEmptyEventLoop;
        },
        set callbackWaitsForEmptyEventLoop(value: boolean) {
          waitForEmptyEventLoop = value;
        },
        succeed: firstCallOnly((result?: unknown) => done(null, result)),
        fail: firstCallOnly((err?: unknown) => (err === undefined || err === null ? done('handled') : done(err, null))),
        done: firstCallOnly(done),
      },
      contextData(invoke, clientContext),
    );
    const firstCallback = firstCallOnly(callback);

    // Until a callback replaces it: an async function's unsettled promise is NodeJsExit; any other
    // handler that never called back answers null (a plain function's return value is ignored).
    const isAsync = isAsyncFunction(handler);
    onEmptyLoop = () => {
      completed = true;
      if (isAsync) postError(new NodeJsExit(NODEJS_EXIT));
      else settle({ ok: true, result: null });
    };
    let returnedPromise = false;
    try {
      const returned = handler(event, context, firstCallback) as Promise<unknown> | undefined;
      if (returned && typeof returned.then === 'function') {
        returnedPromise = true;
        returned.then(context.succeed, context.fail).catch(context.fail);
      }
    } catch (err) {
      firstCallback(err);
    }
    if (answered) return;
    answerWaits ||= !returnedPromise;
    // The current `beforeExit` listener, each time the loop is found empty, until the invocation
    // settles: checked every millisecond while an answer waits on it; a promise that may never
    // settle only at growing intervals (2, 4 … 64 ms), so a busy async handler pays nothing but a
    // timer now and then.
    let backoff = 1;
    stopWatch = watchEventLoop(invoke.deadline, () => (answerWaits ? 1 : (backoff = Math.min(64, backoff * 2))), () => onEmptyLoop?.());
  });
}
