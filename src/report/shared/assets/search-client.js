/* fanout-bench capacity search: draws the knee charts described in #search-data with uPlot
   (inlined above). Everything the page shows as text is already in the HTML; this script only draws. */
(function () {
  'use strict';
  var dataEl = document.getElementById('search-data');
  if (!dataEl || typeof uPlot === 'undefined') return;
  var charts = JSON.parse(dataEl.textContent || '{}');
  var HEIGHT = 300;
  var axisStyle = { stroke: '#475569', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 }, font: '11px system-ui, sans-serif', labelFont: '11px system-ui, sans-serif' };
  function fmtTick(v) {
    return v == null ? '' : fanoutFmtValue(v, 3);
  }

  // One line per series through the loads measured; loads that did not meet the SLOs shaded.
  function knee(el, spec) {
    var series = [{ label: spec.xLabel, value: function (u, v) { return v == null ? '\u2013' : fmtTick(v); } }];
    spec.series.forEach(function (s) {
      series.push({
        label: s.label,
        stroke: s.color,
        width: s.dashed ? 1.5 : 2,
        dash: s.dashed ? [6, 4] : undefined,
        spanGaps: true,
        points: { show: !s.dashed, size: 7, fill: s.color },
        value: function (u, v) { return v == null ? '\u2013' : fmtTick(v) + ' ' + spec.yLabel; },
      });
    });
    function shadeFailing(u) {
      var ctx = u.ctx;
      ctx.save();
      ctx.fillStyle = 'rgba(220, 38, 38, 0.08)';
      spec.failing.forEach(function (load) {
        var cx = u.valToPos(load, 'x', true);
        var w = 10 * (uPlot.pxRatio || 1);
        ctx.fillRect(cx - w / 2, u.bbox.top, w, u.bbox.height);
      });
      ctx.restore();
    }
    var opts = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      series: series,
      scales: { x: { time: false }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.12 : 1]; } } },
      axes: [
        Object.assign({}, axisStyle, { label: spec.xLabel, values: function (u, vals) { return vals.map(fmtTick); } }),
        Object.assign({}, axisStyle, { label: spec.yLabel, size: fanoutAxisSize, values: function (u, vals) { return vals.map(fmtTick); } }),
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      hooks: { drawClear: [shadeFailing] },
    };
    return new uPlot(opts, [spec.x].concat(spec.series.map(function (s) { return s.values; })), el);
  }

  fanoutMountCharts(charts, function () { return knee; }, HEIGHT);
})();
