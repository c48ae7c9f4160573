/** Escaping for text the target or the user controls (error kinds, payloads, names, reasons). */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For HTML text and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML[c]);
}

/** For XML text and attributes; also drops the control characters XML 1.0 cannot carry. */
export function escapeXml(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  return escapeHtml(value).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');
}

/**
 * JSON to embed inside <script>: `<`, `>` and `&` become \u escapes (so `</script>` or `<!--`
 * in any string cannot end or alter the script element), as do the two line separators
 * JavaScript once treated as newlines. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Markdown table cell / inline text: HTML-escaped (GitHub renders inline HTML) and pipes escaped. */
export function escapeMarkdown(value: unknown): string {
  return escapeHtml(value)
    .replace(/([\\`*_[\]])/g, '\\$1')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}
