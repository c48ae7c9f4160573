import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Search } from '../../src/analyses/search/search-schema.ts';
import { escapeMarkdown, jsonForScript } from '../../src/report/shared/escape.ts';
import { buildSearchCharts, type SearchChart } from '../../src/report/search/chart-data.ts';
import { renderSearchConsole } from '../../src/report/search/console.ts';
import { renderSearchHtml } from '../../src/report/search/html.ts';
import { renderSearchMarkdown } from '../../src/report/search/md.ts';

/**
 * The three renderers of a search, pure functions of its search.json: a search recorded on the
 * emulator (9 steps over rate, the host named, the boundary inside the noise, memory restored,
 * --expect held). What they print is search.json's: the answer, each step's outcome and evidence.
 */
const FIXTURE = Search.parse(JSON.parse(readFileSync(new URL('../fixtures/search/search.json', import.meta.url), 'utf8')));
const HOSTILE = '<img src=x onerror=alert(1)> | \u001b[2J';

/** The fixture with markup and a terminal escape in what a target or a user controls. */
function hostile(): Search {
  const s = structuredClone(FIXTURE);
  s.scenario.name = `host ${HOSTILE}`;
  s.answer.evidence[0]!.line = `${s.answer.evidence[0]!.line} ${HOSTILE}`;
  s.steps[4]!.evidence[0]!.line = `step five ${HOSTILE}`;
  return s;
}

