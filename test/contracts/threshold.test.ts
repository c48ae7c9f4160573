import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';
import { lookupMetric } from '../../src/contracts/metric-catalogue.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { collectThresholds } from '../../src/verdict/threshold-list.ts';

/** The one line a bad threshold gives (a UserError, exit 2), or the parsed threshold. */
function problem(expression: string, source = '--threshold'): string {
  try {
    parseThreshold(expression, source);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    const message = (err as UserError).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`"${expression}" parsed`);
}

describe('threshold expressions', () => {
  it('parses the forms the README shows, into metric, operator and bound', () => {
    const cases: Array<[string, string, string, object]> = [
      ['broadcast.p99 < 250ms', 'broadcast.p99', '<', { baseline: false, value: 250 }],
      ['broadcast.p99<250ms', 'broadcast.p99', '<', { baseline: false, value: 250 }],
      ['broadcast.p99 < 250', 'broadcast.p99', '<', { baseline: false, value: 250 }],
      ['connect.p99 <= 1.5s', 'connect.p99', '<=', { baseline: false, value: 1500 }],
      ['deliveries.lost == 0', 'deliveries.lost', '==', { baseline: false, value: 0 }],
      ['deliveries.lostShare < 0.1%', 'deliveries.lostShare', '<', { baseline: false, value: 0.1 }],
      ['dynamodb.readUnitsPerMessage <= 2', 'dynamodb.readUnitsPerMessage', '<=', { baseline: false, value: 2 }],
      ['cost.perMillionDeliveries < 0.5', 'cost.perMillionDeliveries', '<', { baseline: false, value: 0.5 }],
      ['cost.total < $0.01', 'cost.total', '<', { baseline: false, value: 0.01 }],
      ['sends.sent >= 1e3', 'sends.sent', '>=', { baseline: false, value: 1000 }],
      ['errors.total != 3', 'errors.total', '!=', { baseline: false, value: 3 }],
      ['broadcast.p99 <= baseline * 1.10', 'broadcast.p99', '<=', { baseline: true, factor: 1.1, offset: 0 }],
      ['connect.p99 < baseline + 20ms', 'connect.p99', '<', { baseline: true, factor: 1, offset: 20 }],
      ['connect.p99 < baseline - 0.5s', 'connect.p99', '<', { baseline: true, factor: 1, offset: -500 }],
      ['broadcast.p50 <= baseline * 1.2 + 5ms', 'broadcast.p50', '<=', { baseline: true, factor: 1.2, offset: 5 }],
      ['deliveries.lost <= baseline', 'deliveries.lost', '<=', { baseline: true, factor: 1, offset: 0 }],
      ['lambda.fanout-send-message.durationP99 < 1s', 'lambda.fanout-send-message.durationP99', '<', { baseline: false, value: 1000 }],
      ['errors["frame:Internal server error"] == 0', 'errors["frame:Internal server error"]', '==', { baseline: false, value: 0 }],
      ['errors["odd<kind>"] <= 2', 'errors["odd<kind>"]', '<=', { baseline: false, value: 2 }],
      ['phases[2].broadcast.p99 < 1s', 'phases[2].broadcast.p99', '<', { baseline: false, value: 1000 }],
      ['harness.eventLoopLagP99Ms < 50', 'harness.eventLoopLagP99Ms', '<', { baseline: false, value: 50 }],
    ];
    for (const [expression, metric, op, bound] of cases) {
      const t = parseThreshold(expression, '--threshold');
      expect({ metric: t.metric.name, op: t.op, bound: t.bound }, expression).toEqual({ metric, op, bound });
      expect(t.source).toBe('--threshold');
    }
  });

  it('knows units and noise: latencies noisy in ms, work counts exact, costs in USD', () => {
    const facts = (e: string) => {
      const m = parseThreshold(e, 'x').metric;
      return [m.unit, m.noisy];
    };
    expect(facts('broadcast.p99 < 1')).toEqual(['ms', true]);
    expect(facts('broadcast.count > 1')).toEqual(['', false]);
    expect(facts('deliveries.lost < 1')).toEqual(['', false]);
    expect(facts('dynamodb.readUnitsPerMessage < 1')).toEqual(['', false]);
    expect(facts('lambda.invocationsPerMessage < 1')).toEqual(['', false]);
    expect(facts('fanout.postsPerMessage < 1')).toEqual(['', false]);
    expect(facts('lambda.fanout-send-message.initP99 < 1')).toEqual(['ms', true]);
    expect(facts('lambda.gbSecondsPerMessage < 1')).toEqual(['GB-s', true]);
    expect(facts('cost.perMillionDeliveries < 1')).toEqual(['USD', true]);
    expect(facts('lambda.fanout-send-message.coldStartShare < 1%')).toEqual(['%', true]);
    expect(facts('stale.timeToCleanMs < 1')).toEqual(['ms', true]);
  });

  it('every mistake is one line naming the source and the expression', () => {
    const lines: Array<[string, string]> = [
      ['', '--threshold: "": empty threshold: write <metric> <op> <value>, e.g. "broadcast.p99 < 250ms"'],
      ['broadcast.p99', '--threshold: "broadcast.p99": no comparison: write <metric> <op> <value> with op one of < <= > >= == !=, e.g. "broadcast.p99 < 250ms"'],
      ['broadcast.p99 = 5', '--threshold: "broadcast.p99 = 5": "=" is not an operator: use == (or <=, >=)'],
      ['broadcast.p99 => 5', '--threshold: "broadcast.p99 => 5": "=" is not an operator: use == (or <=, >=)'],
      ['< 5', '--threshold: "< 5": no metric before "<"'],
      ['broadcast.p99 <', '--threshold: "broadcast.p99 <": no value after "<"'],
      ['broadcast.p99 < 5 < 6', '--threshold: "broadcast.p99 < 5 < 6": more than one comparison: one threshold compares one metric with one value'],
      ['broadcast.p98 < 250ms', '--threshold: "broadcast.p98 < 250ms": unknown metric "broadcast.p98": broadcast has p50, p90, p99, p999, min, mean, max, count'],
      ['broadcast < 250ms', '--threshold: "broadcast < 250ms": unknown metric "broadcast": name a statistic (broadcast has p50, p90, p99, p999, min, mean, max, count)'],
      [
        'latency.p99 < 1',
        '--threshold: "latency.p99 < 1": unknown metric "latency.p99": name one such as broadcast.p99, deliveries.lost, dynamodb.readUnitsPerMessage, lambda.<function>.durationP99 or cost.perMillionDeliveries, or any numeric field of results.json',
      ],
      [
        'deliveries.gone < 1',
        '--threshold: "deliveries.gone < 1": unknown metric "deliveries.gone": deliveries.gone is not in results.json (deliveries has: expected, received, lost, duplicates, outOfOrder, late, lossTimeoutMs, graceMs, lostEarly, afterLossTimeout, unacknowledged, surplus, foreign, underreported, missedDuringReconnect, missedByDrop, missing) (named metrics: deliveries.lostShare)',
      ],
      ['status == 1', '--threshold: "status == 1": unknown metric "status": status is text in results.json, not a number'],
      ['harness.saturated == 0', '--threshold: "harness.saturated == 0": unknown metric "harness.saturated": harness.saturated is true or false in results.json, not a number'],
      ['sends < 5', '--threshold: "sends < 5": unknown metric "sends": sends is a group of fields in results.json, not a number (named metrics: sends.failedShare, sends.unsentShare)'],
      ['durationMs.total < 5', '--threshold: "durationMs.total < 5": unknown metric "durationMs.total": durationMs is a number in results.json: it has no field "total"'],
      [
        'lambda.fanout-send-message.p99 < 1s',
        '--threshold: "lambda.fanout-send-message.p99 < 1s": unknown metric "lambda.fanout-send-message.p99": a function has invocations, invocationsPerMessage, errors, throttles, durationP50, durationP99, durationMean, durationMax, initP50, initP99, initMax, coldStarts, coldStartShare, gbSeconds, memoryMB, concurrencyMax',
      ],
      [
        'apiGateway.latency < 1',
        '--threshold: "apiGateway.latency < 1": unknown metric "apiGateway.latency": apiGateway has connectCount, messageCount, integrationError, clientError, executionError, integrationLatencyAvgMs, integrationLatencyP99Ms',
      ],
      ['broadcast..p99 < 5', '--threshold: "broadcast..p99 < 5": "broadcast..p99" is not a metric name: unexpected "."'],
      ['broadcast.p99. < 5', '--threshold: "broadcast.p99. < 5": "broadcast.p99." is not a metric name: it ends with "."'],
      ['errors["x] < 5', '--threshold: "errors["x] < 5": a quoted key is not closed: " without its pair'],
      ['errors[x] < 5', '--threshold: "errors[x] < 5": "errors[x]" is not a metric name: expected ["key"] or [index] at "[x]"'],
      ['broadcast.p99 < 250mss', '--threshold: "broadcast.p99 < 250mss": broadcast.p99 is a time: "250mss" has unit "mss" (use ms or s, or a bare number of ms)'],
      ['broadcast.p99 < 5%', '--threshold: "broadcast.p99 < 5%": broadcast.p99 is a time: "5%" has unit "%" (use ms or s, or a bare number of ms)'],
      ['deliveries.lostShare < 0.01', '--threshold: "deliveries.lostShare < 0.01": deliveries.lostShare is a share: write it in %, e.g. "0.01%"'],
      ['deliveries.lost < 5ms', '--threshold: "deliveries.lost < 5ms": deliveries.lost has no unit: "5ms" has unit "ms"'],
      ['deliveries.lost < $1', '--threshold: "deliveries.lost < $1": deliveries.lost is not a cost (no unit): "$1" cannot apply'],
      ['broadcast.p99 < fast', '--threshold: "broadcast.p99 < fast": "fast" is not a value: expected a number with an optional unit (ms, s, %; $ for a cost)'],
      ['broadcast.p99 < 2 * baseline', '--threshold: "broadcast.p99 < 2 * baseline": "baseline" must come first on the right: "baseline * 1.1", "baseline + 20ms"'],
      ['broadcast.p99 < baseline * x', '--threshold: "broadcast.p99 < baseline * x": "baseline * x": expected "baseline * <number>", e.g. "baseline * 1.10"'],
      ['broadcast.p99 < baseline * 0', '--threshold: "broadcast.p99 < baseline * 0": "baseline * 0": the factor must be a number > 0'],
      ['broadcast.p99 < baseline / 2', '--threshold: "broadcast.p99 < baseline / 2": unexpected "/ 2" after baseline: expected "* <number>" and/or "+ <value>" / "- <value>"'],
      ['broadcast.p99 < baseline + -5ms', '--threshold: "broadcast.p99 < baseline + -5ms": "+ -5ms": one sign is enough'],
      ['broadcast.p99 < baseline + 5%', '--threshold: "broadcast.p99 < baseline + 5%": broadcast.p99 is a time: "5%" has unit "%" (use ms or s, or a bare number of ms)'],
    ];
    for (const [expression, line] of lines) expect(problem(expression), expression).toBe(line);
  });

  it('names the scenario file and the list index as the source, and keeps the message on one line', () => {
    expect(problem('broadcast.p98 < 1', 'launch.yaml: thresholds[3]')).toBe(
      'launch.yaml: thresholds[3]: "broadcast.p98 < 1": unknown metric "broadcast.p98": broadcast has p50, p90, p99, p999, min, mean, max, count',
    );
    expect(problem('broadcast.p98\n  < 1')).toBe('--threshold: "broadcast.p98 < 1": unknown metric "broadcast.p98": broadcast has p50, p90, p99, p999, min, mean, max, count');
    const long = `broadcast.p99 < ${'9'.repeat(300)}x`;
    expect(problem(long).length).toBeLessThan(500);
  });
});

