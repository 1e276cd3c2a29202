// Starts every progress chart on the page. Each chart's ECharts option is a
// JSON data block, <script type="application/json" data-chart="ID">, written
// by the server; the container is the element with that id. Each chart is
// started on its own so that one bad chart does not stop the others.
// Charts are drawn as SVG: text stays text (crisp when zoomed, and browser
// tests measure the labels' boxes to prove none overlap on a phone).
// Browser tests read back data-rendered, data-series-points and
// data-threshold, or the instance itself through echarts.getInstanceByDom.
(function () {
  'use strict';
  function start() {
    if (typeof window.echarts === 'undefined') {
      return;
    }
    var blocks = document.querySelectorAll('script[type="application/json"][data-chart]');
    Array.prototype.forEach.call(blocks, function (block) {
      var el = document.getElementById(block.getAttribute('data-chart'));
      if (!el) {
        return;
      }
      try {
        var option = JSON.parse(block.textContent);
        // A chart that needs more room than the usual (one bar per
        // therapist) says so; set through the CSSOM, which the page's
        // Content-Security-Policy allows, unlike a style attribute.
        var height = Number(el.getAttribute('data-height'));
        if (height > 0) {
          el.style.height = height + 'px';
        }
        var chart = window.echarts.init(el, null, { renderer: 'svg' });
        chart.setOption(option);
        var series = option.series && option.series[0];
        el.setAttribute('data-series-points', series && series.data ? String(series.data.length) : '0');
        var line = series && series.markLine && series.markLine.data && series.markLine.data[0];
        if (line && line.yAxis !== undefined) {
          el.setAttribute('data-threshold-drawn', String(line.yAxis));
        }
        el.setAttribute('data-rendered', 'true');
        window.addEventListener('resize', function () { chart.resize(); });
      } catch (err) {
        el.setAttribute('data-rendered', 'error');
        if (window.console) {
          window.console.error('chart ' + el.id + ' failed', err);
        }
      }
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
