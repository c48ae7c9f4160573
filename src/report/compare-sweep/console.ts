import type { MedianRange, SweepComparison } from '../../analyses/compare/compare-schema.ts';
import { fmtMsCell, fmtUsdCell, spreadText } from '../shared/spread-format.ts';
import { parameterTitle, pickLine, sloText } from './format.ts';
import { runWhyLines } from '../shared/why-lines.ts';

/**
 * A sweep's console summary (stdout at the end of `compare`): one line per point with medians,
 * then the recommendation and anything excluded. Plain text, no colour.
 */
export function renderSweepConsole(c: SweepComparison): string[] {
  const fn = c.functions[0]!;
  const fig = c.latencyFigure === 'stack' ? ' (stack)' : '';
  const head = [parameterTitle(c.parameter), 'runs', 'SLO', `fan-out p50${fig}`, `fan-out p99${fig}`, `bcast p99${fig}`, 'Duration p99', '$/1M deliv', 'API GW $/1M'];
  const med = (s: MedianRange | null | undefined, fmt: (n: number) => string) => spreadText(s, fmt).median;
  const rows = c.points.map((p) => [
    plain(p.label),
    `${p.runs.filter((r) => r.included).length}/${p.runs.length}`,
    sloText(p).verdict,
    med(p.metrics.fanoutP50Ms, fmtMsCell),
    med(p.metrics.fanoutP99Ms, fmtMsCell),
    med(p.metrics.broadcastP99Ms, fmtMsCell),
    med(p.functions[fn]?.durationP99Ms, fmtMsCell),
    med(p.metrics.totalCostPerMillionDeliveries, fmtUsdCell),
    med(p.costs.apiGateway, fmtUsdCell),
  ]);
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const line = (cells: string[]) => `  ${cells.map((x, k) => (k === 0 || k === 2 ? x.padEnd(widths[k]!) : x.padStart(widths[k]!))).join('  ')}`.trimEnd();
  const r = c.recommendation;
  const out = [
    `fanout-bench compare ${plain(c.scenario.name)}: ${parameterTitle(c.parameter)} ${plain(c.points.map((p) => p.label).join(', '))}, ${c.repeat} repeat${c.repeat === 1 ? '' : 's'} each; SLO: ${plain(c.slo.length > 0 ? c.slo.join(', ') : 'the built-in checks')}`,
    line(head),
    ...rows.map(line),
    `  ${pickLine(c)}: ${plain(r.pick?.label ?? 'none')} — ${plain(r.reason)}`,
  ];
  for (const p of c.points.filter((x) => x.slo && !x.slo.met)) out.push(`  missed ${plain(p.label)}: ${plain(sloText(p).why)}`);
  for (const p of c.points.filter((x) => sloText(x).note)) out.push(`  note ${plain(p.label)}: ${plain(sloText(p).note)}`);
  for (const e of c.excluded) out.push(`  excluded ${plain(e.label)}: ${plain(e.reason)}`);
  if (fig) out.push("  latencies are the stack's: each request's latency with the local host's wait for a slot taken out");
  for (const p of c.points) for (const r of p.runs) for (const w of r.hostWarnings ?? []) out.push(`  host ${plain(p.label)} repeat ${r.repeat}: ${plain(w)}`);
  for (const p of c.points) for (const r of p.runs) if (r.why) out.push(`  why ${plain(p.label)} repeat ${r.repeat}:`, ...runWhyLines(r.why).map((l) => `    ${plain(l)}`));
  return out;
}

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
