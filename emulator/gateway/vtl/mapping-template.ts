import { Compile, parse } from 'velocityjs';
import { compiledJsonPath } from '../../json-path.ts';
import { inputVariable, type InputParams } from './input-variable.ts';
import { JAVA_METHODS } from './java-methods.ts';
import { referenceText } from './java-text.ts';
import { UTIL_FUNCTIONS, utilVariable } from './util-variable.ts';
import { withVelocityWhitespace } from './velocity-whitespace.ts';

/**
 * One API Gateway mapping template (VTL on velocityjs), compiled once at stack start and rendered
 * per request with `$input` over the payload, `$context`, `$util` and `$stageVariables`.
 *
 * Compiling refuses what a deployed template would fail on or what the emulator cannot render
 * as AWS does, each in one line: a VTL syntax error, a block without its `#end` (or an `#end`
 * too many: velocityjs itself closes or drops those silently), a `$util` function or `$input`
 * member AWS does not have, a JSONPath the emulator does not evaluate, a macro the template does not
 * define. Rendering follows API Gateway's Velocity where velocityjs differs: the whitespace around
 * directives (velocity-whitespace.ts) and how values print, a null or unknown reference as nothing
 * (java-text.ts).
 */

export interface MappingTemplateVariables {
  /** the payload: the frame's body, or the service's answer */
  body: string;
  context: Record<string, unknown>;
  params?: InputParams;
  stageVariables?: Record<string, string>;
}

export interface MappingTemplate {
  readonly source: string;
  /** Throws where the template fails at run time (parseJson of a bad text, a bad JSONPath in a variable). */
  render(variables: MappingTemplateVariables): string;
}

const INPUT_MEMBERS = new Set(['body', 'json', 'path', 'params']);
const UTIL = new Set<string>(UTIL_FUNCTIONS);
/** appended to the source to see whether every block was closed (see blocksBalanced) */
const SENTINEL_ID = '__fanoutBenchEndOfTemplate';

type Ast = ReturnType<typeof parse>;

/** Compiles a template; throws an Error whose one-line message says what is wrong. */
export function compileMappingTemplate(source: string): MappingTemplate {
  parseOneLine(source); // a syntax error, in the source's own words
  const asts = parseOneLine(`${source}\n$${SENTINEL_ID}`);
  if (!blocksBalanced(asts)) throw new Error('VTL: a block (#if, #foreach, #macro, #define) is not closed by its #end, or an #end closes nothing');
  const tree = withVelocityWhitespace(withoutSentinel(asts) as unknown[]) as Ast;
  const macros = new Set<string>();
  collectMacros(tree, macros);
  checkCalls(tree, macros);
  return {
    source,
    render: (variables) => {
      const compile = new ApiGatewayVelocity(tree, { escape: false, customMethodHandlers: JAVA_METHODS });
      // fresh objects per render: velocityjs adds an `eval` member to any object a method is called on
      const context = {
        input: inputVariable(variables.body, variables.params),
        context: { ...variables.context },
        util: { ...utilVariable },
        stageVariables: { ...variables.stageVariables },
      };
      // silent: a reference naming nothing is undefined here, printed as nothing like a null one
      return compile.render(context, undefined, true);
    },
  };
}

/** velocityjs printing each reference's value as API Gateway's Velocity prints it. */
class ApiGatewayVelocity extends Compile {
  protected override getReferences(ast: Parameters<Compile['getReferences']>[0], isVal?: boolean): string {
    const value: unknown = super.getReferences(ast, isVal);
    // isVal: the reference is printed (not read by #set or an expression)
    return isVal ? referenceText(value) : (value as string);
  }
}

