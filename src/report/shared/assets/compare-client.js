/* fanout-bench comparison: draws the charts described in #compare-data with uPlot (inlined above).
   Everything the page shows as text is already in the HTML; this script only draws. */
(function () {
  'use strict';
  var dataEl = document.getElementById('compare-data');
  if (!dataEl || typeof uPlot === 'undefined') return;
  var charts = JSON.parse(dataEl.textContent || '{}');
  var HEIGHT = 320;

  function fmtValue(v) {
    return fanoutFmtValue(v, 3);
  }
  function fmtUsd(v) {
    return v == null || !isFinite(v) ? '–' : '$' + fmtValue(v);
  }
  function fmtTick(v) {
    if (v == null) return '';
    if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
    return String(Number(v.toPrecision(3)));
  }
  function padded(lo, hi) {
    var span = hi - lo;
    var pad = span > 0 ? span * 0.12 : Math.abs(hi) * 0.12 || 1;
    return [Math.max(0, lo - pad), hi + pad];
  }
  var axisStyle = { stroke: '#475569', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 }, font: '11px system-ui, sans-serif', labelFont: '11px system-ui, sans-serif' };

  // One series per memory size: a point at its medians, whiskers over its repeats' min–max.
  function costLatency(el, spec) {
    var yMax = 0;
    spec.series.forEach(function (s) { yMax = Math.max(yMax, s.ySpread[1]); });
    var series = [{ label: 'cost', value: function (u, v) { return fmtUsd(v); } }];
    spec.series.forEach(function (s) {
      series.push({
        label: s.label,
        stroke: s.color,
        fill: s.color,
        width: 2,
        paths: function () { return null; },
        points: { show: true, size: 11, space: 0, width: 2, stroke: s.color, fill: s.color },
        value: function (u, v) { return v == null ? '–' : fmtValue(v) + ' ms'; },
      });
    });
    function whiskers(u) {
      var ctx = u.ctx;
      var dpr = uPlot.pxRatio || 1;
      ctx.save();
      ctx.lineWidth = 1.5 * dpr;
      ctx.font = Math.round(11 * dpr) + 'px system-ui, sans-serif';
      spec.series.forEach(function (s, k) {
        if (!u.series[k + 1].show) return;
        var xi = -1;
        for (var i = 0; i < s.values.length; i++) if (s.values[i] != null) xi = i;
        if (xi < 0) return;
        var cx = u.valToPos(spec.x[xi], 'x', true);
        var cy = u.valToPos(s.values[xi], 'y', true);
        var x0 = u.valToPos(s.xSpread[0], 'x', true);
        var x1 = u.valToPos(s.xSpread[1], 'x', true);
        var y0 = u.valToPos(s.ySpread[0], 'y', true);
        var y1 = u.valToPos(s.ySpread[1], 'y', true);
        var cap = 4 * dpr;
        ctx.strokeStyle = s.color;
        ctx.beginPath();
        ctx.moveTo(x0, cy); ctx.lineTo(x1, cy);
        ctx.moveTo(x0, cy - cap); ctx.lineTo(x0, cy + cap);
        ctx.moveTo(x1, cy - cap); ctx.lineTo(x1, cy + cap);
        ctx.moveTo(cx, y0); ctx.lineTo(cx, y1);
        ctx.moveTo(cx - cap, y0); ctx.lineTo(cx + cap, y0);
        ctx.moveTo(cx - cap, y1); ctx.lineTo(cx + cap, y1);
        ctx.stroke();
        ctx.fillStyle = '#0f172a';
        ctx.fillText(s.label, cx + 9 * dpr, cy - 7 * dpr);
      });
      ctx.restore();
    }
    var opts = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      series: series,
      scales: {
        x: { time: false, range: function () { return padded(spec.xRange[0], spec.xRange[1]); } },
        y: { range: function () { return [0, yMax > 0 ? yMax * 1.12 : 1]; } },
      },
      axes: [
        Object.assign({}, axisStyle, { label: spec.xLabel, values: function (u, vals) { return vals.map(function (v) { return '$' + fmtTick(v); }); } }),
        Object.assign({}, axisStyle, { label: spec.yLabel, size: fanoutAxisSize, values: function (u, vals) { return vals.map(fmtTick); } }),
      ],
      legend: { live: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      hooks: { draw: [whiskers] },
    };
    return new uPlot(opts, [spec.x].concat(spec.series.map(function (s) { return s.values; })), el);
  }

  // Power Tuning's view: latency and cost against memory, lines through the sizes.
  function byMemory(el, spec) {
    var series = [{ label: 'memory', value: function (u, v) { return v == null ? '–' : v + ' MB'; } }];
    spec.series.forEach(function (s) {
      series.push({
        label: s.label,
        stroke: s.color,
        width: 2,
        scale: s.right ? 'usd' : 'ms',
        spanGaps: true,
        points: { show: true, size: 8, space: 0, fill: s.color },
        value: function (u, v) { return s.right ? fmtUsd(v) : v == null ? '–' : fmtValue(v) + ' ms'; },
      });
    });
    function fromZero(u, min, max) { return [0, max > 0 ? max * 1.12 : 1]; }
    var opts = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      series: series,
      scales: { x: { time: false, distr: 2 }, ms: { range: fromZero }, usd: { range: fromZero } },
      axes: [
        Object.assign({}, axisStyle, { label: 'memory (MB)', values: function (u, vals) { return vals.map(function (v) { return v == null ? '' : String(v); }); } }),
        Object.assign({}, axisStyle, { scale: 'ms', label: spec.yLabel, size: fanoutAxisSize, values: function (u, vals) { return vals.map(fmtTick); } }),
        Object.assign({}, axisStyle, { scale: 'usd', side: 1, label: spec.y2Label, size: fanoutAxisSize, grid: { show: false }, values: function (u, vals) { return vals.map(function (v) { return '$' + fmtTick(v); }); } }),
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    };
    return new uPlot(opts, [spec.x].concat(spec.series.map(function (s) { return s.values; })), el);
  }

  // A sweep: the swept parameter on x (one tick per point, named as the page names it), lines
  // through the points, and the points that did not meet the SLO shaded red.
  function sweep(el, spec) {
    var usd = spec.unit === 'usd';
    function fmt(v) { return v == null ? '–' : usd ? fmtUsd(v) : fmtValue(v) + ' ms'; }
    function nameOf(v) { var k = spec.x.indexOf(v); return k < 0 ? '' : spec.xLabels[k]; }
    var series = [{ label: spec.xLabel, value: function (u, v) { return v == null ? '–' : nameOf(v); } }];
    spec.series.forEach(function (s) {
      series.push({ label: s.label, stroke: s.color, width: 2, spanGaps: true, points: { show: true, size: 8, space: 0, fill: s.color }, value: function (u, v) { return fmt(v); } });
    });
    function missed(u) {
      var ctx = u.ctx;
      var n = spec.x.length;
      ctx.save();
      ctx.fillStyle = 'rgba(220, 38, 38, 0.10)';
      for (var k = 0; k < n; k++) {
        if (spec.met[k] !== false) continue;
        var cx = u.valToPos(spec.x[k], 'x', true);
        var half = n > 1 ? Math.abs(u.valToPos(spec.x[Math.min(n - 1, 1)], 'x', true) - u.valToPos(spec.x[0], 'x', true)) / 2 : u.bbox.width / 2;
        ctx.fillRect(Math.max(u.bbox.left, cx - half), u.bbox.top, Math.min(2 * half, u.bbox.left + u.bbox.width - Math.max(u.bbox.left, cx - half)), u.bbox.height);
      }
      ctx.restore();
    }
    var opts = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      series: series,
      scales: { x: { time: false, distr: 2 }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.12 : 1]; } } },
      axes: [
        Object.assign({}, axisStyle, { label: spec.xLabel, values: function (u, vals) { return vals.map(nameOf); } }),
        Object.assign({}, axisStyle, { label: spec.yLabel, size: fanoutAxisSize, values: function (u, vals) { return vals.map(function (v) { return usd ? '$' + fmtTick(v) : fmtTick(v); }); } }),
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      hooks: { drawClear: [missed] },
    };
    return new uPlot(opts, [spec.x].concat(spec.series.map(function (s) { return s.values; })), el);
  }

  var builders = { 'cost-latency': costLatency, 'by-memory': byMemory, 'sweep-latency': sweep, 'sweep-cost': sweep };
  fanoutMountCharts(charts, function (id) { return builders[id]; }, HEIGHT);
})();
