// wrk-stats.ts: the figures of wrk2's "Thread Stats" rows (src/stats.c and hdr_max in
// src/hdr_histogram.c), computed the way wrk2 computes them, in long double where wrk2 does. Pure.
import type { Histogram } from 'hdr-histogram-js';
import { iterateRecorded, meanAndStdDeviation } from '../result/histogram.js';
import { divide, fromNumber, multiply, type LongDouble } from './long-double.js';

/** One row: mean, stdev, max, and the share within mean ± stdev in percent ("+/- Stdev"). */
export interface RowStats {
  mean: LongDouble;
  stdev: LongDouble;
  max: LongDouble;
  within: LongDouble;
}

const ZERO = fromNumber(0);

/** hdr_max: the lowest value of the highest non-empty bucket (0 when empty). */
export function hdrMax(histogram: Histogram): number {
  let max = 0;
  for (const { value } of iterateRecorded(histogram)) max = value;
  return max;
}

/**
 * stats_within_stdev on a histogram, percent. wrk2 walks the buckets with integer bounds (the C
 * casts truncate) and stops at the first bucket whose highest value exceeds the upper bound,
 * counting that bucket in: so it counts every bucket whose lowest value lies in
 * [trunc(mean − stdev), trunc(mean + stdev) + 1].
 */
export function histogramWithinStdev(histogram: Histogram, mean: number, stdev: number): number {
  const total = histogram.totalCount;
  if (total === 0) return 0;
  const lower = Math.trunc(mean - stdev);
  const upper = Math.trunc(mean + stdev);
  let within = 0;
  for (const { value, count } of iterateRecorded(histogram)) {
    if (value >= lower && value <= upper + 1) within += count;
  }
  return (100 * within) / total;
}

/** The Latency row: HdrHistogram's mean and population stdev (doubles in C too), hdr_max, the share within. */
export function histogramStats(histogram: Histogram): RowStats {
  if (histogram.totalCount === 0) return { mean: ZERO, stdev: ZERO, max: ZERO, within: ZERO };
  const { mean, stdDeviation: stdev } = meanAndStdDeviation(histogram);
  return {
    mean: fromNumber(mean),
    stdev: fromNumber(stdev),
    max: fromNumber(hdrMax(histogram)),
    within: fromNumber(histogramWithinStdev(histogram, mean, stdev)),
  };
}

/**
 * The Req/Sec row: stats.c over plain samples (non-negative integers). Mean and share within in
 * long double as wrk2 computes them; the sample standard deviation (n − 1, 0 below two samples)
 * in double, where wrk2's powl/sqrtl could differ in the last printed digit at an exact tie.
 * No samples gives zeros where wrk2 would print "nan".
 */
export function sampleStats(samples: readonly number[]): RowStats {
  const n = samples.length;
  if (n === 0) return { mean: ZERO, stdev: ZERO, max: ZERO, within: ZERO };
  const sum = samples.reduce((a, b) => a + b, 0);
  const mean = sum / n;
  const stdev = n < 2 ? 0 : Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const max = samples.reduce((a, b) => Math.max(a, b), 0);
  const within = samples.filter((s) => s >= mean - stdev && s <= mean + stdev).length;
  return {
    mean: divide(fromNumber(sum), n),
    stdev: fromNumber(stdev),
    max: fromNumber(max),
    within: multiply(divide(fromNumber(within), n), 100),
  };
}
