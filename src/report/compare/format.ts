import type { Comparison, Recommendation } from '../../analyses/compare/compare-schema.ts';
import { fmtNum } from '../../number-format.ts';

/**
 * Wording and number formats the comparison's renderers (HTML, Markdown, console) share, so the
 * three say the same thing the same way. What a sweep says the same way too (a figure over
 * repeats) is in ../shared/spread-format.ts.
 */

export function strategyTitle(r: Recommendation): string {
  if (r.strategy === 'cost') return 'cheapest';
  if (r.strategy === 'speed') return 'fastest';
  return `balanced (weight ${r.weight})`;
}

/** "1,769 MB" or "none". */
export function pickText(r: Recommendation): string {
  return r.pick ? `${fmtNum(r.pick.memoryMB)} MB` : 'none';
}

/** The size list for headers: "256, 512 and 1,769 MB". */
export function sizesText(c: Comparison): string {
  const mbs = c.sizes.map((s) => fmtNum(s.memoryMB));
  return `${mbs.length > 1 ? `${mbs.slice(0, -1).join(', ')} and ${mbs[mbs.length - 1]}` : mbs[0]} MB`;
}

/** " (stack)" after a latency's name where the comparison's figures are the stack's (host waits taken out); nothing for the client's. */
export function figureSuffix(c: Pick<Comparison, 'latencyFigure'>): string {
  return c.latencyFigure === 'stack' ? ' (stack)' : '';
}

/** What the latency figures are, in one sentence, where they are the stack's. */
export function figureSentence(c: Pick<Comparison, 'latencyFigure'>): string | undefined {
  return c.latencyFigure === 'stack' ? "latencies are the stack's: each request's latency with the local host's wait for a slot taken out" : undefined;
}
