import type { SweepComparison } from '../../analyses/compare/compare-schema.ts';
import { sweepPageModel, type GridModel, type SweepPageModel } from './page-model.ts';

/**
 * A sweep's console summary (stdout at the end of `compare`): one line per point with medians,
 * then the recommendation and anything excluded or left out. Plain text, no colour. A rendering
 * of the page's model (page-model.ts), as summary.md and index.html are.
 */
export function renderSweepConsole(c: SweepComparison, m: SweepPageModel = sweepPageModel(c)): string[] {
  const fig = m.figureSuffix;
  const head = [m.parameter, 'runs', 'SLO', `fan-out p50${fig}`, `fan-out p99${fig}`, `bcast p99${fig}`, 'Duration p99', '$/1M deliv', 'API GW $/1M'];
  const rows = m.rows.map((p) => [
    plain(p.label),
    p.countedOf,
    p.slo.verdict,
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
  const out = [
    `fanout-bench compare ${plain(m.scenario)}: ${m.parameter} ${plain(m.points.join(', '))}, ${m.repeat} repeat${m.repeat === 1 ? '' : 's'} each; SLO: ${plain(m.slo.length > 0 ? m.slo.join(', ') : m.sloNone)}`,
    line(head),
    ...rows.map(line),
    ...(m.grid ? gridLines(m.grid) : []),
    `  ${r.title}: ${plain(r.pick)} — ${plain(r.reason)}`,
  ];
  for (const p of m.missed) out.push(`  missed ${plain(p.label)}: ${plain(p.why)}`);
  for (const p of m.noted) out.push(`  note ${plain(p.label)}: ${plain(p.note)}`);
  for (const e of m.excluded) out.push(`  excluded ${plain(e.label)}: ${plain(e.reason)}`);
  for (const p of m.leftOut) for (const x of p.repeats) out.push(`  left out ${plain(p.where)} repeat ${x.repeat}: ${plain(x.reason)}`);
  if (m.figureNote) out.push(`  ${m.figureNote}`);
  out.push(`  Duration: ${plain(m.durationNote ?? `${m.function}'s`)}`);
  for (const w of m.hostWarnings) out.push(`  host ${plain(w.where)}: ${plain(w.line)}`);
  for (const x of m.runs) if (x.why.length > 0) out.push(`  why ${plain(x.where)} repeat ${x.repeat}:`, ...x.why.map((l) => `    ${plain(l)}`));
  return out;
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
