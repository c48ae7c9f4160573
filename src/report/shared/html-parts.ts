import { escapeHtml as h } from './escape.ts';

/**
 * Section, chart box and table for every HTML report, kept once so the pages cannot drift in how
 * they escape or what an empty table or chart says.
 *
 * Escaping: a section's title and intro are plain text, escaped here once (callers pass them
 * unescaped). An intro that needs markup is written with the `html` tag, which escapes each
 * `${value}` it interpolates. Bodies, table heads and cells are markup their callers escape.
 */

/** Markup made by the `html` tag: its literal text is trusted, every interpolated value escaped. */
export class Html {
  private constructor(readonly markup: string) {}

  static tag(strings: TemplateStringsArray, ...values: unknown[]): Html {
    // an Html value nests as is, so markup built in two steps is not escaped twice
    const parts = values.map((v, i) => (v instanceof Html ? v.markup : h(v)) + strings[i + 1]);
    return new Html(strings[0] + parts.join(''));
  }
}

/** html`Duration of <code>${fn}</code>`: an intro with markup, `fn` escaped. */
export const html = Html.tag;

export function section(title: string, intro: string | Html, body: string): string {
  const text = intro instanceof Html ? intro.markup : h(intro);
  return `<section><h2>${h(title)}</h2>${text ? `<p class="intro">${text}</p>` : ''}${body}</section>`;
}

/** The one empty state of a chart and of a table. */
export const NO_CHART_DATA = 'No data for this chart.';
export const NO_TABLE_ROWS = 'No data.';

/**
 * A chart for the page's script to draw (by `data-chart`); a chart whose data says `empty`
 * (an EmptyChart, empty-chart.ts) is its title and that reason (which data it lacks and why)
 * instead. Every page's chart data names every chart it shows, an empty one too; a chart with no
 * spec at all is the bare empty state, which the layout rule (test/report/page-layout-rule.ts)
 * fails as untitled.
 */
export function chartBox<C extends { [K in keyof C]?: { title: string; empty?: string } }>(charts: C, id: keyof C & string): string {
  const spec = charts[id];
  if (!spec) return `<div class="chart-box empty"><p class="no-data">${NO_CHART_DATA}</p></div>`;
  if (spec.empty !== undefined) return emptyChartBox(spec.title, spec.empty);
  return `<figure class="chart-box"><figcaption>${h(spec.title)}</figcaption><div class="chart" data-chart="${h(id)}"></div></figure>`;
}

/** A chart with nothing to draw: its title, and under it which data it lacks and why (plain text, or markup from `html`). */
export function emptyChartBox(title: string | Html, why: string | Html): string {
  const text = (t: string | Html) => (t instanceof Html ? t.markup : h(t));
  return `<figure class="chart-box empty"><figcaption>${text(title)}</figcaption><p class="no-data">${text(why)}</p></figure>`;
}

/**
 * A table of markup cells (escaped by the caller), in a box that scrolls sideways when the table
 * cannot fit (its words are never broken to make it fit: wholeWords). No rows reads as a "no data"
 * line, in the style of an empty chart; a caller whose table is optional leaves it out itself
 * (`rows.length ? table(…) : ''`).
 */
export function table(head: string[], rows: string[][], cls = ''): string {
  if (rows.length === 0) return `<p class="no-data">${NO_TABLE_ROWS}</p>`;
  return `<div class="table-wrap"><table${cls ? ` class="${h(cls)}"` : ''}><thead><tr>${head.map((c) => `<th>${wholeWords(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${wholeWords(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

/**
 * A word shorter than this never wraps, not even at its hyphen or slash (`fanout-connect`,
 * `requests/s`); a longer one (an ARN, a policy's resource) may wrap at its separators, where a
 * line of its own would not hold it. The layout rule (test/report/page-layout-rule.ts) holds both.
 */
export const SHORT_WORD = 25;

/** A separator a browser breaks a line after, inside a word (after `.` or `:` it does not: `37.7`, `12:03`). */
const BREAKS_AFTER = /[-/–—]/;

/** Plain text escaped, wrapping between words only (wholeWords). */
export function words(text: string): string {
  return wholeWords(h(text));
}

/**
 * Markup whose text wraps between words only: each word shorter than SHORT_WORD that a browser
 * could break after a separator is kept whole in a `.nw` span. Tags and their attributes are left
 * as they are, and so is text already in a `.nw` span (a whole table's markup may be passed, its
 * cells done before); an entity counts as the one character it shows.
 */
export function wholeWords(markup: string): string {
  const keep = (w: string) => BREAKS_AFTER.test(w.slice(0, -1)) && w.replace(/&[#\w]+;/g, '_').length < SHORT_WORD;
  const parts = markup.split(/(<[^>]*>)/);
  return parts
    .map((part, i) => (part.startsWith('<') || parts[i - 1] === NW ? part : part.replace(/[^\s<>]+/g, (w) => (keep(w) ? `${NW}${w}</span>` : w))))
    .join('');
}

const NW = '<span class="nw">';
