// dashboard-view.ts: one frame of the terminal dashboard as lines of text, from the window of
// live intervals. Pure: no terminal, no clock; the same window and size give the same frame.
//
//   ratetest  GET http://127.0.0.1:8080/  -R 2,000/s  -c 50  -t 2     12.0s of 60.0s, 48.0s left
//   RATE  per 250ms, newest on the right
//   target      2,000/s  ████████████████████████████████
//   achieved    1,998/s  ██████████████▂ ▇█████████████
//   CORRECTED LATENCY  from the intended send time, per 250ms, ..., each row up to its peak
//   p99          1.21ms  ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁█▃▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁ peak 480.00ms
//   then p50 and max, send lag, the live self-check, cumulative counts, status codes, errors
import type { RunConfig } from '../config/options.js';
import { UNLIMITED_MS } from '../config/shape.js';
import { formatTimeUs } from '../report/wrk-format.js';
import type { DashboardWindow, LiveInterval } from './dashboard-window.js';
import { style } from './terminal.js';

/** Eight heights of a bar; a blank is an interval with nothing to show (no response completed). */
const BARS = '▁▂▃▄▅▆▇█';
/** Below this the panels do not fit; the run falls back to the progress line. */
export const MIN_COLUMNS = 60;
export const MIN_ROWS = 20;

const LABEL = 12;
const VALUE = 10;
const PEAK = 16;

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const time = (ns: number) => (ns > 0 ? formatTimeUs(ns / 1e3).trim() : '-');
const seconds = (ns: number) => `${(Math.max(0, ns) / 1e9).toFixed(1)}s`;

/** A bar per value, scaled by `fraction` (0..1); undefined values are blanks. The newest is last. */
export function sparkline(values: (number | undefined)[], fraction: (v: number) => number): string {
  return values
    .map((v) => {
      if (v === undefined) return ' ';
      const f = Math.min(1, Math.max(0, fraction(v)));
      return BARS[Math.min(BARS.length - 1, Math.floor(f * BARS.length))]!;
    })
    .join('');
}

/**
 * A series' bars from 0 to its own peak, and the peak named after them. Linear and per series: a
 * 100 ms stall against a 10 ms norm is then a full bar over one-step ones (on a log scale shared
 * with the p50 it would be one step of eight taller, easy to miss).
 */
export function peakLine(values: (number | undefined)[]): string {
  const peak = Math.max(0, ...values.map((v) => v ?? 0));
  return sparkline(values, (v) => (peak > 0 ? v / peak : 0));
}

function peakNote(values: (number | undefined)[]): string {
  const peak = Math.max(0, ...values.map((v) => v ?? 0));
  return peak > 0 ? style.dim(` peak ${time(peak)}`) : '';
}

