// bucket-histogram.ts: a histogram as the native pump sends it, [lowest value, count] per non-empty
// bucket, behind hdr-histogram-js's own JsHistogram so every consumer of a Histogram still works.
// The figures reports read (count, percentiles, mean, stdev, min, max) come from the pairs; the
// array of counts by index (1 ns..1 h at 3 digits: 33,792 slots, 270 KB) is built only when
// something asks for a count by index: a standard encoding, a merge, the .hgrm spectrum.
//
//   pairs (a few hundred)          counts by index (built on first use, then the only truth)
//   values: [20480, 20992, ...]    [0, 0, ..., 3, 0, 17, 0, ..., 0]
//   counts: [3,     17,    ...]
import { createRequire } from 'node:module';
import type { JsHistogram as JsHistogramClass } from 'hdr-histogram-js/dist/JsHistogram.js';
import type { Float64Histogram as Float64HistogramClass } from 'hdr-histogram-js';

const require = createRequire(import.meta.url);
const { default: JsHistogram } = require('hdr-histogram-js/dist/JsHistogram.js') as { default: typeof JsHistogramClass };
const { default: Float64Histogram } = require('hdr-histogram-js/dist/Float64Histogram.js') as { default: typeof Float64HistogramClass };
const { default: ulp } = require('hdr-histogram-js/dist/ulp.js') as { default: (x: number) => number };

/** 1 ns to 1 hour at 3 significant digits: the layout native/histogram.h uses. The one definition. */
export const HISTOGRAM_LAYOUT = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000_000_000,
  numberOfSignificantValueDigits: 3,
} as const;

/** The non-empty buckets in value order: each one's lowest value, and its count. */
export interface RecordedBuckets {
  values: Float64Array;
  counts: Float64Array;
}

export class BucketHistogram extends JsHistogram {
  /** The non-empty buckets while no count by index was asked for; undefined once `array` exists. */
  private buckets: RecordedBuckets | undefined;
  private array: Float64Array | undefined;

  /**
   * `pairs` is [valueNs, count, valueNs, count, ...] with the values ascending, one pair per
   * bucket (what the addon sends); values above the highest trackable value are clamped to it. Any
   * other order is still counted right: it builds the array at once.
   */
  constructor(pairs: Float64Array) {
    const { lowestDiscernibleValue, highestTrackableValue, numberOfSignificantValueDigits } = HISTOGRAM_LAYOUT;
    super(lowestDiscernibleValue, highestTrackableValue, numberOfSignificantValueDigits);
    this.autoResize = false;
    let n = 0;
    for (let i = 1; i < pairs.length; i += 2) if (pairs[i]! > 0) n++;
    const values = new Float64Array(n);
    const counts = new Float64Array(n);
    let total = 0;
    let lastIndex = -1;
    let ordered = true;
    for (let i = 0, k = 0; i + 1 < pairs.length; i += 2) {
      const count = pairs[i + 1]!;
      if (!(count > 0)) continue;
      // As recordValueWithCount would: the raw value sets min and max, its bucket holds the count.
      const value = Math.min(Math.max(pairs[i]!, 0), highestTrackableValue);
      const index = this.countsArrayIndex(value);
      if (index <= lastIndex) ordered = false;
      lastIndex = index;
      values[k] = this.valueFromIndex(index);
      counts[k++] = count;
      total += count;
      this.updateMinAndMax(value);
    }
    this.setTotalCount(total);
    this.buckets = { values, counts };
    if (!ordered) this.countsByIndex();
  }

  /** The non-empty buckets, from the pairs or (once built) from the array of counts. */
  recordedBuckets(): RecordedBuckets {
    return this.buckets ?? recordedBucketsOf(this);
  }

  private countsByIndex(): Float64Array {
    if (this.array) return this.array;
    const array = new Float64Array(this.countsArrayLength);
    const { values, counts } = this.buckets!;
    for (let k = 0; k < values.length; k++) array[this.countsArrayIndex(values[k]!)]! += counts[k]!;
    this.array = array;
    this.buckets = undefined;
    return array;
  }

  // ---- the figures, from the pairs while there are only pairs ------------------------------

