import type { Comparison } from '../../analyses/compare/compare-schema.ts';
import { comparePageModel, type ComparePageModel } from './page-model.ts';

/**
 * The comparison's console summary (stdout at the end of `compare`): one line per size with
 * medians, then the recommendation per strategy and anything excluded. Plain text, no colour.
 * Returns lines without newlines; the command prints them and the paths of the files. A
 * rendering of the page's model (page-model.ts), as summary.md and index.html are.
 */
export function renderCompareConsole(c: Comparison, m: ComparePageModel = comparePageModel(c)): string[] {
  const fig = m.figureSuffix;
  const head = ['memory', 'runs', 'Duration', 'INIT', 'cold', `bcast p50${fig}`, `bcast p99${fig}`, `conn p99${fig}`, 'GB-s', 'Lambda $/1M', 'whole $/1M'];
  const rows = m.rows.map((s) => [
    s.memory,
    s.countedOf,
    s.durationMean.median,
    s.initMean.median,
    s.coldStarts.median,
    s.broadcastP50.median,
    s.broadcastP99.median,
    s.connectP99.median,
    s.gbSeconds.median,
    s.lambdaCost.median,
    s.totalCost.median,
  ]);
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => `  ${cells.map((x, k) => (k === 0 ? x.padEnd(widths[k]) : x.padStart(widths[k]))).join('  ')}`.trimEnd();

  const out = [
    `fanout-bench compare ${plain(m.scenario)}: ${plain(m.functions.join(', '))} at ${m.sizes}, ${m.repeat} repeat${m.repeat === 1 ? '' : 's'} each (medians over the repeats; Duration: mean over the compared functions' invocations)`,
    line(head),
    ...rows.map(line),
  ];
  if (m.figureNote) out.push(`  ${m.figureNote}`);
  for (const d of m.hostDecided) out.push(`  host decided: ${plain(d)}`);
  for (const r of m.recommendations) out.push(`  ${`${r.title}:`.padEnd(24)} ${r.pick}${r.withinNoise ? ` (${r.withinNoise})` : ''}${r.picked ? '' : ` — ${plain(r.reason)}`}`);
  for (const e of m.excluded) out.push(`  excluded ${e.memory}: ${plain(e.reason)}`);
  for (const s of m.leftOut) for (const r of s.repeats) out.push(`  left out ${s.where} repeat ${r.repeat}: ${plain(r.reason)}`);
  for (const w of m.hostWarnings) out.push(`  host ${w.where}: ${plain(w.line)}`);
  for (const r of m.runs) if (r.why.length > 0) out.push(`  why ${r.where} repeat ${r.repeat}:`, ...r.why.map((l) => `    ${plain(l)}`));
  if (m.latencyRankedNotDefault) out.push(`  speed and balanced rank ${m.latencyRanked}`);
  return out;
}

/** Reasons can quote the target (a run's statusReason): no terminal control sequences reach the console. */
// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
