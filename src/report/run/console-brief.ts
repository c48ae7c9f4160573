import type { LatencySummary, Results } from '../../contracts/results-schema.ts';
import { checkJudged, type Verdict } from '../../contracts/verdict-schema.ts';
import { fmtCount, fmtInt, fmtMs } from '../../number-format.ts';
import { CONSOLE_WIDTH, consoleLines, fitLines } from '../shared/console-lines.ts';
import { firstCause } from '../../diagnosis/first-cause.ts';
import type { LatencyFigures } from './attribution-model.ts';
import { costLine, deliveriesLine, errorLines, headlineLine, sendsLine } from './console-figures.ts';
import { runPageModel } from './page-model.ts';
import { moreLine } from '../shared/console-sections.ts';
import { BRIEF_MAX_LINES } from '../shared/summary-length.ts';
import { explanationOf, OUTCOME_TEXT, VERDICT_HEADLINE } from './verdict-text.ts';

/**
 * A run's console read at a glance (the default; `--summary full` prints console.ts): at most
 * BRIEF_MAX_LINES lines. The headline, any AWS call the emulator did not serve (it breaks what it
 * was for), one latency table saying whose figure each row is, the sends and the deliveries, the
 * errors and the cost, each check ✓/✗ with the first cause of the first that failed, one line
 * naming what the full summary adds, and where the results and the report are. Pure.
 */

/** The latency rows: the key, its label, and the metric used where the page model has no figures for it. */
const ROWS: Array<[LatencyFigures['key'], string]> = [
  ['connect', 'connect'],
  ['join', 'join'],
  ['ack', 'ack'],
  ['broadcast', 'broadcast'],
  ['fanoutCompletion', 'fan-out'],
];

export interface ConsoleFiles {
  results: string;
  /** index.html, where it was written */
  report?: string;
}

export function briefConsoleSummary(r: Results, files: ConsoleFiles, full: readonly string[], width: number = CONSOLE_WIDTH): string {
  const page = runPageModel(r);
  const head = [headlineLine(r), ...capped(page.unservedCalls.map((l) => `  not run here ${l}`), 2, 'calls the emulator did not serve')];
  const table = latencyTable(r, page.attribution.latencies);
  const saturated = r.harness.saturated ? [`  harness      SATURATED: the clients' figures include the harness's own delay`] : [];
  const body = [...table, sendsLine(r), deliveriesLine(r), ...errorLines(page), ...[costLine(r)].filter((l) => l !== undefined), ...saturated];
  // every part fitted to the width before it is counted: a long line broken at its clauses takes more than one
  const fit = (lines: readonly string[]) => consoleLines(lines, width, 'summary.md');
  const tail = fit([`results: ${files.results}`, ...(files.report ? [`report:  ${files.report}`] : [])]);
  const shown = fit([...head, ...body]);
  // what is left for the verdict: the cap, less the lines around it and the one naming the rest
  const room = BRIEF_MAX_LINES - shown.length - tail.length - 1;
  const verdict = r.verdict ? verdictBrief(r.verdict, room, fit) : [];
  const more = whatFullAdds(full, [...shown, ...verdict]);
  // the one line naming the rest is cut, never broken
  return `${[...shown, ...verdict, ...(more ? fitLines([more], width, 'summary.md') : []), ...tail].join('\n')}\n`;
}

/** At most `n` of `lines`, the rest counted on the last. */
function capped(lines: string[], n: number, what: string): string[] {
  return lines.length <= n ? lines : [...lines.slice(0, n - 1), `               … ${fmtInt(lines.length - n + 1)} more ${what} (in summary.md)`];
}

/**
 * One aligned table: per request kind, whose figure it is ("stack" where the local host held
 * invocations back and its hold is taken out, else "client", as the clients timed it), then n,
 * p50, p90, p99 and max.
 */
