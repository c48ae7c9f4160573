import { describe, expect, it } from 'vitest';
import { explanationOf } from '../../src/report/run/verdict-text.ts';
import { explanationLines } from '../../src/report/shared/explanation-lines.ts';
import { consoleSummary } from '../../src/report/run/console.ts';
import { CONSOLE_WIDTH, fitLine } from '../../src/report/shared/console-lines.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { buildResults } from './fixtures.ts';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';

/** The summary `run` prints on stdout, rendered from results alone. */
describe('console summary', () => {
  it("names each role's unused grants for a function that made calls; those that made none in one line, no grant judged", () => {
    const r = buildResults();
    const grant = (action: string, resource: string) => ({ action, resource, source: 'inline policy P' });
    r.permissions = {
      window: { startMs: 0, endMs: 1 },
      functions: [
        {
          function: 'send',
          role: 'arn:aws:iam::1:role/SendRole',
          status: 'observed',
          granted: [grant('dynamodb:Query', 'arn:aws:dynamodb:us-east-1:1:table/t'), grant('dynamodb:Scan', 'arn:aws:dynamodb:us-east-1:1:table/t')],
          used: [{ action: 'dynamodb:Query', resource: 'arn:aws:dynamodb:us-east-1:1:table/t' }],
          unused: [grant('dynamodb:Scan', 'arn:aws:dynamodb:us-east-1:1:table/t')],
        },
        { function: 'broadcast', role: 'arn:aws:iam::1:role/BroadcastRole', status: 'observed', granted: [grant('dynamodb:Scan', '*')], used: [], unused: [grant('dynamodb:Scan', '*')] },
      ],
    };
    const lines = consoleSummary(r, '/runs/r1/results.json').split('\n');
    expect(lines).toContain('  permissions  send: 1 of 2 grants unused (dynamodb:Scan on table/t); used dynamodb:Query on table/t');
    expect(lines).toContain('  permissions  no AWS call in the run, so no grant judged: broadcast');
    expect(lines.filter((l) => l.includes('broadcast:'))).toEqual([]);
  });

  it('says how the run ended, its latencies, accounting, errors, harness and cost, then where results.json is', () => {
    const lines = consoleSummary(buildResults(), '/runs/r1/results.json').split('\n');
    expect(lines[0]).toBe('fanout-bench room-fanout: completed in 120.0 s against local ws://127.0.0.1:4510/local');
    expect(lines).toContain('  connect      n=1,000  p50 28.4 ms  p90 48.9 ms  p99 224 ms  max 376 ms');
    expect(lines).toContain('    cold       n=774  p50 120 ms  p90 180 ms  p99 249 ms  max 290 ms');
    expect(lines).toContain('  sends        intended 2,100  sent 2,100  acked 2,082  failed 18  missed slots 14');
    expect(lines).toContain('  deliveries   expected 102,812  received 102,800  lost 12  duplicates 0  out-of-order 3');
    expect(lines).toContain('  stale        dropped 50  410s 50  clean after 1,840 ms  wasted posts 50');
    expect(lines).toContain('  errors       frame:Internal server error=18  close:1006=5');
    expect(lines).toContain('  harness      2 shards  cpu 61.4 s  lag p99 24.1 ms  rss 212 MB');
    // percentages and dollars as the page writes them (number-format's fmtPercent, fmtUsd)
    expect(lines.filter((l) => l.startsWith('  local host'))).toEqual([expect.stringMatching(/^ {2}local host {3}busy avg 5\d(\.\d)? % peak 9\d(\.\d)? % {2}stack cpu 116 s {2}held back 120 invocations$/)]);
    expect(lines.some((l) => l.startsWith('  warning: local host held back 120 of 1,000 fanout-connect invocations (wait p50 310 ms, p99 821 ms)'))).toBe(true);
    expect(lines).toContain('  cost         ≈ $0.119 at us-east-1 list prices as of 2025-08-01 (built-in table)  ($1.16 per million deliveries)');
    // AWS charges no data transfer on WebSocket APIs: no line for it, not a $0 one
    expect(lines.some((l) => l.includes('transfer'))).toBe(false);
    expect(lines.at(-2)).toBe('results: /runs/r1/results.json');
    expect(lines.at(-1)).toBe('');
  });

  it('shows stale figures from a target\'s own view with their source, and says when a protocol leaves them unseen, never a silent 0', () => {
    const r = buildResults();
    const protocol = { name: 'sendmessage', kind: 'described' as const, membership: 'all' as const, recipients: 'room' as const, sendAcks: false };
    const unseen = 'not observable with protocol sendmessage: no answer counts 410s';
    r.protocol = { ...protocol, notObservable: { 'stale.gone410': unseen } };
    r.stale = { dropped: 2, gone410: 0, timeToCleanMs: null, wastedPosts: 0 };
    expect(consoleSummary(r, 'results.json')).toContain(`  stale        dropped 2  410s, time to clean, wasted posts: ${unseen}\n`);
    const source = "the emulator's gateway: 3 @connections posts answered 410 to the 2 connections that ended without a close frame during the run";
    r.protocol = { ...protocol, notObservable: { 'stale.gone410': `from ${source}` } };
    r.stale = { dropped: 2, gone410: 3, timeToCleanMs: 281, wastedPosts: 3, source };
    expect(consoleSummary(r, 'results.json')).toContain(`  stale        dropped 2  410s 3  clean after 281 ms  wasted posts 3\n               from ${source}\n`);
  });

  it('shows a transfer line when the prices add one (a price file for a contract that charges it)', () => {
    const r = buildResults();
    r.cost = estimateCost(r, { prices: { ...DEFAULT_PRICES, dataTransferOut: { outPerGB: 0.09 } } });
    const lines = consoleSummary(r, 'results.json').split('\n');
    expect(lines.filter((l) => l.startsWith('  transfer out'))).toEqual([expect.stringMatching(/^ {2}transfer out 0\.0735 GB to the clients ≈ \$0\.0066\d of it$/)]);
  });

  it('names why a run did not complete, leaves out what was not measured, and flags a saturated harness by phase', () => {
    const r = buildResults();
    r.status = 'interrupted';
    r.statusReason = 'interrupted by SIGINT before the scenario finished';
    delete r.stale;
    delete r.cost;
    delete r.metrics.join;
    r.metrics.fanoutCompletion = { ...r.metrics.fanoutCompletion, count: 0 };
    r.errors = {};
    r.harness.saturated = true;
    r.harness.warnings = ['shard 1: event-loop lag p99 80 ms'];
    r.phases = r.phases!.map((p) => ({ ...p, saturated: p.name === 'steady' }));
    const text = consoleSummary(r, 'results.json');
    expect(text.split('\n')[0]).toBe(
      'fanout-bench room-fanout: interrupted in 120.0 s against local ws://127.0.0.1:4510/local (interrupted by SIGINT before the scenario finished)',
    );
    expect(text).not.toMatch(/^ {2}(join|fan-out|stale|cost) /m);
    expect(text).toContain('  errors       none on the clients\n               API Gateway counted 18 client errors, 2 execution errors of its own');
    expect(text).toContain('rss 212 MB  SATURATED\n');
    expect(text).toContain("  saturated    during steady; the other phases' numbers are the system's\n");
    expect(text).toContain('  warning: shard 1: event-loop lag p99 80 ms\n');
  });

  it('ends with the verdict when the results carry one: the headline, then what did not pass, each with its why', () => {
    const r = buildResults();
    r.verdict = evaluate(r, { thresholds: [parseThreshold('deliveries.lost == 0', '--threshold'), parseThreshold('broadcast.p99 < 1s', '--threshold')] });
    const lines = consoleSummary(r, 'results.json').split('\n');
    const at = lines.findIndex((l) => l.startsWith('verdict: '));
    // each failed check with its explanation under it (explanations.test.ts holds what it says)
    const why = (check: string, threshold = false) => {
      const e = explanationLines(explanationOf(r.verdict!, check, threshold)!);
      expect(e.length, check).toBeGreaterThan(0);
      // each why's remedy on a line of its own, every line fitted to 160 with where the whole is
      return e
        .flatMap((l) => {
          const m = /^(why: .*) \(what would move it: (.*)\)$/.exec(l);
          return m ? [`    ${m[1]}`, `      what would move it: ${m[2]}`] : [`    ${l}`];
        })
        .map((l) => fitLine(l, CONSOLE_WIDTH, 'summary.md'));
    };
    expect(lines.slice(at, -2)).toEqual([
      'verdict: FAIL: 2 of 5 checks failed (no lost deliveries, no unexpected errors); 1 of 2 thresholds crossed',
      // the cause with the largest share of its symptom: the throttles behind 18 of the 23 unexpected errors
      '  first cause (no unexpected errors): Lambda throttled 18 invocations (fanout-send-message 18)',
      '  check failed: no lost deliveries: 12 of 102,812 expected deliveries lost (far below 1 %)',
      ...why('no lost deliveries'),
      '  check failed: no unexpected errors: 23 unexpected errors: frame:Internal server error ×18, close:1006 ×5',
      ...why('no unexpected errors'),
      '  crossed: deliveries.lost == 0: 12; limit == 0: crossed [--threshold]',
      // a crossed threshold is explained too, by every kind of evidence, and where the deliveries went
      ...why('deliveries.lost == 0', true),
    ]);
    expect(r.verdict!.explanations!.find((e) => e.check === 'no unexpected errors')!.evidence[0]!.share).toBe(18 / 23);
    expect(why('deliveries.lost == 0', true).at(-1)).toBe('    where: send phase "steady": 12 of 102,812 expected deliveries lost');
    expect(lines.at(-2)).toBe('results: results.json');
  });
});
