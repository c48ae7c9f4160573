/* fanout-bench trend: draws the charts described in #trend-data with uPlot (inlined above), one
   per metric. Everything the page shows as text is already in the HTML; this script only draws. */
(function () {
  'use strict';
  var dataEl = document.getElementById('trend-data');
  if (!dataEl || typeof uPlot === 'undefined') return;
  var charts = JSON.parse(dataEl.textContent || '{}');
  var HEIGHT = 240;
  var COLORS = { value: '#2563eb', band: 'rgba(37,99,235,0.16)', baseline: '#475569', threshold: '#b45309', change: '#dc2626' };

  function fmt(v, unit) {
    if (v == null || !isFinite(v)) return '\u2013';
    if (unit === 'USD') return '$' + fanoutFmtValue(v, 3);
    if (unit === '%') return fanoutFmtValue(v, 3) + ' %';
    return fanoutFmtValue(v, 3) + (unit ? ' ' + unit : '');
  }
  function fmtTick(v) {
    if (v == null) return '';
    if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
    return String(Number(v.toPrecision(3)));
  }
  var axisStyle = { stroke: '#475569', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 }, font: '11px system-ui, sans-serif', labelFont: '11px system-ui, sans-serif' };
  var flat = function () { return null; };

  function trendChart(el, spec) {
    var n = spec.x.length;
    var hasBand = spec.low.some(function (v) { return v != null; });
    var series = [{ label: 'run', value: function (u, v, s, i) { return i == null ? '\u2013' : spec.dates[i] + ' \u00b7 ' + spec.runIds[i]; } }];
    var data = [spec.x];
    series.push({ label: spec.title, stroke: COLORS.value, width: 2, spanGaps: true, points: { show: true, size: 6, fill: COLORS.value }, value: function (u, v) { return fmt(v, spec.unit); } });
    data.push(spec.values);
    if (hasBand) {
      series.push({ label: 'repeats max', stroke: 'transparent', points: { show: false }, paths: flat, value: function (u, v) { return fmt(v, spec.unit); } });
      series.push({ label: 'repeats min', stroke: 'transparent', points: { show: false }, paths: flat, value: function (u, v) { return fmt(v, spec.unit); } });
      data.push(spec.high, spec.low);
    }
    if (spec.baseline != null) {
      series.push({ label: 'baseline', stroke: COLORS.baseline, width: 1.5, dash: [6, 4], points: { show: false }, value: function (u, v) { return fmt(v, spec.unit); } });
      data.push(spec.x.map(function () { return spec.baseline; }));
    }
    // a run with no stack figure: its point is the client's (host waits included), drawn apart
    if (spec.clientPoints && spec.clientPoints.some(function (v) { return v != null; })) {
      series.push({ label: "client's figure (no stack figure)", stroke: COLORS.threshold, paths: flat, points: { show: true, size: 10, width: 2, stroke: COLORS.threshold, fill: '#ffffff' }, value: function (u, v) { return fmt(v, spec.unit); } });
      data.push(spec.clientPoints);
    }
    spec.thresholds.forEach(function (t) {
      series.push({ label: t.label, stroke: COLORS.threshold, width: 1.5, dash: [2, 3], spanGaps: true, points: { show: false }, value: function (u, v) { return fmt(v, spec.unit); } });
      data.push(t.values);
    });

    // the repeats' band between max and min, drawn under the line; change points as vertical lines
    function band(u) {
      if (!hasBand) return;
      var ctx = u.ctx;
      ctx.save();
      ctx.fillStyle = COLORS.band;
      var dpr = uPlot.pxRatio || 1;
      var w = Math.max(4, Math.min(18, (u.bbox.width / Math.max(1, n)) * 0.5));
      for (var i = 0; i < n; i++) {
        if (spec.low[i] == null || spec.high[i] == null) continue;
        var cx = u.valToPos(spec.x[i], 'x', true);
        var y0 = u.valToPos(spec.high[i], 'y', true);
        var y1 = u.valToPos(spec.low[i], 'y', true);
        ctx.fillRect(cx - (w * dpr) / 2, y0, w * dpr, Math.max(1, y1 - y0));
      }
      ctx.restore();
    }
    function changes(u) {
      var ctx = u.ctx;
      var dpr = uPlot.pxRatio || 1;
      ctx.save();
      ctx.strokeStyle = COLORS.change;
      ctx.fillStyle = COLORS.change;
      ctx.lineWidth = 2 * dpr;
      ctx.font = 'bold ' + Math.round(11 * dpr) + 'px system-ui, sans-serif';
      spec.changes.forEach(function (c) {
        var cx = u.valToPos(c.x, 'x', true);
        ctx.beginPath();
        ctx.moveTo(cx, u.bbox.top);
        ctx.lineTo(cx, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.fillText(c.label, cx + 4 * dpr, u.bbox.top + 12 * dpr);
      });
      ctx.restore();
    }

    var lo = Infinity;
    var hi = -Infinity;
    data.slice(1).forEach(function (col) { col.forEach(function (v) { if (v != null && isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }); });
    var opts = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      series: series,
      scales: {
        x: { time: true, range: function (u, min, max) { var pad = max > min ? (max - min) * 0.04 : 43200; return [min - pad, max + pad]; } },
        y: {
          range: function () {
            if (!isFinite(lo)) return [0, 1];
            var pad = hi > lo ? (hi - lo) * 0.15 : Math.abs(hi) * 0.15 || 1;
            // counts, times and costs are never negative: no axis below zero for them
            return [lo >= 0 ? Math.max(0, lo - pad) : lo - pad, hi + pad];
          },
        },
      },
      axes: [
        Object.assign({}, axisStyle, {}),
        Object.assign({}, axisStyle, { size: fanoutAxisSize, values: function (u, vals) { return vals.map(fmtTick); } }),
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      hooks: { drawClear: [band], draw: [changes] },
    };
    return new uPlot(opts, data, el);
  }

  fanoutMountCharts(charts, function () { return trendChart; }, HEIGHT);
})();
