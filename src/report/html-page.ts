// html-page.ts: the browser side of the --html report: its stylesheet and the script that draws
// the four charts with uPlot from the page's JSON block (built by html.ts). After each chart has
// drawn, the script writes what it drew into the chart's data-* attributes (series labels, points
// per series) and counts the charts in <body data-charts-rendered>, so a headless browser can
// check that the page rendered its data, not just that it loaded.

export const PAGE_CSS = `
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1240px; }
h1 { font-size: 20px; margin: 0 0 4px; word-break: break-all; }
h2 { font-size: 16px; margin: 28px 0 8px; }
p.note { color: #555; font-size: 13px; margin: 4px 0 8px; max-width: 900px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cols { display: flex; gap: 48px; flex-wrap: wrap; }
.warn { color: #b00; }
.chart { width: 100%; min-height: 40px; }
`;

/** Plain ES2017 for any current browser; `uPlot` is the global the inlined IIFE build defines. */
export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('ratetest-data').textContent);
  var rendered = 0;
  var STATUS_COLORS = { '2': ['#2a8a3e', '#5cb85c', '#8fd19e'], '3': ['#2b7bb9', '#6baed6'], '4': ['#d9822b', '#f0ad4e'], '5': ['#c23030', '#e06666'] };
  var OTHER_COLORS = ['#7b4fb3', '#888888', '#b35f9a'];

  function ms(u, v) { return v == null ? '-' : v < 1 ? v.toFixed(3) + ' ms' : v < 100 ? v.toFixed(2) + ' ms' : v.toFixed(0) + ' ms'; }
  function perSecond(u, v) { return v == null ? '-' : v.toFixed(v < 10 ? 2 : 0) + '/s'; }
  function seconds(u, v) { return v == null ? '-' : v.toFixed(2) + ' s'; }

  // Called after each draw: record what was drawn, once per chart.
  function markRendered(el, u) {
    var counts = [];
    var labels = [];
    for (var s = 1; s < u.series.length; s++) {
      labels.push(u.series[s].label);
      counts.push(u.data[s].filter(function (v) { return v != null; }).length);
    }
    el.setAttribute('data-series', labels.join(','));
    el.setAttribute('data-points', counts.join(','));
    el.setAttribute('data-x', String(u.data[0].length));
    if (el.getAttribute('data-rendered') !== 'true') {
      el.setAttribute('data-rendered', 'true');
      rendered++;
      document.body.setAttribute('data-charts-rendered', String(rendered));
    }
  }

  function chart(id, opts, columns) {
    var el = document.getElementById(id);
    if (columns[0].length === 0) {
      el.textContent = 'No data: the run recorded none for this chart.';
      el.setAttribute('data-rendered', 'empty');
      return;
    }
    opts.width = Math.max(360, Math.min(1200, el.clientWidth || 1000));
    opts.height = 300;
    opts.hooks = { draw: [function (u) { markRendered(el, u); }] };
    new uPlot(opts, columns, el);
  }

  function line(label, stroke, value, dash) {
    var s = { label: label, stroke: stroke, width: 2, value: value, spanGaps: false };
    if (dash) s.dash = [6, 4];
    return s;
  }
  // The spectrum has a point every twentieth of a decade: a line, without markers.
  function curve(label, stroke) {
    var s = line(label, stroke, ms);
    s.points = { show: false };
    return s;
  }

  var timeAxis = { label: 'seconds from start' };
  // Each point is an interval's end, so the first is at about 1 s: the axis still starts at 0.
  var timeScale = { time: false, range: function (u, min, max) { return [0, max]; } };
  var timeSeries = { label: 'time', value: seconds };
  var tl = data.timeline;

  var sp = data.spectrum;
  chart('chart-spectrum', {
    scales: { x: { time: false, distr: 3, log: 10, range: function (u, min, max) { return [1, Math.max(max, 10)]; } }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
    axes: [
      { label: 'percentile (log 1/(1-p))', splits: function () { return sp.ticks.map(function (t) { return t.x; }); }, values: function () { return sp.ticks.map(function (t) { return t.label; }); } },
      { label: 'latency (ms)', size: 70 },
    ],
    series: [
      { label: 'percentile', value: function (u, v, si, i) { return i == null ? '-' : sp.labels[i]; } },
      curve('corrected', '#c23030'),
      curve('uncorrected', '#2b7bb9'),
    ],
  }, [sp.x, sp.corrected, sp.uncorrected]);

  chart('chart-latency', {
    scales: { x: timeScale, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
    axes: [timeAxis, { label: 'corrected latency (ms)', size: 70 }],
    series: [timeSeries, line('p50', '#2b7bb9', ms), line('p99', '#d9822b', ms), line('max', '#c23030', ms)],
  }, [tl.t, tl.p50, tl.p99, tl.max]);

  chart('chart-rate', {
    scales: { x: timeScale, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
    axes: [timeAxis, { label: 'requests per second', size: 70 }],
    series: [timeSeries, line('target (due)', '#555555', perSecond, true), line('sent', '#d9822b', perSecond), line('completed', '#2a8a3e', perSecond)],
  }, [tl.t, tl.due, tl.sent, tl.completed]);

  var codes = Object.keys(tl.status).sort();
  var used = {};
  var outcome = [timeSeries, line('errors', '#000000', perSecond)];
  var columns = [tl.t, tl.errors];
  codes.forEach(function (code) {
    var family = STATUS_COLORS[code.charAt(0)] || OTHER_COLORS;
    var n = used[code.charAt(0)] = (used[code.charAt(0)] || 0) + 1;
    outcome.push(line(code, family[(n - 1) % family.length], perSecond));
    columns.push(tl.status[code]);
  });
  var heat = document.getElementById('chart-heatmap');
  if (data.heatmap) window.ratetestHeatmap(heat, data.heatmap);
  else heat.textContent = 'No heatmap: the run kept no interval histograms.';

  chart('chart-outcomes', {
    scales: { x: timeScale, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
    axes: [timeAxis, { label: 'per second', size: 70 }],
    series: outcome,
  }, columns);
})();
`;
