import { escapeHtml as h } from '../shared/escape.ts';
import { wholeWords } from '../shared/html-parts.ts';
import { fmtMs } from '../../number-format.ts';
import type { AttributionModel, LatencyFigures } from './attribution-model.ts';
import {
  coldMeansText,
  coldPointsText,
  FIGURE_LABEL,
  FIGURE_MEANS,
  figuresMeanText,
  hostHoldText,
  KIND_HEAD,
  KIND_MEANS,
  kindCells,
  ROUTE_HEAD,
  routeCells,
  routesMeansText,
  sourceText,
  STACK_FIRST_TEXT,
  TAIL_HEAD,
  TAIL_MEANS,
  tailCells,
  untracedText,
} from './cold-warm-text.ts';

/**
 * index.html's part of the attribution model (attribution-model.ts): the headline cards with the
 * stack's figure first, the host's banner, and the cold-against-warm section. Pure; every text
 * from the target (routes, functions, reasons, notes) is escaped.
 */

/** The page's style for what this file adds (the shared style knows nothing of it). */
export const ATTRIBUTION_STYLE = `
.card .who { font-size:11px; font-weight:600; color:var(--muted); margin-left:4px; letter-spacing:.02em; }
.card .beside { font-size:14px; font-variant-numeric:tabular-nums; color:#334155; }
.card.stack-first .value .who { color:var(--accent); }
table.attribution th, table.attribution td { word-break:normal; overflow-wrap:normal; white-space:nowrap; }
table.attribution .wrap { white-space:normal; }
table.attribution code { word-break:normal; }
table.attribution th.t, table.attribution td.t { text-align:left; }
.card .sub .nw { white-space:nowrap; }
`;

/** A headline card: the stack's p99 first, labelled, the client's beside it; or the one figure. */
export function latencyCard(f: LatencyFigures): string {
  const label = `${h(f.label)} p99`;
  if (!f.stack) return `<div class="card" data-card="${h(f.key)}"><div class="label">${label}</div><div class="value">${fmtMs(f.client.p99)}</div><div class="sub">p50 ${fmtMs(f.client.p50)}</div></div>`;
  return (
    `<div class="card stack-first" data-card="${h(f.key)}"><div class="label">${label}</div>` +
    `<div class="value" title="${h(FIGURE_MEANS.stack)}">${fmtMs(f.stack.p99)}<span class="who">${FIGURE_LABEL.stack}</span></div>` +
    `<div class="beside" title="${h(FIGURE_MEANS.client)}">${fmtMs(f.client.p99)}<span class="who">${FIGURE_LABEL.client}</span></div>` +
    `<div class="sub">p50 <span class="nw">${fmtMs(f.stack.p50)} ${FIGURE_LABEL.stack}</span> · <span class="nw">${fmtMs(f.client.p50)} ${FIGURE_LABEL.client}</span></div></div>`
  );
}

/** Under the cards: what the labels mean, or that the host held nothing back (one figure, they are equal). */
export function cardsNote(m: AttributionModel): string {
  if (m.stackFirst) return `<p class="note cards-note">${h(STACK_FIRST_TEXT[0]!.toUpperCase() + STACK_FIRST_TEXT.slice(1))}.</p>`;
  const hold = hostHoldText(m);
  return hold ? `<p class="note cards-note">The host ${h(hold)}.</p>` : '';
}

/** The yellow box where the host held the stack back, from the attribution's own count and waits. */
export function hostBanner(m: AttributionModel, warnings: string[]): string {
  const hold = hostHoldText(m);
  const list = warnings.length ? `<ul>${warnings.map((w) => `<li>${h(w)}</li>`).join('')}</ul>` : '';
  return `<div class="banner warn host-held"><strong>The local host held the stack back.</strong> It ${h(hold!)}: a client that waited on it saw the emulator's host queueing, which AWS would not have (see Local host). The figures give the stack's latency first (<em>${FIGURE_LABEL.stack}</em>, ${h(FIGURE_MEANS.stack)}) and the client's beside it (<em>${FIGURE_LABEL.client}</em>).${list}</div>`;
}

/** How a table's columns are set: which may wrap, which are text (left-aligned), which are code. */
interface Columns {
  wrap?: number[];
  text?: number[];
  code?: number[];
}

/**
 * A table of text cells: each escaped; numbers right-aligned and unbroken, the wordy columns may
 * wrap between words. In the shared `table-wrap`, as the page's other tables are: a user's
 * function names (CloudFormation's, long) scroll within the section rather than widen the page.
 */
function textTable(head: string[], rows: string[][], id: string, cols: Columns = {}): string {
  const is = (list: number[] | undefined, i: number) => list?.includes(i) ?? false;
  const attrs = (i: number) => (i > 0 && is(cols.text, i) ? ' class="t"' : '');
  const inner = (text: string, i: number) => (is(cols.wrap, i) ? `<span class="wrap">${text}</span>` : text);
  const cell = (c: string, i: number) => `<td${attrs(i)}>${inner(is(cols.code, i) && c !== '–' ? `<code>${h(c)}</code>` : h(c), i)}</td>`;
  return wholeWords(`<div class="table-wrap"><table class="num attribution" data-table="${h(id)}"><thead><tr>${head.map((c, i) => `<th${attrs(i)}>${inner(h(c), i)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(cell).join('')}</tr>`)
    .join('')}</tbody></table></div>`);
}

/**
 * The "Cold vs warm" section's body from results.attribution: where the split comes from, per kind
 * (like with like), the tail, what was not traced, per route, the notes; then `rest` (the chart and
 * the REPORT lines' Init durations, as the page always showed them).
 */
export function coldWarmBody(m: AttributionModel, rest: { chart: string; reports: string }): string {
  const cw = m.coldWarm!;
  const kindTable = textTable(KIND_HEAD, cw.rows.map(kindCells), 'cold-warm', { wrap: [2], text: [1] });
  const kindMeans = `<ul class="note kinds">${cw.rows.map((row) => `<li><strong>${h(row.kind)}</strong>: ${h(KIND_MEANS[row.kind])}</li>`).join('')}</ul>`;
  const points = coldPointsText(cw);
  const notes = [...cw.notes, ...(points ? [points] : [])];
  return (
    `<p class="note source">From ${h(sourceText(cw))}. ${h(coldMeansText(cw))}; ${h(figuresMeanText(cw))}.</p>` +
    kindTable +
    kindMeans +
    `<p class="note untraced${cw.requests.unattributed ? ' bad-text' : ''}">${h(untracedText(cw))}</p>` +
    `<div class="grid two"><div><h3>How much of the tail is cold</h3><p class="note">${h(TAIL_MEANS)}.</p>${textTable(TAIL_HEAD, cw.rows.map(tailCells), 'cold-tail')}</div>${rest.chart}</div>` +
    (cw.routes.length ? `<h3>By route</h3><p class="note">${h(routesMeansText(m))}.</p>${textTable(ROUTE_HEAD, cw.routes.map(routeCells), 'cold-routes', { wrap: [3], text: [1, 2], code: [0, 1] })}` : '') +
    (notes.length ? `<ul class="verdict-notes cold-notes">${notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : '') +
    rest.reports
  );
}
