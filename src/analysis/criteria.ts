// criteria.ts: the one grammar of pass/fail criteria ("p99<100ms", "errors<0.1%", "non2xx=0",
// "rate>=99%"), read by --threshold and find-max's --slo alike, and judged against a Result. Each
// term has one meaning (docs/criteria.md); a figure with nothing to measure fails, never passes.
import { UsageError } from '../common/errors.js';
import type { Result } from '../result/result.js';
import { requestedRate } from '../result/requested-rate.js';
import { parseDuration, parseRate } from '../common/units.js';

/** p50, p90, p99, p99.9, any pN with 0 < N <= 100, max, min, mean; errors; non2xx; rate. */
export type CriterionMetric = string;
export type CriterionOp = '<' | '<=' | '>' | '>=' | '=';

export interface Criterion {
  /** The expression as typed, trimmed. */
  text: string;
  metric: CriterionMetric;
  op: CriterionOp;
  /** Nanoseconds for latencies; a count or a percentage for errors and non2xx; req/s or a percentage for rate. */
  limit: number;
  /** The limit was written with "%": errors and non2xx of the run's requests (requestsOf), rate of the requested rate. */
  percent: boolean;
}

export interface CriterionVerdict {
  criterion: Criterion;
  passed: boolean;
  /** The figure judged, in the limit's unit; undefined when there was nothing to measure. */
  measured: number | undefined;
  /** Why there was nothing to measure, e.g. "no responses to measure (0 of 50 requests completed)". */
  reason?: string;
}

const FORM = 'p99<100ms, p99.9<=250ms, max<1s, mean<20ms, errors<0.1%, errors=0, non2xx=0, rate>=99% or rate>=950';
const EXPR = /^\s*(p\d+(?:\.\d+)?|max|min|mean|errors|non2xx|rate)\s*(<=|>=|<|>|=)\s*(\S+)\s*$/;
const COUNT = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/;
const RATE = /^(\d+(?:\.\d+)?|\.\d+)[kKmM]?$/;

export const isLatencyMetric = (metric: CriterionMetric) => metric.startsWith('p') || metric === 'max' || metric === 'min' || metric === 'mean';

/** Reads one expression; a malformed one throws a UsageError naming `flag` and the accepted form. */
export function parseCriterion(text: string, flag = '--threshold'): Criterion {
  const match = EXPR.exec(text);
  if (!match) throw new UsageError(`${flag} must look like ${FORM}, got "${text}"`);
  const [, metric, op, value] = match as unknown as [string, string, CriterionOp, string];
  const typed = text.trim();
  if (isLatencyMetric(metric)) {
    if (metric.startsWith('p')) {
      const p = Number(metric.slice(1));
      if (!(p > 0 && p <= 100)) throw new UsageError(`${flag} percentile must be between 0 and 100, got "${text}"`);
    }
    return { text: typed, metric, op, limit: parseDuration(value, `${flag} "${typed}"`), percent: false };
  }
  const count = COUNT.exec(value);
  if (metric === 'rate') {
    if (count?.[2] === '%') return { text: typed, metric, op, limit: Number(count[1]), percent: true };
    if (!RATE.test(value)) throw new UsageError(`${flag} rate takes a percentage of the requested rate like 99%, or req/s like 950 or 2k, got "${text}"`);
    return { text: typed, metric, op, limit: parseRate(value, flag), percent: false };
  }
  if (!count) throw new UsageError(`${flag} ${metric} takes a count or a percentage like 0 or 0.1%, got "${text}"`);
  return { text: typed, metric, op, limit: Number(count[1]), percent: count[2] === '%' };
}

/**
 * The requests of a run: those scheduled, or those sent where more went out (a script whose
 * request() returns several pipelined requests per call).
 */
export const requestsOf = (result: Result): number => Math.max(result.scheduled, result.sent);

