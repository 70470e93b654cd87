// histogram.ts: latency histograms on the JS side. The native pump records into the standard
// HdrHistogram bucket layout with these same parameters, and sends [value, count] pairs of its
// non-zero buckets; recording each pair here lands it in the identical bucket.
import { build, type Histogram } from 'hdr-histogram-js';

/** 1 ns to 1 hour at 3 significant digits: the layout native/histogram.h uses. */
export const HISTOGRAM_LAYOUT = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000_000_000,
  numberOfSignificantValueDigits: 3,
} as const;

export function emptyHistogram(): Histogram {
  return build({ ...HISTOGRAM_LAYOUT, bitBucketSize: 64, autoResize: false, useWebAssembly: false });
}

export function bucketsToHistogram(pairs: Float64Array): Histogram {
  const histogram = emptyHistogram();
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const value = Math.min(pairs[i]!, HISTOGRAM_LAYOUT.highestTrackableValue);
    histogram.recordValueWithCount(value, pairs[i + 1]!);
  }
  return histogram;
}

/** Fraction of recorded values within mean ± stdev (wrk's "+/- Stdev" column), in percent. */
export function percentWithinStdev(histogram: Histogram): number {
  if (histogram.totalCount === 0) return 0;
  const low = histogram.mean - histogram.stdDeviation;
  const high = histogram.mean + histogram.stdDeviation;
  let within = 0;
  for (const { value, count } of iterateRecorded(histogram)) {
    if (value >= low && value <= high) within += count;
  }
  return (100 * within) / histogram.totalCount;
}

interface BucketAccess {
  countsArrayLength: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
}

/** Every non-empty bucket as { value: its lowest equivalent value, count }. */
export function* iterateRecorded(histogram: Histogram): Generator<{ value: number; count: number }> {
  // The public iterators of hdr-histogram-js are percentile-oriented; its JS histograms do expose
  // their bucket accessors, which give the recorded values directly.
  const buckets = histogram as unknown as BucketAccess;
  for (let i = 0; i < buckets.countsArrayLength; i++) {
    const count = buckets.getCountAtIndex(i);
    if (count > 0) yield { value: buckets.valueFromIndex(i), count };
  }
}
