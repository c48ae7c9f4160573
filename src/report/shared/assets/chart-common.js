/* fanout-bench pages: what every chart page shares, inlined before the page's own script: how a
   value is written on an axis or in a legend, the axes' look, and the mounting of the charts (each [data-chart]
   element drawn by the builder its page gives for it, a chart that could not be drawn replaced
   by why, every chart resized with the window). */

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

function fanoutMountCharts(charts, builderFor, height) {
  'use strict';
  var plots = [];
  var nodes = document.querySelectorAll('[data-chart]');
  for (var i = 0; i < nodes.length; i++) {
    var el = nodes[i];
    var id = el.getAttribute('data-chart');
    var spec = charts[id];
    var build = builderFor(id);
    if (!spec || !build) continue;
    try {
      plots.push({ el: el, plot: build(el, spec) });
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
