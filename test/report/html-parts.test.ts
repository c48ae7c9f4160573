import { describe, expect, it } from 'vitest';
import { chartBox, emptyChartBox, html, NO_CHART_DATA, NO_TABLE_ROWS, section, SHORT_WORD, table, wholeWords, words } from '../../src/report/shared/html-parts.ts';

// The pieces every HTML report is built from: one escaping rule for section titles and intros,
// one empty state for a table and for a chart, and the table's class applied as given.

const HOSTILE = '<script>alert(1)</script> & "co"';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;';

describe('section', () => {
  it('escapes a title and a plain-text intro, once; the body is markup as given', () => {
    const out = section(`Title ${HOSTILE}`, `Intro ${HOSTILE}`, '<p>body</p>');
    expect(out).toBe(`<section><h2>Title ${ESCAPED}</h2><p class="intro">Intro ${ESCAPED}</p><p>body</p></section>`);
    expect(out).not.toContain('<script>');
  });

  it('leaves out an empty intro', () => {
    expect(section('T', '', 'b')).toBe('<section><h2>T</h2>b</section>');
  });

  it('keeps an html`` intro\'s markup and escapes only what it interpolates, never twice', () => {
    const fn = 'send<Message> & co';
    const intro = html`Duration of <code>${fn}</code> from REPORT lines.`;
    expect(section('T', intro, '')).toBe('<section><h2>T</h2><p class="intro">Duration of <code>send&lt;Message&gt; &amp; co</code> from REPORT lines.</p></section>');
    // markup built in two steps is not escaped again
    expect(section('T', html`<em>${intro}</em> ${'&'}`, '')).toContain('<em>Duration of <code>send&lt;Message&gt; &amp; co</code> from REPORT lines.</em> &amp;</p>');
    expect(section('T', intro, '')).not.toContain('&amp;amp;');
  });
});

describe('table', () => {
  it('with no rows reads as one "no data" line, whatever its class', () => {
    expect(table(['a'], [])).toBe(`<p class="no-data">${NO_TABLE_ROWS}</p>`);
    expect(table(['a'], [], 'num')).toBe(`<p class="no-data">${NO_TABLE_ROWS}</p>`);
  });

  it('applies the class given, and none when none is given; head and cells are markup as given; in a box of its own that scrolls', () => {
    expect(table(['<span class="nw">x</span>', 'y'], [['<code>1</code>', '2']], 'num second-text')).toBe(
      '<div class="table-wrap"><table class="num second-text"><thead><tr><th><span class="nw">x</span></th><th>y</th></tr></thead><tbody><tr><td><code>1</code></td><td>2</td></tr></tbody></table></div>',
    );
    expect(table(['x'], [['1']])).toMatch(/^<div class="table-wrap"><table><thead>/);
  });

  it("keeps its cells' short names whole", () => {
    expect(table(['function'], [['<code>fanout-connect</code> ok']])).toContain('<td><code><span class="nw">fanout-connect</span></code> ok</td>');
  });
});

describe('whole words', () => {
  it('keeps a word shorter than SHORT_WORD whole where a browser could break it after a separator', () => {
    expect(words('fanout-send-message p99 12.3 ms at 12:03, requests/s')).toBe('<span class="nw">fanout-send-message</span> p99 12.3 ms at 12:03, <span class="nw">requests/s</span>');
    // a separator at its end is no break inside it
    expect(words('ran: done.')).toBe('ran: done.');
  });

  it('lets a longer word (an ARN) wrap at its separators', () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:fanout-connect';
    expect(arn.length).toBeGreaterThanOrEqual(SHORT_WORD);
    expect(words(arn)).toBe(arn);
    expect(words('x'.repeat(SHORT_WORD - 2) + '-y')).toBe(`${'x'.repeat(SHORT_WORD - 2)}-y`);
    expect(words('x'.repeat(SHORT_WORD - 3) + '-y')).toBe(`<span class="nw">${'x'.repeat(SHORT_WORD - 3)}-y</span>`);
  });

  it('escapes text, leaves tags and attributes alone and counts an entity as one character', () => {
    expect(words('<a-b>')).toBe('<span class="nw">&lt;a-b&gt;</span>');
    expect(wholeWords('<a href="x/y-z.html">run-1</a>')).toBe('<a href="x/y-z.html"><span class="nw">run-1</span></a>');
    // markup done once is done
    expect(wholeWords(wholeWords('<td>fanout-connect</td>'))).toBe('<td><span class="nw">fanout-connect</span></td>');
    const amps = '&amp;'.repeat(SHORT_WORD - 3) + '-'; // 24 characters shown with the x
    expect(wholeWords(`${amps}x`)).toBe(`<span class="nw">${amps}x</span>`);
  });
});

describe('chartBox', () => {
  const charts: { latency?: { title: string }; cost?: { title: string }; errors?: { title: string; empty?: string } } = {
    latency: { title: `Latency ${HOSTILE}` },
    errors: { title: `Errors ${HOSTILE}`, empty: `No CloudWatch figures: ${HOSTILE}` },
  };

  it('draws a chart by its id, its title escaped', () => {
    expect(chartBox(charts, 'latency')).toBe(`<figure class="chart-box"><figcaption>Latency ${ESCAPED}</figcaption><div class="chart" data-chart="latency"></div></figure>`);
  });

  it('says a chart without data under its title: which data it lacks and why, both escaped', () => {
    expect(chartBox(charts, 'errors')).toBe(`<figure class="chart-box empty"><figcaption>Errors ${ESCAPED}</figcaption><p class="no-data">No CloudWatch figures: ${ESCAPED}</p></figure>`);
    expect(emptyChartBox(html`Errors <code>${HOSTILE}</code>`, 'none')).toBe(`<figure class="chart-box empty"><figcaption>Errors <code>${ESCAPED}</code></figcaption><p class="no-data">none</p></figure>`);
  });

  it('has one bare empty state for a chart the page has no spec for', () => {
    expect(chartBox(charts, 'cost')).toBe(`<div class="chart-box empty"><p class="no-data">${NO_CHART_DATA}</p></div>`);
    expect(chartBox({} as Record<string, { title: string }>, 'anything')).toBe(chartBox(charts, 'cost'));
    // @ts-expect-error an id the charts record does not have is a type error
    chartBox(charts, 'throughput');
  });
});
