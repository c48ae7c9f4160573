import { blockMarkers, writeResultsBlock } from '../results-block.ts';
import { rowText, type CapacitySummary } from './summary.ts';

/** This benchmark's block in bench/RESULTS.md (see ../results-block.ts). */
const MARKERS = blockMarkers('harness-capacity', 'bench/harness-capacity/main.ts');

export function renderMarkdown(s: CapacitySummary): string[] {
  const m = s.machine;
  const out: string[] = [
    '## Harness capacity',
    '',
    'The harness\'s own ceiling against the minimal fan-out server (bench/minimal-server), all measurement on,',
    'driven through the real CLI (`node bin/fanout-bench.js run <scenario.yaml> --target ws://127.0.0.1:…`).',
    '',
    `- command: \`${s.command}\` (${s.mode} mode, ${s.wallSeconds.toFixed(0)} s)`,
    `- measured: ${s.date}`,
    `- machine: ${m.cores} cores, ${m.cpuModel}, ${m.totalMemoryMB} MB, Node ${m.node} (${m.platform}), open-files limit ${m.openFilesLimit ?? 'unknown'} per process`,
    '',
    'How each number is derived (harness CPU = all shard processes; the server\'s CPU is read from /proc and kept apart):',
    '',
    '1. CPU per delivery: a 20,000 deliveries/s phase (20 rooms × 100 members, 10 messages/s per room) after a warm-up; harness CPU-seconds from the shards\' own per-interval accounting in results.json (checked against /proc) ÷ deliveries in the same intervals × 10,000. p99 is that phase\'s broadcast p99 (intended send time → arrival).',
    '2. RSS per 1,000 clients: the shards\' summed RSS (/proc) while holding every client open, minus their RSS while empty (before any connect), ÷ clients held / 1,000.',
    '3. Connects/s: clients opened ÷ the connect phase\'s wall time, with connects offered at 20,000/s (up to 1,000 in flight).',
    '4. Clients held: the fewest clients open in any interval of a quiet hold after connect and join.',
    '5. Max deliveries/s: send phases of rising rate in one run; the highest step that kept up (see its criteria below), below the first that did not.',
    '6. The floor: a bare `ws` fleet written for the benchmark (bench/harness-capacity/bare-fleet.ts: one process, chat protocol v1, JSON.parse and one HDR record per delivery) against the same server, alternated round by round with the harness on 1 shard and on its default shards, at 20,000 deliveries/s and at the highest rate all of them keep up with; the harness\'s CPU per delivery (shards and parent, /proc), broadcast p99 and p99.9 as ratios to the floor\'s in the same round, median over rounds.',
    '',
    '| measurement | measured | target | verdict |',
    '|---|---:|---:|---|',
    ...s.rows.map(rowText).map((t) => `| ${t.label} | ${t.measured} | ${t.target} | ${t.verdict} |`),
    '',
  ];
  for (const sec of s.sections) {
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

/** Replaces this benchmark's block in `file` (or appends it), leaving the rest as it was. */
export function writeResultsMd(file: string, s: CapacitySummary): void {
  writeResultsBlock(file, MARKERS, renderMarkdown(s));
}
