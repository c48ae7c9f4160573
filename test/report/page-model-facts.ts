/**
 * Holds a page's renderers to its model: every leaf string the model holds (a figure, a reason,
 * a warning, a name) must appear, in the same words, in each rendering's readable text. A
 * renderer that shows less than the whole (the console is a summary) names the paths it leaves
 * out, each a pattern over the model's paths (`rows.*.range`, `charts`), so what a rendering
 * omits is a list in its test rather than a gap no one sees.
 */

export interface Fact {
  /** where in the model: `rows.0.broadcastP50.median` */
  path: string;
  text: string;
}

/** Every non-empty leaf string of the model, with its path. */
export function modelFacts(model: unknown, path = ''): Fact[] {
  if (typeof model === 'string') return model.trim() ? [{ path, text: model }] : [];
  if (Array.isArray(model)) return model.flatMap((x, k) => modelFacts(x, path ? `${path}.${k}` : String(k)));
  if (model && typeof model === 'object') return Object.entries(model).flatMap(([k, v]) => modelFacts(v, path ? `${path}.${k}` : k));
  return [];
}

/** `rows.*.range` matches `rows.3.range` and anything under it; `charts` matches everything under charts. */
function pathPattern(pattern: string): RegExp {
  const body = pattern
    .split('.')
    .map((part) => (part === '*' ? '[^.]+' : part.replace(/[$()+?[\]\\^{}|]/g, '\\$&')))
    .join('\\.');
  return new RegExp(`^${body}(\\.|$)`);
}

// eslint-disable-next-line no-control-regex
const squash = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\s+/g, ' ').trim();

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => ENTITIES[e]!);

/** index.html as a reader sees it: no script or style, block tags as spaces, inline tags dropped, entities decoded. */
export function htmlText(html: string): string {
  return squash(
    decode(
      html
        .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, ' ')
        .replace(/<\/?(td|th|tr|li|p|div|br|dd|dt|h\d|ul|ol|section|figure|figcaption|header|dl|table|thead|tbody|summary|details)\b[^>]*>/g, ' ')
        .replace(/<[^>]+>/g, ''),
    ),
  );
}

/** summary.md as a reader sees it: Markdown's backslash escapes undone, entities decoded. */
export function markdownText(md: string): string {
  return squash(decode(md.replace(/\\([\\`*_[\]|])/g, '$1')));
}

/** The console's lines as one text. */
export function consoleText(lines: string[] | string): string {
  return squash(Array.isArray(lines) ? lines.join('\n') : lines);
}

/**
 * The model's facts a rendering's text lacks (compared without case), as `path: "text"` (empty: it shows every fact), with
 * `omit` the paths it deliberately leaves out.
 */
export function missingFacts(model: unknown, text: string, omit: readonly string[] = []): string[] {
  const skip = omit.map(pathPattern);
  // a sentence's first letter may be capitalised where it starts one: case is not the fact
  const haystack = text.toLowerCase();
  return modelFacts(model)
    .filter((f) => !skip.some((p) => p.test(f.path)))
    .filter((f) => !haystack.includes(squash(f.text).toLowerCase()))
    .map((f) => `${f.path}: ${JSON.stringify(f.text)}`);
}

/**
 * The model with every non-empty leaf string replaced by a marker of its own (`⟨17⟩`): rendered
 * from it, a rendering that shows a fact from its input instead of from the model (its own
 * rounding, its own words) shows the input's value where the marker should be, and
 * missingFacts(marked, text) names it. Numbers, booleans and empty strings are left as they are
 * (they steer what a renderer shows, not what it says).
 */
export function markedModel<T>(model: T): T {
  let n = 0;
  const mark = (v: unknown): unknown => {
    if (typeof v === 'string') return v.trim() ? `⟨${n++}⟩` : v;
    if (Array.isArray(v)) return v.map(mark);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mark(x)]));
    return v;
  };
  return mark(model) as T;
}
