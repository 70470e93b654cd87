// html.ts: the --html report of one run: a single self-contained page (no network fetches, works
// offline) with the percentile spectrum, latency / rate / outcomes over time, the headline figures
// and the run's settings. uPlot's files are read from node_modules when the report is written and
// inlined; the data goes in as a JSON block. Pure apart from reading those two files.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Histogram } from 'hdr-histogram-js';
import { version } from '../config/options.js';
import type { Result, ResultConfig } from '../result/result.js';
import { requestedRate } from '../result/requested-rate.js';
import { escapeHtml, jsonForScript } from './html-escape.js';
import { PAGE_CSS, PAGE_SCRIPT } from './html-page.js';
import { HEATMAP_CSS, HEATMAP_SCRIPT } from './heatmap-page.js';
import { selfCheck } from '../analysis/self-check.js';
import { spectrumData, type SpectrumData } from './spectrum-data.js';
import { timelineData, type TimelineData } from './timeline-data.js';
import { heatmapData, type HeatmapData } from './heatmap-data.js';
import { formatTimeUs } from './wrk-format.js';
import { maskUrl } from '../common/url-display.js';
import { formatDurationShort } from '../common/units.js';

export interface HtmlOptions {
  /** The -H headers as given; shown in the settings with credentials masked (the Result does not keep them). */
  headers?: string[];
}

/** What the page's script reads from its JSON block. */
export interface HtmlData {
  spectrum: SpectrumData;
  timeline: TimelineData;
  /** Absent when the run kept no interval histograms (a library run without intervalHistograms). */
  heatmap?: HeatmapData;
}

const require = createRequire(import.meta.url);
/** A file of the uplot package's dist/, as text. */
export function uplotAsset(name: string): string {
  return readFileSync(require.resolve(`uplot/dist/${name}`), 'utf8');
}

/** Header values that are secrets: a report is made to be passed around. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key)$/i;

export function maskHeader(header: string): string {
  const colon = header.indexOf(':');
  if (colon < 0 || !SECRET_HEADER.test(header.slice(0, colon).trim())) return header;
  return `${header.slice(0, colon)}: ***`;
}


export function htmlData(result: Result): HtmlData {
  const intervals = result.intervals ?? [];
  const heatmap = heatmapData(intervals);
  return { spectrum: spectrumData(result.corrected, result.uncorrected), timeline: timelineData(intervals, result.config.intervalNs), ...(heatmap && { heatmap }) };
}

const ns = (value: number) => formatTimeUs(value / 1e3);
/** The run's --interval as people write it ("100ms"). */
const intervalText = (result: Result) => formatDurationShort(result.config.intervalNs ?? 1e9);
const seconds = (valueNs: number) => `${(valueNs / 1e9).toFixed(valueNs % 1e9 === 0 ? 0 : 3)}s`;

/** The settings the run used, as [name, value] rows (values not yet escaped). */
export function settingsRows(config: ResultConfig, options: HtmlOptions = {}): [string, string][] {
  const rows: [string, string][] = [['URL', maskUrl(config.url)], ['method', config.method]];
  if (config.unixSocket !== undefined) rows.push(['Unix socket', config.unixSocket]);
  if (config.closedLoop) rows.push(['rate', 'max (closed loop: latency is uncorrected)']);
  else if (config.stages) rows.push(['stages', config.stages.map((s) => `${seconds(s.durationNs)}: ${s.fromRate}→${s.toRate}/s`).join(', ')]);
  else rows.push(['rate', `${config.rate}/s`]);
  if (config.arrival !== undefined) rows.push(['arrival', config.seed !== undefined ? `${config.arrival} (seed ${config.seed})` : config.arrival]);
  if (config.requestCount !== undefined) rows.push(['requests', String(config.requestCount)]);
  else rows.push(['duration', seconds(config.durationNs)]);
  if (config.warmupNs !== undefined) rows.push(['warm-up', seconds(config.warmupNs)]);
  rows.push(['threads', String(config.threads)], ['connections', String(config.connections)]);
  if (config.maxConnections !== undefined) rows.push(['max connections', String(config.maxConnections)]);
  rows.push(
    ['pipeline', String(config.pipeline)],
    ['timeout', ns(config.timeoutNs)],
    ['connect timeout', ns(config.connectTimeoutNs)],
    ['send window (--batch)', ns(config.batchNs)],
  );
  if (config.ioEngine !== undefined) rows.push(['I/O engine', config.ioEngine]);
  for (const header of options.headers ?? []) rows.push(['header', maskHeader(header)]);
  return rows;
}

const PERCENTILES = [50, 90, 99, 99.9, 99.99, 100];

