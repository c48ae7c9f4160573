import type { IntervalRecord } from '../../contracts/results-schema.ts';
import { fmtCount, fmtInt, fmtMs } from '../../number-format.ts';

/**
 * One interval as one progress line (pure):
 *   fanout  12s/45s  send:fanout  open 200  sent 20/s  delivered 1,410/s  p99 12.3 ms  errors 0
 * While the run drains it says how many messages still wait for deliveries (pending, not lost).
 * `plannedSec` is the scenario's expected length (the remaining time is an estimate).
 */
export interface ProgressContext {
  scenario: string;
  plannedSec: number;
  /** seconds the interval covered (per-second rates) */
  intervalSec: number;
}

export function progressLine(r: IntervalRecord, ctx: ProgressContext): string {
  const secs = Math.max(0.001, ctx.intervalSec);
  const perSec = (n: number) => fmtInt(n / secs);
  const p99 = r.broadcast ? `${fmtMs(r.broadcast.p99)}` : r.connect ? `${fmtMs(r.connect.p99)} (connect)` : '-';
  const parts = [
    ctx.scenario,
    `${Math.round(r.elapsedSec)}s/${Math.max(Math.round(ctx.plannedSec), Math.round(r.elapsedSec))}s`,
    r.phase || '-',
    `open ${fmtInt(r.openClients)}`,
    `sent ${perSec(r.sent)}/s`,
    `delivered ${perSec(r.delivered)}/s`,
    `p99 ${p99}`,
    `errors ${fmtInt(r.errors)}`,
  ];
  if (r.phase === 'drain' && r.pendingMessages) parts.push(`waiting for ${fmtCount(r.pendingMessages, 'message')}`);
  if (r.eventLoopLagP99Ms !== undefined && r.eventLoopLagP99Ms > 50) parts.push(`lag ${fmtMs(r.eventLoopLagP99Ms)}!`);
  return parts.join('  ');
}
