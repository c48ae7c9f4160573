import { isMap, javaText } from './java-text.ts';

/**
 * The Java methods templates call on strings and lists where JavaScript's differ (API Gateway runs
 * VTL on Java, so `$s.replaceAll("\\'","'")`, AWS's own advice after escapeJavaScript, is a regex
 * replace of every match): `replaceAll`/`replaceFirst`/`matches`/`split` take a Java regex and
 * replacement, `replace` replaces every occurrence of a literal, `length()`, `isEmpty()`,
 * `contains()`, `equals()`, `equalsIgnoreCase()`, `toString()`; lists answer `size()`, `isEmpty()`,
 * `contains()` and `count()` (the WebSocket reference's `$input.path('$.pets').count()`), `add(x)`
 * true as Java's List does; a map's `put(k, v)` answers the value it replaced (null for a new key,
 * which prints nothing), as Java's Map does; `toString()` of a map or list is how it prints
 * (java-text.ts). Maps' `get`, `keySet`, `size`, `remove`… are velocityjs's own.
 */

/** velocityjs's custom method handler (its CompileConfig's, not exported by the package). */
export interface MethodHandler {
  uid: string;
  match: (payload: { property: string; context: unknown; params: unknown[] }) => boolean;
  resolve: (payload: { property: string; context: unknown; params: unknown[] }) => unknown;
}

type Handler = MethodHandler;

const onString = (name: string, resolve: (s: string, params: unknown[]) => unknown): Handler => ({
  uid: `java: String.${name}`,
  match: ({ property, context }) => property === name && typeof context === 'string',
  resolve: ({ context, params }) => resolve(context as string, params),
});

const onList = (name: string, resolve: (list: unknown[], params: unknown[]) => unknown): Handler => ({
  uid: `java: List.${name}`,
  match: ({ property, context }) => property === name && Array.isArray(context),
  resolve: ({ context, params }) => resolve(context as unknown[], params),
});

/** A Java regex as a JavaScript one (a leading `(?i)` becomes the i flag). */
export function javaRegex(pattern: unknown, global: boolean): RegExp {
  let source = String(pattern);
  let flags = global ? 'g' : '';
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]!) if (f !== 'x' && !flags.includes(f)) flags += f;
  }
  return new RegExp(source, flags);
}

/** A Java replacement (`$1` a group, `\x` a literal x) applied to one match. */
export function javaReplacement(replacement: unknown): (match: string, ...groups: unknown[]) => string {
  const text = String(replacement);
  return (match, ...rest) => {
    const groups = rest.slice(0, rest.findIndex((g) => typeof g === 'number'));
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\\' && i + 1 < text.length) out += text[++i];
      else if (ch === '$' && /\d/.test(text[i + 1] ?? '')) {
        const n = Number(text[++i]);
        out += n === 0 ? match : String(groups[n - 1] ?? '');
      } else out += ch;
    }
    return out;
  };
}

const onMap = (name: string, resolve: (map: Record<string, unknown>, params: unknown[]) => unknown): Handler => ({
  uid: `java: Map.${name}`,
  match: ({ property, context }) => property === name && isMap(context),
  resolve: ({ context, params }) => resolve(context as Record<string, unknown>, params),
});

export const JAVA_METHODS: Handler[] = [
  onString('replaceAll', (s, [re, rep]) => s.replace(javaRegex(re, true), javaReplacement(rep))),
  onString('replaceFirst', (s, [re, rep]) => s.replace(javaRegex(re, false), javaReplacement(rep))),
  onString('replace', (s, [target, rep]) => s.split(String(target)).join(String(rep))),
  onString('matches', (s, [re]) => new RegExp(`^(?:${javaRegex(re, false).source})$`, javaRegex(re, false).flags).test(s)),
  onString('split', (s, [re]) => {
    const parts = s.split(javaRegex(re, false));
    // Java drops trailing empty strings
    while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts;
  }),
  onString('length', (s) => s.length),
  onString('isEmpty', (s) => s.length === 0),
  onString('contains', (s, [part]) => s.includes(String(part))),
  onString('equals', (s, [other]) => s === (other === null || other === undefined ? other : String(other))),
  onString('equalsIgnoreCase', (s, [other]) => typeof other === 'string' && s.toLowerCase() === other.toLowerCase()),
  onString('toString', (s) => s),
  onList('size', (list) => list.length),
  onList('count', (list) => list.length),
  onList('isEmpty', (list) => list.length === 0),
  onList('contains', (list, [item]) => list.includes(item)),
  onList('add', (list, [item]) => {
    list.push(item);
    return true;
  }),
  onList('toString', (list) => javaText(list)),
  onMap('put', (map, [key, value]) => {
    const k = String(key);
    const previous = Object.prototype.hasOwnProperty.call(map, k) ? map[k] : null;
    map[k] = value;
    return previous;
  }),
  onMap('toString', (map) => javaText(map)),
];
