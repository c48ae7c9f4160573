import type { LatencySummary } from '../../src/contracts/latency-summary-schema.ts';
import type { Results } from '../../src/contracts/results-schema.ts';

/**
 * A recorded run given the stack's figures the access log would add against the local emulator:
 * the same requests with the host's wait for a slot taken out (each latency scaled by k).
 */
const scaled = (s: LatencySummary, k: number): LatencySummary => ({ count: s.count, min: s.min * k, mean: s.mean * k, p50: s.p50 * k, p90: s.p90 * k, p99: s.p99 * k, p999: s.p999 * k, max: s.max * k });

/** The run with results.attribution.stack: each latency at a tenth of the client's, the host having held back 30 of 40 invocations. */
export function withStack(r: Results, k = 0.1): Results {
  const m = r.metrics;
  return {
    ...structuredClone(r),
    attribution: {
      source: 'access-log',
      accessLog: 'enable',
      requests: { timed: m.connect.count + m.broadcast.count, attributed: m.connect.count + m.broadcast.count, unattributed: 0, why: {} },
      routes: [],
      coldPoints: [],
      notes: [],
      stack: {
        connect: scaled(m.connect, k),
        broadcast: scaled(m.broadcast, k),
        fanoutCompletion: scaled(m.fanoutCompletion, k),
        heldBack: 30,
        invocations: 40,
        wait: { count: 30, min: 50, mean: 900, p50: 800, p90: 1500, p99: 2000, p999: 2000, max: 2000 },
      },
    },
  };
}