/**
 * Requests that did not get a 2xx/3xx answer: never sent, failed on the connection (read, write,
 * timeout, parse), still unanswered at the end, or answered with another status. Counted from the
 * schedule, so a server that refuses every connection fails every request: 50 scheduled, 0 sent → 50.
 * For gRPC calls, every call that did not end with grpc-status OK.
 */
export function failedRequests(result: Result): number {
  const succeeded = result.grpc ? (result.grpc.status.OK ?? 0) : result.completed - result.non2xx3xx;
  return Math.max(0, requestsOf(result) - succeeded);
}

const share = (count: number, result: Result) => (100 * count) / requestsOf(result);

/** The figure a criterion judges, or why there is none. */
function measure(c: Criterion, result: Result): { measured: number } | { reason: string } {
  if (isLatencyMetric(c.metric)) {
    const h = result.corrected;
    if (h.totalCount === 0) return { reason: `no responses to measure (0 of ${result.scheduled} requests completed)` };
    if (c.metric === 'max') return { measured: h.maxValue };
    if (c.metric === 'min') return { measured: h.minNonZeroValue };
    if (c.metric === 'mean') return { measured: h.mean };
    return { measured: h.getValueAtPercentile(Number(c.metric.slice(1))) };
  }
  if (c.metric === 'rate') {
    if (!c.percent) return { measured: result.achievedRate };
    const requested = requestedRate(result);
    if (!(requested > 0)) return { reason: 'no requested rate to compare with (-R max runs as fast as it can)' };
    return { measured: (100 * result.achievedRate) / requested };
  }
  const count = c.metric === 'errors' ? failedRequests(result) : result.non2xx3xx;
  if (!c.percent) return { measured: count };
  if (requestsOf(result) === 0) return { reason: 'no requests scheduled to take a share of' };
  return { measured: share(count, result) };
}

function holds(measured: number, op: CriterionOp, limit: number): boolean {
  switch (op) {
    case '<':
      return measured < limit;
    case '<=':
      return measured <= limit;
    case '>':
      return measured > limit;
    case '>=':
      return measured >= limit;
    case '=':
      return measured === limit;
  }
}

export function judgeCriterion(result: Result, criterion: Criterion): CriterionVerdict {
  const m = measure(criterion, result);
  if ('reason' in m) return { criterion, passed: false, measured: undefined, reason: m.reason };
  return { criterion, passed: holds(m.measured, criterion.op, criterion.limit), measured: m.measured };
}

/** Judges each expression (strings are parsed first, as --threshold; a bad one throws UsageError). */
export function judgeCriteria(result: Result, criteria: (string | Criterion)[]): CriterionVerdict[] {
  return criteria.map((c) => judgeCriterion(result, typeof c === 'string' ? parseCriterion(c) : c));
}

/** The measured figure in the criterion's unit: "62.1ms", "12", "0.52%", "940/s"; the reason when there is none. */
export function formatMeasured(v: CriterionVerdict): string {
  if (v.measured === undefined) return v.reason ?? 'nothing to measure';
  const { metric, percent } = v.criterion;
  if (isLatencyMetric(metric)) return `${Number((v.measured / 1e6).toFixed(3))}ms`;
  if (percent) return `${Number(v.measured.toFixed(4))}%`;
  return metric === 'rate' ? `${Number(v.measured.toFixed(1))}/s` : String(v.measured);
}

/** "p99<100ms: measured 112.4ms" or "p99<100ms: no responses to measure (0 of 50 requests completed)". */
export function describeVerdict(v: CriterionVerdict): string {
  return v.measured === undefined ? `${v.criterion.text}: ${formatMeasured(v)}` : `${v.criterion.text}: measured ${formatMeasured(v)}`;
}

/** The report lines for failed criteria ("" when all held). */
export function formatCriteriaFailures(verdicts: CriterionVerdict[]): string {
  const failed = verdicts.filter((v) => !v.passed);
  if (failed.length === 0) return '';
  return `Thresholds failed:\n${failed.map((v) => `  ${describeVerdict(v)}\n`).join('')}`;
}
