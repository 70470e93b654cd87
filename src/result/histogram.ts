// histogram.ts: latency histograms on the JS side. The native pump records into the standard
// HdrHistogram bucket layout with these same parameters (native/histogram.h) and sends the
// [lowest value, count] pair of each non-empty bucket; a run's histograms keep those pairs
// (bucket-histogram.ts), and recording each pair here lands it in the identical bucket. Pure JS
// hdr-histogram-js: the WASM variant would need async setup and explicit destroy() for a few
// conversions per run. Its 64-bit histogram class is required by its own file: the package's
// index costs ~15 MB and 50–80 ms to load (see hdr-formats.ts), the class alone <1 MB.
import { createRequire } from 'node:module';
import type { Float64Histogram as Float64HistogramClass, Histogram } from 'hdr-histogram-js';
import { BucketHistogram, HISTOGRAM_LAYOUT, meanAndStdDeviationOf, recordedBucketsOf, type RecordedBuckets } from './bucket-histogram.js';

export { HISTOGRAM_LAYOUT } from './bucket-histogram.js';

const { default: Float64Histogram } = createRequire(import.meta.url)('hdr-histogram-js/dist/Float64Histogram.js') as { default: typeof Float64HistogramClass };

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
 * The histogram keeps the pairs: its counts by index are built only if an output walks them.
 */
export function bucketsToHistogram(pairs: Float64Array): Histogram {
  return new BucketHistogram(pairs);
}

/**
 * [value, count] pairs of `now` less those of `before` (both ascending, the same bucket values,
 * counts only grow). One walk of each, no map: at 10,000 connections a second's pairs run to
 * tens of thousands, and this is asked once a second.
 */
export function subtractBuckets(now: Float64Array, before: Float64Array | undefined): Float64Array {
  if (!before || before.length === 0) return now;
  const out = new Float64Array(now.length);
  let n = 0;
  for (let i = 0, j = 0; i + 1 < now.length; i += 2) {
    while (j + 1 < before.length && before[j]! < now[i]!) j += 2;
    const count = now[i + 1]! - (j + 1 < before.length && before[j] === now[i] ? before[j + 1]! : 0);
    if (count > 0) {
      out[n++] = now[i]!;
      out[n++] = count;
    }
  }
  return out.subarray(0, n);
}

/** Several [value, count] pair arrays (each ascending, one pair per bucket) as one: counts of equal values added. */
export function mergeBuckets(parts: readonly Float64Array[]): Float64Array {
  return parts.reduce(mergeTwo, new Float64Array(0));
}

function mergeTwo(a: Float64Array, b: Float64Array): Float64Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Float64Array(a.length + b.length);
  let n = 0;
  let i = 0;
  let j = 0;
  while (i + 1 < a.length || j + 1 < b.length) {
    const takeA = j + 1 >= b.length || (i + 1 < a.length && a[i]! <= b[j]!);
    const value = takeA ? a[i]! : b[j]!;
    let count = 0;
    if (i + 1 < a.length && a[i] === value) {
      count += a[i + 1]!;
      i += 2;
    }
    if (j + 1 < b.length && b[j] === value) {
      count += b[j + 1]!;
      j += 2;
    }
    out[n++] = value;
    out[n++] = count;
  }
  return out.subarray(0, n);
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

function access(histogram: Histogram): BucketAccess & Histogram {
  const h = histogram as unknown as Partial<BucketAccess>;
  if (typeof h.getCountAtIndex !== 'function' || typeof h.highestEquivalentValue !== 'function') {
    throw new TypeError('expected a pure-JS hdr-histogram-js histogram (not the WebAssembly variant)');
  }
  return h as BucketAccess & Histogram;
}

/** The non-empty buckets in value order: a run's own pairs, or one walk of any other histogram's counts. */
function recorded(histogram: Histogram): RecordedBuckets {
  return histogram instanceof BucketHistogram ? histogram.recordedBuckets() : recordedBucketsOf(access(histogram));
}

/** Every non-empty bucket in value order, as { value: its lowest equivalent value, count }. */
export function* iterateRecorded(histogram: Histogram): Generator<{ value: number; count: number }> {
  const { values, counts } = recorded(histogram);
  for (let k = 0; k < values.length; k++) yield { value: values[k]!, count: counts[k]! };
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
 * equivalent value, to the same bits as hdr-histogram-js's `mean` and `stdDeviation`, in plain
 * passes over the non-empty buckets. Its getters walk an iterator that builds an object per
 * bucket, and `stdDeviation` computes the mean again: the pair was about 40% of the text report's time.
 */
export function meanAndStdDeviation(histogram: Histogram): { mean: number; stdDeviation: number } {
  return meanAndStdDeviationOf(access(histogram), recorded(histogram));
}
