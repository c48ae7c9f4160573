import { describe, expect, it } from 'vitest';
import { runtimesInUse } from '../../common/runtimes-in-use.ts';
import { LambdaRuntimeInfo } from '../../common/stack-ready.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { consoleSummary } from '../../src/report/run/console.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { judged } from '../../src/verdict/judged.ts';
import { buildResults } from '../report/fixtures.ts';

// What ran a stack's functions, per runtime: the stack of old Node.js runtimes that was said to be
// "nodejs20.x on Node 20.20.2, matches" lists each of its runtimes with what ran it and Lambda's
// deprecation line, on the console, in summary.md, in the report and in results.json.

const DAY = new Date('2026-11-26T00:00:00Z');
const OLD_STACK = [
  { name: 'chat-connect', runtime: 'nodejs16.x' as const },
  { name: 'chat-send', runtime: 'nodejs16.x' as const },
  { name: 'chat-disconnect', runtime: 'nodejs14.x' as const },
  { name: 'chat-default', runtime: 'nodejs10.x' as const },
];

describe('the runtimes in use', () => {
  it('lists each runtime of the functions once, with its functions, what ran it and its deprecation', () => {
    const list = runtimesInUse(OLD_STACK, { node: '20.20.2', today: DAY });
    expect(list.map((x) => [x.runtime, x.functions, x.ranOn, x.matches, x.deprecated])).toEqual([
      ['nodejs16.x', ['chat-connect', 'chat-send'], "Node 20.20.2, not Node 16 as on Lambda: the emulator's worker code runs on Node 20 and later", false, '2024-06-12'],
      ['nodejs14.x', ['chat-disconnect'], "Node 20.20.2, not Node 14 as on Lambda: the emulator's worker code runs on Node 20 and later", false, '2023-12-04'],
      ['nodejs10.x', ['chat-default'], "Node 20.20.2, not Node 10 as on Lambda: the emulator's worker code runs on Node 20 and later", false, '2021-07-30'],
    ]);
    expect(list[0]!.deprecation).toBe(
      'deprecated by Lambda on 2024-06-12 (docs/aws-facts.md); Lambda still invokes existing functions but refuses new ones from 2027-02-01 and updates from 2027-03-03, when a fresh deploy of this template fails',
    );
    expect(list[2]!.deprecation).toContain('refuses new ones since 2021-07-30 and updates since 2022-02-14, so a fresh deploy of this template fails');
  });

  it("says a runtime on its own Node, a Python on the host's and a custom runtime on its bootstrap, none deprecated", () => {
    const list = runtimesInUse(
      [
        { name: 'a', runtime: 'nodejs22.x' },
        { name: 'b', runtime: 'python3.12' },
        { name: 'c', runtime: 'python3.13' },
        { name: 'd', runtime: 'provided.al2023' },
      ],
      { node: '22.23.3', others: ["python3.12 on the host's Python 3.12.3 (/usr/bin/python3)", "python3.13 on the host's Python 3.11.2 (/usr/bin/python3)", "provided.al2023 on each function's own bootstrap"], today: DAY },
    );
    expect(list).toEqual([
      { runtime: 'nodejs22.x', functions: ['a'], ranOn: 'Node 22.23.3', matches: true },
      { runtime: 'python3.12', functions: ['b'], ranOn: "the host's Python 3.12.3 (/usr/bin/python3)", matches: true },
      { runtime: 'python3.13', functions: ['c'], ranOn: "the host's Python 3.11.2 (/usr/bin/python3)", matches: false },
      { runtime: 'provided.al2023', functions: ['d'], ranOn: "each function's own bootstrap", matches: true },
    ]);
    // a newer runtime on an older Node (none of its own found) is marked too, without the worker-code reason
    expect(runtimesInUse([{ name: 'a', runtime: 'nodejs24.x' }], { node: '22.23.3', today: DAY })[0]).toMatchObject({ ranOn: 'Node 22.23.3, not Node 24 as on Lambda', matches: false });
  });

  it('travels in the ready line, and results from before the list still parse', () => {
    const runtimes = runtimesInUse(OLD_STACK, { node: '20.20.2', today: DAY });
    expect(LambdaRuntimeInfo.parse({ runtime: 'nodejs20.x', node: '20.20.2', matches: true, runtimes }).runtimes).toEqual(runtimes);
    const old = buildResults();
    expect(old.environment.lambdaRuntimes).toBeUndefined();
    expect(Results.safeParse(old).success).toBe(true);
    expect(Results.safeParse({ ...old, environment: { ...old.environment, lambdaRuntimes: runtimes } }).success).toBe(true);
  });
});

