import type { MedianRange, RunRef } from '../../analyses/compare/compare-schema.ts';
import { escapeHtml as h } from './escape.ts';
import { runWhyLines } from './why-lines.ts';
import { spreadText } from './spread-format.ts';

/**
 * The HTML both comparison pages (memory sizes, a sweep) are built of: a figure over repeats as
 * a cell, a link to a run's own report, why a run's checks failed, and the style they add to the page's.
 */

export const EXTRA_STYLE = `
.reco .cards { grid-template-columns:repeat(auto-fit,minmax(240px,1fr)); }
.reco .card .sub { color:#334155; }
.swatch { display:inline-block; width:10px; height:10px; border-radius:50%; margin-right:6px; vertical-align:baseline; }
.range { display:block; color:var(--muted); font-size:11px; }
.notes li { margin:4px 0; }
.nw { white-space:nowrap; word-break:normal; }
`;

/** A figure over repeats as a cell: its median, and below it the min–max when the repeats differ. */
export function cell(s: MedianRange | null | undefined, fmt: (n: number) => string): string {
  const t = spreadText(s, fmt);
  return `${h(t.median)}${t.range ? `<span class="range">${h(t.range)}</span>` : ''}`;
}

/** A run directory as a relative link to its report; each path segment URL-encoded. */
export function runLink(dir: string | null, label: string): string {
  if (!dir) return h(label);
  const href = `${dir.replace(/\\/g, '/').replace(/\/+$/, '').split('/').map(encodeURIComponent).join('/')}/index.html`;
  return `<a href="${h(href)}">${h(label)}</a>`;
}

/** Why a run's checks failed, from its own evidence (runWhy): its lines as a list, "–" when every check passed. */
export function whyCell(r: RunRef): string {
  return r.why ? `<ul class="why">${runWhyLines(r.why).map((l) => `<li>${h(l.trim())}</li>`).join('')}</ul>` : '–';
}
