// heatmap-page.ts: the browser side of the HTML reports' latency heatmap (data from
// heatmap-data.ts): a canvas of its own, since uPlot draws lines and a heatmap is cells. Time
// across, latency up on a log scale, colour for the count (log scale); p50/p99 lines, the target
// rate on a right-hand axis, red marks where errors happened; hover names the cell; a toggle
// switches to uncorrected latency on the same rows. Once drawn, the script writes what it drew
// into the element's data-* attributes (the plot's position on the page among them), so a
// headless browser can check the pixels where a stall was.

export const HEATMAP_CSS = `
.heatmap { position: relative; }
.heatmap canvas { display: block; }
.heatmap .tip { position: absolute; pointer-events: none; background: rgba(255,255,255,0.95); border: 1px solid #999; font-size: 12px; padding: 2px 6px; white-space: nowrap; display: none; }
.heatmap .controls { font-size: 13px; margin: 0 0 6px; }
.heatmap .legend { display: inline-block; margin-left: 16px; color: #555; }
.heatmap .swatch { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin: 0 4px 0 10px; }
`;

/** Plain ES2017; defines window.ratetestHeatmap(el, data, title) and draws nothing by itself. */
export const HEATMAP_SCRIPT = `
(function () {
  'use strict';
  var MARGIN = { left: 84, right: 64, top: 14, bottom: 36 };
  // Yellow-orange-red: a count of 1 is still a visible pale yellow on the white background.
  var RAMP = [[255, 237, 160], [254, 178, 76], [240, 59, 32], [128, 0, 38]];
  var LINES = { p50: '#2b7bb9', p99: '#7b4fb3', target: '#555555', error: '#c23030' };

  function colour(t) {
    var x = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
    var i = Math.min(RAMP.length - 2, Math.floor(x));
    var f = x - i;
    var c = RAMP[i].map(function (v, k) { return Math.round(v + (RAMP[i + 1][k] - v) * f); });
    return 'rgb(' + c.join(',') + ')';
  }
  function ms(v) { return v < 1 ? Number((v * 1000).toPrecision(3)) + ' us' : v < 1000 ? Number(v.toPrecision(3)) + ' ms' : Number((v / 1000).toPrecision(3)) + ' s'; }
  function niceStep(span, count) {
    var raw = span / count;
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  window.ratetestHeatmap = function (el, hm, title) {
    var layer = 'corrected';
    var controls = document.createElement('div');
    controls.className = 'controls';
    var toggle = document.createElement('label');
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.className = 'uncorrected-toggle';
    toggle.appendChild(box);
    toggle.appendChild(document.createTextNode(' uncorrected latency (from each actual write: what a closed-loop tool reports)'));
    controls.appendChild(toggle);
    var legend = document.createElement('span');
    legend.className = 'legend';
    legend.innerHTML = '<span class="swatch" style="background:' + LINES.p50 + '"></span>p50' +
      '<span class="swatch" style="background:' + LINES.p99 + '"></span>p99' +
      '<span class="swatch" style="background:' + LINES.target + '"></span>target rate (right axis)' +
      '<span class="swatch" style="background:' + LINES.error + ';height:8px"></span>errors';
    controls.appendChild(legend);
    var canvas = document.createElement('canvas');
    var tip = document.createElement('div');
    tip.className = 'tip';
    el.appendChild(controls);
    el.appendChild(canvas);
    el.appendChild(tip);

    var width = Math.max(360, Math.min(1200, el.clientWidth || 1000));
    var height = 340;
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    var ctx = canvas.getContext('2d');
    ctx.scale(ratio, ratio);
    var plotW = width - MARGIN.left - MARGIN.right;
    var plotH = height - MARGIN.top - MARGIN.bottom;
    var tMax = Math.max.apply(null, hm.endS);
    var edges = hm.edgesMs;
    var logLo = Math.log(edges[0]);
    var logHi = Math.log(edges[edges.length - 1]);
    var rateMax = Math.max(1, Math.max.apply(null, hm.targetPerSecond)) * 1.1;
    var logMax = Math.log(1 + hm.maxCount);
    function X(s) { return MARGIN.left + (s / tMax) * plotW; }
    function Y(v) { return MARGIN.top + plotH * (1 - (Math.log(v) - logLo) / (logHi - logLo || 1)); }
    function YRate(r) { return MARGIN.top + plotH * (1 - r / rateMax); }

    function line(values, stroke, y, dash) {
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 2;
      ctx.setLineDash(dash || []);
      ctx.beginPath();
      var open = false;
      for (var c = 0; c < values.length; c++) {
        var v = values[c];
        if (v == null || !(v > 0 || y === YRate)) { open = false; continue; }
        var px = X((hm.startS[c] + hm.endS[c]) / 2);
        var py = Math.max(MARGIN.top, Math.min(MARGIN.top + plotH, y(v)));
        if (open) ctx.lineTo(px, py); else ctx.moveTo(px, py);
        open = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
    }

    function axes() {
      ctx.fillStyle = '#222';
      ctx.strokeStyle = '#bbb';
      ctx.lineWidth = 1;
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      for (var d = Math.floor(Math.log10(edges[0])); d <= Math.ceil(Math.log10(edges[edges.length - 1])); d++) {
        [1, 2, 5].forEach(function (m) {
          var v = m * Math.pow(10, d);
          if (v < edges[0] || v > edges[edges.length - 1]) return;
          var y = Y(v);
          ctx.beginPath(); ctx.moveTo(MARGIN.left - 4, y); ctx.lineTo(MARGIN.left, y); ctx.stroke();
          ctx.fillText(ms(v), MARGIN.left - 6, y);
        });
      }
      ctx.textAlign = 'left';
      var rStep = niceStep(rateMax, 4);
      for (var r = 0; r <= rateMax; r += rStep) {
        ctx.fillText(r >= 1000 ? (r / 1000) + 'k/s' : r + '/s', MARGIN.left + plotW + 6, YRate(r));
      }
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      var tStep = niceStep(tMax, 10);
      for (var t = 0; t <= tMax + 1e-9; t += tStep) {
        var x = X(t);
        ctx.beginPath(); ctx.moveTo(x, MARGIN.top + plotH); ctx.lineTo(x, MARGIN.top + plotH + 4); ctx.stroke();
        ctx.fillText(Number(t.toPrecision(6)) + ' s', x, MARGIN.top + plotH + 6);
      }
      ctx.save();
      ctx.translate(4, MARGIN.top + plotH / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(layer + ' latency', 0, 0);
      ctx.restore();
      ctx.strokeStyle = '#888';
      ctx.strokeRect(MARGIN.left, MARGIN.top, plotW, plotH);
    }

    function draw() {
      var data = hm[layer];
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, width, height);
      // Whole pixels, so neighbouring cells meet without anti-aliased seams.
      for (var c = 0; c < data.cells.length; c++) {
        var x0 = Math.round(X(hm.startS[c]));
        var w = Math.max(1, Math.round(X(hm.endS[c])) - x0);
        var cells = data.cells[c];
        for (var i = 0; i + 1 < cells.length; i += 2) {
          var row = cells[i];
          var yTop = Math.round(Y(edges[row + 1]));
          ctx.fillStyle = colour(Math.log(1 + cells[i + 1]) / logMax);
          ctx.fillRect(x0, yTop, w, Math.max(1, Math.round(Y(edges[row])) - yTop));
        }
      }
      line(data.p50Ms, LINES.p50, Y);
      line(data.p99Ms, LINES.p99, Y);
      line(hm.targetPerSecond, LINES.target, YRate, [6, 4]);
      ctx.fillStyle = LINES.error;
      for (var e = 0; e < hm.errors.length; e++) {
        if (hm.errors[e] > 0) ctx.fillRect(X(hm.startS[e]), MARGIN.top - 8, Math.max(2, X(hm.endS[e]) - X(hm.startS[e])), 6);
      }
      axes();
      var rect = canvas.getBoundingClientRect();
      el.setAttribute('data-plot', [rect.left + window.scrollX + MARGIN.left, rect.top + window.scrollY + MARGIN.top, plotW, plotH].map(Math.round).join(','));
      el.setAttribute('data-t-max', String(tMax));
      el.setAttribute('data-columns', String(data.cells.length));
      el.setAttribute('data-rows', String(edges.length - 1));
      el.setAttribute('data-layer', layer);
      if (el.getAttribute('data-rendered') !== 'true') {
        el.setAttribute('data-rendered', 'true');
        var n = Number(document.body.getAttribute('data-heatmaps-rendered') || 0) + 1;
        document.body.setAttribute('data-heatmaps-rendered', String(n));
      }
    }

    function column(px) {
      for (var c = 0; c < hm.startS.length; c++) if (px >= X(hm.startS[c]) && px < Math.max(X(hm.endS[c]), X(hm.startS[c]) + 1)) return c;
      return -1;
    }
    canvas.addEventListener('mousemove', function (ev) {
      var r = canvas.getBoundingClientRect();
      var px = ev.clientX - r.left;
      var py = ev.clientY - r.top;
      var c = column(px);
      var row = -1;
      for (var k = 0; k + 1 < edges.length; k++) if (py <= Y(edges[k]) && py > Y(edges[k + 1])) row = k;
      if (c < 0 || row < 0) { tip.style.display = 'none'; return; }
      var cells = hm[layer].cells[c];
      var count = 0;
      for (var i = 0; i + 1 < cells.length; i += 2) if (cells[i] === row) count = cells[i + 1];
      tip.textContent = (title ? title + ': ' : '') + hm.startS[c].toFixed(3) + '–' + hm.endS[c].toFixed(3) + ' s · ' + ms(edges[row]) + '–' + ms(edges[row + 1]) + ' · ' + count + (count === 1 ? ' response' : ' responses') + ' (' + layer + ')';
      tip.style.display = 'block';
      tip.style.left = Math.min(px + 12, width - 260) + 'px';
      tip.style.top = (controls.offsetHeight + py + 12) + 'px';
    });
    canvas.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
    box.addEventListener('change', function () {
      layer = box.checked ? 'uncorrected' : 'corrected';
      draw();
    });
    draw();
  };
})();
`;