describe('the runtimes, said', () => {
  const base = buildResults();
  const r = { ...base, environment: { ...base.environment, lambdaRuntime: { runtime: 'nodejs20.x', node: '20.20.2', matches: true }, lambdaRuntimes: runtimesInUse(OLD_STACK, { node: '20.20.2', today: DAY }) } };

  it('on the console: each runtime on a line, its deprecation under it; never the one emulated runtime', () => {
    const text = consoleSummary(r, 'results.json', 400);
    const lines = text.split('\n').filter((l) => l.startsWith('  lambda ') || l.startsWith('               deprecated'));
    expect(lines).toEqual([
      "  lambda       nodejs16.x (chat-connect, chat-send) on Node 20.20.2, not Node 16 as on Lambda: the emulator's worker code runs on Node 20 and later; deprecated by Lambda on 2024-06-12",
      `               ${r.environment.lambdaRuntimes[0]!.deprecation}`,
      "  lambda       nodejs14.x (chat-disconnect) on Node 20.20.2, not Node 14 as on Lambda: the emulator's worker code runs on Node 20 and later; deprecated by Lambda on 2023-12-04",
      `               ${r.environment.lambdaRuntimes[1]!.deprecation}`,
      "  lambda       nodejs10.x (chat-default) on Node 20.20.2, not Node 10 as on Lambda: the emulator's worker code runs on Node 20 and later; deprecated by Lambda on 2021-07-30",
      `               ${r.environment.lambdaRuntimes[2]!.deprecation}`,
    ]);
    expect(text).not.toContain('lambda       nodejs20.x on Node');
    // results from before the list: the one runtime, as it was said
    expect(consoleSummary(base, 'results.json', 400)).toContain('  lambda       nodejs22.x on Node 22.23.3\n');
  });

  it('in summary.md: a table of the runtimes, the ones not on their own version in bold', () => {
    const md = renderSummaryMarkdown(judged(r));
    expect(md).toContain('### Lambda runtimes\n\n| runtime | functions | ran here on | Lambda |\n|---|---|---|---|\n');
    expect(md).toContain(`| nodejs16.x | chat-connect, chat-send | **Node 20.20.2, not Node 16 as on Lambda: the emulator&#39;s worker code runs on Node 20 and later** | deprecated by Lambda on 2024-06-12 (docs/aws-facts.md); Lambda still invokes existing functions but refuses new ones from 2027-02-01 and updates from 2027-03-03, when a fresh deploy of this template fails |`);
    expect(renderSummaryMarkdown(judged(base))).not.toContain('### Lambda runtimes');
  });

  it('in the report: each runtime in the environment table with its deprecation', () => {
    const html = renderHtml(judged(r));
    expect(html).toContain('Lambda runtimes');
    expect(html).toContain(`<code>nodejs14.x</code> <span class="nw">(chat-disconnect)</span> on <strong class="bad-text">Node 20.20.2, not Node 14 as on Lambda: the emulator&#39;s worker code runs on Node 20 and later</strong><br><span class="note">deprecated by Lambda on <span class="nw">2023-12-04</span>`);
    expect(renderHtml(judged(base))).toContain('nodejs22.x on Node 22.23.3');
  });
});