describe('index.html of a search', () => {
  const html = renderSearchHtml(FIXTURE);

  it('gives the answer: the highest load met, the first not met, the factor and its evidence, the noise, what was restored, --expect', () => {
    expect(html).toContain('<h1>host: limit found: 32 messages/s</h1>');
    expect(html).toContain('32 messages/s met every SLO, 64 messages/s did not; limited by local host busy');
    const cards = [...html.matchAll(/<div class="label">([^<]+)<\/div><div class="value">([^<]+)<\/div>/g)].map((m) => [m[1], m[2]]);
    expect(cards).toEqual([
      ['highest load that met every SLO', '32 messages/s'],
      ['first load that did not', '64 messages/s'],
      ['limiting factor', 'local-host'],
    ]);
    const evidence = html.slice(html.indexOf('<ul class="evidence">'), html.indexOf('</ul>', html.indexOf('<ul class="evidence">')));
    expect(evidence).toContain('<li>local-host: local host busy: its cores averaged');
    for (const n of FIXTURE.answer.noise) expect(html).toContain(`<li>${n}</li>`);
    expect(html).toContain('<ul class="restored"><li>fanout-send-message memory back to 1024 MB</li></ul>');
    expect(html).toContain('--expect max &gt;= 16: the highest load that met every SLO is 32 messages/s: &quot;max &gt;= 16&quot; holds');
  });

  it('has one row per step: load, role, SLO value, outcome with why, evidence and a link to the step\'s report', () => {
    const rows = [...html.matchAll(/<tr class="(pass|fail)" data-step="(\d+)">(.*?)<\/tr>/g)];
    expect(rows.map((m) => Number(m[2]))).toEqual(FIXTURE.steps.map((s) => s.index));
    expect(rows.map((m) => m[1])).toEqual(FIXTURE.steps.map((s) => (s.passed ? 'pass' : 'fail')));
    const fifth = rows[4]![3];
    expect(fifth).toContain('<td class="nw">128 <span class="nw">messages/s</span></td><td>grow</td><td>broadcast.p99 5,784 ms</td>');
    expect(fifth).toContain('<td class="outcome">not met<div class="why">broadcast.p99 &lt; 500ms: observed 5,784 ms<br>harness not saturated: the harness was the bottleneck');
    expect(fifth).toContain('<td class="ev">local host busy: its cores averaged 98 %');
    expect(fifth).toContain('<a href="step-5-128/index.html"><span class="nw">step-5-128</span></a>');
    // a step that met the SLOs says so without a why
    expect(rows[0]![3]).toContain('<td class="outcome">met</td>');
  });

  it('embeds the knee charts: one point per load, the SLO line, the loads not met; evidence and names escaped', () => {
    const charts = buildSearchCharts(FIXTURE);
    expect(html).toContain(jsonForScript(charts));
    const latency = charts.latency as SearchChart;
    const throughput = charts.throughput as SearchChart;
    expect(latency.x).toEqual([8, 16, 32, 64, 128]);
    expect(latency.series.map((s) => s.label)).toEqual(['broadcast p50', 'broadcast p99', 'SLO broadcast.p99 < 500ms']);
    expect(latency.series[2]!.values).toEqual([500, 500, 500, 500, 500]);
    // the median of a load's measurements: 64 messages/s measured three times
    const p99At64 = FIXTURE.steps.filter((s) => s.load === 64).map((s) => s.figures.broadcastP99Ms!).sort((a, b) => a - b)[1];
    expect(latency.series[1]!.values[3]).toBe(p99At64);
    // shaded as the answer counts: 32 failed once in three (met by the majority), 64 twice in three
    expect(latency.failing).toEqual([64, 128]);
    expect(throughput.series.map((s) => s.label)).toEqual(['offered', 'delivered']);

    const bad = renderSearchHtml(hostile());
    expect(bad).not.toContain('<img src=x');
    expect(bad).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('summary.md of a search', () => {
  it('gives the answer in bold, the evidence, noise, restore and --expect as bullets, and a row per step', () => {
    const md = renderSearchMarkdown(FIXTURE);
    const lines = md.split('\n');
    expect(lines[0]).toBe('## fanout-bench search: host — limit found: 32 messages/s');
    expect(md).toContain('rate from 8 messages/s to 512 messages/s, resolution 100 %, hold 2,000 ms · SLOs: `broadcast.p99 < 500ms` · target local');
    expect(md).toContain(`**${escapeMarkdown(FIXTURE.answer.summary)}**`);
    expect(lines).toContain('- --expect `max >= 16`: the highest load that met every SLO is 32 messages/s: &quot;max &gt;= 16&quot; holds');
    expect(lines.filter((l) => l.startsWith('- evidence (local-host): local host busy'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('- noise: '))).toHaveLength(2);
    expect(lines).toContain('- restored: fanout-send-message memory back to 1024 MB');
    const rows = lines.filter((l) => /^\| \d+ \|/.test(l));
    expect(rows).toHaveLength(FIXTURE.steps.length);
    expect(rows[4]).toMatch(/^\| 5 \| 128 messages\/s \| grow \| broadcast\.p99 5,784 ms \| [\d,.]+ (ms|s) \/ 5,784 ms \| 455 \/ 455 \| not met \| local host busy/);
  });

  it('escapes markup, table pipes and terminal escapes', () => {
    const md = renderSearchMarkdown(hostile());
    expect(md).not.toContain('<img');
    expect(md).not.toContain('\u001b');
    const fifth = md.split('\n').find((l) => l.startsWith('| 5 |'))!;
    // the evidence's pipe does not open a column
    expect(fifth.split(/(?<!\\)\|/).length).toBe(md.split('\n').find((l) => l.startsWith('| 1 |'))!.split(/(?<!\\)\|/).length);
  });
});

describe('the console lines of a search', () => {
  it('one line per step, then the answer, the two loads, every evidence and noise line, --expect', () => {
    const lines = renderSearchConsole(FIXTURE);
    expect(lines.slice(0, FIXTURE.steps.length)).toEqual(
      FIXTURE.steps.map((s) => expect.stringMatching(new RegExp(`^  step ${s.index} ${s.role} +${s.load} messages/s +${s.passed ? 'met' : 'not met'} +broadcast p99 `))),
    );
    const rest = lines.slice(FIXTURE.steps.length);
    expect(rest[0]).toBe(`search: ${FIXTURE.answer.summary}`);
    expect(rest).toContain('  highest load that met every SLO: 32 messages/s');
    expect(rest).toContain('  first load that did not:         64 messages/s');
    expect(rest.filter((l) => l.startsWith('  evidence: '))).toEqual(FIXTURE.answer.evidence.map((e) => `  evidence: ${e.line}`));
    expect(rest.filter((l) => l.startsWith('  noise: '))).toEqual(FIXTURE.answer.noise.map((n) => `  noise: ${n}`));
    expect(rest.at(-1)).toBe('expect: the highest load that met every SLO is 32 messages/s: "max >= 16" holds');
  });
});
