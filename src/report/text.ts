// text.ts: the report people read. First wrk2's block, line for line in wrk2's forms (src/wrk.c:
// print_stats_header, print_stats, print_hdr_latency and main's summary lines), so scripts that
// parse wrk2 keep working; then ratetest's own lines below a rule, never mixed into wrk2's.
// Pure: Result in, text out. The "Running 10s test @ url" banner is the CLI's, printed before the run.
import { closedLoopRateLine, shapeLines } from './shape-lines.js';
import { http2Lines } from './http2-lines.js';
import { grpcLines } from './grpc-lines.js';
import type { Histogram } from 'hdr-histogram-js';
import type { ErrorCounts, Result, TlsResult } from '../result/result.js';
import { requestedRate } from '../result/requested-rate.js';
import { byNameLines } from './by-name.js';
import { explainErrno } from '../common/errno-hints.js';
import { divide, fromNumber, toFixed as ldFixed, type LongDouble } from './long-double.js';
import { selfCheck } from '../analysis/self-check.js';
import { formatMonitor } from '../result/monitor-series.js';
import { formatBinary, formatMetric, formatTimeUs, padUnits, printfFixed, statsRow } from './wrk-format.js';
import { percentileSpectrum } from './wrk-spectrum.js';
import { histogramStats, sampleStats } from './wrk-stats.js';

export interface TextOptions {
  /** Print the detailed percentile spectrum of the corrected latencies (-L / --latency). */
  latency: boolean;
  /** Also print the uncorrected distribution and its spectrum (-U / --u_latency). */
  uLatency: boolean;
}

const PERCENTILES = [50, 75, 90, 99, 99.9, 99.99, 99.999, 100];
/** The rule wrk2 prints after each spectrum. */
const RULE = '----------------------------------------------------------';
const ERROR_KINDS: (keyof ErrorCounts)[] = ['connect', 'read', 'write', 'timeout', 'parse'];

/** Nanoseconds -> microseconds, as a long double (wrk2 holds its microseconds in long doubles). */
const usOf = (ns: number | LongDouble) => divide(typeof ns === 'number' ? fromNumber(ns) : ns, 1000);

export function formatText(result: Result, options: TextOptions): string {
  return [...wrk2Block(result, options), ...ratetestBlock(result)].join('\n') + '\n';
}

// ---- wrk2's block ----------------------------------------------------------------------------

function wrk2Block(result: Result, options: TextOptions): string[] {
  const seconds = result.durationNs / 1e9;
  // print_stats_header: printf("  Thread Stats%6s%11s%8s%12s\n", "Avg", "Stdev", "Max", "+/- Stdev")
  const lines = [`  Thread Stats${'Avg'.padStart(6)}${'Stdev'.padStart(11)}${'Max'.padStart(8)}${'+/- Stdev'.padStart(12)}`];
  // wrk2's latency histogram is in microseconds; ours is in nanoseconds.
  const latency = histogramStats(result.corrected);
  lines.push(statsRow('Latency', { ...latency, mean: usOf(latency.mean), stdev: usOf(latency.stdev), max: usOf(latency.max) }, formatTimeUs));
  lines.push(statsRow('Req/Sec', sampleStats(rateSamples(result)), formatMetric));

  // wrk2 prints the distribution only with --latency; ratetest always does, and adds the spectrum
  // with -L. -U prints the corrected spectrum too, so the two can be compared line by line.
  const spectrum = options.latency || options.uLatency;
  lines.push(...distribution(result.corrected, 'Recorded Latency', spectrum));
  if (spectrum) lines.push(RULE);
  if (options.uLatency) {
    lines.push('', ...distribution(result.uncorrected, 'Uncorrected Latency (measured without taking delayed starts into account)', true), RULE);
  }

  // printf("  %"PRIu64" requests in %s, %sB read\n", complete, format_time_us(runtime_us), format_binary(bytes))
  lines.push(`  ${result.completed} requests in ${formatTimeUs(usOf(result.durationNs))}, ${formatBinary(result.bytesRead)}B read`);
  const e = result.errors;
  if (e.connect || e.read || e.write || e.timeout) {
    lines.push(`  Socket errors: connect ${e.connect}, read ${e.read}, write ${e.write}, timeout ${e.timeout}`);
  }
  // Not a wrk2 line: its own, right after, so the Socket errors line keeps wrk2's exact form.
  if (e.parse) lines.push(`  Parse errors: ${e.parse}`);
  if (result.non2xx3xx) lines.push(`  Non-2xx or 3xx responses: ${result.non2xx3xx}`);
  // printf("Requests/sec: %9.2Lf\n", req_per_s); printf("Transfer/sec: %10sB\n", format_binary(bytes_per_s)),
  // where runtime_s = runtime_us / 1000000.0 (a double) and the rates are long doubles.
  const runtimeS = fromNumber(result.durationNs / 1000 / 1e6);
  const perSecond = (n: number) => (seconds > 0 ? divide(fromNumber(n), runtimeS) : fromNumber(0));
  lines.push(`Requests/sec: ${ldFixed(perSecond(result.completed), 2).padStart(9)}`);
  lines.push(`Transfer/sec: ${formatBinary(perSecond(result.bytesRead)).padStart(10)}B`);
  return lines;
}

