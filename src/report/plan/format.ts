import type { GrowthAxis, Headroom, PlanTraffic } from '../../analyses/plan/plan-schema.ts';
import { fmtInt, fmtNum } from '../../number-format.ts';

/** How the plan's renderers write an axis, a traffic point and a headroom line (the page, summary.md and the console alike). */

export const AXIS_NAME: Record<GrowthAxis, string> = { connections: 'connections', roomSize: 'room size', messagesPerS: 'messages/s' };

type TrafficPoint = Pick<PlanTraffic, 'connections' | 'roomSize' | 'messagesPerS'>;

/** The axis's value at a traffic point: "160,000 connections", "rooms of 400", "500 messages/s". */
export function axisValueText(axis: GrowthAxis, t: TrafficPoint): string {
  if (axis === 'connections') return `${fmtInt(Math.round(t.connections))} connections`;
  if (axis === 'roomSize') return `rooms of ${fmtNum(t.roomSize)}`;
  return `${fmtNum(t.messagesPerS)} messages/s`;
}

/** "50,000 connections · rooms of 200 · 250 messages/s" */
export function trafficText(t: TrafficPoint): string {
  return `${fmtInt(Math.round(t.connections))} connections · rooms of ${fmtNum(t.roomSize)} · ${fmtNum(t.messagesPerS)} messages/s`;
}

/** "×3.2" */
export const factorText = (factor: number) => `×${fmtNum(factor)}`;

/** A share of a limit in percent: "81.2 %". */
export const shareText = (share: number) => `${fmtNum(share * 100)} %`;

/** "needs 812 of 1,000 concurrent executions (81.2 %)" */
export function headroomText(h: Headroom): string {
  return `needs ${fmtNum(h.needs)} of ${fmtNum(h.of)} ${h.unit} (${shareText(h.share)})`;
}

/** Over its limit at the peak. */
export const passed = (h: Pick<Headroom, 'share'>) => h.share > 1;
