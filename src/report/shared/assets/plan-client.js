/* fanout-bench plan: draws the charts described in #plan-data with uPlot (inlined above): for each
   axis grown, the monthly cost and each limit's share against the factor of the planned peak, the
   first break marked; for each fitted function, its points and line. Everything the page shows as
   text is already in the HTML; this script only draws. */
(function () {
  'use strict';
  var dataEl = document.getElementById('plan-data');
  if (!dataEl || typeof uPlot === 'undefined') return;
  var charts = JSON.parse(dataEl.textContent || '{}');
  var HEIGHT = 300;
  var BREAK = '#dc2626';
  var LIMIT = '#0f172a';
  var axisStyle = fanoutAxisStyle();
  var none = function () { return null; };

  function num(v) { return v == null ? '\u2013' : fanoutFmtValue(v, 3); }
  function usd(v) { return v == null ? '\u2013' : '$' + fanoutFmtValue(v, 3); }
  function pct(v) { return v == null ? '\u2013' : fanoutFmtValue(v, 3) + ' %'; }
  function ticks(f) { return function (u, vals) { return vals.map(function (v) { return v == null ? '' : f(v); }); }; }

  // the range of positive values over columns, for a log scale
  function logRange(cols, floor) {
    var lo = Infinity;
    var hi = -Infinity;
    cols.forEach(function (col) { col.forEach(function (v) { if (v != null && v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }); });
    if (!isFinite(lo)) return [1, 10];
    lo = Math.max(lo, floor || 0);
    return [Math.pow(10, Math.floor(Math.log10(lo))), Math.pow(10, Math.ceil(Math.log10(hi * 1.05)))];
  }

  // the first break: a vertical line at its factor, labelled at the top
  function breakMark(spec) {
    return function (u) {
      if (!spec.mark) return;
      var ctx = u.ctx;
      var dpr = uPlot.pxRatio || 1;
      var cx = u.valToPos(spec.mark.x, 'x', true);
      ctx.save();
      // uPlot leaves the last series' dash and the last axis's text alignment on the context
      ctx.setLineDash([]);
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      ctx.strokeStyle = BREAK;
      ctx.fillStyle = BREAK;
      ctx.lineWidth = 2 * dpr;
      ctx.beginPath();
      ctx.moveTo(cx, u.bbox.top);
      ctx.lineTo(cx, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.font = 'bold ' + Math.round(11 * dpr) + 'px system-ui, sans-serif';
      var w = ctx.measureText(spec.mark.label).width;
      var gap = 4 * dpr;
      // right of the line where it fits, else left of it, else from the plot's left edge
      var x = cx + gap + w <= u.bbox.left + u.bbox.width ? cx + gap : Math.max(u.bbox.left, cx - gap - w);
      ctx.fillText(spec.mark.label, x, u.bbox.top + 12 * dpr);
      ctx.restore();
    };
  }

  // ticks on a log axis of factors: 1, 1.5, 2, 3, 5, 7 in each decade, fewer when they would crowd
  function factorSplits(u, axisIdx, min, max) {
    var steps = [[1, 1.5, 2, 3, 5, 7], [1, 2, 5], [1]];
    for (var k = 0; k < steps.length; k++) {
      var out = [];
      for (var e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
        steps[k].forEach(function (m) { var v = m * Math.pow(10, e); if (v >= min * 0.999 && v <= max * 1.001) out.push(Number(v.toPrecision(6))); });
      }
      if (out.length <= 10 || k === steps.length - 1) return out;
    }
    return [];
  }

  // cost or shares against the factor of the planned peak (log x)
  function scaleChart(el, spec) {
    var headroom = spec.kind === 'headroom';
    var fmt = headroom ? pct : usd;
    var series = [{ label: spec.xLabel, value: function (u, v, s, i) { return i == null ? '\u2013' : '\u00d7' + num(spec.x[i]) + ' \u00b7 ' + spec.xText[i]; } }];
    var data = [spec.x];
    spec.series.forEach(function (s) {
      series.push({ label: s.label, stroke: s.color, width: 2, dash: s.dashed ? [6, 4] : undefined, spanGaps: true, points: { show: spec.x.length <= 24, size: 5, fill: s.color }, value: function (u, v) { return fmt(v); } });
      // zero has no place on a log scale
      data.push(headroom ? s.values.map(function (v) { return v != null && v > 0 ? v : null; }) : s.values);
    });
    if (spec.limit != null) {
      series.push({ label: 'the limit', stroke: LIMIT, width: 1.5, dash: [6, 4], points: { show: false }, value: function () { return pct(spec.limit); } });
      data.push(spec.x.map(function () { return spec.limit; }));
    }
    var xMin = spec.x[0];
    var xMax = spec.x[spec.x.length - 1];
    if (spec.mark) { xMin = Math.min(xMin, spec.mark.x); xMax = Math.max(xMax, spec.mark.x); }
    var opts = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      series: series,
      scales: {
        x: { time: false, distr: 3, log: 10, range: function () { return xMax > xMin ? [xMin, xMax] : [xMin / 2, xMax * 2]; } },
        y: headroom
          ? { distr: 3, log: 10, range: function () { return logRange(data.slice(1), 0.01); } }
          : { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } },
      },
      axes: [
        Object.assign({}, axisStyle, { label: spec.xLabel, splits: factorSplits, filter: function (u, splits) { return splits; }, values: ticks(function (v) { return '\u00d7' + String(v); }) }),
        Object.assign({}, axisStyle, { label: spec.yLabel, size: fanoutAxisSize, values: ticks(fmt) }),
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      hooks: { draw: [breakMark(spec)] },
    };
    return new uPlot(opts, data, el);
  }

  // a fitted function: its measured points (no line between them) and the fitted line
  function fitChart(el, spec) {
    var opts = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      series: [
        { label: spec.xLabel, value: function (u, v) { return num(v); } },
        { label: 'measured', stroke: '#2563eb', paths: none, points: { show: true, size: 9, fill: '#2563eb' }, value: function (u, v) { return num(v) + ' ms'; } },
        { label: 'fit', stroke: '#d97706', width: 2, points: { show: false }, value: function (u, v) { return num(v) + ' ms'; } },
      ],
      scales: {
        x: { time: false, range: function (u, min, max) { var pad = max > min ? (max - min) * 0.05 : 1; return [Math.max(0, min - pad), max + pad]; } },
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.15 : 1]; } },
      },
      axes: [
        Object.assign({}, axisStyle, { label: spec.xLabel, values: ticks(num) }),
        Object.assign({}, axisStyle, { label: spec.yLabel, size: fanoutAxisSize, values: ticks(num) }),
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    };
    return new uPlot(opts, [spec.x, spec.points, spec.line], el);
  }

  fanoutMountCharts(charts, function (id) { var spec = charts[id]; return spec && spec.kind === 'fit' ? fitChart : scaleChart; }, HEIGHT);
})();