/** The line cut to `width` visible columns; its styles do not count, and one cut mid-style is reset. */
export function fit(line: string, width: number): string {
  let shown = 0;
  let out = '';
  for (let i = 0; i < line.length; ) {
    const escape = /^\x1b\[[0-9;?]*[A-Za-z]/.exec(line.slice(i, i + 16));
    if (escape) {
      out += escape[0];
      i += escape[0].length;
      continue;
    }
    if (shown === width) return `${out}\x1b[0m`;
    const char = String.fromCodePoint(line.codePointAt(i)!);
    out += char;
    i += char.length;
    shown++;
  }
  return out;
}

function row(label: string, value: string, rest = ''): string {
  return ` ${label.padEnd(LABEL)}${value.padStart(VALUE)}  ${rest}`;
}

function heading(title: string, note: string): string {
  return ` ${style.bold(style.cyan(title))}  ${style.dim(note)}`;
}

/** What the title bar says of time: warm-up, elapsed of the duration and what is left, or sent of -n. */
function progressText(window: DashboardWindow, config: RunConfig): string {
  const s = window.latest;
  const elapsedNs = s?.elapsedNs ?? 0;
  const warmupNs = config.warmupMs * 1e6;
  if (elapsedNs < warmupNs) return `warm-up ${seconds(elapsedNs)} of ${seconds(warmupNs)}`;
  const measuredNs = elapsedNs - warmupNs;
  if (config.durationMs >= UNLIMITED_MS) return `${seconds(measuredNs)}, ${count(s?.sent ?? 0)} of ${count(config.requestCount)} sent`;
  const totalNs = config.durationMs * 1e6;
  return `${seconds(Math.min(measuredNs, totalNs))} of ${seconds(totalNs)}, ${seconds(totalNs - measuredNs)} left`;
}

export interface FrameInfo {
  /** The request line: method and URL (credentials masked by the caller). */
  target: string;
  columns: number;
  rows: number;
  periodMs: number;
}

/** The frame: each line fitted to the width (styles add no columns). */
export function renderDashboard(window: DashboardWindow, config: RunConfig, info: FrameInfo): string[] {
  const width = info.columns;
  // Room on the right for " peak 123.45ms".
  const sparkWidth = Math.max(10, width - LABEL - VALUE - 4 - PEAK);
  const shown: LiveInterval[] = window.intervals.slice(-sparkWidth);
  const last = shown.at(-1);
  const s = window.latest;
  const lines: string[] = [];

  const rate = config.closedLoop ? 'max' : `${count(config.rate)}/s`;
  const left = ` ratetest  ${info.target}  -R ${rate}  -c ${config.connections}  -t ${config.threads}`;
  const right = `${progressText(window, config)} `;
  const gap = Math.max(1, width - left.length - right.length);
  lines.push(style.inverse(`${left}${' '.repeat(gap)}${right}`.slice(0, width)));
  lines.push('');

  // Target and achieved share one scale, so a gap between the bars is the shortfall.
  const period = `per ${info.periodMs}ms, newest on the right`;
  lines.push(heading('RATE', period));
  const topRate = Math.max(1, ...shown.map((i) => Math.max(i.targetRate, i.achievedRate)));
  const linear = (v: number) => v / topRate;
  if (!config.closedLoop) lines.push(row('target', `${count(last?.targetRate ?? 0)}/s`, style.dim(sparkline(shown.map((i) => i.targetRate), linear))));
  lines.push(row('achieved', `${count(last?.achievedRate ?? 0)}/s`, style.green(sparkline(shown.map((i) => i.achievedRate), linear))));
  lines.push('');

  lines.push(heading('CORRECTED LATENCY', `from the intended send time, ${period}, each row up to its peak`));
  const series = (pick: (i: LiveInterval) => number) => shown.map((i) => (i.maxNs > 0 ? pick(i) : undefined));
  const figure = (pick: (i: LiveInterval) => number) => (last && last.maxNs > 0 ? time(pick(last)) : '-');
  for (const [label, pick, colour] of [
    ['p50', (i: LiveInterval) => i.p50Ns, style.green],
    ['p99', (i: LiveInterval) => i.p99Ns, style.yellow],
    ['max', (i: LiveInterval) => i.maxNs, style.red],
  ] as const) {
    lines.push(row(label, figure(pick), colour(peakLine(series(pick))) + peakNote(series(pick))));
  }
  lines.push('');

  lines.push(heading('GENERATOR', 'send lag = actual write - intended send time'));
  const lag = shown.map((i) => i.sendLagP99Ns);
  lines.push(row('send lag p99', last ? time(last.sendLagP99Ns) : '-', style.dim(peakLine(lag)) + peakNote(lag)));
  const verdict = window.verdict();
  const words = verdict ? (verdict.ok ? style.green : style.red)(`● ${verdict.words}`) + style.dim(` (${verdict.verdict}, the last 2s)`) : style.dim('judged after the first seconds');
  lines.push(` ${'self-check'.padEnd(LABEL + VALUE)}  ${words}`);
  const cpu = s ? threadCpu(window) : '';
  if (cpu) lines.push(` ${'pump CPU'.padEnd(LABEL + VALUE)}  ${cpu}`);
  lines.push('');

  lines.push(heading('RESPONSES', 'since the start'));
  const inFlight = s ? `sent ${count(s.sent)}   in flight ${count(s.inFlight)}` : '';
  lines.push(row('completed', count(s?.completed ?? 0), inFlight));
  const codes = s ? Object.entries(s.status).sort(([a], [b]) => Number(a) - Number(b)) : [];
  const statusText = codes.map(([code, n]) => {
    const text = `${code} ${count(n)}`;
    return code.startsWith('2') ? text : style.yellow(text);
  });
  lines.push(` ${'status'.padEnd(LABEL + VALUE)}  ${codes.length > 0 ? statusText.join('   ') : '-'}`);
  const errors = s ? (Object.entries(s.errors) as [string, number][]) : [];
  const errorText = errors.map(([kind, n]) => (n > 0 ? style.red(`${kind} ${count(n)}`) : `${kind} 0`)).join('   ');
  lines.push(` ${'errors'.padEnd(LABEL + VALUE)}  ${errorText}`);
  lines.push(row('connections', count(s?.connectionsOpen ?? 0), `open of -c ${config.connections}`));
  lines.push('');
  lines.push(style.dim(' Ctrl-C stops the run and prints the report of what it gathered.'));
  return lines.slice(0, info.rows).map((line) => fit(line, width));
}

/** Each pump thread's share of a core over the verdict's span, e.g. "34% 30% of a core". */
function threadCpu(window: DashboardWindow): string {
  const shares = window.threadCpuShares();
  return shares.length > 0 ? `${shares.map((p) => `${Math.round(p * 100)}%`).join(' ')} of a core, the last 2s` : '';
}