describe('thresholds from the scenario file and --threshold', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-thresholds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const scenarioFile = (name: string, thresholds: string) => {
    const file = join(dir, name);
    writeFileSync(file, `name: t\nclients: 10\nrooms: 2\nphases:\n  - connect: {}\n  - join: {}\n  - send: { duration: 2s, rate: 5 }\n${thresholds}`);
    return file;
  };

  it('a bad threshold in the file is one line naming the file, the field and the expression', () => {
    const file = scenarioFile('bad.yaml', 'thresholds:\n  - broadcast.p99 < 250ms\n  - broadcast.p99 < 250 parsecs\n');
    expect(() => loadScenario(file)).toThrow(
      new UserError(`${file}: thresholds[1]: "broadcast.p99 < 250 parsecs": broadcast.p99 is a time: "250 parsecs" has unit "parsecs" (use ms or s, or a bare number of ms)`),
    );
    const notList = scenarioFile('notlist.yaml', 'thresholds: broadcast.p99 < 250ms\n');
    expect(() => loadScenario(notList)).toThrow(new UserError(`${notList}: thresholds: Invalid input: expected array, received string`));
    const notString = scenarioFile('notstring.yaml', 'thresholds:\n  - 250\n');
    expect(() => loadScenario(notString)).toThrow(new UserError(`${notString}: thresholds[0]: Invalid input: expected string, received number`));
  });

  it('merges the file first, then the flags; the same expression once; sources say where each came from', () => {
    const file = scenarioFile('ok.yaml', 'thresholds:\n  - broadcast.p99 < 250ms\n  - "deliveries.lost  ==  0"\n');
    const scenario = loadScenario(file);
    // parsed once, when the scenario is loaded, each named where it was written
    expect(scenario.thresholds.map((t) => [t.expression, t.source])).toEqual([
      ['broadcast.p99 < 250ms', `${file}: thresholds[0]`],
      ['deliveries.lost == 0', `${file}: thresholds[1]`],
    ]);
    const list = collectThresholds({ scenario: scenario.thresholds, flags: ['deliveries.lost == 0', 'connect.p99 <= baseline * 1.2'], baseline: { given: true } });
    expect(list.map((t) => [t.expression, t.source])).toEqual([
      ['broadcast.p99 < 250ms', `${file}: thresholds[0]`],
      ['deliveries.lost == 0', `${file}: thresholds[1]`],
      ['connect.p99 <= baseline * 1.2', '--threshold'],
    ]);
  });

  it('a threshold on the baseline without --baseline is bad input, naming where it came from', () => {
    expect(() => collectThresholds({ flags: ['broadcast.p99 <= baseline * 1.1'], baseline: { given: false } })).toThrow(
      new UserError('--threshold: "broadcast.p99 <= baseline * 1.1": compares with the baseline, but no --baseline <results.json> was given'),
    );
    const file = scenarioFile('base.yaml', 'thresholds:\n  - broadcast.p99 <= baseline * 1.1\n');
    expect(() => collectThresholds({ scenario: loadScenario(file).thresholds, baseline: { given: false } })).toThrow(
      new UserError(`${file}: thresholds[0]: "broadcast.p99 <= baseline * 1.1": compares with the baseline, but no --baseline <results.json> was given`),
    );
    // a search's SLOs can have no baseline at all, and are named --slo
    expect(() => collectThresholds({ flags: ['broadcast.p99 <= baseline'], flagName: '--slo', baseline: { none: 'a search has no baseline' } })).toThrow(
      new UserError('--slo: "broadcast.p99 <= baseline": a search has no baseline'),
    );
  });
});

