import { FAR_SHARE, fmtPercent } from '../../number-format.ts';

/**
 * A change in percent, signed, written as every other percentage is (fmtPercent: "+12.3 %",
 * "−4.1 %", "+1,235 %"): the run page's diff against its baseline and a trend's change points.
 * "0 %" for none, "about 0 %" for a change too small for digits, "–" when unknown.
 */
export function fmtChangePercent(pct: number | null | undefined): string {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return '–';
  if (pct === 0) return '0 %';
  if (Math.abs(pct) < FAR_SHARE * 100) return 'about 0 %';
  return `${pct > 0 ? '+' : ''}${fmtPercent(pct)}`;
}
