import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { packagePath } from '../../../common/package-paths.ts';

/**
 * The files a report inlines so it opens from disk with no network: uPlot's script and style
 * (from node_modules) and the pages' own chart scripts (a run's, a comparison's, a trend's, a search's, a plan's), each after
 * the chart code they share. Read once, on
 * first use; the renderers take them as an argument and stay pure.
 */
export interface ReportAssets {
  uplotJs: string;
  uplotCss: string;
  clientJs: string;
  compareJs: string;
  trendJs: string;
  searchJs: string;
  planJs: string;
}

let cached: ReportAssets | undefined;

export function reportAssets(): ReportAssets {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const asset = (name: string) => readFileSync(packagePath('src', 'report', 'shared', 'assets', name), 'utf8');
    // what every chart page shares (chart-common.js), before the page's own script
    const chartMount = asset('chart-common.js');
    cached = {
      uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
      clientJs: chartMount + asset('report-client.js'),
      compareJs: chartMount + asset('compare-client.js'),
      trendJs: chartMount + asset('trend-client.js'),
      searchJs: chartMount + asset('search-client.js'),
      planJs: chartMount + asset('plan-client.js'),
    };
  }
  return cached;
}
