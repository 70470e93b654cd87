// thresholds.ts: CI gates such as "p99<100ms", "errors<0.1%", "non2xx=0", "rate>=99%", checked
// against a finished Result. Parsing fails with a UsageError (exit 2) before any run starts.
import { UsageError } from '../common/errors.js';
import type { Result } from '../result/result.js';
import { parseDuration } from '../common/units.js';

export type ThresholdOp = '<' | '<=' | '>' | '>=' | '=';

export interface Threshold {
  /** The expression as typed. */
  text: string;
  /** "p99.9", "max", "min", "mean", "errors", "non2xx" or "rate". */
  metric: string;
  op: ThresholdOp;
  /** Nanoseconds for latency metrics; a count or a percentage (see `percent`) otherwise. */
  limit: number;
  /** True when the limit was written with "%": errors/non2xx relative to requests sent, rate relative to the requested rate. */
  percent: boolean;
}

export interface ThresholdOutcome {
  threshold: Threshold;
  /** The measured value in the threshold's unit (ns, count or percent). */
  measured: number;
  passed: boolean;
}

const FORM = 'p99<100ms, p99.9<=250ms, max<1s, errors<0.1%, non2xx=0 or rate>=99%';
const EXPR = /^\s*(p\d+(?:\.\d+)?|max|min|mean|errors|non2xx|rate)\s*(<=|>=|<|>|=)\s*(\S+)\s*$/;

export function parseThreshold(text: string): Threshold {
  const match = EXPR.exec(text);
  if (!match) throw new UsageError(`--threshold must look like ${FORM}, got "${text}"`);
  const [, metric, op, value] = match as unknown as [string, string, ThresholdOp, string];
  if (metric.startsWith('p')) {
    const p = Number(metric.slice(1));
    if (!(p > 0 && p <= 100)) throw new UsageError(`--threshold percentile must be between 0 and 100, got "${text}"`);
  }
  if (metric === 'errors' || metric === 'non2xx' || metric === 'rate') {
    const percent = value.endsWith('%');
    const number = Number(percent ? value.slice(0, -1) : value);
    if (value === '' || !Number.isFinite(number) || number < 0 || (metric === 'rate' && !percent)) {
      throw new UsageError(`--threshold ${metric} takes ${metric === 'rate' ? 'a percentage like 99%' : 'a count or a percentage like 0 or 0.1%'}, got "${text}"`);
    }
    return { text, metric, op, limit: number, percent };
  }
  return { text, metric, op, limit: parseDuration(value, '--threshold'), percent: false };
}

function measure(result: Result, t: Threshold): number {
  const sent = Math.max(result.sent, 1);
  switch (t.metric) {
    case 'max':
      return result.corrected.maxValue;
    case 'min':
      return result.corrected.minNonZeroValue;
    case 'mean':
      return result.corrected.mean;
    case 'errors': {
      const e = result.errors;
      const total = e.connect + e.read + e.write + e.timeout + e.parse;
      return t.percent ? (total / sent) * 100 : total;
    }
    case 'non2xx':
      return t.percent ? (result.non2xx3xx / sent) * 100 : result.non2xx3xx;
    case 'rate':
      return (result.achievedRate / result.config.rate) * 100;
    default:
      return result.corrected.getValueAtPercentile(Number(t.metric.slice(1)));
  }
}

function holds(measured: number, op: ThresholdOp, limit: number): boolean {
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

/** Check each expression (strings are parsed first; a bad one throws UsageError). */
export function checkThresholds(result: Result, exprs: (string | Threshold)[]): ThresholdOutcome[] {
  return exprs.map((e) => {
    const threshold = typeof e === 'string' ? parseThreshold(e) : e;
    const measured = measure(result, threshold);
    return { threshold, measured, passed: holds(measured, threshold.op, threshold.limit) };
  });
}

/** The report lines for failed thresholds ("" when all passed), measured values in the threshold's unit. */
export function formatThresholdFailures(outcomes: ThresholdOutcome[]): string {
  const failed = outcomes.filter((o) => !o.passed);
  if (failed.length === 0) return '';
  const show = (o: ThresholdOutcome) =>
    o.threshold.metric === 'errors' || o.threshold.metric === 'non2xx' || o.threshold.metric === 'rate'
      ? `${Number(o.measured.toFixed(4))}${o.threshold.percent ? '%' : ''}`
      : `${Number((o.measured / 1e6).toFixed(3))}ms`;
  return `Thresholds failed:\n${failed.map((o) => `  ${o.threshold.text}: measured ${show(o)}\n`).join('')}`;
}