  /** JsHistogram.getValueAtPercentile's arithmetic, walking the non-empty buckets instead of every slot. */
  override getValueAtPercentile(percentile: number): number {
    if (!this.buckets) return super.getValueAtPercentile(percentile);
    const fpCountAtPercentile = (Math.min(percentile, 100) / 100) * this.totalCount;
    const countAtPercentile = Math.max(Math.ceil(fpCountAtPercentile - ulp(fpCountAtPercentile)), 1);
    const { values, counts } = this.buckets;
    let totalToCurrentIndex = 0;
    for (let k = 0; k < values.length; k++) {
      totalToCurrentIndex += counts[k]!;
      if (totalToCurrentIndex >= countAtPercentile) {
        return percentile === 0 ? this.lowestEquivalentValue(values[k]!) : this.highestEquivalentValue(values[k]!);
      }
    }
    return 0;
  }

  override get mean(): number {
    return meanAndStdDeviationOf(this, this.recordedBuckets()).mean;
  }

  override get stdDeviation(): number {
    return meanAndStdDeviationOf(this, this.recordedBuckets()).stdDeviation;
  }

  // ---- counts by index: what JsHistogram's other methods walk -------------------------------

  getCountAtIndex(index: number): number {
    return this.countsByIndex()[index]!;
  }

  incrementCountAtIndex(index: number): void {
    this.addToCountAtIndex(index, 1);
  }

  addToCountAtIndex(index: number, value: number): void {
    this.setCountAtIndex(index, this.countsByIndex()[index]! + value);
  }

  setCountAtIndex(index: number, value: number): void {
    if (value < Number.MIN_SAFE_INTEGER || value > Number.MAX_SAFE_INTEGER) throw new RangeError(`${value} would overflow integer count`);
    this.countsByIndex()[index] = value;
  }

  clearCounts(): void {
    this.buckets = undefined;
    this.array = new Float64Array(this.countsArrayLength);
  }

  resize(newHighestTrackableValue: number): void {
    const old = this.countsByIndex();
    this.establishSize(newHighestTrackableValue);
    this.array = new Float64Array(this.countsArrayLength);
    this.array.set(old.subarray(0, this.countsArrayLength));
  }

  /** What the histogram takes once its counts by index are built (as a Float64Histogram's). */
  protected _getEstimatedFootprintInBytes(): number {
    return 1024 + Float64Array.BYTES_PER_ELEMENT * this.countsArrayLength;
  }

  copyCorrectedForCoordinatedOmission(expectedIntervalBetweenValueSamples: number): JsHistogramClass {
    const copy = new Float64Histogram(this.lowestDiscernibleValue, this.highestTrackableValue, this.numberOfSignificantValueDigits) as unknown as JsHistogramClass;
    copy.addWhileCorrectingForCoordinatedOmission(this, expectedIntervalBetweenValueSamples);
    return copy;
  }
}

/** What a walk of the counts needs of a pure-JS histogram. */
export interface CountsByIndex {
  countsArrayLength: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
}

/** The non-empty buckets of any pure-JS histogram, by one walk of its counts. */
export function recordedBucketsOf(histogram: CountsByIndex): RecordedBuckets {
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < histogram.countsArrayLength; i++) {
    const count = histogram.getCountAtIndex(i);
    if (count > 0) {
      values.push(histogram.valueFromIndex(i));
      counts.push(count);
    }
  }
  return { values: Float64Array.from(values), counts: Float64Array.from(counts) };
}

/**
 * HdrHistogram's mean and population standard deviation, each bucket counted at its median
 * equivalent value: what hdr-histogram-js's `mean` and `stdDeviation` return, summed in the same
 * order and so to the same bits. Its getters walk an iterator that builds an object per bucket.
 */
export function meanAndStdDeviationOf(
  histogram: { totalCount: number; medianEquivalentValue(value: number): number },
  { values, counts }: RecordedBuckets,
): { mean: number; stdDeviation: number } {
  const total = histogram.totalCount;
  if (total === 0) return { mean: 0, stdDeviation: 0 };
  let sum = 0;
  for (let k = 0; k < values.length; k++) sum += histogram.medianEquivalentValue(values[k]!) * counts[k]!;
  const mean = sum / total;
  let deviations = 0;
  for (let k = 0; k < values.length; k++) {
    const deviation = histogram.medianEquivalentValue(values[k]!) - mean;
    deviations += deviation * deviation * counts[k]!;
  }
  return { mean, stdDeviation: Math.sqrt(deviations / total) };
}
