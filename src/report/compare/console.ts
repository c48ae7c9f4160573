import type { Comparison } from '../../analyses/compare/compare-schema.ts';
import { sectionLines } from '../shared/console-sections.ts';
import type { SummaryLength } from '../shared/summary-length.ts';
import { comparePageModel, type ComparePageModel } from './page-model.ts';

/**
 * The comparison's console summary (stdout at the end of `compare`): one line per size with
 * medians, then the recommendation per strategy and anything excluded; brief (the command's
 * default), the rest counted in one line. Plain text, no colour.
 * Returns lines without newlines; the command prints them and the paths of the files. A
 * rendering of the page's model (page-model.ts), as summary.md and index.html are.
 */
export function renderCompareConsole(c: Comparison, m: ComparePageModel = comparePageModel(c), length: SummaryLength = 'full'): string[] {
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

  return sectionLines(
    [
      {
        lines: [
          `fanout-bench compare ${plain(m.scenario)}: ${plain(m.functions.join(', '))} at ${m.sizes}, ${m.repeat} repeat${m.repeat === 1 ? '' : 's'} each (medians over the repeats; Duration: mean over the compared functions' invocations)`,
          line(head),
          ...rows.map(line),
        ],
      },
      { lines: m.figureNote ? [`  ${m.figureNote}`] : [], detail: 'figures' },
      { lines: m.hostDecided.map((d) => `  host decided: ${plain(d)}`), detail: 'host decided' },
      { lines: m.recommendations.map((r) => `  ${`${r.title}:`.padEnd(24)} ${r.pick}${r.withinNoise ? ` (${r.withinNoise})` : ''}${r.picked ? '' : ` — ${plain(r.reason)}`}`) },
      { lines: m.excluded.map((e) => `  excluded ${e.memory}: ${plain(e.reason)}`) },
      { lines: m.leftOut.flatMap((s) => s.repeats.map((r) => `  left out ${s.where} repeat ${r.repeat}: ${plain(r.reason)}`)), detail: 'left out' },
      { lines: m.hostWarnings.map((w) => `  host ${w.where}: ${plain(w.line)}`), detail: 'host' },
      { lines: m.runs.flatMap((r) => (r.why.length > 0 ? [`  why ${r.where} repeat ${r.repeat}:`, ...r.why.map((l) => `    ${plain(l)}`)] : [])), detail: 'why' },
      { lines: m.latencyRankedNotDefault ? [`  speed and balanced rank ${m.latencyRanked}`] : [], detail: 'ranking' },
    ],
    length,
  );
}

/** Reasons can quote the target (a run's statusReason): no terminal control sequences reach the console. */
// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
