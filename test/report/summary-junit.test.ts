import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { runChecks } from '../../src/verdict/checks.ts';
import { unexpectedErrors } from '../../src/contracts/unexpected-errors.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { renderJunit } from '../../src/report/run/junit.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { buildResults, resultsWithOldTransferLine } from './fixtures.ts';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { judged } from '../../src/verdict/judged.ts';

/** The fixture run made clean: nothing lost, no errors. */
function cleanRun(): Results {
  const r = buildResults();
  r.deliveries = { ...r.deliveries, expected: r.deliveries.received, lost: 0 };
  r.errors = {};
  return Results.parse(r);
}

describe('checks', () => {
  it('fails the fixture run on lost deliveries and errors, passes a clean one', () => {
    const failing = runChecks(buildResults());
    expect(failing.map((c) => [c.name, c.passed])).toEqual([
      ['run completed', true],
      ['sends went out', true],
      ['no lost deliveries', false],
      ['harness not saturated', true],
      ['no unexpected errors', false],
    ]);
    expect(evaluate(buildResults()).outcome).toBe('fail');
    expect(evaluate(cleanRun()).outcome).toBe('pass');
  });

  it('lets config.expectedErrors excuse exact kinds and "prefix:" kinds', () => {
    const r = buildResults();
    r.config.expectedErrors = ['close:', 'frame:Internal server error'];
    expect(unexpectedErrors(r)).toEqual([]);
    r.config.expectedErrors = ['close:1006'];
    expect(unexpectedErrors(r)).toEqual([['frame:Internal server error', 18]]);
  });
});

describe('sends went out', () => {
  const check = (r: Results) => runChecks(r).find((c) => c.name === 'sends went out')!;

  it('passes up to 1 % of intended sends skipped or failed, fails beyond', () => {
    const r = cleanRun();
    r.sends = { intended: 1_000, sent: 995, skipped: 5, missedSlots: 0, acked: 990, failed: 5 };
    expect(check(r).passed).toBe(true);
    r.sends = { intended: 1_000, sent: 400, skipped: 600, missedSlots: 0, acked: 400, failed: 0 };
    expect(check(r)).toMatchObject({ passed: false, detail: expect.stringContaining('600 skipped and 0 failed of 1,000 intended sends') });
    expect(evaluate(r).outcome).toBe('fail');
    r.sends = { intended: 1_000, sent: 1_000, skipped: 0, missedSlots: 0, acked: 950, failed: 50 };
    expect(check(r).passed).toBe(false);
  });

  it("excuses sends skipped during reconnect (the scenario's reconnect), counted apart, not what else was skipped", () => {
    const r = cleanRun();
    r.sends = { intended: 1_000, sent: 960, skipped: 40, skippedWhy: { reconnecting: 35, 'close:1006': 5 }, missedSlots: 0, acked: 930, failed: 5, cutOffByReconnect: 25 };
    expect(check(r)).toEqual({
      name: 'sends went out',
      passed: true,
      detail:
        "5 skipped and 5 failed of 1,000 intended sends (1 %; at most 1 % allowed) (skipped: no member of the sender's room open and joined; the sender's state: close:1006 ×5); not counted: 60 skipped during reconnect (the sender away, as the scenario's reconnect lets it be: 35 with no member of its room back to stand in, 25 on the wire when the server closed the socket)",
    });
    r.sends = { ...r.sends, skippedWhy: { reconnecting: 30, 'close:1006': 10 } };
    expect(check(r).passed).toBe(false);
  });
});

