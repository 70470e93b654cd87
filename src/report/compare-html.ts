// compare-html.ts: `ratetest compare a.json b.json --html diff.html`: one self-contained page with
// both runs' percentile curves (corrected solid, uncorrected dashed) on one HdrHistogram axis and
// their latency heatmaps side by side on the same rows, for a reviewer of a server change. Pure
// apart from reading uPlot's files (html.ts).
import type { Histogram } from 'hdr-histogram-js';
import { decodeFromCompressedBase64 } from '../result/hdr-formats.js';
import type { ResultJson } from './json.js';
import { escapeHtml, jsonForScript } from './html-escape.js';
import { uplotAsset } from './html.js';
import { PAGE_CSS } from './html-page.js';
import { HEATMAP_CSS, HEATMAP_SCRIPT } from './heatmap-page.js';
import { heatmapData, type HeatmapData } from './heatmap-data.js';
import { percentileLabel, spectrumCurve, spectrumX } from './spectrum-data.js';
import { maskUrl } from '../common/url-display.js';

/** What the page's script reads: the shared spectrum axis, each run's curves and heatmap. */
export interface CompareHtmlData {
  x: number[];
  labels: string[];
  ticks: { x: number; label: string }[];
  runs: { name: string; corrected: (number | null)[]; uncorrected: (number | null)[]; heatmap?: HeatmapData }[];
}

const decode = (encoded: string): Histogram => decodeFromCompressedBase64(encoded, 64, false);

export function compareHtmlData(runs: [ResultJson, ResultJson], names: [string, string]): CompareHtmlData {
  const histograms = runs.map((r) => ({ corrected: decode(r.latency.corrected.histogram), uncorrected: decode(r.latency.uncorrected.histogram) }));
  const x = spectrumX(Math.max(...histograms.flatMap((h) => [h.corrected.totalCount, h.uncorrected.totalCount])));
  // One set of rows for both heatmaps, spanning both runs, so the same colour at the same height means the same.
  const timed = runs.flatMap((r) => [r.latency.corrected, r.latency.uncorrected]).filter((l) => l.count > 0);
  const range: [number, number] | undefined = timed.length > 0 ? [Math.min(...timed.map((l) => l.minNs)), Math.max(...timed.map((l) => l.maxNs))] : undefined;
  return {
    x,
    labels: x.map(percentileLabel),
    ticks: x.filter((xi) => Number.isInteger(Math.log10(xi))).map((xi) => ({ x: xi, label: percentileLabel(xi) })),
    runs: runs.map((run, i) => {
      const heatmap = heatmapData(run.series ?? [], range);
      return { name: names[i]!, corrected: spectrumCurve(histograms[i]!.corrected, x), uncorrected: spectrumCurve(histograms[i]!.uncorrected, x), ...(heatmap && { heatmap }) };
    }),
  };
}

const COMPARE_CSS = `
.pair { display: flex; gap: 24px; flex-wrap: wrap; }
.pair > div { flex: 1 1 560px; min-width: 0; }
pre.table { font-size: 13px; background: #f7f7f7; padding: 8px; overflow-x: auto; }
`;

/** Plain ES2017: the spectrum with uPlot, then each heatmap with heatmap-page.ts's script. */
const COMPARE_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('ratetest-compare').textContent);
  var COLOURS = ['#2b7bb9', '#c23030'];
  function ms(u, v) { return v == null ? '-' : v < 1 ? v.toFixed(3) + ' ms' : v < 100 ? v.toFixed(2) + ' ms' : v.toFixed(0) + ' ms'; }
  var series = [{ label: 'percentile', value: function (u, v, si, i) { return i == null ? '-' : data.labels[i]; } }];
  var columns = [data.x];
  data.runs.forEach(function (run, i) {
    series.push({ label: run.name + ' corrected', stroke: COLOURS[i], width: 2, value: ms, points: { show: false } });
    series.push({ label: run.name + ' uncorrected', stroke: COLOURS[i], width: 1, dash: [6, 4], value: ms, points: { show: false } });
    columns.push(run.corrected, run.uncorrected);
  });
  var el = document.getElementById('chart-spectrum');
  if (data.x.length > 0) {
    new uPlot({
      width: Math.max(360, Math.min(1200, el.clientWidth || 1000)),
      height: 340,
      scales: { x: { time: false, distr: 3, log: 10, range: function (u, min, max) { return [1, Math.max(max, 10)]; } }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
      axes: [
        { label: 'percentile (log 1/(1-p))', splits: function () { return data.ticks.map(function (t) { return t.x; }); }, values: function () { return data.ticks.map(function (t) { return t.label; }); } },
        { label: 'latency (ms)', size: 70 },
      ],
      series: series,
      hooks: { draw: [function () { el.setAttribute('data-rendered', 'true'); el.setAttribute('data-series', String(series.length - 1)); }] },
    }, columns, el);
  } else {
    el.textContent = 'No data: neither run timed a response.';
  }
  data.runs.forEach(function (run, i) {
    var heat = document.getElementById('heatmap-' + i);
    if (run.heatmap) window.ratetestHeatmap(heat, run.heatmap, run.name);
    else heat.textContent = 'No heatmap: this result has no interval histograms (written by an older ratetest, or without --json/--html).';
  });
})();
`;

/** The comparison page: the table (compare's text), both spectra on one axis, the heatmaps side by side. */
export function compareHtml(runs: [ResultJson, ResultJson], names: [string, string], table: string): string {
  const data = compareHtmlData(runs, names);
  const uplotJs = uplotAsset('uPlot.iife.min.js').replace(/<\/script/gi, '<\\/script');
  const uplotCss = uplotAsset('uPlot.min.css').replace(/<\/style/gi, '<\\/style');
  const heading = (i: number) => `<h3>${escapeHtml(names[i]!)}</h3><p class="note">${escapeHtml(maskUrl(runs[i]!.config.url))} at ${runs[i]!.requestedRate}/s, started ${escapeHtml(runs[i]!.startedAt)}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ratetest compare ${escapeHtml(names[0])} ${escapeHtml(names[1])}</title>
<style>${uplotCss}</style>
<style>${PAGE_CSS}${HEATMAP_CSS}${COMPARE_CSS}</style>
</head>
<body>
<h1>ratetest compare: ${escapeHtml(names[0])} → ${escapeHtml(names[1])}</h1>
<pre class="table">${escapeHtml(table)}</pre>
<h2>Latency by percentile</h2>
<p class="note">Both runs on HdrHistogram's plotter axis: x is 1/(1-p) on a log scale, so each step right (90%, 99%, 99.9%, …) is ten times further into the tail. Solid: corrected; dashed: uncorrected.</p>
<div class="chart" id="chart-spectrum"></div>
<h2>Latency heatmaps</h2>
<p class="note">The same latency rows on both sides: the same colour at the same height is the same number of responses.</p>
<div class="pair"><div>${heading(0)}<div class="heatmap" id="heatmap-0"></div></div><div>${heading(1)}<div class="heatmap" id="heatmap-1"></div></div></div>
<script type="application/json" id="ratetest-compare">${jsonForScript(data)}</script>
<script>${uplotJs}</script>
<script>${HEATMAP_SCRIPT}</script>
<script>${COMPARE_SCRIPT}</script>
</body></html>
`;
}
