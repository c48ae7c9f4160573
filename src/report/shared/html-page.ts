import { escapeHtml as h, jsonForScript } from './escape.ts';

export const inlineJs = (js: string) => js.replace(/<\/(script)/gi, '<\\/$1');
export const inlineCss = (css: string) => css.replace(/<\/(style)/gi, '<\\/$1');

/** What differs between the self-contained report pages (a run's, a comparison's). */
export interface HtmlPage {
  title: string;
  /** the page's own CSS, after uPlot's */
  css: string;
  /** the contents of <main> */
  main: string;
  /** the id of the embedded JSON the chart script reads, and that data */
  dataId: string;
  data: unknown;
  uplotCss: string;
  uplotJs: string;
  /** the page's chart script */
  clientJs: string;
}

/**
 * A self-contained report page: no network (a CSP that allows none), uPlot and the chart script
 * inlined, the chart data embedded as JSON that cannot close its script. Pure.
 */
export function htmlPage(p: HtmlPage): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${h(p.title)}</title>
<link rel="icon" href="data:,">
<style>${inlineCss(p.uplotCss)}</style>
<style>${p.css}</style>
</head>
<body>
<main>
${p.main}
</main>
<script type="application/json" id="${p.dataId}">${jsonForScript(p.data)}</script>
<script>${inlineJs(p.uplotJs)}</script>
<script>${inlineJs(p.clientJs)}</script>
</body>
</html>
`;
}
