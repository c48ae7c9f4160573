import type { FunctionError } from '../../contracts/cloudwatch-schema.ts';
import type { ReportLine } from './report-lines.ts';

/**
 * A function's failures in its own words: the log events Lambda's runtimes write when a function
 * fails, classified by kind and message, with the frame nearest the error in the stack's own code.
 * The forms, as Lambda writes them (text log format):
 *   Node:   `<time>\t<request id>\tERROR\tInvoke Error \t{"errorType":…,"errorMessage":…,"stack":[…]}`
 *           `<time>\tundefined\tERROR\tUncaught Exception \t{…}` (INIT: the module did not load; `Init Error` on nodejs24.x)
 *   Python: `[ERROR] <Type>: <message>` then `Traceback (most recent call last):` and its frames in
 *           the same event (carriage returns between lines); `logging.error` writes `[ERROR]\t…`
 *           instead, a function's own report, not a failure
 *   any:    `<time> <request id> Task timed out after 3.00 seconds`, and a REPORT line's
 *           `Status: error\tError Type: Runtime.ExitError` when the runtime exited under it (out of
 *           memory when Max Memory Used reached the size).
 * A call IAM denied names its principal, action and resource in the error's message, the same
 * words in every service's AccessDeniedException and every SDK: `User: arn:aws:sts::…:assumed-role/
 * <role>/<function> is not authorized to perform: <action> on resource: <arn>` (DynamoDB adds
 * `because no identity-based policy allows …`).
 */

/** What the pull asks FilterLogEvents for beside REPORT lines: every form above names one of these. */
export const ERROR_FILTER_TERMS = ['ERROR', '"Task timed out"'] as const;

export type LoggedError = Omit<FunctionError, 'count' | 'firstAt'>;

