import { describe, expect, it } from 'vitest';
import type { Attribution } from '../../src/contracts/attribution-schema.ts';
import type { LatencySummary } from '../../src/contracts/latency-summary-schema.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { withSystemFacts } from '../../src/metrics/results/system-facts.ts';
import { buildResults } from '../report/fixtures.ts';

/**
 * The one place what the system reported meets the fleet's results (withSystemFacts): a new value
 * each time, every finding in its section, the access log's cold/warm split and the stale
 * figures' source where the protocol says where its figures come from.
 */
const summary = (p50: number): LatencySummary => ({ count: 10, min: p50, mean: p50, p50, p90: p50, p99: p50, p999: p50, max: p50 });

function split(cold: number, warm: number) {
  return { all: summary(warm), cold: summary(cold), warm: summary(warm), unattributed: 0, penaltyMs: cold - warm, tailColdShare: 0.5, p99Ms: cold, p99WithoutColdMs: warm };
}

const accessLogAttribution = (): Attribution => ({
  source: 'access-log',
  accessLog: 'use',
  logGroup: '/aws/apigateway/chat',
  requests: { timed: 20, attributed: 20, unattributed: 0, why: {} },
  connect: split(300, 20),
  broadcast: split(250, 30),
  routes: [],
  coldPoints: [],
  notes: [],
});

/** The fleet's results of a protocol that shows neither cold connects nor 410s. */
function measuredOfOtherProtocol(): Results {
  const measured = buildResults({ cloudwatch: false });
  measured.protocol = {
    name: 'rooms',
    kind: 'described',
    membership: 'join',
    recipients: 'others',
    sendAcks: true,
    notObservable: { 'metrics.connectCold': 'not observable', 'metrics.connectWarm': 'not observable', 'stale.gone410': 'not observable', 'stale.timeToCleanMs': 'not observable', 'stale.wastedPosts': 'not observable' },
  };
  return measured;
}

describe('the fleet\'s results with what the system reported', () => {
  it('are a new value: the fleet\'s results stay as they were, each finding lands in its section', () => {
    const measured = measuredOfOtherProtocol();
    const before = structuredClone(measured);
    const pulled = buildResults();
    const results = withSystemFacts(measured, {
      cloudwatch: pulled.cloudwatch!,
      cost: pulled.cost!,
      unservedCalls: [],
      attribution: { attribution: accessLogAttribution(), histograms: { 'attributed:connect': 'HISTFAKE' } },
      stale: { source: 'from the emulator\'s gateway' },
      warnings: ['prices for region ap-southeast-2 unknown'],
    });
    expect(measured).toEqual(before);
    expect(results.cloudwatch).toBe(pulled.cloudwatch);
    expect(results.cost).toBe(pulled.cost);
    expect(results.unservedCalls).toEqual([]);
    expect(results.path).toBeUndefined();
    expect(results.harness.warnings).toEqual([...before.harness.warnings, 'prices for region ap-southeast-2 unknown']);
    expect(results.histograms).toEqual({ ...before.histograms, 'attributed:connect': 'HISTFAKE' });
    expect(Results.safeParse(results).success).toBe(true);
  });

  it("take the access log's cold/warm split into the metrics, and say where the figures come from", () => {
    const results = withSystemFacts(measuredOfOtherProtocol(), { attribution: { attribution: accessLogAttribution() }, stale: { source: 'from the functions\' logs' }, warnings: [] });
    expect(results.metrics.connectCold?.p50).toBe(300);
    expect(results.metrics.connectWarm?.p50).toBe(20);
    expect(results.metrics.broadcastCold?.p50).toBe(250);
    expect(results.protocol?.notObservable['metrics.connectCold']).toMatch(/^from API Gateway's access log/);
    expect(results.protocol?.notObservable['stale.gone410']).toBe("from the functions' logs");
    expect(results.protocol?.notObservable['stale.wastedPosts']).toBe("from the functions' logs");
  });

  it('leave a section the steps found nothing for as the fleet had it', () => {
    const measured = measuredOfOtherProtocol();
    const results = withSystemFacts(measured, { warnings: [] });
    expect(results).toEqual(measured);
    expect(results).not.toBe(measured);
  });
});
