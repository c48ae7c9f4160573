import { nodeFrame, pythonFrame, withDenial, type LoggedError } from './function-errors.ts';
import { isRuntimeWarning } from './runtime-warnings.ts';

/**
 * Failures a function caught and logged: error-level lines its own code wrote while the
 * invocation went on to succeed (Lambda's Errors metric counts none of them), classified like a
 * thrown error (function-errors.ts: kind, message, first frame, a denied call) and marked
 * `logged: true`. The forms, as Lambda writes them:
 *   Node, text:   `<time>\t<request id>\tERROR\t<message>` (`console.error`; newlines inside the
 *                 message are carriage returns, so an Error's stack rides in the same event)
 *   Python, text: `[ERROR]\t<time>\t<request id>\t<message>` (`logging.error`, `.exception` with its
 *                 traceback after carriage returns; `[CRITICAL]` alike)
 *   JSON format:  `{"timestamp","level":"ERROR"|"FATAL"|"CRITICAL","message",…}`, the exception's
 *                 `errorType`, `errorMessage`, `stackTrace` beside the message or (Node, one Error
 *                 logged) inside it
 *   a traceback printed without raising (`traceback.print_exc()`): one event per line, the first
 *                 `Traceback (most recent call last):` (read as a block by printed-tracebacks.ts).
 * A runtime's or a library's warning at any level (Node's `(node:8) Warning: NodeVersionSupportWarning: …`,
 * Python's `app.py:3: DeprecationWarning: …`) is not an error: runtime-warnings.ts tells it by its shape.
 * The runtime's own report of a thrown error (`Invoke Error`, `Uncaught Exception`, `[ERROR] Type:
 * message`) is function-errors.ts's, never a logged one. In the JSON format a thrown error is an
 * ERROR line too: the pull tells it by its invocation's failed report (`thrownIn`).
 * The kind is the error's name in the message (`AccessDeniedException` in "posts failed: 24 of 24:
 * AccessDeniedException: …", boto3's code in "An error occurred (GoneException) when …"), else
 * "logged error".
 */
export type CaughtError = LoggedError & { logged: true };

/** What the pull asks FilterLogEvents for beside function-errors.ts's terms (which hold ERROR). */
export const LOGGED_ERROR_FILTER_TERMS = ['CRITICAL', 'FATAL', 'Traceback'] as const;

export const LOGGED_ERROR_KIND = 'logged error';
export const TRACEBACK_HEADER = 'Traceback (most recent call last):';

const NODE_TEXT = /^\S+\t(\S+)\t(?:ERROR|FATAL)\t([\s\S]*)$/;
const PYTHON_TEXT = /^\[(?:ERROR|CRITICAL)\]\t\S*\t(\S*)\t([\s\S]*)$/;
const RUNTIME_LABELS = /^(Invoke Error|Uncaught Exception|Unhandled Promise Rejection) \t/;
const JSON_LEVELS = new Set(['ERROR', 'FATAL', 'CRITICAL']);
/** A message kept to this many characters (the first line only). */
const MAX_MESSAGE = 500;

/** The logged error one log event is, or null (another level, a thrown error, a platform line, a lone traceback header). */
export function classifyLoggedLine(message: string, thrownIn?: (requestId: string) => boolean): CaughtError | null {
  if (message.startsWith('{')) return jsonLine(message, thrownIn);
  const node = NODE_TEXT.exec(message);
  if (node) return RUNTIME_LABELS.test(node[2]!) || isRuntimeWarning(node[2]!) ? null : fromText(node[2]!, node[1]!);
  const python = PYTHON_TEXT.exec(message);
  if (python) return isRuntimeWarning(python[2]!) ? null : fromText(python[2]!, python[1]!);
  // a traceback printed in one event (a logger of the function's own, carriage returns inside)
  if (message.startsWith(TRACEBACK_HEADER) && /[\r\n]/.test(message)) return tracebackBlock(message.split(/\r\n|\r|\n/), 'invoke');
  return null;
}

/** A printed traceback's first event alone: its block follows in the next events of the same stream. */
export function isTracebackHeader(message: string): boolean {
  return message.trimEnd() === TRACEBACK_HEADER;
}

/**
 * A traceback's lines (header, `  File "…", line N, in fn` frames and their source lines, the
 * exception's `Type: message`), classified: the last exception line names it (a chained one's
 * cause comes first), the innermost own frame is its first frame. Null where no exception line
 * is among them.
 */
export function tracebackBlock(lines: readonly string[], phase: LoggedError['phase']): CaughtError | null {
  let exception: string | undefined;
  for (const l of lines) {
    if (l === '' || /^\s/.test(l) || l.startsWith('Traceback ') || /^(During handling|The above exception)/.test(l)) continue;
    exception = l;
  }
  if (exception === undefined) return null;
  const m = /^([A-Za-z_][\w.]*)(?::\s?([\s\S]*))?$/.exec(exception);
  const text = m?.[2]?.trim() ?? exception.trim();
  const named = m ? (m[1]!.split('.').pop() ?? m[1]!) : undefined;
  return caught({ kind: kindIn(text) ?? named ?? LOGGED_ERROR_KIND, message: clip(text), phase, firstFrame: pythonFrame(lines) }, text);
}

