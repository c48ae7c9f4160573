import { beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/contracts/results-schema.ts';
import { BRIEF_MAX_LINES } from '../../src/report/shared/summary-length.ts';
import { consoleSummary } from '../../src/report/run/console.ts';
import { runConsole } from '../../src/report/run/run-console.ts';
import { firstCause } from '../../src/diagnosis/first-cause.ts';
import { readRecorded } from './page-fixtures.ts';

/** The console a run prints by default, from recorded real runs (test/fixtures/pages): read at a glance, nothing decided here. */
const FILES = { results: '/runs/r1/results.json', report: '/runs/r1/index.html' };
const lines = (r: Results, width?: number) => runConsole(r, FILES, 'brief', width).trimEnd().split('\n');

let passing: Results;
let failing: Results;
beforeAll(async () => {
  [passing, failing] = await Promise.all([readRecorded('pages/default-run.results.json.gz'), readRecorded('pages/failing-run.results.json.gz')]);
});

describe('the brief console', () => {
  it(`is at most ${BRIEF_MAX_LINES} lines at any width, however much the full one says`, () => {
    for (const r of [passing, failing]) {
      expect(consoleSummary(r, FILES.results).split('\n').length).toBeGreaterThan(BRIEF_MAX_LINES);
      for (const width of [160, 100, 80, 60]) {
        const brief = lines(r, width);
        expect(brief.length, `${r.scenario.name} at ${width}`).toBeLessThanOrEqual(BRIEF_MAX_LINES);
        expect(brief.every((l) => [...l].length <= width)).toBe(true);
      }
    }
  });

  it('leads with the headline and ends with where the results and the report are', () => {
    const brief = lines(passing);
    expect(brief[0]).toBe(consoleSummary(passing, FILES.results).split('\n')[0]);
    expect(brief.slice(-2)).toEqual([`results: ${FILES.results}`, `report:  ${FILES.report}`]);
  });

  it('shows one latency table saying whose figure each row is, the stack\'s where the host held invocations back', () => {
    const brief = lines(passing);
    const at = brief.findIndex((l) => l.startsWith('  latency '));
    expect(brief[at]).toMatch(/^ {2}latency {6}whose +n +p50 +p90 +p99 +max$/);
    const rows = brief.slice(at + 1, at + 6);
    expect(rows.map((l) => l.trim().split(/\s+/)[0])).toEqual(['connect', 'join', 'ack', 'broadcast', 'fan-out']);
    // the recorded run's host held invocations back: its figures are the stack's, with the hold taken out
    const b = passing.attribution!.stack!.broadcast!;
    const broadcast = rows[3]!.trim().split(/\s{2,}/);
    expect(broadcast.slice(0, 3)).toEqual(['broadcast', 'stack', b.count.toLocaleString('en-US')]);
    // every figure in one format: a space before the unit, thousands separated
    for (const row of rows) expect(row.trim().split(/\s{2,}/).slice(3)).toEqual(expect.arrayContaining([expect.stringMatching(/^[\d,.]+ m?s$/)]));
  });

  it('says the sends, the deliveries, the errors and the cost as the full summary says them', () => {
    const full = consoleSummary(failing, FILES.results).split('\n');
    for (const label of ['  sends ', '  deliveries ', '  errors ', '  cost ']) {
      expect(lines(failing).find((l) => l.startsWith(label))).toBe(full.find((l) => l.startsWith(label)));
    }
  });

  it('marks each check ✓ or ✗, with the first cause and what would move it under the check it explains', () => {
    const brief = lines(failing);
    const v = failing.verdict!;
    expect(brief).toContain(`verdict: FAIL: ${v.summary}`);
    for (const c of v.checks) expect(brief.some((l) => l.startsWith(`  ${c.passed ? '✓' : '✗'} ${c.name}`)), c.name).toBe(true);
    const cause = firstCause(v)!;
    const check = brief.findIndex((l) => l.startsWith(`  ✗ ${cause.check}:`));
    expect(brief[check + 1]).toBe(`      first cause: ${cause.line.slice(0, brief[check + 1]!.length - '      first cause: '.length)}`);
    expect(brief.slice(check + 1).find((l) => l.startsWith('      what would move it: '))).toBe(`      what would move it: ${cause.remedy}`);
    // the crossed threshold, in its own words
    const crossed = v.thresholds.find((t) => t.outcome === 'fail')!;
    expect(brief).toContain(`  ✗ ${crossed.expression}: ${crossed.detail}`);
  });

  it('counts the passed checks on one line and cuts the failed ones where they do not all fit', () => {
    const many: Results = structuredClone(failing);
    const extra = Array.from({ length: 12 }, (_, i) => ({ name: `check ${i}`, passed: false, detail: `failed ${i}` }));
    many.verdict = { ...many.verdict!, checks: [...many.verdict!.checks, ...extra] };
    const brief = lines(many);
    expect(brief.length).toBeLessThanOrEqual(BRIEF_MAX_LINES);
    const passed = many.verdict.checks.filter((c) => c.passed).length;
    expect(brief).toContain(`  ✓ ${passed} checks passed`);
    const shown = brief.filter((l) => /^ {2}✗ (?!…)/.test(l)).length;
    const notPassed = many.verdict.checks.filter((c) => !c.passed).length + many.verdict.thresholds.filter((t) => t.outcome !== 'pass').length;
    expect(brief).toContain(`  ✗ … ${notPassed - shown} more not passed (in summary.md)`);
  });

  it('names in one line what the full summary adds, by its labels', () => {
    const more = lines(passing).find((l) => l.startsWith('  more '))!;
    const m = /^ {2}more {9}([\d,]+) lines of (.*): --summary full prints them; summary\.md has every fact$/.exec(more);
    expect(m, more).not.toBeNull();
    const full = consoleSummary(passing, FILES.results);
    for (const label of m![2]!.split(', ')) expect(full).toMatch(new RegExp(`^ {2}${label.replace(/[/]/g, '\\/')}(?: {2,}|: )`, 'm'));
    expect(m![2]!.split(', ')).toEqual(expect.arrayContaining(['cold/warm', 'permissions']));
    expect(m![2]).not.toMatch(/\bsends\b|\bdeliveries\b|\bconnect\b/);
  });

  it('puts a call the emulator did not serve right under the headline, the first one whole, the rest counted', () => {
    const r: Results = structuredClone(passing);
    const call = (service: string, operation: string, count: number) => ({ function: 'fanout-send-message', service, host: `${service}.us-east-1.amazonaws.com`, operation, resource: 'Name=x', count, firstAt: 0, lastAt: 1 });
    r.unservedCalls = [call('kinesis', 'PutRecord', 3), call('kms', 'Decrypt', 2), call('ses', 'SendEmail', 1)];
    const brief = lines(r);
    expect(brief[1]).toMatch(/^ {2}not run here fanout-send-message called Kinesis Data Streams \(PutRecord on Name=x\)/);
    const table = brief.findIndex((l) => l.startsWith('  latency '));
    // the first call's line, broken at its clause to fit, then the count of the others
    expect(brief.slice(2, table)).toEqual(['    3 calls refused (ECONNREFUSED kinesis.us-east-1.amazonaws.com)', '               … 2 more calls the emulator did not serve (in summary.md)']);
  });
});
