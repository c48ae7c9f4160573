/* fanout-bench report: draws the charts described in #report-data with uPlot (inlined above).
   Everything the page shows as text is already in the HTML; this script only draws. */
(function () {
  'use strict';
  var dataEl = document.getElementById('report-data');
  if (!dataEl || typeof uPlot === 'undefined') return;
  var charts = JSON.parse(dataEl.textContent || '{}');

  function pad2(n) {
    return n < 10 ? '0' + n : String(n);
  }
  function fmtElapsed(s) {
    var neg = s < 0;
    var a = Math.round(Math.abs(s));
    var txt = a >= 3600 ? Math.floor(a / 3600) + ':' + pad2(Math.floor((a % 3600) / 60)) + ':' + pad2(a % 60) : Math.floor(a / 60) + ':' + pad2(a % 60);
    return (neg ? '−' : '') + txt;
  }
  function fmtNines(x) {
    if (x <= 0) return 'p0';
    var p = 100 * (1 - Math.pow(10, -x));
    var digits = Math.max(0, Math.ceil(x) - 2);
    return 'p' + p.toFixed(digits);
  }
  function fmtValue(v) {
    return fanoutFmtValue(v, 2);
  }
  // Axis ticks: whole numbers as such, otherwise at most three significant digits.
  function fmtTick(v) {
    if (v == null) return '';
    if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
    return String(Number(v.toPrecision(3)));
  }
  function fromZero(u, min, max) {
    var hi = max > 0 ? max * 1.08 : 1;
    return [0, hi];
  }

  function build(el, spec) {
    var nines = spec.xKind === 'nines';
    var hasRight = spec.series.some(function (s) { return s.right; });
    var series = [{ label: nines ? 'percentile' : 'time', value: function (u, v) { return v == null ? '–' : nines ? fmtNines(v) : fmtElapsed(v); } }];
    spec.series.forEach(function (s) {
      var opts = {
        label: s.label,
        stroke: s.color,
        width: 1.6,
        scale: s.right ? 'y2' : 'y',
        spanGaps: false,
        points: { show: false },
        value: function (u, v) { return fmtValue(v); },
      };
      if (s.dash) opts.dash = [6, 4];
      // points only (the cold requests on a latency chart): no line between them
      if (s.points) {
        opts.paths = function () { return null; };
        opts.points = { show: true, size: 6, width: 1, stroke: s.color, fill: s.color + 'cc' };
      }
      if (spec.bars && uPlot.paths && uPlot.paths.bars) {
        opts.paths = uPlot.paths.bars({ size: [0.8, 24], align: 0 });
        opts.fill = s.color + '99';
        opts.width = 1;
      }
      series.push(opts);
    });
    var axisStyle = { stroke: '#475569', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 }, font: '11px system-ui, sans-serif', labelFont: '11px system-ui, sans-serif' };
    var xAxis = Object.assign({}, axisStyle, {
      label: nines ? 'percentile' : 'time since start (m:ss)',
      values: function (u, vals) { return vals.map(function (v) { return nines ? fmtNines(v) : fmtElapsed(v); }); },
    });
    if (nines) {
      xAxis.splits = function (u, axisIdx, min, max) {
        var out = [];
        for (var k = Math.ceil(min); k <= Math.floor(max); k++) out.push(k);
        return out;
      };
    }
    var axes = [xAxis, Object.assign({}, axisStyle, { label: spec.unit, size: fanoutAxisSize, values: function (u, vals) { return vals.map(fmtTick); } })];
    if (hasRight) axes.push(Object.assign({}, axisStyle, { side: 1, scale: 'y2', label: spec.unit2 || '', size: fanoutAxisSize, grid: { show: false }, values: function (u, vals) { return vals.map(fmtTick); } }));
    var scales = { x: { time: false }, y: { range: fromZero } };
    if (hasRight) scales.y2 = { range: fromZero };
    if (spec.xRange) scales.x.range = function () { return spec.xRange; };
    // a series with x positions of its own is joined with the chart's: where it has no point the
    // others are spanned (uPlot's alignment artifacts), their own gaps stay gaps
    var ownX = spec.series.some(function (s) { return s.x; });
    var data = ownX
      ? uPlot.join(spec.series.map(function (s) { return [s.x || spec.x, s.values]; }))
      : [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    var opts = {
      width: Math.max(320, el.clientWidth),
      height: 240,
      series: series,
      axes: axes,
      scales: scales,
      legend: { live: true },
      cursor: nines ? { drag: { x: false, y: false } } : { sync: { key: 'elapsed' }, drag: { x: true, y: false } },
    };
    return new uPlot(opts, data, el);
  }

  fanoutMountCharts(charts, function () { return build; }, 240);
})();
