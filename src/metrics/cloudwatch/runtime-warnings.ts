/**
 * A runtime's or a library's warning, told by the shape of the text, not by one name: it is not
 * an error the function logged, whatever level the runtime wrote it at. The shapes:
 *   Node's process warnings (`process.emitWarning`; lib/internal/process/warning.js prints them
 *   with `console.error`, so Lambda's Node runtime writes them as ERROR lines):
 *     `(node:<pid>) [<code>] <Name>: <message>` — the code optional, the name `Warning`,
 *     `DeprecationWarning`, `ExperimentalWarning`, the AWS SDK v3's `NodeVersionSupportWarning`
 *     (its message then starts `NodeVersionSupportWarning: …` under the default name `Warning`),
 *     the SDK v2's `NOTE`; and its hint `(Use \`node --trace-warnings ...\` to show where …)`;
 *   Python's `warnings` module (warnings.formatwarning): `<file>:<line>: <Category>Warning: <message>`.
 * A JSON-format line at level WARN or WARNING is never an error either (logged-errors.ts reads
 * only ERROR, FATAL and CRITICAL).
 */
const NODE_WARNING = /^\((?:node|io\.js):\d+\) (?:\[[A-Z]+\d*\] )?(?:\w*Warning|NOTE): /;
const NODE_TRACE_HINT = /^\(Use `\S+ --trace-(?:warnings|deprecation) \.\.\.` to show where the warning was created\)/;
const PYTHON_WARNING = /^\S[^\r\n]*?:\d+: [A-Za-z_]\w*Warning: /;

/** Whether a log line's message (its text after the runtime's prefix) is a runtime's or a library's warning. */
export function isRuntimeWarning(message: string): boolean {
  const first = message.trimStart();
  return NODE_WARNING.test(first) || NODE_TRACE_HINT.test(first) || PYTHON_WARNING.test(first);
}
