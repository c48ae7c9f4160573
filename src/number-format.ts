/**
 * Numbers and units as people read them, shared by the renderers and the verdict's own detail
 * lines (fixed locale, so reports do not vary by machine). Its own module so judging does not
 * import a renderer to word its findings.
 */

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function fmtInt(n: number): string {
  return int.format(n);
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
  return String(Number(n.toPrecision(3)));
}

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  return ms >= 10_000 ? `${fmtNum(ms / 1000)} s` : `${fmtNum(ms)} ms`;
}

/** Dollars: cents for a dollar or more, three significant digits below. */
export function fmtUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '–';
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 1) return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const decimals = Math.min(12, 2 - Math.floor(Math.log10(Math.abs(usd))));
  return `$${usd.toFixed(decimals)}`;
}

export function fmtPct(part: number, whole: number): string {
  if (whole <= 0) return '–';
  const p = (part / whole) * 100;
  return `${p === 0 ? '0' : p < 0.01 ? '<0.01' : fmtNum(p)}%`;
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
      return `${fmtNum(v)}%`;
    case '':
      return fmtNum(v);
    default:
      return `${fmtNum(v)} ${unit}`;
  }
}
