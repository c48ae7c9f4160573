import { headroomKey, type FirstBreak, type Growth, type GrowthAxis, type Headroom, type Plan } from '../../analyses/plan/plan-schema.ts';
import { fmtFactor as fmtTimes, fmtInt, fmtNum, fmtRoomSize, fmtShare, fmtSignificant, fmtUsd, FAR_SHARE } from '../../number-format.ts';

/** A plan's traffic and limits in words, shared by its renderers (the page, summary.md and the console): the first limit to break, and "needs X of Y (Z %)". Pure. */

export const AXIS_NAME: Record<GrowthAxis, string> = { connections: 'connections', roomSize: 'room size', messagesPerS: 'message rate' };

/** A scale of the traffic along an axis, as read: "1.99 × message rate", "100 × connections". */
export function scaleText(factor: number, axis: GrowthAxis): string {
  return `${fmtSignificant(factor)} × ${AXIS_NAME[axis]}`;
}

/** The value on the axis at a point: "160,000", "rooms of 640", "800 messages/s". */
export function axisValue(axis: GrowthAxis, t: FirstBreak['traffic']): string {
  if (axis === 'connections') return `${fmtInt(Math.round(t.connections))} connections`;
  if (axis === 'roomSize') return `rooms of ${fmtRoomSize(t.roomSize)}, ${fmtInt(Math.round(t.connections))} connections`;
  return `${fmtNum(t.messagesPerS)} messages/s`;
}

/** "50,000 connections · rooms of 200 · 250 messages/s" */
export function trafficText(t: FirstBreak['traffic']): string {
  return `${fmtInt(Math.round(t.connections))} connections · rooms of ${fmtRoomSize(t.roomSize)} · ${fmtNum(t.messagesPerS)} messages/s`;
}

/** "×3.2" */
export const factorText = (factor: number) => fmtTimes(factor);

/** A share of a limit in percent: "81.2 %", "far below 1 %". */
export const shareText = (share: number) => fmtShare(share);

/** How far a limit is: "×3.2 to the limit"; a need far below it says so, not "×2,404,999". */
export function headroomText(share: number): string {
  if (share <= 0) return '–';
  return share < FAR_SHARE ? 'far below the limit' : `${fmtTimes(1 / share)} to the limit`;
}

/** Over its limit (at the limit is not over). */
export const exceeded = (h: Pick<Headroom, 'share'>) => h.share > 1;

/** "needs 812 of 1,000 concurrent executions (81 %)" */
export function needsText(h: Pick<Headroom, 'needs' | 'of' | 'unit' | 'share'>): string {
  return `needs ${fmtNum(h.needs)} of ${fmtNum(h.of)} ${h.unit} (${shareText(h.share)})`;
}

/** Where a growth's first limit breaks, in one line (without the moves). */
export function breakText(g: Growth, headroom: readonly Headroom[]): string {
  const b = g.firstBreak;
  const axis = AXIS_NAME[g.axis];
  if (!b) {
    const last = g.points.at(-1);
    return `no limit passed up to ${scaleText(g.maxFactor, g.axis)}${last ? ` (${axisValue(g.axis, last.traffic)}), ${fmtUsd(last.monthlyCost)}/month there` : ''}`;
  }
  if (b.atEveryScale) {
    const h = headroom.find((x) => headroomKey(x) === headroomKey(b));
    return `${b.label}, passed at every scale of the ${axis}${h ? `: ${needsText(h)}` : ''}`;
  }
  const where = `${scaleText(b.factor, g.axis)} (${axisValue(g.axis, b.traffic)}), ${fmtUsd(b.monthlyCost)}/month there`;
  return b.factor < 1 ? `${b.label}, already passed at the planned peak: it holds only up to ${where}` : `${b.label} at ${where}`;
}

/** The plan's first break (the axis grown first) as its first line; null when nothing was grown. */
export function firstBreakLines(p: Plan): string[] {
  const g = p.growth[0];
  if (!g) return [];
  return [`first to break: ${breakText(g, p.headroom)}`, ...(g.firstBreak ? [`  what moves it: ${g.firstBreak.moves}`] : [])];
}

/** The headroom, the tightest first. */
export function byShare(headroom: readonly Headroom[]): Headroom[] {
  return [...headroom].sort((a, b) => b.share - a.share);
}
