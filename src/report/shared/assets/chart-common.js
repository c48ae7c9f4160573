/* fanout-bench pages: what every chart page shares, inlined before the page's own script: how a
   value is written on an axis or in a legend, the axes' look and size, and the mounting of the
   charts (each [data-chart] element drawn by the builder its page gives for it, its isolated
   points and legend finished alike, a chart that could not be drawn replaced by why, every chart
   resized with the window). */

/* A value as charts write it: grouped thousands, then fewer decimals the larger it is; below 1,
   `smallDigits` significant digits. */
function fanoutFmtValue(v, smallDigits) {
  'use strict';
  if (v == null || !isFinite(v)) return '\u2013';
  var a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return '0';
  return String(Number(v.toPrecision(smallDigits)));
}

/* The axes' look every chart shares (a fresh object each call: callers extend it). */
function fanoutAxisStyle() {
  'use strict';
  return { stroke: '#475569', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 }, font: '11px system-ui, sans-serif', labelFont: '11px system-ui, sans-serif' };
}

/* A vertical axis's size, from its widest tick label: the ticks, the gap and that label, so the
   axis title drawn beyond the size (uPlot's labelSize) never lies over the tick labels. Give it as
   an axis's `size`; uPlot calls it again whenever the ticks change. */
function fanoutAxisSize(u, values, axisIdx) {
  'use strict';
  var a = u.axes[axisIdx];
  var ticks = a.ticks && a.ticks.show !== false ? a.ticks.size || 0 : 0;
  var gap = a.gap == null ? 5 : a.gap;
  if (a.side % 2 === 0) return Math.ceil(ticks + gap + (a.font ? a.font[1] : 11) + 8);
  var widest = 0;
  if (values) {
    var ctx = u.ctx;
    ctx.save();
    ctx.font = a.font ? a.font[0] : '11px system-ui, sans-serif';
    var dpr = uPlot.pxRatio || 1;
    values.forEach(function (v) { if (v != null) widest = Math.max(widest, ctx.measureText(String(v)).width / dpr); });
    ctx.restore();
  }
  return Math.ceil(ticks + gap + widest + 6);
}

/* The points of a series that have no neighbour (a value between gaps, or alone at an end): a line
   through them draws nothing, so they are drawn as points of their own. */
function fanoutIsolatedPoints(u, seriesIdx, show) {
  'use strict';
  if (show) return null;
  var ys = u.data[seriesIdx];
  var out = [];
  // undefined: where another series has an x of its own (uPlot.join's alignment), not a gap
  function neighbour(k, step) {
    for (var j = k + step; j >= 0 && j < ys.length; j += step) if (ys[j] !== undefined) return ys[j];
    return null;
  }
  for (var k = 0; k < ys.length; k++) {
    if (ys[k] == null) continue;
    if (neighbour(k, -1) != null || neighbour(k, 1) != null) continue;
    out.push(k);
  }
  return out.length ? out : null;
}

/* What every chart does the same once built: its isolated points drawn (series drawn as lines
   with gaps), and its legend silent where there is nothing to say (no cursor, or no value under
   it: no "–"). */
function fanoutFinishChart(plot) {
  'use strict';
  plot.series.forEach(function (s, i) {
    if (typeof s.value === 'function') {
      var own = s.value;
      s.value = function (u, v, si, idx) { return v == null || idx == null ? '' : own(u, v, si, idx); };
    }
    if (i > 0 && s.points && !s.spanGaps && s.paths !== null) s.points.filter = fanoutIsolatedPoints;
  });
  plot.setLegend({ idx: null }, false);
  plot.redraw(false, false);
}

function fanoutMountCharts(charts, builderFor, height) {
  'use strict';
  var plots = [];
  var nodes = document.querySelectorAll('[data-chart]');
  for (var i = 0; i < nodes.length; i++) {
    var el = nodes[i];
    var id = el.getAttribute('data-chart');
    var spec = charts[id];
    var build = builderFor(id);
    // a chart without data is said in the page (its title and why), not drawn
    if (!spec || spec.empty || !build) continue;
    try {
      var plot = build(el, spec);
      fanoutFinishChart(plot);
      // the drawn chart, for whoever reads the page's layout (the layout test)
      el.fanoutPlot = plot;
      plots.push({ el: el, plot: plot });
    } catch (err) {
      el.textContent = 'chart could not be drawn: ' + (err && err.message ? err.message : String(err));
      el.className += ' chart-failed';
    }
  }

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      plots.forEach(function (p) { p.plot.setSize({ width: Math.max(320, p.el.clientWidth), height: height }); });
    });
  });
}
