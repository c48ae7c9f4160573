import { escapeHtml as h } from './escape.ts';
import type { ComparisonRunRow, SpreadFigure } from './comparison-model.ts';

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
`;

/** A figure over repeats as a cell: its median, and below it the min–max when the repeats differ. */
export function cell(t: SpreadFigure): string {
  return `${h(t.median)}${t.range ? `<span class="range">${h(t.range)}</span>` : ''}`;
}

/** A run directory as a relative link to its report; each path segment URL-encoded. */
export function runLink(dir: string | null, label: string): string {
  if (!dir) return h(label);
  const href = `${dir.replace(/\\/g, '/').replace(/\/+$/, '').split('/').map(encodeURIComponent).join('/')}/index.html`;
  return `<a href="${h(href)}">${h(label)}</a>`;
}

/** Why a run's checks failed: its lines as a list, "–" when every check passed. */
export function whyCell(r: Pick<ComparisonRunRow, 'why'>): string {
  return r.why.length > 0 ? `<ul class="why">${r.why.map((l) => `<li>${h(l.trim())}</li>`).join('')}</ul>` : '–';
}

/** A comparison's runs table: where, repeat, the run linked, status, counted (or why not), warnings, why. */
export function runsRows<R extends ComparisonRunRow>(runs: R[], whereCell: (r: R) => string): string[][] {
  return runs.map((r) => [
    whereCell(r),
    String(r.repeat),
    runLink(r.dir, r.run),
    `<span class="nw">${h(r.status)}</span>`,
    r.counted ? 'yes' : `<span class="bad-text">no</span> — ${h(r.leftOutBecause)}`,
    r.warnings.map((w) => h(w)).join('<br>'),
    whyCell(r),
  ]);
}
