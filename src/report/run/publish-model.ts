import type { LatencySummary, Results } from '../../contracts/results-schema.ts';
import type { PublishResult } from '../../contracts/publish-schema.ts';
import { fmtMs } from '../../number-format.ts';

/**
 * The run page's facts of each publish phase (results.publish): what it published to and how,
 * the API's answers, publish → delivery latency and the phase's ledger, computed once for the
 * console, summary.md and the HTML page alike.
 */
export interface PublishRow {
  /** "publish via sns → Alerts (everyone)" */
  head: string;
  /** "calls 2: accepted 2, failed 0, late 0; call p50 12ms p99 30ms" */
  calls: string;
  /** publish → delivery latency; undefined when nothing arrived */
  delivery: LatencySummary | undefined;
  /** "expected 6 = received 6 + lost 0; duplicates 0" */
  ledger: string;
  /** the first refused call, in the API's words */
  firstFailure: string | undefined;
}

export function publishRows(r: Pick<Results, 'publish'>): PublishRow[] {
  return (r.publish ?? []).map(publishRow);
}

function publishRow(p: PublishResult): PublishRow {
  const whom = p.recipients === 'everyone' ? 'everyone' : `room ${p.recipients.room}`;
  const c = p.calls;
  const call = p.call ? `; call p50 ${fmtMs(p.call.p50)} p99 ${fmtMs(p.call.p99)}` : '';
  const d = p.deliveries;
  return {
    head: `${p.phase} via ${p.via} → ${p.to} (${whom}: ${p.recipientsPerPublish} each)`,
    calls: `calls ${c.sent} of ${c.intended}: accepted ${c.acked}, failed ${c.failed}, late ${c.missedSlots}${call}`,
    delivery: p.delivery,
    ledger: `expected ${d.expected} = received ${d.received} + lost ${d.lost}; duplicates ${d.duplicates}`,
    firstFailure: p.firstFailure,
  };
}

