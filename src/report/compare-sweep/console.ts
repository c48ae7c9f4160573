import type { SweepComparison } from '../../analyses/compare/compare-schema.ts';
import { sectionLines } from '../shared/console-sections.ts';
import type { SummaryLength } from '../shared/summary-length.ts';
import { sweepPageModel, type GridModel, type SweepPageModel } from './page-model.ts';

/**
 * A sweep's console summary (stdout at the end of `compare`): one line per point with medians,
 * then the recommendation and anything excluded or left out; brief (the command's default), the
 * notes, figures, host and whys counted in one line. Plain text, no colour. A rendering
 * of the page's model (page-model.ts), as summary.md and index.html are.
 */
export function renderSweepConsole(c: SweepComparison, m: SweepPageModel = sweepPageModel(c), length: SummaryLength = 'full'): string[] {
  const fig = m.figureSuffix;
  // provisioned, snapstart: the route's cold requests and the setting's month beside the figures
  const cold = m.coldHead;
  const head = [m.parameter, 'runs', 'SLO', ...(cold ?? []), `fan-out p50${fig}`, `fan-out p99${fig}`, `bcast p99${fig}`, 'Duration p99', '$/1M deliv', 'API GW $/1M'];
  const rows = m.rows.map((p) => [
    plain(p.label),
    p.countedOf,
    p.slo.verdict,
    ...(cold ? [p.coldSetting?.cold ?? '–', p.coldSetting?.monthly ?? '–'] : []),
    p.fanoutP50.median,
    p.fanoutP99.median,
    p.broadcastP99.median,
    p.durationP99.median,
    p.totalCost.median,
    p.apiGatewayCost.median,
  ]);
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const line = (cells: string[]) => `  ${cells.map((x, k) => (k === 0 || k === 2 ? x.padEnd(widths[k]!) : x.padStart(widths[k]!))).join('  ')}`.trimEnd();
  const r = m.recommendation;
  return sectionLines(
    [
      {
        lines: [
          `fanout-bench compare ${plain(m.scenario)}: ${m.parameter} ${plain(m.points.join(', '))}, ${m.repeat} repeat${m.repeat === 1 ? '' : 's'} each; SLO: ${plain(m.slo.length > 0 ? m.slo.join(', ') : m.sloNone)}`,
          line(head),
          ...rows.map(line),
        ],
      },
      { lines: m.grid ? gridLines(m.grid) : [] },
      { lines: [`  ${r.title}: ${plain(r.pick)} — ${plain(r.reason)}`] },
      { lines: m.missed.map((p) => `  missed ${plain(p.label)}: ${plain(p.why)}`) },
      { lines: m.noted.map((p) => `  note ${plain(p.label)}: ${plain(p.note)}`), detail: 'note' },
      { lines: m.excluded.map((e) => `  excluded ${plain(e.label)}: ${plain(e.reason)}`) },
      { lines: m.leftOut.flatMap((p) => p.repeats.map((x) => `  left out ${plain(p.where)} repeat ${x.repeat}: ${plain(x.reason)}`)), detail: 'left out' },
      { lines: [...(m.figureNote ? [`  ${m.figureNote}`] : []), `  Duration: ${plain(m.durationNote ?? `${m.function}'s`)}`], detail: 'figures' },
      { lines: m.hostWarnings.map((w) => `  host ${plain(w.where)}: ${plain(w.line)}`), detail: 'host' },
      { lines: m.runs.flatMap((x) => (x.why.length > 0 ? [`  why ${plain(x.where)} repeat ${x.repeat}:`, ...x.why.map((l) => `    ${plain(l)}`)] : [])), detail: 'why' },
    ],
    length,
  );
}

/** The grid: a row per room size, a cell per variant, the size's pick marked with *. */
function gridLines(g: GridModel): string[] {
  const head = ['room size', ...g.variants.map(plain), 'pick'];
  const rows = g.rows.map((r) => [r.roomSize, ...r.cells.map((x) => `${x.cost} · ${x.latency} · ${x.verdict}${x.recommended ? ' *' : ''}`), plain(r.pick)]);
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((x) => x[k]!.length)));
  const line = (cells: string[]) => `  ${cells.map((x, k) => x.padEnd(widths[k]!)).join('  ')}`.trimEnd();
  return [`  by room size ($ per 1M deliveries · ${g.latencyName} · SLO; * the size's pick):`, line(head), ...rows.map(line)];
}

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
