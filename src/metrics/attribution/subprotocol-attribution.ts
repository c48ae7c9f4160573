import type { Attribution, ColdWarmSplit } from '../../contracts/attribution-schema.ts';
import type { LatencySummary } from '../../contracts/latency-summary-schema.ts';
import type { Results } from '../../contracts/results-schema.ts';
import { decodeHistogram, newHistogram, type Histogram } from '../measurement/histogram.ts';
import { tailFigures } from './cold-warm-split.ts';

/**
 * The reference stack's own cold flag (chat-v1: $connect's subprotocol, each delivery's flag), as
 * one more source of the same cold/warm structure: connect and broadcast split from
 * metrics.connectCold/Warm and broadcastCold/Warm and their histograms. It has no per-route
 * facts, no host waits and no per-request times; a request the target did not flag is
 * unattributed, never warm.
 */
export function subprotocolAttribution(r: Pick<Results, 'metrics' | 'histograms'>): Attribution {
  const m = r.metrics;
  const why: Record<string, number> = {};
  const connect = split(m.connect, m.connectCold, m.connectWarm, r.histograms.connectCold, r.histograms.connectWarm);
  const broadcast = split(m.broadcast, m.broadcastCold, m.broadcastWarm, r.histograms.broadcastCold, r.histograms.broadcastWarm);
  const unflagged = connect.unattributed + broadcast.unattributed;
  if (unflagged > 0) why['the target flagged no cold or warm start'] = unflagged;
  const timed = m.connect.count + m.broadcast.count;
  return {
    source: 'subprotocol',
    requests: { timed, attributed: timed - unflagged, unattributed: unflagged, why },
    ...(m.connect.count > 0 ? { connect } : {}),
    ...(m.broadcast.count > 0 ? { broadcast } : {}),
    routes: [],
    coldPoints: [],
    notes: ["cold or warm as the reference stack's subprotocol flags it: $connect's own, and each delivery's send function's"],
  };
}

function split(all: LatencySummary, cold: LatencySummary | undefined, warm: LatencySummary | undefined, coldH: string | undefined, warmH: string | undefined): ColdWarmSplit {
  const flagged = (cold?.count ?? 0) + (warm?.count ?? 0);
  const c = histogramOf(coldH);
  const w = histogramOf(warmH);
  const tail = tailFigures(c, w);
  c.destroy();
  w.destroy();
  return {
    all,
    ...(cold && cold.count > 0 ? { cold } : {}),
    ...(warm && warm.count > 0 ? { warm } : {}),
    unattributed: Math.max(0, all.count - flagged),
    // the penalty from the summaries themselves, so it agrees with the cold and warm rows shown
    penaltyMs: cold && warm && cold.count > 0 && warm.count > 0 ? Math.round((cold.p50 - warm.p50) * 1000) / 1000 : null,
    tailColdShare: tail.tailColdShare,
    p99Ms: tail.p99Ms,
    p99WithoutColdMs: warm && warm.count > 0 ? warm.p99 : null,
  };
}

function histogramOf(encoded: string | undefined): Histogram {
  return encoded ? decodeHistogram(encoded) : newHistogram();
}