function parseOneLine(text: string): Ast {
  try {
    // velocityjs's own trimming off: withVelocityWhitespace applies Velocity's
    return parse(text, undefined, false);
  } catch (err) {
    const lines = String((err as Error)?.message ?? err).split('\n');
    const where = lines[0]?.replace(/:$/, '') ?? 'Parse error';
    const got = lines.find((l) => /got '/.test(l))?.replace(/^.*(got '[^']*').*$/, '$1');
    const near = lines[1]?.trim();
    throw new Error(`VTL: ${where}${near ? ` near "${near.length > 60 ? `${near.slice(0, 60)}…` : near}"` : ''}${got ? ` (${got})` : ''}`);
  }
}

/**
 * velocityjs closes an unclosed block at the end of the template and drops what follows an #end
 * too many, without a word. With a sentinel appended, a balanced template has it exactly once, at
 * the top level: an unclosed block swallows it (velocityjs then repeats it too), an #end too many drops it.
 */
function blocksBalanced(asts: Ast): boolean {
  let topLevel = 0;
  let anywhere = 0;
  const count = (nodes: unknown[], depth: number) => {
    for (const node of nodes) {
      if (Array.isArray(node)) count(node, depth + 1);
      else if (isSentinel(node)) {
        anywhere++;
        if (depth === 0) topLevel++;
      }
    }
  };
  count(asts as unknown[], 0);
  return topLevel === 1 && anywhere === 1;
}

function withoutSentinel(asts: Ast): Ast {
  const nodes = [...(asts as unknown[])];
  nodes.pop();
  // the newline put before the sentinel
  const last = nodes[nodes.length - 1];
  if (typeof last === 'string') {
    const trimmed = last.endsWith('\n') ? last.slice(0, -1) : last;
    if (trimmed === '') nodes.pop();
    else nodes[nodes.length - 1] = trimmed;
  }
  return nodes as Ast;
}

function isSentinel(node: unknown): boolean {
  return typeof node === 'object' && node !== null && (node as { type?: string }).type === 'references' && (node as { id?: string }).id === SENTINEL_ID;
}

function collectMacros(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) for (const n of node) collectMacros(n, into);
  else if (isNode(node) && node.type === 'macro' && typeof node.id === 'string') into.add(node.id);
}

interface Node {
  type?: string;
  id?: unknown;
  path?: Array<{ type: string; id: unknown; args?: unknown }>;
  value?: unknown;
  isEval?: boolean;
  [key: string]: unknown;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkCalls(node: unknown, macros: ReadonlySet<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) checkCalls(n, macros);
    return;
  }
  if (!isNode(node)) return;
  if (node.type === 'references') checkReference(node);
  if (node.type === 'macro_call' && typeof node.id === 'string' && !macros.has(node.id)) {
    throw new Error(`VTL: #${node.id}(…) is no directive and no macro of the template`);
  }
  if (node.type === 'string' && node.isEval && typeof node.value === 'string' && node.value.includes('$')) {
    checkCalls(parseOneLine(node.value), macros);
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'pos' && typeof value === 'object' && value !== null) checkCalls(value, macros);
  }
}

function checkReference(node: Node): void {
  const first = node.path?.[0];
  if (node.id === 'util') {
    if (!first) return;
    if (first.type !== 'method' || typeof first.id !== 'string' || !UTIL.has(first.id)) {
      throw new Error(`VTL: $util.${String(first.id)} is not one of API Gateway's $util functions (${UTIL_FUNCTIONS.join(', ')})`);
    }
  } else if (node.id === 'input') {
    if (!first) return;
    const name = String(first.id);
    const ok = name === 'body' ? first.type === 'property' : first.type === 'method' && INPUT_MEMBERS.has(name);
    if (!ok) throw new Error(`VTL: $input.${name} is not one of API Gateway's $input members (body, json(x), path(x), params())`);
    if ((name === 'json' || name === 'path') && Array.isArray(first.args)) {
      const arg = first.args[0] as Node | undefined;
      if (isNode(arg) && arg.type === 'string' && typeof arg.value === 'string') compiledJsonPath(arg.value);
    }
  }
}
