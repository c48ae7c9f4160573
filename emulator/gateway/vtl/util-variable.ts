/**
 * `$util` of API Gateway's mapping templates: the six functions AWS documents ("API Gateway mapping
 * template and access logging variable reference"), each as the Java behind it behaves, since
 * that is what a deployed template meets:
 * - escapeJavaScript: JavaScript string rules (Commons Lang's escapeJavaScript): `'` → `\'` (AWS
 *   notes it, and that JSON needs `.replaceAll("\\'","'")` after it), `"` → `\"`, `\` → `\\`,
 *   `/` → `\/`, control characters as `\n`, `\t`… or `\u00XX`, and every character past ASCII as
 *   `\uXXXX` (upper-case hex, UTF-16 units);
 * - urlEncode / urlDecode: `application/x-www-form-urlencoded` (java.net.URLEncoder): letters,
 *   digits and `.-*_` kept, a space as `+`, anything else as `%XX` of its UTF-8 bytes;
 * - base64Encode / base64Decode: standard base64 of the UTF-8 text;
 * - parseJson: the object a JSON text stands for (a bad text fails the template).
 * A null argument gives null, as the Java functions do.
 */

export const UTIL_FUNCTIONS = ['escapeJavaScript', 'parseJson', 'urlEncode', 'urlDecode', 'base64Encode', 'base64Decode'] as const;

const CONTROL: Record<string, string> = { '\b': '\\b', '\n': '\\n', '\t': '\\t', '\f': '\\f', '\r': '\\r' };
const PLAIN: Record<string, string> = { "'": "\\'", '"': '\\"', '\\': '\\\\', '/': '\\/' };

export function escapeJavaScript(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = text.charCodeAt(i);
    if (code > 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else if (code < 32) out += CONTROL[ch] ?? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += PLAIN[ch] ?? ch;
  }
  return out;
}

const FORM_SAFE = /[A-Za-z0-9.\-*_]/;

export function urlEncode(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  let out = '';
  for (const ch of String(value)) {
    if (ch === ' ') out += '+';
    else if (FORM_SAFE.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function urlDecode(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  const bytes: number[] = [];
  let out = '';
  const flush = () => {
    if (bytes.length > 0) out += Buffer.from(bytes).toString('utf8');
    bytes.length = 0;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`urlDecode: incomplete escape "%${hex}" at ${i}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
      continue;
    }
    flush();
    out += ch === '+' ? ' ' : ch;
  }
  flush();
  return out;
}

export function base64Encode(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return Buffer.from(String(value), 'utf8').toString('base64');
}

export function base64Decode(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return Buffer.from(String(value), 'base64').toString('utf8');
}

export function parseJson(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return JSON.parse(String(value));
}

/** The `$util` object a template sees (copied per render: velocityjs writes to it). */
export const utilVariable: Readonly<Record<(typeof UTIL_FUNCTIONS)[number], (value: unknown) => unknown>> = {
  escapeJavaScript,
  parseJson,
  urlEncode,
  urlDecode,
  base64Encode,
  base64Decode,
};
