import type { IntervalRecord } from '../../contracts/results-schema.ts';

/**
 * One interval as one progress line (pure):
 *   fanout  12s/45s  send:fanout  open 200  sent 20/s  delivered 410/s  p99 12.3ms  errors 0
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
  const perSec = (n: number) => Math.round(n / secs);
  const p99 = r.broadcast ? `${fmtMs(r.broadcast.p99)}` : r.connect ? `${fmtMs(r.connect.p99)} (connect)` : '-';
  const parts = [
    ctx.scenario,
    `${Math.round(r.elapsedSec)}s/${Math.max(Math.round(ctx.plannedSec), Math.round(r.elapsedSec))}s`,
    r.phase || '-',
    `open ${r.openClients}`,
    `sent ${perSec(r.sent)}/s`,
    `delivered ${perSec(r.delivered)}/s`,
    `p99 ${p99}`,
    `errors ${r.errors}`,
  ];
  if (r.phase === 'drain' && r.pendingMessages) parts.push(`waiting for ${r.pendingMessages} message${r.pendingMessages === 1 ? '' : 's'}`);
  if (r.eventLoopLagP99Ms !== undefined && r.eventLoopLagP99Ms > 50) parts.push(`lag ${fmtMs(r.eventLoopLagP99Ms)}!`);
  return parts.join('  ');
}

function fmtMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 100) return `${Math.round(ms)}ms`;
  return `${ms.toFixed(1)}ms`;
}