function latencyTable(r: Results, figures: readonly LatencyFigures[]): string[] {
  const unseen = r.protocol?.notObservable ?? {};
  const rows: string[][] = [];
  for (const [key, label] of ROWS) {
    if (key === 'join' && unseen['metrics.join']) continue;
    const f = figures.find((x) => x.key === key);
    const s: LatencySummary | undefined = f?.stack ?? f?.client ?? r.metrics[key];
    if (!s || s.count === 0) continue;
    rows.push([label, f?.stack ? 'stack' : 'client', fmtInt(s.count), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p99), fmtMs(s.max)]);
  }
  if (rows.length === 0) return [];
  const header = ['latency', 'whose', 'n', 'p50', 'p90', 'p99', 'max'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // names to the left (the first in the label column every console line has), figures to the right
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i < 2 ? c.padEnd(i === 0 ? 11 : widths[i]!) : c.padStart(widths[i]!))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * The verdict in `room` lines at most: its headline; each check and threshold ✓ or ✗ (– where
 * nothing was judged), the first cause and what would move it under the one it explains. Where
 * they do not all fit, the passed ones are counted on one line, then the failed ones are cut.
 */
function verdictBrief(v: Verdict, room: number, fit: (lines: readonly string[]) => string[]): string[] {
  const cause = firstCause(v);
  const causeLines = (name: string, threshold: boolean): string[] => {
    if (!cause || cause.check !== name || !explanationOf(v, name, threshold)) return [];
    return [`      first cause: ${cause.line}`, `      what would move it: ${cause.remedy}`];
  };
  const failed: string[][] = [];
  const passed: string[] = [];
  for (const c of v.checks) {
    if (c.passed) passed.push(c.name);
    else failed.push(fit([`  ${checkJudged(c) ? '✗' : '–'} ${c.name}: ${c.detail}`, ...causeLines(c.name, false)]));
  }
  for (const t of v.thresholds) {
    if (t.outcome === 'pass') passed.push(t.expression);
    else if (t.outcome === 'fail') failed.push(fit([`  ✗ ${t.expression}: ${t.detail}`, ...causeLines(t.expression, true)]));
    else failed.push(fit([`  – ${t.expression}: ${OUTCOME_TEXT[t.outcome]}: ${t.detail}`]));
  }
  const headline = fit([`verdict: ${VERDICT_HEADLINE[v.outcome]}: ${v.summary}`]);
  const each = fit(passed.map((name) => `  ✓ ${name}`));
  const failedLines = failed.flat();
  if (headline.length + each.length + failedLines.length <= room) return [...headline, ...each, ...failedLines];
  const passedLine = passed.length > 0 ? [`  ✓ ${fmtCount(passed.length, 'check')} passed`] : [];
  const left = room - headline.length - passedLine.length;
  if (failedLines.length <= left) return [...headline, ...failedLines, ...passedLine];
  // whole entries while they fit, the rest counted
  const kept: string[] = [];
  let n = 0;
  for (const f of failed) {
    if (kept.length + f.length > left - 1) break;
    kept.push(...f);
    n++;
  }
  return [...headline, ...kept, `  ✗ … ${fmtInt(failed.length - n)} more not passed (in summary.md)`, ...passedLine];
}

/**
 * The one line naming what `--summary full` adds: the labels of its lines this summary has no
 * line of (cold/warm, path, quota, permissions, harness, …), and how many lines they are.
 */
function whatFullAdds(full: readonly string[], brief: readonly string[]): string | undefined {
  // a label is the 12 columns after two spaces ("  sends        …"), or a word and a colon ("  warning: …")
  const labelOf = (l: string): string | undefined => {
    if (!/^ {2}\S/.test(l)) return undefined;
    const word = /^ {2}(\w+):/.exec(l)?.[1];
    if (word) return word;
    return l.length > 14 && l[14] === ' ' ? l.slice(2, 14).trim() : undefined;
  };
  const shown = new Set(brief.map(labelOf).filter((x) => x !== undefined));
  const counts = new Map<string, number>();
  let current: string | undefined;
  for (const l of full) {
    if (l.startsWith('verdict:') || l.startsWith('results:')) break;
    // a line under a label (indented, no label of its own) belongs to it
    const label = labelOf(l) ?? (l.startsWith('    ') || l.startsWith('               ') ? current : undefined);
    current = label;
    if (label === undefined || shown.has(label)) continue;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return moreLine(counts);
}
