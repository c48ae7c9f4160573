/**
 * The one JSONPath of the emulator, Jayway JsonPath's syntax as AWS's services evaluate it: API
 * Gateway's `$input.json(x)` / `$input.path(x)` and `route.request.body.x`, EventBridge's InputPath
 * and InputTransformer's InputPathsMap. `$`, `.name` (any characters but `.`, `[`, `]`, blanks and
 * parentheses: dashes, underscores, slashes), `['name']`, `[0]`, and the wildcards `.*` / `[*]`.
 * A definite path (no wildcard) yields the value or undefined; a wildcard yields the list of what
 * it matched, as Jayway answers an indefinite path. Deep scan (`..`) and filters are not emulated:
 * such a path is refused where it is compiled, so a template using one is named at stack start.
 */

export type JsonPathStep = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

export interface JsonPath {
  readonly steps: readonly JsonPathStep[];
  readonly definite: boolean;
}

const NAME = /^[^.[\]\s()]+/;

/** Parses a path; throws an Error naming what is wrong with it. */
export function parseJsonPath(text: string): JsonPath {
  const src = text.trim();
  if (!src.startsWith('$')) throw new Error(`JSONPath "${text}" does not start with $`);
  const steps: JsonPathStep[] = [];
  let i = 1;
  while (i < src.length) {
    const rest = src.slice(i);
    if (rest.startsWith('..')) throw new Error(`JSONPath "${text}": deep scan (..) is not emulated`);
    if (rest.startsWith('.*')) {
      steps.push({ kind: 'wildcard' });
      i += 2;
    } else if (rest.startsWith('.')) {
      const name = NAME.exec(rest.slice(1));
      if (!name) throw new Error(`JSONPath "${text}": expected a name after "." at ${i}`);
      steps.push({ kind: 'key', key: name[0] });
      i += 1 + name[0].length;
    } else if (rest.startsWith('[')) {
      const close = bracketEnd(rest);
      if (close < 0) throw new Error(`JSONPath "${text}": unclosed [ at ${i}`);
      const inner = rest.slice(1, close).trim();
      if (inner === '*') steps.push({ kind: 'wildcard' });
      else if (/^\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'(?:[^'\\]|\\.)*'$|^"(?:[^"\\]|\\.)*"$/.test(inner)) steps.push({ kind: 'key', key: inner.slice(1, -1).replace(/\\(.)/g, '$1') });
      else throw new Error(`JSONPath "${text}": [${inner}] is not emulated (names, indexes and * are)`);
      i += close + 1;
    } else {
      throw new Error(`JSONPath "${text}": unexpected "${rest[0]}" at ${i}`);
    }
  }
  return { steps, definite: steps.every((s) => s.kind !== 'wildcard') };
}

function bracketEnd(rest: string): number {
  let quote: string | undefined;
  for (let j = 1; j < rest.length; j++) {
    const c = rest[j]!;
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return j;
  }
  return -1;
}

/** The value at `path` in `root` (a wildcard path: the list of matches). */
export function readJsonPath(root: unknown, path: JsonPath): unknown {
  let current: unknown[] = [root];
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'wildcard') {
        if (Array.isArray(value)) next.push(...value);
        else if (isObject(value)) next.push(...Object.values(value));
      } else if (step.kind === 'index') {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if (isObject(value) && Object.prototype.hasOwnProperty.call(value, step.key)) {
        next.push(value[step.key]);
      }
    }
    current = next;
  }
  return path.definite ? current[0] : current;
}

/** Templates and rules use a handful of constant paths: each is parsed once (throws as parseJsonPath). */
const compiled = new Map<string, JsonPath>();

export function compiledJsonPath(text: string): JsonPath {
  let path = compiled.get(text);
  if (!path) {
    path = parseJsonPath(String(text));
    if (compiled.size > 1_000) compiled.clear();
    compiled.set(text, path);
  }
  return path;
}

/** The value at the path `text` names in `root`; undefined where it selects nothing or is no path this reads. */
export function selectJsonPath(root: unknown, text: string): unknown {
  let path: JsonPath;
  try {
    path = compiledJsonPath(text);
  } catch {
    return undefined;
  }
  return readJsonPath(root, path);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
