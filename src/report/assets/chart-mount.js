/* fanout-bench pages: the part every chart page shares. Draws each [data-chart] element with the
   builder its page gives for it, says in place of a chart that could not be drawn why, and
   resizes every chart with the window. Inlined before the page's own script. */
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
