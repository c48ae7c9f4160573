/** The report page's stylesheet: system fonts only (no network), light, readable when printed. */
export const STYLE = `
:root { --fg:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#f8fafc; --card:#fff; --ok:#15803d; --bad:#b91c1c; --warn:#b45309; --accent:#2563eb; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg); font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
main { max-width:1240px; margin:0 auto; padding:24px 28px 64px; }
header { margin-bottom:16px; }
.brand { color:var(--muted); font-size:12px; letter-spacing:.06em; text-transform:uppercase; }
.brand span { text-transform:none; letter-spacing:0; }
h1 { font-size:26px; margin:2px 0 4px; overflow-wrap:break-word; }
h2 { font-size:18px; margin:0 0 4px; }
h3 { font-size:14px; margin:18px 0 6px; color:#334155; }
.description { margin:0 0 8px; color:#334155; }
.facts { display:flex; flex-wrap:wrap; gap:6px 22px; margin:8px 0 0; }
.facts div { display:flex; gap:6px; }
.facts dt { color:var(--muted); }
.facts dd { margin:0; font-variant-numeric:tabular-nums; }
section { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:18px 20px; margin:16px 0; }
.intro { margin:0 0 12px; color:var(--muted); }
.verdict { border-width:2px; }
.verdict.pass { border-color:#86efac; }
.verdict.fail { border-color:#fca5a5; }
.verdict-head { display:flex; align-items:center; gap:12px; margin-bottom:12px; }
.pill { font-weight:700; font-size:15px; padding:3px 14px; border-radius:999px; color:#fff; letter-spacing:.04em; }
.pill.pass { background:var(--ok); }
.pill.fail { background:var(--bad); }
.status { color:var(--muted); }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(170px,1fr)); gap:10px; margin:10px 0; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 12px; background:#fff; }
.card.bad { border-color:#fca5a5; background:#fef2f2; }
.card .label { color:var(--muted); font-size:12px; }
.card .value { font-size:22px; font-weight:650; font-variant-numeric:tabular-nums; }
.card .sub { color:var(--muted); font-size:12px; }
.cards.small .value { font-size:18px; }
.checks { list-style:none; padding:0; margin:8px 0 0; }
.checks li { padding:3px 0; word-break:break-word; }
.checks .mark { display:inline-block; width:20px; font-weight:700; }
.checks .ok .mark { color:var(--ok); }
.checks .fail .mark { color:var(--bad); }
.checks .unjudged .mark { color:var(--muted); }
.banner { border-radius:8px; padding:10px 14px; margin:8px 0; word-break:break-word; }
.banner ul { margin:6px 0 0; padding-left:20px; }
.banner.danger { background:#fef2f2; border:1px solid #fca5a5; color:#7f1d1d; }
.banner.warn { background:#fffbeb; border:1px solid #fcd34d; color:#78350f; }
.banner.info { background:#f1f5f9; border:1px solid var(--line); color:#334155; }
.grid { display:grid; grid-template-columns:repeat(auto-fit,minmax(360px,1fr)); gap:14px; }
.grid.two { grid-template-columns:repeat(auto-fit,minmax(460px,1fr)); }
.chart-box { margin:0 0 10px; min-width:0; }
.chart-box figcaption { font-weight:600; font-size:13px; margin-bottom:4px; }
.chart { width:100%; min-height:240px; }
.chart-box.empty { border:1px dashed var(--line); border-radius:8px; padding:8px 12px; min-height:80px; }
.chart-box.empty .no-data { margin:6px 0 0; }
.no-data, .note { color:var(--muted); }
.chart-failed { color:var(--bad); }
table { border-collapse:collapse; width:100%; margin:8px 0; font-variant-numeric:tabular-nums; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
/* a table wider than its section scrolls in a box of its own, so no word in it is broken to fit */
.table-wrap { overflow-x:auto; margin:8px 0; }
.table-wrap > table { margin:0; }
th { color:var(--muted); font-weight:600; font-size:12px; }
table.num td:not(:first-child), table.num th:not(:first-child) { text-align:right; }
table.cost td:nth-child(2), table.cost th:nth-child(2), table.second-text td:nth-child(2), table.second-text th:nth-child(2) { text-align:left; }
table.kv td:first-child { color:var(--muted); width:30%; }
table.kv thead { display:none; }
.src { color:var(--muted); font-size:12px; }
.bad-text { color:var(--bad); }
code { font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; background:#f1f5f9; padding:1px 4px; border-radius:4px; }
/* a policy or a configuration keeps its lines: it scrolls in its own box, both ways */
pre { font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; background:#f1f5f9; padding:10px 12px; border-radius:8px; overflow:auto; max-height:360px; white-space:pre; }
details { margin-top:10px; }
summary { cursor:pointer; color:var(--accent); }
.warnings { color:var(--warn); }
.verdict-summary { margin:0 0 8px; }
.verdict-notes { color:var(--muted); margin:8px 0 0; padding-left:20px; }
td.n, th.n { text-align:right; white-space:nowrap; }
/* a short word kept whole (html-parts.ts wholeWords) */
.nw { white-space:nowrap; word-break:normal; }
table.thresholds td:first-child { min-width:220px; }
.outcome { font-weight:650; white-space:nowrap; }
.outcome .why { white-space:normal; min-width:16em; }
.outcome.pass { color:var(--ok); }
.outcome.fail, .outcome.no-data { color:var(--bad); }
.outcome.within-noise { color:var(--warn); }
.change.up { color:var(--bad); }
.change.down { color:var(--ok); }
.u-legend { font-size:12px; }
/* the legend is uPlot's table, not one of the page's: no cell rules; a value only while hovered, and its colon with it */
.u-legend th, .u-legend td { border:0; padding:0 2px; }
.u-inline.u-live tr:has(.u-value:empty) th::after { content:none; }
.u-legend .u-marker { width:12px; height:3px; }
@media print { body { background:#fff; } section { break-inside:avoid; } }
`;
