import { format } from 'node:util';

/**
 * What the Lambda Node.js runtime does to `console`, in the function's log format
 * (AWS_LAMBDA_LOG_FORMAT, which Lambda sets from LoggingConfig.LogFormat):
 * - text: every call becomes one line `<ISO time>\t<request id>\t<LEVEL>\t<message>`, with
 *   newlines inside the message turned into carriage returns so a multi-line message stays one
 *   log event. Before the first invocation (INIT) the request id is "undefined", as on Lambda.
 * - JSON: one object per call, `{"timestamp","level","requestId","message"}` (requestId left out
 *   during INIT); a single argument is the message as it is (an object stays an object, an Error
 *   becomes `{errorType, errorMessage, stackTrace}`), several are formatted into one string.
 *   Calls below AWS_LAMBDA_LOG_LEVEL (LoggingConfig.ApplicationLogLevel) write nothing, and
 *   `console.fatal` exists. As the runtime interface client (aws-lambda-nodejs-runtime-interface-client, LogPatch.js) does.
 * Libraries that write to process.stdout directly (Powertools Logger and Metrics do) are not touched.
 */
const LEVELS = [
  ['trace', 'TRACE'],
  ['debug', 'DEBUG'],
  ['info', 'INFO'],
  ['log', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['fatal', 'FATAL'],
] as const;
const PRIORITY: Record<string, number> = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };

/**
 * How the runtime logs an error it caught (`Invoke Error`, `Uncaught Exception`), in the log format.
 * `thrown`, where given, is the value the handler threw: logged as the runtime logs it, with its
 * code and its own enumerable properties (an SDK error's `$fault`, `$metadata`; a `name` its class sets).
 */
export type RuntimeErrorLogger = (label: string, error: { errorType: string; errorMessage: string; stack: string[] }, thrown?: unknown) => void;

export function installLambdaConsole(
  requestId: () => string | undefined,
  write: (text: string) => void,
  env: { AWS_LAMBDA_LOG_FORMAT?: string; AWS_LAMBDA_LOG_LEVEL?: string } = process.env,
): RuntimeErrorLogger {
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  const json = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  const min = json ? (PRIORITY[env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase() ?? ''] ?? PRIORITY.TRACE) : 0;
  const nop = () => {};
  for (const [method, level] of LEVELS) {
    if (!json) {
      if (method === 'fatal') continue;
      target[method] = (...args: unknown[]) => {
        write(`${new Date().toISOString()}\t${requestId() ?? 'undefined'}\t${level}\t${format(...args).replace(/\n/g, '\r')}\n`);
      };
      continue;
    }
    target[method] = PRIORITY[level] < min ? nop : (...args: unknown[]) => write(`${jsonLine(new Date().toISOString(), level, requestId(), args)}\n`);
  }
  if (json) {
    // the runtime logs the Error itself: its message object is the JSON format's form of an Error
    return (_label, e, thrown) => target.error(thrown instanceof Error ? thrown : { errorType: e.errorType, errorMessage: e.errorMessage, stackTrace: e.stack });
  }
  return (label, e, thrown) => target.error(`${label} \t${thrown instanceof Error ? textForm(thrown, e) : JSON.stringify(e)}`);
}

/**
 * An Error in the text format, as the runtime interface client's Errors.toFormatted writes it:
 * `{"errorType":<name>,"errorMessage":…,"code":…,<its own enumerable properties>,"stack":[…lines]}`,
 * nested Errors alike; one that cannot be serialized (a cycle, a BigInt) as the invocation's
 * response is, `{"errorType","errorMessage","trace"}`.
 */
function textForm(thrown: Error, e: { errorType: string; errorMessage: string; stack: string[] }): string {
  try {
    return JSON.stringify(thrown, (_key, value: unknown) => {
      if (!(value instanceof Error)) return value;
      const withCode = { errorType: value.name, errorMessage: value.message, code: (value as { code?: unknown }).code, ...value };
      return typeof value.stack === 'string' ? { ...withCode, stack: value.stack.split('\n') } : withCode;
    });
  } catch {
    return JSON.stringify({ errorType: e.errorType, errorMessage: e.errorMessage, trace: e.stack });
  }
}

/** An Error as the JSON format writes it. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return { errorType: value.constructor?.name ?? 'UnknownError', errorMessage: value.message, stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack, ...value };
}

function jsonLine(timestamp: string, level: string, requestId: string | undefined, args: unknown[]): string {
  const line: Record<string, unknown> = { timestamp, level, requestId };
  if (args.length === 1) {
    line.message = args[0];
    try {
      return JSON.stringify(line, errorReplacer);
    } catch {
      line.message = format(args[0]); // a cycle, a BigInt: formatted as text
      return JSON.stringify(line);
    }
  }
  line.message = format(...args);
  const error = args.find((a): a is Error => a instanceof Error);
  if (error) {
    line.errorType = error.constructor?.name ?? 'UnknownError';
    line.errorMessage = error.message;
    line.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(line);
}
