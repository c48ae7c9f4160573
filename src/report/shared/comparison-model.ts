import type { MedianRange, RunRef } from '../../analyses/compare/compare-schema.ts';
import { fmtInt } from '../../number-format.ts';
import { spreadText } from './spread-format.ts';
import { runExplanationLines } from './explanation-lines.ts';

/**
 * What both comparison pages' models (a memory comparison, a sweep) hold alike: a figure over
 * repeats already worded, and a run of a size or point as its rows say it. Plain text.
 */

/** A figure over repeats: its median, and the min–max when the repeats differ ('' otherwise). */
export interface SpreadFigure {
  median: string;
  range: string;
}

export const spreadFigure = (s: MedianRange | null | undefined, fmt: (n: number) => string): SpreadFigure => spreadText(s, fmt);

export interface ComparisonRunRow {
  /** the size or point it ran: "256 MB", "10 members" */
  where: string;
  repeat: number;
  /** the run's id, or "(no results)" */
  run: string;
  /** its directory relative to the comparison's (null: none) */
  dir: string | null;
  status: string;
  counted: boolean;
  /** why it is left out of the medians ('' when counted) */
  leftOutBecause: string;
  warnings: string[];
  /** its failed checks and why, one line each (empty: every check passed) */
  why: string[];
}

export function comparisonRunRow(where: string, r: RunRef): ComparisonRunRow {
  return {
    where,
    repeat: r.repeat,
    run: r.runId ?? '(no results)',
    dir: r.dir,
    status: r.status,
    counted: r.included,
    leftOutBecause: r.included ? '' : (r.excludedBecause ?? ''),
    warnings: r.warnings,
    why: r.why ? runExplanationLines(r.why) : [],
  };
}

/** Each counted run's local-host warnings, as its own summary says them: "256 MB repeat 1", the line. */
export function hostWarningRows(groups: Array<{ where: string; runs: RunRef[] }>): Array<{ where: string; line: string }> {
  return groups.flatMap((g) => g.runs.flatMap((r) => (r.hostWarnings ?? []).map((line) => ({ where: `${g.where} repeat ${r.repeat}`, line }))));
}

/** Repeats of a size or point left out of its medians while others counted. */
export function leftOutRepeats(where: string, runs: RunRef[]): { where: string; repeats: Array<{ repeat: number; reason: string }> } {
  return { where, repeats: runs.filter((r) => !r.included).map((r) => ({ repeat: r.repeat, reason: r.excludedBecause ?? '' })) };
}

/** How many of a size's or point's runs counted, as every rendering says it: "2 of 3" (never "2/3"). */
export function countedOf(runs: readonly Pick<RunRef, 'included'>[]): string {
  return `${fmtInt(runs.filter((r) => r.included).length)} of ${fmtInt(runs.length)}`;
}

/** A run's summary.md link to its report (relative, each character Markdown links need encoded). */
export function markdownRunLink(dir: string | null, escapedName: string): string {
  return dir ? `[${escapedName}](${encodeURI(`${dir.replace(/\\/g, '/').replace(/\/+$/, '')}/index.html`).replace(/[()]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)})` : escapedName;
}
