// slo.ts: service-level objectives as people type them ("p99<50ms", "errors<0.1%", "rate>=95%"),
// parsed once and judged against a Result. find-max decides each step with these; the grammar is
// the one `--threshold` uses (issue 4), so the two can share this module.
import type { Result } from '../result/result.js';
import { UsageError } from '../common/errors.js';
import { parseDuration } from '../common/units.js';

export type SloMetric = 'p50' | 'p90' | 'p99' | 'p99.9' | 'max' | 'errors' | 'rate';
export type SloOperator = '<' | '<=' | '>' | '>=';

export interface Slo {
  /** As typed, for reports. */
  text: string;
  metric: SloMetric;
  op: SloOperator;
  /** Nanoseconds for latency metrics; percent for errors and rate. */
  limit: number;
}

export interface SloVerdict {
  slo: Slo;
  pass: boolean;
  /** The measured figure, in the limit's unit (nanoseconds or percent). */
  actual: number;
}

const LATENCY_PERCENTILES: Partial<Record<SloMetric, number>> = { p50: 50, p90: 90, p99: 99, 'p99.9': 99.9, max: 100 };
const FORM = 'p50/p90/p99/p99.9/max with < <= > >= and a duration (p99<50ms), errors<0.1%, or rate>=95%';

export function parseSlo(text: string, flag = '--slo'): Slo {
  const match = /^\s*(p50|p90|p99\.9|p99|max|errors|rate)\s*(<=|>=|<|>)\s*(\S+)\s*$/.exec(text);
  if (!match) throw new UsageError(`${flag} must be ${FORM}, got "${text}"`);
  const metric = match[1] as SloMetric;
  const op = match[2] as SloOperator;
  const value = match[3]!;
  if (metric === 'errors' || metric === 'rate') {
    const pct = /^(\d+(?:\.\d+)?|\.\d+)%$/.exec(value);
    if (!pct) throw new UsageError(`${flag} "${text}": ${metric} takes a percentage like 0.1% or 95%`);
    return { text: text.trim(), metric, op, limit: Number(pct[1]) };
  }
  return { text: text.trim(), metric, op, limit: parseDuration(value, `${flag} "${text}"`) };
}

/** Requests that failed: errors on written requests, non-2xx/3xx answers, and those still unanswered at the end. */
export function failedRequests(result: Result): number {
  const e = result.errors;
  return e.read + e.write + e.timeout + e.parse + result.non2xx3xx + result.inFlight;
}

/** The figure an SLO judges: nanoseconds for latencies, percent for errors (of requests sent) and rate (achieved of requested). */
export function measure(metric: SloMetric, result: Result): number {
  const percentile = LATENCY_PERCENTILES[metric];
  if (percentile !== undefined) return result.corrected.totalCount > 0 ? result.corrected.getValueAtPercentile(percentile) : 0;
  if (metric === 'errors') return result.sent > 0 ? (100 * failedRequests(result)) / result.sent : 0;
  return result.config.rate > 0 ? (100 * result.achievedRate) / result.config.rate : 0;
}

function holds(actual: number, op: SloOperator, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
  }
}

export function evaluateSlo(slo: Slo, result: Result): SloVerdict {
  const actual = measure(slo.metric, result);
  // A run that completed nothing has no latency to judge: that fails a latency SLO, never passes it.
  const empty = LATENCY_PERCENTILES[slo.metric] !== undefined && result.corrected.totalCount === 0;
  return { slo, pass: !empty && holds(actual, slo.op, slo.limit), actual };
}

export function evaluateSlos(slos: Slo[], result: Result): SloVerdict[] {
  return slos.map((slo) => evaluateSlo(slo, result));
}

/** "p99 62.1ms" / "errors 0.52%": the measured figure in the SLO's own unit. */
export function formatActual(verdict: SloVerdict): string {
  const { metric } = verdict.slo;
  if (metric === 'errors' || metric === 'rate') return `${metric} ${verdict.actual.toFixed(2)}%`;
  return `${metric} ${(verdict.actual / 1e6).toFixed(2)}ms`;
}
