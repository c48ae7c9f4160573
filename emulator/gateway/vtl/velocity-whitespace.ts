/**
 * What Velocity 1.7 (the Java engine behind API Gateway's mapping templates) does with the
 * whitespace around directives, applied to a velocityjs tree parsed without its own trimming
 * (velocityjs trims after every directive but keeps a `#set` line's indentation, and trims after a
 * `#* *#` comment, which Velocity does not). Read from Velocity 1.7's lexer (`src/parser/Parser.jjt`
 * at tag 1.7 of apache/velocity-engine) and held to the outputs its 2.x tests expect of the
 * backward-compatible space gobbling (`gobbling/compare/*.vtl.BC`):
 *
 * - a directive's closing `)`, `#else` and `#end` take the spaces and tabs after them up to and
 *   with one line break, when nothing else follows on the line (so do a `##` comment and a macro
 *   call); text after them on the same line stays;
 * - `#set` alone also takes the spaces and tabs before it, when they begin a token: at the start
 *   of the template or right after another directive or reference; so indented `#set` lines one
 *   after another leave nothing, while the indentation of a `#set` line that follows a line of
 *   text stays (it belongs to that text);
 * - the indentation of `#if`, `#foreach`, `#else`, `#end` lines stays.
 */

type Tree = unknown[];

interface DirectiveNode {
  type?: string;
  value?: unknown;
}

const LINE_END_AFTER_DIRECTIVE = /^[ \t]*(\r\n|\r|\n)/;
const INDENTATION = /^[ \t]+$/;

/** The tree with Velocity 1.7's whitespace rules applied (a new tree; block arrays copied). */
export function withVelocityWhitespace(tree: Tree): Tree {
  return walk(tree);
}

function walk(nodes: Tree): Tree {
  const out: unknown[] = [];
  for (let i = 0; i < nodes.length; i++) {
    let node = nodes[i];
    if (Array.isArray(node)) node = walk(node);
    const prev = out[out.length - 1];
    if (typeof node === 'string' && out.length > 0 && takesLineEnd(prev)) node = node.replace(LINE_END_AFTER_DIRECTIVE, '');
    if (isSet(node) && typeof prev === 'string' && INDENTATION.test(prev)) {
      // the whitespace begins a token at the template's start or after a node that is not text
      // (a block's own array starts with its head directive, so only the top level can start with text)
      if (out.length === 1 || typeof out[out.length - 2] !== 'string') out.pop();
    }
    out.push(node);
  }
  return out;
}

/** Whether the text after this node loses its line end: every directive but a `#* *#` comment. */
function takesLineEnd(node: unknown): boolean {
  if (Array.isArray(node)) return true; // a block, closed by its #end (or its head, at index 0)
  if (typeof node !== 'object' || node === null) return false;
  const { type, value } = node as DirectiveNode;
  if (type === 'references' || type === 'raw') return false;
  if (type === 'comment') return typeof value === 'string' && value.startsWith('##');
  return true;
}

function isSet(node: unknown): boolean {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && (node as DirectiveNode).type === 'set';
}
