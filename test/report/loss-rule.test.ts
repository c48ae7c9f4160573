import { describe, expect, it } from 'vitest';
import { consoleSummary as summary } from '../../src/report/run/console.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { lossRule } from '../../src/report/run/loss-rule.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { buildResults } from './fixtures.ts';
import { judged } from '../../src/verdict/judged.ts';

/** Every report says which loss timeout a run's `lost` count followed; older runs say their rule. */
function withLossTimeout(): Results {
  const r = buildResults();
  r.config.timeouts = { connectMs: 30_000, ackMs: 30_000, graceMs: 2_000, lossMs: 45_000 };
  r.deliveries = { ...r.deliveries, late: 7, lostEarly: 3, afterLossTimeout: 1, lossTimeoutMs: 45_000, graceMs: 2_000 };
  return Results.parse(r);
}

describe('the loss timeout in the reports', () => {
  const r = withLossTimeout();
  const rule =
    'Lost = not arrived within the 45s loss timeout after the ack (timeouts.loss); 7 late: arrived more than 2s after the ack ' +
    '(timeouts.grace), counted as received; 3 of the lost were counted before their loss timeout had passed (the run ended first); ' +
    '1 arrived after their message was counted lost (they stay lost).';

  it('names the timeout and the late, early and after-timeout counts', () => {
    expect(lossRule(r)).toBe(rule);
  });

  it('summary.md, index.html and the console summary each say it', () => {
    expect(renderSummaryMarkdown(judged(r))).toContain('Lost = not arrived within the 45s loss timeout');
    const html = renderHtml(judged(r));
    expect(html).toContain('lost (loss timeout 45s)');
    expect(html).toContain('Lost = not arrived within the 45s loss timeout');
    expect(summary(r, 'results.json')).toContain('lost 12 (loss timeout 45s)  late 7 (>2s after ack)');
  });

  it('an older run (no lossTimeoutMs) says its deliveries were counted up to the grace, and its late ones stayed lost', () => {
    const old = buildResults();
    old.config.timeouts = { connectMs: 30_000, ackMs: 30_000, graceMs: 2_000 };
    expect(lossRule(old)).toBe("Older run: a message's deliveries were counted up to 2s after its ack; 2 deliveries arrived after that and stayed counted as lost.");
    expect(renderHtml(judged(old))).toContain('Older run: a message&#39;s deliveries were counted up to 2s after its ack; 2 deliveries arrived after that');
    expect(summary(old, 'results.json')).not.toContain('loss timeout');
  });
});
