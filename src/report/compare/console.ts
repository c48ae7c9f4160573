import { LATENCY_METRIC_LABELS, type Comparison, type MedianRange } from '../../analyses/compare/compare-schema.ts';
import { figureSentence, figureSuffix, fmtShare, hostWarningRows, pickText, sizesText, strategyTitle } from './format.ts';
import { fmtMsCell, fmtUsdCell, spreadText } from '../shared/spread-format.ts';
import { fmtNum } from '../../number-format.ts';
import { runWhyLines } from '../shared/why-lines.ts';

/**
 * The comparison's console summary (stdout at the end of `compare`): one line per size with
 * medians, then the recommendation per strategy and anything excluded. Plain text, no colour.
 * Returns lines without newlines; the command prints them and the paths of the files.
 */
export function renderCompareConsole(c: Comparison): string[] {
  const fig = figureSuffix(c);
  const head = ['memory', 'runs', 'Duration', 'INIT', 'cold', `bcast p50${fig}`, `bcast p99${fig}`, `conn p99${fig}`, 'GB-s', 'Lambda $/1M', 'whole $/1M'];
  const med = (s: MedianRange | null | undefined, fmt: (n: number) => string) => spreadText(s, fmt).median;
  const rows = c.sizes.map((s) => {
    const m = s.metrics;
    return [
      `${fmtNum(s.memoryMB)} MB`,
      `${s.runs.filter((r) => r.included).length}/${s.runs.length}`,
      med(m.durationMeanMs, fmtMsCell),
      med(m.initMeanMs, fmtMsCell),
      med(m.coldStartShare, fmtShare),
      med(m.broadcastP50Ms, fmtMsCell),
      med(m.broadcastP99Ms, fmtMsCell),
      med(m.connectP99Ms, fmtMsCell),
      med(m.gbSeconds, fmtNum),
      med(m.lambdaCostPerMillionDeliveries, fmtUsdCell),
      med(m.totalCostPerMillionDeliveries, fmtUsdCell),
    ];
  });
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => `  ${cells.map((x, k) => (k === 0 ? x.padEnd(widths[k]) : x.padStart(widths[k]))).join('  ')}`.trimEnd();

  const out = [
    `fanout-bench compare ${plain(c.scenario.name)}: ${plain(c.functions.join(', '))} at ${sizesText(c)}, ${c.repeat} repeat${c.repeat === 1 ? '' : 's'} each (medians over the repeats; Duration: mean over the compared functions' invocations)`,
    line(head),
    ...rows.map(line),
  ];
  const figures = figureSentence(c);
  if (figures) out.push(`  ${figures}`);
  for (const d of c.hostDecided ?? []) out.push(`  host decided: ${plain(d.line)}`);
  for (const r of c.recommendations) out.push(`  ${`${strategyTitle(r)}:`.padEnd(24)} ${pickText(r)}${r.withinSpread ? ' (within the noise of the runner-up)' : ''}${r.pick ? '' : ` — ${plain(r.reason)}`}`);
  for (const e of c.excluded) out.push(`  excluded ${fmtNum(e.memoryMB)} MB: ${plain(e.reason)}`);
  for (const s of c.sizes.filter((x) => x.status === 'partial')) {
    for (const r of s.runs.filter((x) => !x.included)) out.push(`  left out ${fmtNum(s.memoryMB)} MB repeat ${r.repeat}: ${plain(r.excludedBecause ?? '')}`);
  }
  for (const w of hostWarningRows(c)) out.push(`  host ${w.where}: ${plain(w.line)}`);
  for (const s of c.sizes) for (const r of s.runs) if (r.why) out.push(`  why ${fmtNum(s.memoryMB)} MB repeat ${r.repeat}:`, ...runWhyLines(r.why).map((l) => `    ${plain(l)}`));
  if (c.latencyMetric !== 'duration') out.push(`  speed and balanced rank ${LATENCY_METRIC_LABELS[c.latencyMetric]}`);
  return out;
}

/** Reasons can quote the target (a run's statusReason): no terminal control sequences reach the console. */
// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
