/**
 * Numbers and units as people read them, shared by the renderers and the verdict's own detail
 * lines (fixed locale, so reports do not vary by machine). Its own module so judging does not
 * import a renderer to word its findings.
 */

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const tenths = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A count: whole, with thousands separators ("50,000"), on every page and in summary.md. */
export function fmtInt(n: number): string {
  return int.format(n);
}

/** A count with its noun: "1 message", "3 messages", "2 publishes" (`many` where adding an s is wrong). */
export function fmtCount(n: number, one: string, many = `${one}s`): string {
  return `${fmtInt(n)} ${n === 1 ? one : many}`;
}

/**
 * Members per room: one decimal at most, with separators ("9.6", "10", "1,000"). A run's rooms
 * average a fraction (9.55 members); the notes and the tables of a page round it alike.
 */
export function fmtRoomSize(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return oneDecimal.format(n);
}

/**
 * Below this share of a whole (0.1 %) and above its inverse as a factor (×1,000), digits say
 * nothing a reader uses: "far below" / "far above" say it instead.
 */
export const FAR_SHARE = 0.001;

/**
 * A percentage (the value in percent): to 0.1 % below 100 %, whole from there, with separators
 * and a space before the sign ("55.3 %", "25 %", "503 %", "1,235 %", "−3.3 %"); above 0 but below 0.1 %, "far below 1 %" (not
 * 0.0000416 %).
 */
export function fmtPercent(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  // a change this small either way reads as none (a share is never below 0)
  if (p !== 0 && Math.abs(p) < FAR_SHARE * 100) return p > 0 ? 'far below 1 %' : 'about 0 %';
  // three significant digits, at most one decimal: 55.3 %, 5.6 %, 503 %
  const s = Math.abs(p) >= 100 ? int.format(p) : oneDecimal.format(p);
  return `${s === '-0' ? '0' : s.replace('-', '−')} %`;
}

/** A share of a whole (0.553) as a percentage: fmtPercent(share × 100). */
export function fmtShare(share: number | null | undefined): string {
  return share === null || share === undefined ? '–' : fmtPercent(share * 100);
}

/**
 * A factor, how many times ("×3.2", "×0.45", "×120"): three significant digits, separators from
 * 1,000; past ×1,000 "far above ×1,000" and below ×0.001 "far below ×0.001", where the digits
 * (×2,404,999) are no one's reading.
 */
export function fmtFactor(f: number | null | undefined): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return '–';
  if (f > 1 / FAR_SHARE) return `far above ×${fmtInt(1 / FAR_SHARE)}`;
  if (f > 0 && f < FAR_SHARE) return `far below ×${FAR_SHARE}`;
  return `×${fmtSignificant(f)}`;
}

/** Three significant digits, separators from 1,000 ("3.2", "0.45", "1,000", "0.000535"). */
export function fmtSignificant(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n === 0) return '0';
  const rounded = Number(n.toPrecision(3));
  if (Math.abs(rounded) >= 1000) return int.format(rounded);
  // toPrecision's own digits, never an exponent ("3.86e-7" is no one's reading either)
  const decimals = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(rounded))));
  return rounded.toFixed(Math.min(decimals, 20)).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** Three significant digits for small values, whole numbers with separators for large ones. */
export function fmtNum(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a === 0) return '0';
  if (a >= 1000 || Number.isInteger(n)) return int.format(n);
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  return fmtSignificant(n);
}

/**
 * A rate per second; one too slow to read as a decimal ("0.000000386/s") says how often instead
 * ("1 every 30 days"), so a sum of rates still reads term by term.
 */
export function fmtRate(perS: number): string {
  if (!Number.isFinite(perS) || perS <= 0 || perS >= 0.01) return `${fmtNum(perS)}/s`;
  const s = 1 / perS;
  const every = s < 120 ? `${fmtNum(s)} s` : s < 7200 ? `${fmtNum(s / 60)} min` : s < 172_800 ? `${fmtNum(s / 3600)} h` : `${fmtNum(s / 86_400)} days`;
  return `1 every ${every}`;
}

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  return ms >= 10_000 ? `${fmtNum(ms / 1000)} s` : `${fmtNum(ms)} ms`;
}

/** Memory from MB: whole MB below a GB, GB to a tenth from there ("512 MB", "4.0 GB", "1,234.5 GB"). */
export function fmtMemoryMB(mb: number): string {
  return mb >= 1024 ? `${tenths.format(mb / 1024)} GB` : `${fmtInt(mb)} MB`;
}

/** Dollars: cents for a dollar or more, three significant digits below. */
export function fmtUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '–';
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 1) return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const decimals = Math.min(12, 2 - Math.floor(Math.log10(Math.abs(usd))));
  return `$${usd.toFixed(decimals)}`;
}

/** Seconds from ms, to a tenth, with separators ("50.4 s", "1,234.5 s"): how long a run took. */
export function fmtSeconds(ms: number): string {
  return `${tenths.format(ms / 1000)} s`;
}

export function fmtDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${sec} s` : `${sec} s`;
}

/** A metric's value in its unit (the verdict's units: ms, %, USD, GB-s, MB, or none). */
export function fmtValue(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 'ms':
      return fmtMs(v);
    case 'USD':
      return v < 0 ? `−${fmtUsd(-v)}` : fmtUsd(v);
    case '%':
      return fmtPercent(v);
    case '':
      return fmtNum(v);
    default:
      return `${fmtNum(v)} ${unit}`;
  }
}