function latencyRow(name: string, h: Histogram): string {
  const cells = PERCENTILES.map((p) => `<td class="num">${h.totalCount > 0 ? escapeHtml(ns(h.getValueAtPercentile(p))) : '-'}</td>`);
  return `<tr><th>${name}</th>${cells.join('')}<td class="num">${h.totalCount}</td></tr>`;
}

function table(rows: [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

function headline(result: Result): string {
  const e = result.errors;
  const errorTotal = e.connect + e.read + e.write + e.timeout + e.parse;
  const status = Object.entries(result.status).map(([code, n]) => `${code}: ${n}`).join(', ') || 'none';
  const requested = requestedRate(result);
  const achieved = requested > 0 ? ` (${((100 * result.achievedRate) / requested).toFixed(2)}% of ${requested}/s requested)` : '';
  const counts: [string, string][] = [
    ['achieved rate', `${result.achievedRate.toFixed(2)}/s${achieved}`],
    ['scheduled / sent / completed', `${result.scheduled} / ${result.sent} / ${result.completed}`],
    ['not sent / in flight at end', `${result.notSent} / ${result.inFlight}`],
    ['errors', `${errorTotal} (connect ${e.connect}, read ${e.read}, write ${e.write}, timeout ${e.timeout}, parse ${e.parse})`],
    ['status codes', status],
    ['non-2xx/3xx', String(result.non2xx3xx)],
    ['bytes read / written', `${result.bytesRead} / ${result.bytesWritten}`],
  ];
  const head = PERCENTILES.map((p) => `<th class="num">${p === 100 ? 'max' : `p${p}`}</th>`).join('');
  const latency = `<table><tr><th></th>${head}<th class="num">count</th></tr>${latencyRow('corrected', result.corrected)}${latencyRow('uncorrected', result.uncorrected)}${latencyRow('send lag', result.sendLag)}</table>`;
  const check = selfCheck(result);
  const lines = check.ok ? check.messages : [`${check.summary}.`, ...check.messages];
  const warnings = lines.map((m) => `<p class="${check.ok ? 'note' : 'warn'}">${escapeHtml(m)}</p>`).join('\n');
  return `<div class="cols"><div>${table(counts)}</div><div>${latency}</div></div>\n${warnings}`;
}

/** One self-contained HTML page for the run. */
export function formatHtml(result: Result, options: HtmlOptions = {}): string {
  const url = maskUrl(result.config.url);
  const interrupted = result.interrupted ? ' (interrupted)' : '';
  // Guards for the inlined files: "</script" or "</style" inside them would end their element early.
  const uplotJs = uplotAsset('uPlot.iife.min.js').replace(/<\/script/gi, '<\\/script');
  const uplotCss = uplotAsset('uPlot.min.css').replace(/<\/style/gi, '<\\/style');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ratetest ${escapeHtml(url)}</title>
<style>${uplotCss}</style>
<style>${PAGE_CSS}${HEATMAP_CSS}</style>
</head>
<body>
<h1>ratetest: ${escapeHtml(url)}</h1>
<p class="note">Started ${escapeHtml(result.startedAt)}, measured for ${seconds(result.durationNs)}${interrupted}; ratetest ${escapeHtml(version())}. Corrected latency runs from each request's intended send time; uncorrected from its actual write.</p>
${headline(result)}
<h2>Latency by percentile</h2>
<p class="note">HdrHistogram's plotter axis: x is 1/(1-p) on a log scale, so each step right (90%, 99%, 99.9%, …) is ten times further into the tail.</p>
<div class="chart" id="chart-spectrum"></div>
<h2>Latency heatmap</h2>
<p class="note">Each column is one interval of ${escapeHtml(intervalText(result))}; each row a band of latency (log scale) made of the histogram's own buckets; the colour is how many responses fell in it (log scale). A stall shows as a rising diagonal: the requests due during it waited longer the earlier they were due. Tick the box to see the uncorrected latency on the same rows: the difference is coordinated omission.</p>
<div class="heatmap" id="chart-heatmap"></div>
<h2>Latency over time (corrected)</h2>
<div class="chart" id="chart-latency"></div>
<h2>Target vs achieved rate</h2>
<div class="chart" id="chart-rate"></div>
<h2>Errors and status codes</h2>
<div class="chart" id="chart-outcomes"></div>
<h2>Settings</h2>
${table(settingsRows(result.config, options))}
<script type="application/json" id="ratetest-data">${jsonForScript(htmlData(result))}</script>
<script>${uplotJs}</script>
<script>${HEATMAP_SCRIPT}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