describe('docs/verdict.md', () => {
  const readme = readFileSync(new URL('../../docs/verdict.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Threshold expressions'), readme.indexOf('### Metric names'));
  const blocks = [...section.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]);

  it('shows expressions that parse', () => {
    const examples = blocks[0].split('\n').flatMap((line) => line.split(/\s{2,}/)).map((e) => e.replace(/\(or (.*)\)$/, '').trim()).filter(Boolean);
    expect(examples.length).toBeGreaterThanOrEqual(9);
    for (const e of examples) expect(() => parseThreshold(e, 'README'), e).not.toThrow();
  });

  it('shows the error lines the parser prints', () => {
    const lines = blocks[1].trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const m = /^fanout-bench: (.*?): "(.*?)": /.exec(line)!;
      const [source, expression] = [m[1], m[2]];
      const thrown = (() => {
        try {
          collectThresholds({ flags: [expression], baseline: { given: false } });
          parseThreshold(expression, source);
        } catch (err) {
          return (err as Error).message;
        }
        return 'parsed';
      })();
      expect(`fanout-bench: ${thrown.replace(/^--threshold/, source)}`).toBe(line);
    }
  });

  it('names metrics in its table that the catalogue knows', () => {
    const table = readme.slice(readme.indexOf('### Metric names'), readme.indexOf('### Noise, repeats and no data'));
    const firstColumn = table.split('\n').filter((l) => l.startsWith('| `')).map((l) => l.split(' | ')[0]);
    const names = firstColumn.flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1])).filter((n) => !n.startsWith('.') && !/[<*]/.test(n));
    expect(names.length).toBeGreaterThan(25);
    for (const written of names) {
      // the latency row names the metrics, then their statistics
      const name = /[.[]/.test(written) ? written : `${written}.p99`;
      const m = lookupMetric(name);
      expect('problem' in m ? m.problem : m.name, name).toBe(name);
    }
  });
});
