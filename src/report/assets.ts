import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The files a report inlines so it opens from disk with no network: uPlot's script and style
 * (from node_modules) and the pages' own chart scripts (a run's, a comparison's). Read once, on
 * first use; the renderers take them as an argument and stay pure.
 */
export interface ReportAssets {
  uplotJs: string;
  uplotCss: string;
  clientJs: string;
  compareJs: string;
}

let cached: ReportAssets | undefined;

export function reportAssets(): ReportAssets {
  if (!cached) {
    const require = createRequire(import.meta.url);
    cached = {
      uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
      clientJs: readFileSync(fileURLToPath(new URL('./assets/report-client.js', import.meta.url)), 'utf8'),
      compareJs: readFileSync(fileURLToPath(new URL('./assets/compare-client.js', import.meta.url)), 'utf8'),
    };
  }
  return cached;
}