/** Where a printed traceback's block ends: at its exception line, the first unindented line after a frame. */
export function endsTraceback(lines: readonly string[]): boolean {
  const last = lines[lines.length - 1];
  return lines.length > 2 && last !== undefined && last !== '' && !/^\s/.test(last) && !/^(Traceback |During handling|The above exception)/.test(last);
}

function fromText(body: string, requestId: string): CaughtError | null {
  const lines = body.split(/\r\n|\r|\n/);
  const phase = requestId === '' || requestId === 'undefined' ? 'init' : 'invoke';
  const header = lines.indexOf(TRACEBACK_HEADER);
  if (header >= 0) {
    // logging.exception: the message, then the traceback; the exception names the kind
    const tb = tracebackBlock(lines.slice(header), phase);
    const said = lines.slice(0, header).join(' ').trim();
    if (tb) {
      const { denied, ...rest } = tb;
      return caught({ ...rest, message: clip(said && !tb.message.includes(said) ? `${said}: ${tb.kind === LOGGED_ERROR_KIND ? '' : `${tb.kind}: `}${tb.message}` : tb.message) }, `${said} ${lines.slice(header).join(' ')}`);
    }
  }
  const first = lines[0]!.trim();
  // an Error logged alone starts with its own name ("AccessDeniedException: …"); "Error: " adds nothing to a kind
  return caught({ kind: kindIn(body) ?? LOGGED_ERROR_KIND, message: clip(first), phase, firstFrame: nodeFrame(lines.slice(1)) }, first);
}

function jsonLine(message: string, thrownIn: ((requestId: string) => boolean) | undefined): CaughtError | null {
  let v: unknown;
  try {
    v = JSON.parse(message);
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const level = typeof o.level === 'string' ? o.level.toUpperCase() : typeof o.log_level === 'string' ? o.log_level.toUpperCase() : undefined;
  // platform events have a type and no level; a runtime's warning written at ERROR is still a warning
  if (level === undefined || !JSON_LEVELS.has(level) || 'type' in o) return null;
  if (typeof o.message === 'string' && isRuntimeWarning(o.message)) return null;
  const requestId = typeof o.requestId === 'string' ? o.requestId : '';
  const inner = o.message !== null && typeof o.message === 'object' && !Array.isArray(o.message) ? (o.message as Record<string, unknown>) : undefined;
  const source = inner && typeof inner.errorType === 'string' ? inner : o;
  const errorType = typeof source.errorType === 'string' ? source.errorType : undefined;
  const errorMessage = typeof source.errorMessage === 'string' ? source.errorMessage : undefined;
  // the runtime's report of a thrown error: an invocation that failed, its error logged as the runtime logs it
  if (errorType !== undefined && requestId !== '' && thrownIn?.(requestId)) return null;
  const stack = Array.isArray(source.stackTrace) ? source.stackTrace.filter((x): x is string => typeof x === 'string').flatMap((x) => x.split('\n')) : [];
  const said = typeof o.message === 'string' ? o.message.split(/\r\n|\r|\n/)[0]!.trim() : inner && source !== inner ? JSON.stringify(inner) : '';
  const error = errorType !== undefined ? `${errorType}${errorMessage ? `: ${errorMessage}` : ''}` : '';
  const text = said && error && !said.includes(errorMessage ?? error) ? `${said}: ${error}` : said || error;
  const python = stack.some((l) => /^\s*File "/.test(l));
  return caught({
    kind: kindIn(text) ?? (errorType && errorType !== 'Error' ? errorType : undefined) ?? LOGGED_ERROR_KIND,
    message: clip(text.split(/\r\n|\r|\n/)[0]!.trim()),
    phase: requestId === '' ? 'init' : 'invoke',
    firstFrame: python ? pythonFrame(stack) : nodeFrame(stack),
  }, text);
}

/** boto3's code ("An error occurred (GoneException) when calling …"), else the first error name in the text. */
function kindIn(text: string): string | undefined {
  const boto = /An error occurred \(([A-Za-z][\w.]*)\)/.exec(text);
  if (boto) return boto[1]!;
  let bare: string | undefined;
  for (const m of text.matchAll(/(?<![\w.])(?:[a-z_]\w*\.)*((?:[A-Z]\w*)?(?:Exception|Error|Fault))\b/g)) {
    // a bare "Error" (Node's `Error: …`, "Error posting") says less than a named one later in the text
    if (m[1] !== 'Error') return m[1]!;
    bare = m[1];
  }
  return bare;
}

/** Marked logged, with the call IAM denied where the whole text (before any clipping) names one. */
function caught(e: LoggedError, whole: string = e.message): CaughtError {
  const denied = withDenial({ ...e, message: whole })?.denied;
  return { ...e, ...(denied ? { denied } : {}), logged: true };
}

const clip = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s);

