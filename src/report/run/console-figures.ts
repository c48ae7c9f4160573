import type { Results } from '../../contracts/results-schema.ts';
import { formatDuration } from '../../contracts/duration.ts';
import { fmtInt, fmtSeconds, fmtUsd } from '../../number-format.ts';
import type { RunPageModel } from './page-model.ts';
import { pricesLabel } from './prices-label.ts';

/**
 * The lines a run's console says the same way at either length (console.ts in full,
 * console-brief.ts at a glance): what ran and how it ended, the sends, the deliveries, the errors,
 * the cost. Plain text, one label column of 12.
 */

export function headlineLine(r: Results): string {
  return `fanout-bench ${r.scenario.name}: ${r.status} in ${fmtSeconds(r.durationMs)} against ${r.config.target.kind} ${r.config.target.url}${r.statusReason ? ` (${r.statusReason})` : ''}`;
}

export function sendsLine(r: Results): string {
  const s = r.sends;
  const acked = r.protocol?.notObservable?.['sends.acked'] ? 'not observable (no acks)' : fmtInt(s.acked);
  const skipped = s.cutOffByReconnect || s.skippedWhy?.reconnecting ? `  skipped during reconnect ${fmtInt((s.cutOffByReconnect ?? 0) + (s.skippedWhy?.reconnecting ?? 0))}` : '';
  return `  sends        intended ${fmtInt(s.intended)}  sent ${fmtInt(s.sent)}  acked ${acked}  failed ${fmtInt(s.failed)}  missed slots ${fmtInt(s.missedSlots)}${skipped}`;
}

export function deliveriesLine(r: Results): string {
  const d = r.deliveries;
  const lossRule = d.lossTimeoutMs === undefined ? '' : ` (loss timeout ${formatDuration(d.lossTimeoutMs)})  late ${fmtInt(d.late ?? 0)} (>${formatDuration(d.graceMs ?? 0)} after ack)`;
  return `  deliveries   expected ${fmtInt(d.expected)}  received ${fmtInt(d.received)}  lost ${fmtInt(d.lost)}${lossRule}  duplicates ${fmtInt(d.duplicates)}  out-of-order ${fmtInt(d.outOfOrder)}`;
}

/** The clients' errors by kind, then the sentence that sets API Gateway's own counts beside them (page-model.ts). */
export function errorLines(page: RunPageModel): string[] {
  const errs = page.errors.kinds;
  const head = `  errors       ${errs.length > 0 ? errs.map((e) => `${e.kind}=${fmtInt(e.count)}`).join('  ') : page.errors.api ? 'none on the clients' : 'none'}`;
  return page.errors.api ? [head, `               ${page.errors.api}`] : [head];
}

export function costLine(r: Results): string | undefined {
  const c = r.cost;
  if (!c) return undefined;
  const perM = c.perMillionDeliveries === null ? '' : `  (${fmtUsd(c.perMillionDeliveries)} per million deliveries)`;
  return `  cost         ≈ ${fmtUsd(c.totals.total)} at ${pricesLabel(c.prices)}${perM}`;
}
