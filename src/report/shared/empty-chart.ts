/**
 * A chart with nothing to draw, as every page's chart data gives it: its title, and which data
 * it lacks and why. A page never leaves a chart out for want of data (a reader would not know it
 * exists, or why it is blank): `chartBox` (html-parts.ts) shows the title and, under it, the reason.
 */
export interface EmptyChart {
  title: string;
  /** which data the chart lacks, and why, in the page's terms */
  empty: string;
}

export function emptyChart(title: string, why: string): EmptyChart {
  return { title, empty: why };
}

/** A chart's data that has nothing to draw (an EmptyChart), against one the page's script draws. */
export function isEmptyChart<C extends object>(chart: C | EmptyChart): chart is EmptyChart {
  return 'empty' in chart && typeof chart.empty === 'string';
}
