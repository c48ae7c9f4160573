import { existsSync, readFileSync } from 'node:fs';
import { blockMarkers, writeResultsBlock } from '../results-block.ts';
import { rowText, type CapacitySummary, type Row, type Section } from './summary.ts';
import type { Measurement } from './targets.ts';

/** This benchmark's block in bench/RESULTS.md (see ../results-block.ts). */
const MARKERS = blockMarkers('harness-capacity', 'bench/harness-capacity/main.ts');

/**
 * Inside the block each measurement has markers of its own, so `--only floor --write` replaces the
 * floor's part and keeps what other runs recorded for the rest (a markdown table cannot hold a
 * comment between its rows: each part carries its own rows table).
 */
export const partMarkers = (m: Measurement) => ({ begin: `<!-- harness-capacity/${m}:begin -->`, end: `<!-- harness-capacity/${m}:end -->` });

const DERIVATIONS: Record<Measurement, string> = {
  steady:
    '1. CPU per delivery: a 20,000 deliveries/s phase (20 rooms × 100 members, 10 messages/s per room) after a warm-up; harness CPU-seconds from the shards\' own per-interval accounting in results.json (checked against /proc) ÷ deliveries in the same intervals × 10,000. p99 is that phase\'s broadcast p99 (intended send time → arrival).',
  held: [
    '2. RSS per 1,000 clients: the shards\' summed RSS (/proc) while holding every client open, minus their RSS while empty (before any connect), ÷ clients held / 1,000.',
    '3. Connects/s: clients opened ÷ the connect phase\'s wall time, with connects offered at 20,000/s (up to 1,000 in flight).',
    '4. Clients held: the fewest clients open in any interval of a quiet hold after connect and join.',
  ].join('\n'),
  steps: '5. Max deliveries/s: send phases of rising rate in one run; the highest step that kept up (see its criteria below), below the first that did not.',
  floor:
    '6. The floor: a bare `ws` fleet written for the benchmark (bench/harness-capacity/bare-fleet.ts: chat protocol v1, JSON.parse and one HDR record per delivery, run with the V8 flag the shards run with; on one process, and on n processes split as the harness splits n shards) against the same server, alternated round by round with the harness on 1 shard and on its default shards, at 20,000 deliveries/s and at the highest rate all of them keep up with; the harness\'s CPU per delivery (shards and parent, /proc), broadcast p99 and p99.9 as ratios to the floor\'s in the same round, median over rounds: n shards against the floor on n processes, and the default (and 1 shard) against the floor on one.',
};

const ORDER: Measurement[] = ['steady', 'held', 'steps', 'floor'];

function header(): string[] {
  return [
    '## Harness capacity',
    '',
    'The harness\'s own ceiling against the minimal fan-out server (bench/minimal-server), all measurement on,',
    'driven through the real CLI (`node bin/fanout-bench.js run <scenario.yaml> --target ws://127.0.0.1:…`).',
    'Each measurement below says the command, date and machine it was recorded with (`--only … --write` replaces its own part and keeps the others).',
    '',
    'How each number is derived (harness CPU = all shard processes; the server\'s CPU is read from /proc and kept apart):',
    '',
    ...ORDER.map((m) => DERIVATIONS[m]),
    '',
  ];
}

/** One measurement's part: how it was run, its rows with verdicts, its sections. */
export function renderPart(s: CapacitySummary, m: Measurement): string[] {
  const mc = s.machine;
  const rows = s.rows.filter((r: Row) => r.target.measurement === m);
  const sections = s.sections.filter((x: Section) => x.measurement === m);
  const out: string[] = [
    `- command: \`${s.command}\` (${s.mode} mode, ${s.wallSeconds.toFixed(0)} s in all)`,
    `- measured: ${s.date}`,
    `- machine: ${mc.cores} cores, ${mc.cpuModel}, ${mc.totalMemoryMB} MB, Node ${mc.node} (${mc.platform}), open-files limit ${mc.openFilesLimit ?? 'unknown'} per process`,
    '',
    '| measurement | measured | target | verdict |',
    '|---|---:|---:|---|',
    ...rows.map(rowText).map((t) => `| ${t.label} | ${t.measured} | ${t.target} | ${t.verdict} |`),
    '',
  ];
  for (const sec of sections) {
    out.push(`### ${sec.title}`, '', `Load average (1, 5, 15 min): ${sec.loadBefore} before, ${sec.loadAfter} after.`, '');
    if (sec.error) out.push(`**Not measured:** ${sec.error}`, '');
    // lines in their order: bullets, and each run of table lines as one table
    sec.lines.forEach((l, i) => {
      const table = l.startsWith('|');
      if (table && !sec.lines[i - 1]?.startsWith('|')) out.push('');
      out.push(table ? l : `- ${l}`);
      if (table && i + 1 < sec.lines.length && !sec.lines[i + 1].startsWith('|')) out.push('');
    });
    if (sec.commands.length > 0) {
      out.push('', 'Harness run (scenario file written by bench/harness-capacity/scenarios.ts; `--keep` keeps it and the run directory):', '', ...sec.commands.map((c) => `    ${c}`));
    }
    out.push('');
  }
  return out;
}

function wrapped(s: CapacitySummary, m: Measurement): string {
  const p = partMarkers(m);
  return [p.begin, ...renderPart(s, m), p.end].join('\n');
}

/** The whole block: the header and one part per measurement in `measured`. */
export function renderMarkdown(s: CapacitySummary, measured: readonly Measurement[]): string[] {
  return [...header(), ...ORDER.filter((m) => measured.includes(m)).map((m) => wrapped(s, m))];
}

/**
 * Writes the measurements in `measured` into this benchmark's block in `file`. A run of every
 * measurement rewrites the block; a run of some (`--only`) replaces their parts and leaves the
 * rest of the block (other measurements, notes) as it was, adding a part not there yet at the end.
 */
export function writeResultsMd(file: string, s: CapacitySummary, measured: readonly Measurement[]): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const a = text.indexOf(MARKERS.begin);
  const b = text.indexOf(MARKERS.end);
  if (ORDER.every((m) => measured.includes(m)) || a < 0 || b < a) {
    writeResultsBlock(file, MARKERS, renderMarkdown(s, measured));
    return;
  }
  let body = text.slice(a + MARKERS.begin.length, b).replace(/^\n/, '').replace(/\n$/, '');
  for (const m of ORDER.filter((x) => measured.includes(x))) {
    const p = partMarkers(m);
    const i = body.indexOf(p.begin);
    const j = body.indexOf(p.end);
    body = i >= 0 && j > i ? `${body.slice(0, i)}${wrapped(s, m)}${body.slice(j + p.end.length)}` : `${body.trimEnd()}\n\n${wrapped(s, m)}\n`;
  }
  writeResultsBlock(file, MARKERS, body.replace(/\n+$/, '').split('\n'));
}