const NODE_ERROR = /^\S+\t(\S+)\tERROR\t(Invoke Error|Init Error|Uncaught Exception|Unhandled Promise Rejection) \t(\{.*\})\s*$/s;
const PYTHON_ERROR = /^\[ERROR\] ([A-Za-z_][\w.]*)(?:: ?(.*))?$/;
// an action on no particular resource (ListSecrets, PutMetricData) is denied without `on resource:`: `*`
const DENIED = /User: (\S+) is not authorized to perform: (\S+?)(?: on resource: (\S+?))?(?=\s+because\b|\s+with\b|[\s"]|$)/;
const TIMEOUT = /^\S+ \S+ (Task timed out after [\d.]+ seconds)/;
/** INIT failures: the handler's module could not be loaded or found. */
const INIT_KINDS = /^Runtime\.(ImportModuleError|HandlerNotFound|UserCodeSyntaxError|MalformedHandlerName)$/;

/** The error one log event names, or null when it names none (START, END, a function's own logging). */
export function classifyLogEvent(message: string): LoggedError | null {
  const timeout = TIMEOUT.exec(message);
  if (timeout) return { kind: 'Task timed out', message: timeout[1]!, phase: 'invoke', firstFrame: null };
  const node = NODE_ERROR.exec(message);
  if (node) return withDenial(nodeError(node[1]!, node[2]!, node[3]!));
  const lines = message.split(/\r\n|\r|\n/);
  const python = PYTHON_ERROR.exec(lines[0]!);
  if (python) {
    const kind = python[1]!;
    return withDenial({ kind, message: (python[2] ?? '').trim(), phase: INIT_KINDS.test(kind) ? 'init' : 'invoke', firstFrame: pythonFrame(lines.slice(1)) });
  }
  return null;
}

/** The error with the call IAM denied, where its message names one. */
export function withDenial(e: LoggedError | null): LoggedError | null {
  const m = e && DENIED.exec(e.message);
  return m ? { ...e, denied: { principal: m[1]!, action: m[2]!, resource: m[3] ?? '*' } } : e;
}

/** A REPORT line's own failure: the runtime exited under the invocation (out of memory when it used all of it). */
export function classifyReportLine(line: ReportLine): LoggedError | null {
  if (line.status !== 'error' || line.errorType === undefined || !/^Runtime\.(ExitError|OutOfMemory)$/.test(line.errorType)) return null;
  const oom = line.errorType === 'Runtime.OutOfMemory' || line.maxMemoryUsedMB >= line.memorySizeMB;
  return oom
    ? { kind: 'Runtime.OutOfMemory', message: `Runtime exited: out of memory (Max Memory Used ${line.maxMemoryUsedMB} MB of ${line.memorySizeMB} MB)`, phase: 'invoke', firstFrame: null }
    : { kind: line.errorType, message: 'Runtime exited with error', phase: 'invoke', firstFrame: null };
}

function nodeError(requestId: string, label: string, json: string): LoggedError | null {
  let d: { errorType?: unknown; errorMessage?: unknown; stack?: unknown };
  try {
    d = JSON.parse(json) as typeof d;
  } catch {
    return null;
  }
  const kind = typeof d.errorType === 'string' ? d.errorType : 'Error';
  const full = typeof d.errorMessage === 'string' ? d.errorMessage : '';
  const stack = Array.isArray(d.stack) ? d.stack.filter((x): x is string => typeof x === 'string').flatMap((x) => x.split('\n')) : [];
  // nodejs24.x's runtime client (4.x) labels a failed INIT `Init Error`; 3.x an uncaught exception outside a request
  const init = label === 'Init Error' || (label === 'Uncaught Exception' && requestId === 'undefined') || INIT_KINDS.test(kind);
  return { kind, message: full.split('\n')[0]!.trim(), phase: init ? 'init' : 'invoke', firstFrame: nodeFrame([...stack, ...full.split('\n')]) };
}

/** Code that is not the stack's own: its dependencies, the runtime, the language's library. */
const NOT_OWN = /node_modules|^node:|\(node:|\/var\/runtime\/|\/var\/lang\/|site-packages|dist-packages|\/usr\/lib\/python|<frozen|python-bootstrap|\/emulator\/lambda\//;

/** "/var/task/app.js" → "app.js"; elsewhere the file's name. */
function shortPath(path: string): string {
  const task = path.indexOf('/var/task/');
  if (task >= 0) return path.slice(task + '/var/task/'.length);
  return path.replace(/^file:\/\//, '').split('/').pop() ?? path;
}

/** The innermost Node frame in own code (`at fn (/var/task/app.js:5:11)`), else the first own file of a require stack (`- /var/task/app.js`). */
export function nodeFrame(lines: readonly string[]): string | null {
  for (const l of lines) {
    // `at fn (path:1:2)`, `at path:1:2`, an awaited anonymous frame `at async path:1:2`; the last
    // frame of an inspected error with own properties (the SDK's `$fault`, `$metadata`) ends in ` {`
    const m = /^\s*at (?:async (?=\S+:\d+:\d+(?:\s*\{)?\s*$))?(?:(.+?) \()?(\S+?):(\d+):\d+\)?(?:\s*\{)?\s*$/.exec(l);
    if (m && !NOT_OWN.test(m[2]!)) return `${shortPath(m[2]!)}:${m[3]}${m[1] && m[1] !== 'Object.<anonymous>' ? ` (${m[1]})` : ''}`;
  }
  for (const l of lines) {
    const m = /^- (\S+)$/.exec(l.trim());
    if (m && !NOT_OWN.test(m[1]!)) return shortPath(m[1]!);
  }
  return null;
}

/** The innermost traceback frame in own code: `File "/var/task/app.py", line 14, in send_to_all` → "app.py:14 in send_to_all". */
export function pythonFrame(lines: readonly string[]): string | null {
  let own: string | null = null;
  for (const l of lines) {
    const m = /^\s*File "([^"]+)", line (\d+), in (\S+)/.exec(l);
    if (m && !NOT_OWN.test(m[1]!)) own = `${shortPath(m[1]!)}:${m[2]} in ${m[3]}`;
  }
  return own;
}

/** Kinds kept per function: a log naming more distinct errors counts only its first ones. */
const MAX_KINDS = 50;

/** Tokens that differ per connection or request (ids), so that one kind of error is counted once. */
const ID_TOKEN = /[A-Za-z0-9+/_=-]{12,}/g;

/** Folds one function's classified errors into counts per kind and message. */
export class FunctionErrorAccumulator {
  private readonly byKey = new Map<string, FunctionError>();

  /**
   * `foldNumbers`: every number in a message is one token too, for a function's own words that
   * count what failed ("posts failed: 3 of 3" and "… 5 of 5" are one kind).
   */
  constructor(private readonly options: { foldNumbers?: boolean } = {}) {}

  add(e: LoggedError, atMs: number): void {
    const ids = e.message.replace(ID_TOKEN, (t) => (/\d/.test(t) ? '…' : t));
    const key = `${e.phase}\t${e.kind}\t${this.options.foldNumbers ? ids.replace(/\d+(?:\.\d+)?/g, '#') : ids}`;
    const seen = this.byKey.get(key);
    if (seen) {
      seen.count++;
      if (atMs < seen.firstAt) seen.firstAt = atMs;
      seen.firstFrame ??= e.firstFrame;
    } else if (this.byKey.size < MAX_KINDS) {
      this.byKey.set(key, { ...e, count: 1, firstAt: atMs });
    }
  }

  /** Most logged first. */
  errors(): FunctionError[] {
    return [...this.byKey.values()].sort((a, b) => b.count - a.count || a.firstAt - b.firstAt);
  }
}
