import type { Machine } from '../harness-capacity/machine.ts';
import { blockMarkers, writeResultsBlock } from '../results-block.ts';
import type { Criterion, SoakAnalysis } from './analyze.ts';
import type { SoakPlan } from './plan.ts';

/** The soak's answer: PASS/FAIL per criterion on stdout, and its block in bench/RESULTS.md. */
export interface SoakSummary {
  date: string;
  command: string;
  plan: SoakPlan;
  machine: Machine;
  loadBefore: string;
  loadAfter: string;
  wallSeconds: number;
  analysis?: SoakAnalysis;
  criteria: Criterion[];
  /** why it could not be measured */
  error?: string;
  harnessCommand?: string;
  snapshots: string[];
}

const n = (x: number, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '—');
const mb = (b: number) => `${n(b / 2 ** 20, 1)} MB`;
const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${n(x * 100, 1)} %` : '—');

export function passed(s: SoakSummary): boolean {
  return s.error === undefined && s.criteria.length > 0 && s.criteria.every((c) => c.pass);
}

function planLine(s: SoakSummary): string {
  const p = s.plan;
  return `${p.mode} mode: ${n(p.clients)} clients in rooms of 100, ${n(p.rate)} messages/s (${n(p.rate * 100)} deliveries/s) for ${n(p.durationMs / 60_000, 1)} min; warm-up ${n(p.warmupMs / 1000)} s, windows of ${n(p.windowMs / 1000)} s, full-GC heap samples every ${n(p.gcEveryMs / 1000)} s`;
}

/** Supporting numbers, one line each (shared by both renderers). */
function detailLines(a: SoakAnalysis): string[] {
  const out = [
    `send phase ${n(a.phase.durationMs / 1000)} s; baseline window ${n((a.baseline.from - a.phase.startedAt) / 1000)}–${n((a.baseline.to - a.phase.startedAt) / 1000)} s, final window ${n((a.final.from - a.phase.startedAt) / 1000)}–${n((a.final.to - a.phase.startedAt) / 1000)} s into it`,
    `deliveries: ${n(a.deliveries.received)} received of ${n(a.deliveries.expected)} expected (${n(a.deliveredPerSec)}/s in the send phase), lost ${n(a.deliveries.lost)}, duplicates ${n(a.deliveries.duplicates)}`,
    `sends: ${n(a.sends.sent)} sent of ${n(a.sends.intended)} intended, ${n(a.sends.acked)} acknowledged, ${n(a.sends.failed)} failed, ${n(a.sends.missedSlots)} missed slots; connections opened ${n(a.connections.opened)}, open at the end ${n(a.connections.openAtEnd)}`,
    `broadcast p99 (median of the 1-s intervals): ${n(a.p99Before, 1)} ms in the baseline window, ${n(a.p99After, 1)} ms in the final window; harness CPU ${n(a.harnessCpuCores, 2)} cores on average; saturated: ${a.saturated}`,
    `intervals.ndjson: ${n(a.intervals.lines)} lines, ${n(a.intervals.bytes / 1024, 1)} KB; at ${n(a.intervals.bytesPerLineAfter)} B per line it grows ${mb(a.intervals.bytesPerHour)} per hour of run`,
  ];
  for (const p of a.processes) {
    out.push(
      `${p.label} (pid ${p.pid}): RSS ${mb(p.rss.before)} → ${mb(p.rss.after)} (${pct(p.rss.growth)}, ${p.rss.samplesBefore}/${p.rss.samplesAfter} samples); heap after GC ${mb(p.heap.before)} → ${mb(p.heap.after)} (${pct(p.heap.growth)}, ${p.heap.samplesBefore}/${p.heap.samplesAfter} samples)`,
    );
  }
  return out;
}

export function consoleReport(s: SoakSummary): string {
  const head = { label: 'criterion', measured: 'measured', target: 'target', verdict: 'verdict' };
  const rows = s.criteria.map((c) => ({ label: c.label, measured: c.measured, target: c.target, verdict: c.pass ? 'PASS' : 'FAIL' }));
  const all = [head, ...rows];
  const w = (k: keyof typeof head) => Math.max(...all.map((r) => r[k].length));
  const line = (r: typeof head) => `${r.label.padEnd(w('label'))}  ${r.measured.padEnd(w('measured'))}  ${r.target.padEnd(w('target'))}  ${r.verdict}`;
  const out = [`soak — ${s.machine.cores} cores, ${s.machine.cpuModel}, Node ${s.machine.node}`, planLine(s), ''];
  if (s.error) out.push(`NOT MEASURED: ${s.error}`, '');
  if (rows.length > 0) out.push(line(head), ...rows.map(line), '');
  if (s.analysis) out.push(...detailLines(s.analysis).map((l) => `  ${l}`), '');
  for (const f of s.snapshots) out.push(`heap snapshot: ${f}`);
  out.push(`load average ${s.loadBefore} → ${s.loadAfter}; took ${n(s.wallSeconds)} s; ${passed(s) ? 'PASS' : 'FAIL'}`);
  return `${out.join('\n')}\n`;
}

const MARKERS = blockMarkers('soak', 'bench/soak/main.ts');

/** The soak's block of bench/RESULTS.md, without its markers. */
export function renderMarkdown(s: SoakSummary): string[] {
  const m = s.machine;
  const out = [
    '## Soak: a long run stays flat',
    '',
    '10,000 clients against the minimal fan-out server (bench/minimal-server) with steady sends, driven through the real CLI;',
    'a memory probe preloaded into the harness\'s processes (`NODE_OPTIONS=--require bench/soak/memory-probe.cjs`) samples',
    'RSS every second and the heap right after a forced full GC. Growth compares the medians of a window right after',
    'warm-up with the last window of the send phase, per process.',
    '',
    `- command: \`${s.command}\` (${n(s.wallSeconds)} s)`,
    `- ${planLine(s)}`,
    `- measured: ${s.date}`,
    `- machine: ${m.cores} cores, ${m.cpuModel}, ${m.totalMemoryMB} MB, Node ${m.node} (${m.platform}); load average ${s.loadBefore} before, ${s.loadAfter} after`,
    `- verdict: **${passed(s) ? 'PASS' : 'FAIL'}**`,
    '',
  ];
  if (s.error) out.push(`**Not measured:** ${s.error}`, '');
  if (s.criteria.length > 0) {
    out.push('| criterion | measured | target | verdict |', '|---|---|---|---|');
    for (const c of s.criteria) out.push(`| ${c.label} | ${c.measured} | ${c.target} | ${c.pass ? 'PASS' : 'FAIL'} |`);
    out.push('');
  }
  if (s.analysis) out.push(...detailLines(s.analysis).map((l) => `- ${l}`), '');
  if (s.harnessCommand) out.push('Harness run (scenario file written by bench/soak/plan.ts; `--keep` keeps it, the run directory and the probe files):', '', `    ${s.harnessCommand}`, '');
  return out;
}

/** Replaces the soak's block in `file` (or appends it), leaving every other section as it was. */
export function writeResultsMd(file: string, s: SoakSummary): void {
  writeResultsBlock(file, MARKERS, renderMarkdown(s));
}
