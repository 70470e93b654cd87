// text.ts: the report people read, in wrk2's layout and line forms (wrk.c print_stats,
// print_hdr_latency and main's summary lines), then ratetest's own additions below a rule.
// Pure: Result in, text out.
import type { Histogram } from 'hdr-histogram-js';
import { percentWithinStdev } from '../histogram.js';
import type { Result } from '../result.js';
import { explainErrno } from './errno-hints.js';
import { selfCheck } from './self-check.js';
import { formatBinary, formatMetric, formatTimeUs, padUnits } from './wrk-format.js';

export interface TextOptions {
  /** Print the detailed corrected percentile spectrum (-L). */
  latency: boolean;
  /** Also print the uncorrected distribution and spectrum (-U). */
  uLatency: boolean;
}

const PERCENTILES = [50, 75, 90, 99, 99.9, 99.99, 99.999, 100];
const RULE = '----------------------------------------------------------';

function statsLine(name: string, mean: string, stdev: string, max: string, within: number): string {
  return `    ${name.padEnd(10)}${padUnits(mean, 8)}${padUnits(stdev, 10)}${padUnits(max, 9)}${within.toFixed(2).padStart(8)}%`;
}

/** Requests per second of each thread in each whole second of the run: wrk's Req/Sec samples. */
function rateSamples(result: Result): number[] {
  const wholeSeconds = Math.floor(result.durationNs / 1e9);
  const samples = result.threads.flatMap((t) => t.perSecond.slice(0, wholeSeconds));
  if (samples.length > 0) return samples;
  const seconds = result.durationNs / 1e9;
  return result.threads.map((t) => (seconds > 0 ? t.completed / seconds : 0));
}

function sampleStats(samples: number[]): { mean: number; stdev: number; max: number; within: number } {
  const n = samples.length;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  const stdev = n > 1 ? Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const max = Math.max(...samples);
  const within = (100 * samples.filter((s) => s >= mean - stdev && s <= mean + stdev).length) / n;
  return { mean, stdev, max, within };
}

const usOf = (ns: number) => ns / 1000;

function distribution(histogram: Histogram, description: string, detailed: boolean): string[] {
  const lines = [`  Latency Distribution (HdrHistogram - ${description})`];
  for (const p of PERCENTILES) {
    const value = histogram.totalCount > 0 ? histogram.getValueAtPercentile(p) : 0;
    lines.push(`${p.toFixed(3).padStart(7)}%${padUnits(formatTimeUs(usOf(value)), 10)}`);
  }
  if (detailed) {
    lines.push('', '  Detailed Percentile spectrum:');
    // The standard HdrHistogram percentile distribution, in milliseconds as wrk2 prints it.
    lines.push(histogram.outputPercentileDistribution(5, 1e6).trimEnd());
    lines.push(RULE);
  }
  return lines;
}

function percentileSummary(histogram: Histogram): string {
  if (histogram.totalCount === 0) return 'none recorded';
  const at = (p: number) => formatTimeUs(usOf(histogram.getValueAtPercentile(p)));
  return `p50 ${at(50)}, p99 ${at(99)}, p99.9 ${at(99.9)}, max ${formatTimeUs(usOf(histogram.maxValue))}`;
}

export function formatText(result: Result, options: TextOptions): string {
  const lines: string[] = [];
  const seconds = result.durationNs / 1e9;
  const latency = result.corrected;

  lines.push(`  Thread Stats${'Avg'.padStart(6)}${'Stdev'.padStart(11)}${'Max'.padStart(8)}${'+/- Stdev'.padStart(12)}`);
  lines.push(
    statsLine(
      'Latency',
      formatTimeUs(usOf(latency.mean || 0)),
      formatTimeUs(usOf(latency.stdDeviation || 0)),
      formatTimeUs(usOf(latency.maxValue)),
      percentWithinStdev(latency),
    ),
  );
  const rates = sampleStats(rateSamples(result));
  lines.push(statsLine('Req/Sec', formatMetric(rates.mean), formatMetric(rates.stdev), formatMetric(rates.max), rates.within));

  lines.push(...distribution(latency, 'Recorded Latency', options.latency || options.uLatency));
  if (options.uLatency) {
    lines.push('', ...distribution(result.uncorrected, 'Uncorrected Latency (measured without taking delayed starts into account)', true));
  }

  lines.push(`  ${result.completed} requests in ${formatTimeUs(result.durationNs / 1000)}, ${formatBinary(result.bytesRead)}B read`);
  const e = result.errors;
  if (e.connect || e.read || e.write || e.timeout) {
    lines.push(`  Socket errors: connect ${e.connect}, read ${e.read}, write ${e.write}, timeout ${e.timeout}`);
  }
  if (e.parse) lines.push(`  Parse errors: ${e.parse}`);
  if (result.non2xx3xx) lines.push(`  Non-2xx or 3xx responses: ${result.non2xx3xx}`);
  lines.push(`Requests/sec: ${(seconds > 0 ? result.completed / seconds : 0).toFixed(2).padStart(9)}`);
  lines.push(`Transfer/sec: ${(formatBinary(seconds > 0 ? result.bytesRead / seconds : 0) + 'B').padStart(10)}`);

  lines.push(...ratetestSection(result));
  return lines.join('\n') + '\n';
}

function ratetestSection(result: Result): string[] {
  const lines = [RULE];
  const requested = result.config.rate;
  const achievedPercent = requested > 0 ? (100 * result.achievedRate) / requested : 0;
  lines.push(
    `  Rate: requested ${requested.toFixed(2)}/s, achieved ${result.achievedRate.toFixed(2)}/s (${achievedPercent.toFixed(2)}%)`,
  );
  const codes = Object.entries(result.status)
    .map(([code, count]) => `${code}: ${count}`)
    .join(', ');
  lines.push(`  Status codes: ${codes || 'none'}`);
  lines.push(`  Uncorrected latency: ${percentileSummary(result.uncorrected)}`);
  lines.push(`  Send lag: ${percentileSummary(result.sendLag)}`);
  if (result.notSent > 0) lines.push(`  Not sent: ${result.notSent} of ${result.scheduled} scheduled requests were never written`);
  if (result.inFlight > 0) lines.push(`  In flight at end: ${result.inFlight} requests still unanswered`);
  for (const [kind, code] of Object.entries(result.errorCodes)) {
    lines.push(`  First ${kind} error: ${explainErrno(code)}`);
  }
  if (result.interrupted) lines.push(`  Run interrupted after ${(result.durationNs / 1e9).toFixed(2)}s`);
  const check = selfCheck(result);
  if (!check.ok) {
    lines.push('', `WARNING: ${check.messages.join('\nWARNING: ')}`);
  } else if (check.messages.length > 0) {
    lines.push(`  Note: ${check.messages.join(' ')}`);
  }
  return lines;
}
