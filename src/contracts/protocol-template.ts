/**
 * The templates a described protocol writes its frames, URL parameters and headers in: text with
 * `{{variable}}` holes. Parsed once into literal parts and variable references, so rendering one
 * frame on the send path is a few string concatenations; a template object (a JSON frame written
 * as YAML) is serialized once and then treated as text, its values escaped as JSON strings.
 */
export const TEMPLATE_VARIABLES = ['room', 'client', 'token', 'run', 'probe'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

export interface ParsedTemplate {
  /** literal text before each variable, then the tail: literals.length === vars.length + 1 */
  literals: string[];
  vars: TemplateVariable[];
  /** values are escaped for a JSON string (the template was an object, or the text is JSON) */
  json: boolean;
}

const HOLE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Parses a template; throws an Error naming the unknown variable (callers prefix the field). */
export function parseTemplate(template: unknown, allowed: readonly TemplateVariable[]): ParsedTemplate {
  const json = typeof template !== 'string';
  const text = json ? JSON.stringify(template) : (template as string);
  const literals: string[] = [];
  const vars: TemplateVariable[] = [];
  let last = 0;
  for (const m of text.matchAll(HOLE)) {
    const name = m[1] as TemplateVariable;
    if (!(allowed as readonly string[]).includes(name)) {
      const known = allowed.map((v) => `{{${v}}}`).join(', ');
      throw new Error(`unknown template variable {{${m[1]}}} (known here: ${known})`);
    }
    literals.push(text.slice(last, m.index));
    vars.push(name);
    last = m.index! + m[0].length;
  }
  literals.push(text.slice(last));
  return { literals, vars, json: json || looksLikeJson(text) };
}

function looksLikeJson(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith('{') || t.startsWith('[');
}

export type TemplateValues = Partial<Record<TemplateVariable, string>>;

/** The template with its variables filled in (a missing value renders empty). */
export function renderTemplate(t: ParsedTemplate, values: TemplateValues): string {
  let out = t.literals[0];
  for (let i = 0; i < t.vars.length; i++) {
    const v = values[t.vars[i]] ?? '';
    out += (t.json ? escapeJson(v) : v) + t.literals[i + 1];
  }
  return out;
}

/** A value as the inside of a JSON string (the harness's own values need none: fast path). */
function escapeJson(v: string): string {
  return /["\\\u0000-\u001f]/.test(v) ? JSON.stringify(v).slice(1, -1) : v;
}

export function usesVariable(t: ParsedTemplate, v: TemplateVariable): boolean {
  return t.vars.includes(v);
}