/**
 * The Req/Sec samples: each thread's completions in each whole second of the run. (wrk2 samples
 * each thread's rate every few milliseconds; per second is what ratetest records.) A run shorter
 * than a second falls back to each thread's average rate.
 */
function rateSamples(result: Result): number[] {
  const wholeSeconds = Math.floor(result.durationNs / 1e9);
  const samples = result.threads.flatMap((t) => t.perSecond.slice(0, wholeSeconds));
  if (samples.length > 0) return samples;
  const seconds = result.durationNs / 1e9;
  return seconds > 0 ? result.threads.map((t) => t.completed / seconds) : [];
}

/** print_hdr_latency: the eight percentiles ("%7.3Lf%%" then print_units(value, format_time_us, 10)), then the spectrum. */
function distribution(histogram: Histogram, description: string, spectrum: boolean): string[] {
  const lines = [`  Latency Distribution (HdrHistogram - ${description})`];
  for (const p of PERCENTILES) {
    const valueNs = histogram.totalCount > 0 ? histogram.getValueAtPercentile(p) : 0;
    lines.push(`${printfFixed(p, 3).padStart(7)}%${padUnits(formatTimeUs(usOf(valueNs)), 10)}`);
  }
  if (spectrum) {
    // printf("\n%s\n", "  Detailed Percentile spectrum:"); hdr_percentiles_print(h, stdout, 5, 1000.0, CLASSIC):
    // wrk2 scales microseconds by 1000 to print milliseconds; ours are nanoseconds, so 1e6.
    lines.push('', '  Detailed Percentile spectrum:', percentileSpectrum(histogram, 5, 1e6).trimEnd());
  }
  return lines;
}

// ---- ratetest's block ------------------------------------------------------------------------

function ratetestBlock(result: Result): string[] {
  const lines = [RULE];
  const requested = requestedRate(result);
  const achievedPercent = requested > 0 ? (100 * result.achievedRate) / requested : 0;
  const share = result.shard ? ` (1/${result.shard.count} of the fleet's ${result.config.rate.toFixed(2)}/s)` : '';
  if (result.config.closedLoop) lines.push(closedLoopRateLine(result));
  else lines.push(`  Rate: requested ${requested.toFixed(2)}/s${share}, achieved ${result.achievedRate.toFixed(2)}/s (${achievedPercent.toFixed(2)}%)`);
  lines.push(...shapeLines(result));
  const codes = Object.entries(result.status)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, count]) => `${code}: ${count}`)
    .join(', ');
  lines.push(`  Status codes: ${codes || 'none'}`);
  lines.push(`  Uncorrected latency: ${percentileSummary(result.uncorrected)}`);
  lines.push(`  Send lag: ${percentileSummary(result.sendLag)}`);
  if (result.requests) lines.push(...byNameLines(result.requests));
  if (result.notSent > 0) lines.push(`  Not sent: ${result.notSent} of ${result.scheduled} scheduled requests were never written`);
  if (result.inFlight > 0) lines.push(`  In flight at end: ${result.inFlight} requests still unanswered`);
  for (const kind of ERROR_KINDS) {
    const code = result.errorCodes[kind];
    if (code) lines.push(`  First ${kind} error: ${explainErrno(code)}`);
  }
  if (result.tls) lines.push(...tlsLines(result.tls));
  lines.push(...http2Lines(result));
  lines.push(...grpcLines(result));
  if (result.interrupted) lines.push(`  Run interrupted after ${(result.durationNs / 1e9).toFixed(2)}s`);
  if (result.endedEarly) lines.push(`  Run ended after ${(result.durationNs / 1e9).toFixed(2)}s: ${result.endedEarly}`);
  if (result.monitor) lines.push(...formatMonitor(result.monitor));

  const check = selfCheck(result);
  if (!check.ok) {
    lines.push('', `WARNING: ${check.summary}.`, ...check.messages.map((m) => `WARNING: ${m}`));
  } else if (check.messages.length > 0) {
    lines.push(`  Note (self-check: ${check.verdict}): ${check.messages.join(' ')}`);
  }
  return lines;
}

/** https: the handshake line, and the failures with OpenSSL's words for the first. */
function tlsLines(tls: TlsResult): string[] {
  const lines = [`  TLS handshakes: ${tls.handshakes} (${tls.resumed} resumed), ${percentileSummary(tls.handshake)}`];
  if (tls.errors.handshake || tls.errors.verify) {
    lines.push(`  TLS errors: handshake ${tls.errors.handshake}, verify ${tls.errors.verify}`);
  }
  if (tls.firstError) lines.push(`  First TLS error: ${tls.firstError}`);
  return lines;
}

/** "p50 20.48us, p99 1.20ms, p99.9 5.00ms, max 5.00ms" (max: the highest value of the top bucket, as the 100% line). */
function percentileSummary(histogram: Histogram): string {
  if (histogram.totalCount === 0) return 'none recorded';
  const at = (p: number) => formatTimeUs(usOf(histogram.getValueAtPercentile(p)));
  return `p50 ${at(50)}, p99 ${at(99)}, p99.9 ${at(99.9)}, max ${at(100)}`;
}
