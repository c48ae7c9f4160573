import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdown, escapeXml, jsonForScript } from '../../src/report/shared/escape.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { renderJunit } from '../../src/report/run/junit.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { buildResults, XSS } from './fixtures.ts';
import { judged } from '../../src/verdict/judged.ts';

describe('escaping helpers', () => {
  it('escapes HTML text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('makes JSON safe inside <script> and reads back unchanged', () => {
    const value = { a: '</script><script>alert(1)</script>', b: '<!-- x -->', c: 'line\u2028sep\u2029', d: '&amp;' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/<|>|&|\u2028|\u2029/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('replaces characters XML cannot carry', () => {
    expect(escapeXml('a\u0001b<')).toBe('a\uFFFDb&lt;');
  });

  it('neutralises Markdown and table pipes', () => {
    expect(escapeMarkdown('a|b *c* <img>')).toBe('a\\|b \\*c\\* &lt;img&gt;');
    // a backslash before a pipe must not turn the escaped pipe back into a cell separator
    expect(escapeMarkdown('a\\|b')).toBe('a\\\\\\|b');
  });
});

describe('renderers with hostile strings from the target and the user', () => {
  const results = buildResults({ hostile: true });
  // a threshold naming the hostile error kind: the user's expression reaches every renderer
  results.verdict = evaluate(results, { thresholds: [parseThreshold(`errors[${JSON.stringify(XSS.errorKind)}] == 0`, '--threshold')] });
  const html = renderHtml(judged(results));

  it('HTML: every hostile string appears only escaped', () => {
    for (const s of Object.values(XSS)) {
      expect(html, s).not.toContain(s);
      expect(html, s).toContain(escapeHtml(s));
    }
    // exactly the page's own three script elements (data, uPlot, chart script)
    expect(html.match(/<script\b/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
  });

  it('HTML: the Lambda runtime that ran the functions, a fallback marked with its note', () => {
    expect(html).toContain(`<td>Lambda runtime</td><td><strong class="bad-text">nodejs22.x on Node 20.20.2</strong> (${escapeHtml(XSS.runtimeNote)})</td>`);
    expect(renderHtml(judged(buildResults()))).toContain('<td>Lambda runtime</td><td>nodejs22.x on Node 22.23.3</td>');
  });

  it('HTML: the embedded chart data cannot close its script element', () => {
    const data = html.slice(html.indexOf('id="report-data">') + 'id="report-data">'.length, html.indexOf('</script>'));
    expect(data).not.toContain('<');
    // the hostile function name reached the chart data, as an escaped string
    expect(JSON.parse(data)['lambda-invocations'].series.map((s: { label: string }) => s.label)).toContain(XSS.functionName);
  });

  it('Markdown summary: no raw markup', () => {
    const md = renderSummaryMarkdown(judged(results));
    for (const s of [XSS.errorKind, XSS.scenario, XSS.statusReason, XSS.functionName, XSS.problem]) expect(md, s).not.toContain(s);
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('JUnit: no raw markup, attribute quotes escaped', () => {
    const xml = renderJunit(judged(results));
    expect(xml).not.toContain('<img');
    expect(xml).not.toContain('<script');
    expect(xml).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;');
  });
});