describe('renderSummaryMarkdown', () => {
  const r = buildResults();
  const md = renderSummaryMarkdown(judged(r));

  it('leads with the verdict and the scenario', () => {
    expect(md.split('\n')[0]).toBe('## fanout-bench: room-fanout — ❌ FAIL');
    expect(md).toContain('| no lost deliveries | ❌ | 12 of 102,812 expected deliveries lost (far below 1 %) |');
  });

  it('has p50/p90/p99/max per metric, from the results', () => {
    const row = md.split('\n').find((l) => l.startsWith('| broadcast |'))!;
    const m = r.metrics.broadcast;
    expect(row).toBe(`| broadcast | ${m.count.toLocaleString('en-US')} | ${m.p50.toFixed(1)} ms | ${m.p90.toFixed(1)} ms | ${Math.round(m.p99)} ms | ${Math.round(m.max)} ms |`);
    expect(md).toMatch(/^\| fan-out completion \| 2,100 \|/m);
  });

  it('reports deliveries, errors, Lambda, cost and warnings', () => {
    expect(md).toContain('**12 lost**');
    expect(md).toContain('| frame:Internal server error | 18 |');
    expect(md).toMatch(/^\| fanout-send-message \| 2,100 \| 2 \| 18 \|/m);
    expect(md).toContain(`per 1M deliveries`);
    expect(md).toContain('us-east-1 list prices as of 2025-08-01 (built-in table), Lambda x86\\_64');
    // AWS charges no data transfer on WebSocket APIs: no part, no source, no note
    expect(md).toMatch(/^\*\*\$0\.119\*\* this run \(Lambda \$[0-9.]+ · API Gateway \$[0-9.]+ · DynamoDB \$[0-9.]+\) · \$1\.16 per 1M deliveries/m);
    expect(md).not.toMatch(/transfer/i);
    expect(md).toContain("> The local host held the stack back: where a client waited on it, its latency includes the emulator's host queueing, which AWS would not have.");
    expect(md).toContain('> - local host held back 120 of 1,000 fanout-connect invocations (wait p50 310 ms, p99 821 ms)');
    const hostile = renderSummaryMarkdown(judged(buildResults({ hostile: true })));
    expect(hostile).toContain('> [!WARNING]');
    expect(hostile).toContain('### Warnings');
    expect(hostile).toContain('harness: event-loop lag above 200 ms for 12 s');
  });

  it('shows the work per message: DynamoDB units and Lambda GB-s, per message and per 1,000 deliveries', () => {
    expect(md).toContain('### Work per message (CloudWatch)');
    expect(md).toContain('| work | total | per message (2,100 sent) | per 1,000 deliveries (102,800) | source |');
    // reads: 2,100 + 5,200 + 475 (byConnection) + 1,000 = 8,775 → 8,775 / 2,100 = 4.18 per message, / 102,800 × 1,000 = 85.4
    expect(md).toContain('| DynamoDB read units | 8,775 | 4.18 | 85.4 | cloudwatch |');
    // writes: 1,950 + 1,950 + 1,950 (byConnection) + 2,120 = 7,970 → 3.80 per message, 77.5 per 1,000 deliveries
    expect(md).toContain('| DynamoDB write units | 7,970 | 3.80 | 77.5 | cloudwatch |');
    expect(md).toMatch(/^\| Lambda GB-seconds \(Duration × memory\) \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| report-lines \|$/m);
  });

  it('renders results written before work per message existed: no section, no error', () => {
    const old = buildResults();
    delete old.dynamodb;
    delete old.lambda;
    delete old.cloudwatch!.dynamodb;
    const parsed = Results.parse(JSON.parse(JSON.stringify(old)));
    expect(renderSummaryMarkdown(judged(parsed))).not.toContain('Work per message');
    expect(renderSummaryMarkdown(judged(parsed))).toContain('### Cost (estimate)');
  });

  it("a stack's Secrets Manager use is a part of the run's cost, beside the others", () => {
    const r = buildResults();
    r.secretsManager = { window: r.cloudwatch!.window, calls: { GetSecretValue: 2_000 }, secrets: ['arn:aws:secretsmanager:us-east-1:000000000000:secret:Signing-AbCdEf'] };
    r.cost = estimateCost(r);
    const out = renderSummaryMarkdown(judged(r));
    // 2,000 calls × $0.05 / 10,000 = $0.01, and the secret's share of the month
    expect(out).toMatch(/^\*\*\$[0-9.]+\*\* this run \(Lambda \$[0-9.]+ · API Gateway \$[0-9.]+ · DynamoDB \$[0-9.]+ · Secrets Manager \$0\.01[0-9]*\)/m);
    expect(r.cost.totals.secretsManager).toBeGreaterThan(0.01);
  });

  it('a price file that prices data transfer shows its part and source', () => {
    const r = buildResults();
    r.cost = estimateCost(r, { prices: { ...DEFAULT_PRICES, dataTransferOut: { outPerGB: 0.09 } } });
    const priced = renderSummaryMarkdown(judged(r));
    expect(priced).toMatch(/ · data transfer out \$0\.00662\) · /);
    expect(priced).toContain(', data transfer assumption');
    expect(priced).not.toContain('[!NOTE]');
  });

  it('re-rendering results recorded with the old data-transfer line says what AWS does not charge, and the estimate without it', () => {
    const old = renderSummaryMarkdown(judged(resultsWithOldTransferLine()));
    const cost = old.slice(old.indexOf('### Cost (estimate)'));
    expect(cost.split('\n').slice(0, 5)).toEqual([
      '### Cost (estimate)',
      '',
      '> [!NOTE]',
      '> This estimate was recorded with a data-transfer-out line of $0.00662 (0.0735 GB at $0.09 per GB), which AWS does not charge on WebSocket APIs ' +
        '(they are billed for messages and connection minutes only). Without it: $0.119 this run, $1.16 per 1M deliveries, $2,776.80 per 1,000 users per month. ' +
        '`fanout-bench report --arch x86_64 <run-dir>` estimates it again without the line.',
      '',
    ]);
    // the recorded figures stay as recorded, next to the note
    expect(cost).toContain('**$0.125** this run');
    expect(cost).toContain(' · data transfer out $0.00662) · ');
  });

  it('stays small enough for a job summary', () => {
    expect(Buffer.byteLength(md)).toBeLessThan(64 * 1024);
  });
});

describe('renderJunit', () => {
  it('has one testcase per check and describes the failures', () => {
    const xml = renderJunit(judged(buildResults()));
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toContain('<testsuites name="fanout-bench" tests="5" failures="2" errors="0" time="120.000">');
    expect(xml).toMatch(/<testcase classname="fanout-bench.room-fanout" name="no lost deliveries" time="0">\s*<failure message="12 of 102,812 expected deliveries lost \(far below 1 %\)" type="no lost deliveries">/);
    expect(xml).toMatch(/name="no unexpected errors"[^]*?<failure message="23 unexpected errors: frame:Internal server error ×18, close:1006 ×5"/);
    expect(xml).toContain('<property name="deliveries.lost" value="12"/>');
  });

  it('has no failures for a clean run', () => {
    const xml = renderJunit(judged(cleanRun()));
    expect(xml).toContain('failures="0"');
    expect(xml).not.toContain('<failure');
  });

  it('fails "run completed" with the reason', () => {
    const r = buildResults({ hostile: true });
    const xml = renderJunit(judged(r));
    expect(xml).toContain('failures="4"');
    expect(xml).toContain('status failed: &lt;/script&gt;');
  });
});
