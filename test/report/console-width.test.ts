import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { consoleSummary } from '../../src/report/run/console.ts';
import { CONSOLE_WIDTH, consoleLines, consoleWidth, fitLine, wrapClauses } from '../../src/report/shared/console-lines.ts';
import { renderCompareConsole } from '../../src/report/compare/console.ts';
import { Search } from '../../src/analyses/search/search-schema.ts';
import { renderSearchConsole } from '../../src/report/search/console.ts';
import { renderPlanConsole } from '../../src/report/plan/console.ts';
import { recordedComparison } from '../fixtures/compare/load.ts';
import { PLAN } from './plan-fixture.ts';
import { buildResults } from './fixtures.ts';

/**
 * No console line is wider than the terminal it is written to, or 160 characters when it is not
 * a terminal: the run's summary (the default run's fixture, a failing run), compare, search and
 * plan, every line through the one writer (console-lines.ts).
 */
const width = (s: string) => [...s].length;
const widest = (lines: readonly string[]) => Math.max(...lines.map(width));

const ARN = (n: number) => `arn:aws:dynamodb:us-east-1:123456789012:table/fanout-bench-local-RoomMembersTable-${String(n).padStart(12, 'X')}/index/by-connection`;

/** The default run with the stack's permissions as the issue found them: every grant with its whole ARN. */
function defaultRun(): Results {
  const r = Results.parse(JSON.parse(readFileSync(new URL('../fixtures/plan/default-run/results.json', import.meta.url), 'utf8')));
  const grants = Array.from({ length: 24 }, (_, k) => ({ action: `dynamodb:Action${k}`, resource: ARN(k), source: 'inline policy FnRolePolicy0' }));
  r.permissions = {
    window: { startMs: 0, endMs: 1 },
    functions: ['fanout-connect', 'fanout-send-message', 'fanout-join-room'].map((fn) => ({
      function: fn,
      role: `arn:aws:iam::123456789012:role/${fn}-role`,
      status: 'observed' as const,
      granted: grants,
      used: grants.slice(0, 2).map(({ action, resource }) => ({ action, resource })),
      unused: grants.slice(2),
    })),
  };
  return r;
}

/** A failing run: lost deliveries, errors, a crossed threshold, each with its why. */
function failingRun(): Results {
  const r = buildResults();
  r.verdict = evaluate(r, { thresholds: [parseThreshold('deliveries.lost == 0', '--threshold'), parseThreshold('broadcast.p99 < 1ms', '--threshold')] });
  r.harness.warnings = [`shard 1: event-loop lag p99 80 ms ${'and a long tail of words '.repeat(10)}`];
  return r;
}

describe('the console line writer', () => {
  it('leaves a line that fits alone; cuts a longer one at a word with where the whole is', () => {
    expect(fitLine('short', 160, 'summary.md')).toBe('short');
    const long = `  errors       ${Array.from({ length: 30 }, (_, k) => `frame:error number ${k}=${k}`).join('  ')}`;
    const cut = fitLine(long, 160, 'summary.md');
    expect(width(cut)).toBeLessThanOrEqual(160);
    expect(cut).toMatch(/ … \(whole in summary\.md\)$/);
    expect(long.startsWith(cut.replace(/ … \(whole in summary\.md\)$/, ''))).toBe(true);
    expect(width(fitLine('x'.repeat(300), 40))).toBe(40);
  });

  it('breaks a long sentence at its clauses under its label before it cuts anything', () => {
    const line = `  warning: ${'a'.repeat(70)}: ${'b'.repeat(70)}; ${'c'.repeat(30)}`;
    expect(wrapClauses(line, 100, '           ')).toEqual([`  warning: ${'a'.repeat(70)}:`, `           ${'b'.repeat(70)};`, `           ${'c'.repeat(30)}`]);
  });

  it("is a terminal's width where stdout is one, else 160", () => {
    expect(consoleWidth({ isTTY: true, columns: 100 })).toBe(100);
    expect(consoleWidth({ isTTY: false, columns: 100 }, {})).toBe(CONSOLE_WIDTH);
    expect(consoleWidth({}, {})).toBe(160);
    // not a terminal: the shell's $COLUMNS where it says one
    expect(consoleWidth({ isTTY: false }, { COLUMNS: '120' })).toBe(120);
    expect(consoleWidth({ isTTY: false }, { COLUMNS: 'wide' })).toBe(CONSOLE_WIDTH);
  });
});

describe('every console line within 160 characters, or the terminal', () => {
  it("the default run's summary, its permissions summarised one line per finding", () => {
    const lines = consoleSummary(defaultRun(), '/runs/r1/results.json').trimEnd().split('\n');
    expect(widest(lines)).toBeLessThanOrEqual(160);
    const permissions = lines.filter((l) => l.startsWith('  permissions'));
    expect(permissions).toEqual([expect.stringMatching(/^ {2}permissions {2}grants unused in 3 functions: fanout-connect 22 of 24, fanout-send-message 22 of 24, fanout-join-room 22 of 24 \(each grant in summary\.md\)$/)]);
    const narrow = consoleSummary(defaultRun(), '/runs/r1/results.json', 80).trimEnd().split('\n');
    expect(widest(narrow)).toBeLessThanOrEqual(80);
  });

  it("a failing run's summary: the verdict, each why and its remedy", () => {
    const text = consoleSummary(failingRun(), 'results.json');
    const lines = text.trimEnd().split('\n');
    expect(widest(lines)).toBeLessThanOrEqual(160);
    expect(lines.some((l) => l.startsWith('verdict: FAIL'))).toBe(true);
    expect(lines.some((l) => /^ {6}what would move it: /.test(l))).toBe(true);
    expect(widest(consoleSummary(failingRun(), 'results.json', 100).trimEnd().split('\n'))).toBeLessThanOrEqual(100);
  });

  it('compare, search and plan through the same writer', async () => {
    const comparison = await recordedComparison();
    const search = Search.parse(JSON.parse(readFileSync(new URL('../fixtures/search/search.json', import.meta.url), 'utf8')));
    for (const lines of [renderCompareConsole(comparison), renderSearchConsole(search), renderPlanConsole(PLAN)]) {
      expect(widest(consoleLines(lines, 160, 'summary.md'))).toBeLessThanOrEqual(160);
      expect(widest(consoleLines(lines, 90, 'summary.md'))).toBeLessThanOrEqual(90);
    }
  });
});
