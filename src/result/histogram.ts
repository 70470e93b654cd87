// histogram.ts: latency histograms on the JS side. The native pump records into the standard
// HdrHistogram bucket layout with these same parameters (native/histogram.h) and sends the
// [lowest value, count] pair of each non-empty bucket; recording each pair here lands it in the
// identical bucket. Pure JS hdr-histogram-js: the WASM variant would need async setup and explicit
// destroy() for a few conversions per run. Its 64-bit histogram class is required by its own file:
// the package's index costs ~15 MB and 50–80 ms to load (see hdr-formats.ts), the class alone <1 MB.
import { createRequire } from 'node:module';
import type { Float64Histogram as Float64HistogramClass, Histogram } from 'hdr-histogram-js';

const { default: Float64Histogram } = createRequire(import.meta.url)('hdr-histogram-js/dist/Float64Histogram.js') as { default: typeof Float64HistogramClass };

/** 1 ns to 1 hour at 3 significant digits: the layout native/histogram.h uses. The one definition. */
export const HISTOGRAM_LAYOUT = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000_000_000,
  numberOfSignificantValueDigits: 3,
} as const;

/** An empty nanosecond histogram in the native layout (64-bit counts, fixed range, pure JS). */
export function emptyHistogram(): Histogram {
  const { lowestDiscernibleValue, highestTrackableValue, numberOfSignificantValueDigits } = HISTOGRAM_LAYOUT;
  const histogram = new Float64Histogram(lowestDiscernibleValue, highestTrackableValue, numberOfSignificantValueDigits);
  histogram.autoResize = false;
  return histogram;
}

/**
 * Native buckets -> histogram. `pairs` is [valueNs, count, valueNs, count, ...]; values above the
 * highest trackable value are clamped to it (they land in the top bucket instead of throwing).
 */
export function bucketsToHistogram(pairs: Float64Array): Histogram {
  const histogram = emptyHistogram();
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const count = pairs[i + 1]!;
    if (!(count > 0)) continue;
    const value = Math.min(Math.max(pairs[i]!, 0), HISTOGRAM_LAYOUT.highestTrackableValue);
    histogram.recordValueWithCount(value, count);
  }
  return histogram;
}

/** [value, count] pairs of `now` less those of `before` (same bucket values, counts only grow). */
export function subtractBuckets(now: Float64Array, before: Float64Array | undefined): Float64Array {
  if (!before || before.length === 0) return now;
  const earlier = new Map<number, number>();
  for (let i = 0; i + 1 < before.length; i += 2) earlier.set(before[i]!, before[i + 1]!);
  const out: number[] = [];
  for (let i = 0; i + 1 < now.length; i += 2) {
    const count = now[i + 1]! - (earlier.get(now[i]!) ?? 0);
    if (count > 0) out.push(now[i]!, count);
  }
  return Float64Array.from(out);
}

// One empty histogram answers the layout's questions (a bucket's highest value) for every caller.
let layout: Histogram | undefined;

/**
 * getValueAtPercentile of the histogram these [valueNs, count] pairs (ascending) would make,
 * without making it: a histogram of the whole 1 ns..1 h layout allocates about half a megabyte,
 * too much for a live view that asks several times a second. 0 when the pairs hold no count.
 */
export function percentileOfBuckets(pairs: Float64Array, percentile: number): number {
  let total = 0;
  for (let i = 1; i < pairs.length; i += 2) total += pairs[i]!;
  if (total === 0) return 0;
  const wanted = Math.max(1, Math.floor((Math.min(Math.max(percentile, 0), 100) / 100) * total + 0.5));
  let seen = 0;
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    seen += pairs[i + 1]!;
    if (seen >= wanted) return percentile === 0 ? pairs[i]! : highestEquivalentValue((layout ??= emptyHistogram()), pairs[i]!);
  }
  return 0;
}

/** The bucket-level accessors hdr-histogram-js's JS histograms have but its Histogram type hides. */
interface BucketAccess {
  countsArrayLength: number;
  bucketCount: number;
  subBucketCount: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  lowestEquivalentValue(value: number): number;
  highestEquivalentValue(value: number): number;
  medianEquivalentValue(value: number): number;
}

function access(histogram: Histogram): BucketAccess {
  const h = histogram as unknown as Partial<BucketAccess>;
  if (typeof h.getCountAtIndex !== 'function' || typeof h.highestEquivalentValue !== 'function') {
    throw new TypeError('expected a pure-JS hdr-histogram-js histogram (not the WebAssembly variant)');
  }
  return h as BucketAccess;
}

/** Every non-empty bucket in value order, as { value: its lowest equivalent value, count }. */
export function* iterateRecorded(histogram: Histogram): Generator<{ value: number; count: number }> {
  const buckets = access(histogram);
  for (let i = 0; i < buckets.countsArrayLength; i++) {
    const count = buckets.getCountAtIndex(i);
    if (count > 0) yield { value: buckets.valueFromIndex(i), count };
  }
}

/** The highest value that shares `value`'s bucket (1,000,000 ns -> 1,000,447 ns at 3 digits). */
export function highestEquivalentValue(histogram: Histogram, value: number): number {
  return access(histogram).highestEquivalentValue(value);
}

/** The lowest value that shares `value`'s bucket (1,000,000 ns -> 999,936 ns at 3 digits). */
export function lowestEquivalentValue(histogram: Histogram, value: number): number {
  return access(histogram).lowestEquivalentValue(value);
}

/** How many buckets and sub-buckets the layout has (the footer of a percentile spectrum). */
export function layoutOf(histogram: Histogram): { bucketCount: number; subBucketCount: number } {
  const { bucketCount, subBucketCount } = access(histogram);
  return { bucketCount, subBucketCount };
}

/**
 * HdrHistogram's mean and population standard deviation, each bucket counted at its median
 * equivalent value: what hdr-histogram-js's `mean` and `stdDeviation` return, summed in the same
 * order and so to the same bits, in plain passes over the counts. Its getters walk an iterator
 * that builds an object per bucket, and `stdDeviation` computes the mean again: the pair was
 * about 40% of the text report's time.
 */
export function meanAndStdDeviation(histogram: Histogram): { mean: number; stdDeviation: number } {
  const total = histogram.totalCount;
  if (total === 0) return { mean: 0, stdDeviation: 0 };
  const buckets = access(histogram);
  let sum = 0;
  for (let i = 0; i < buckets.countsArrayLength; i++) {
    const count = buckets.getCountAtIndex(i);
    if (count > 0) sum += buckets.medianEquivalentValue(buckets.valueFromIndex(i)) * count;
  }
  const mean = sum / total;
  let deviations = 0;
  for (let i = 0; i < buckets.countsArrayLength; i++) {
    const count = buckets.getCountAtIndex(i);
    if (count === 0) continue;
    const deviation = buckets.medianEquivalentValue(buckets.valueFromIndex(i)) - mean;
    deviations += deviation * deviation * count;
  }
  return { mean, stdDeviation: Math.sqrt(deviations / total) };
}
