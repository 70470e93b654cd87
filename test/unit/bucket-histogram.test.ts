// A run's histograms keep the native [value, count] pairs and answer the report's figures from
// them; every figure must be what hdr-histogram-js gives for the same values, to the bit.
import type { Histogram } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { BucketHistogram } from '../../src/result/bucket-histogram.js';
import { HISTOGRAM_LAYOUT, emptyHistogram, iterateRecorded, meanAndStdDeviation } from '../../src/result/histogram.js';
import { encodeIntoCompressedBase64 } from '../../src/result/hdr-formats.js';
import { formatText } from '../../src/report/text.js';
import { syntheticResult } from '../fixtures/result.js';

/** Whether the histogram built its 270 KB array of counts by index. */
const expanded = (h: BucketHistogram) => (h as unknown as { array?: Float64Array }).array !== undefined;

/** Deterministic values spread over every magnitude from 1 ns to 1 hour. */
function wideSpread(n: number): [number, number][] {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, (_, i): [number, number] => [Math.floor(HISTOGRAM_LAYOUT.highestTrackableValue ** next()), 1 + (i % 11)]);
}

/** A latency-like mass around 1 ms with a tail to 2 s. */
function latencyLike(): [number, number][] {
  return Array.from({ length: 600 }, (_, i): [number, number] => [Math.floor(800_000 * 1.0125 ** i), 1 + ((i * 7919) % 97)]);
}

const DISTRIBUTIONS: Record<string, [number, number][]> = {
  empty: [],
  'a single value': [[1_234_567, 1]],
  'a single value many times': [[20_480, 1_000_000]],
  'values below 2048 ns (exact buckets)': [[0, 3], [1, 2], [2047, 5]],
  'a wide spread, 1 ns to 1 h': wideSpread(4000),
  'latency-like, 1 ms with a tail': latencyLike(),
  'the top bucket, and above the range (clamped)': [[1000, 1], [3_600_000_000_000, 2], [5e12, 3]],
};

/** What the addon sends: one [lowest value, count] pair per non-empty bucket, ascending. */
function nativePairs(values: [number, number][]): Float64Array {
  const reference = referenceOf(values);
  return new Float64Array([...iterateRecorded(reference)].flatMap(({ value, count }) => [value, count]));
}

/** hdr-histogram-js's own histogram of the values (clamped into range as the pairs are). */
function referenceOf(values: [number, number][]): Histogram {
  const h = emptyHistogram();
  for (const [value, count] of values) h.recordValueWithCount(Math.min(value, HISTOGRAM_LAYOUT.highestTrackableValue), count);
  return h;
}

const PERCENTILES = [0, 0.1, 1, 10, 25, 50, 66.6, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 99.9999, 100, 150];

describe.each(Object.entries(DISTRIBUTIONS))('BucketHistogram of %s', (_, values) => {
  // The reference holds bucket-lowest values, as a run's histograms did before they kept the pairs.
  const reference = referenceOf([...iterateRecorded(referenceOf(values))].map(({ value, count }) => [value, count]));

  it('gives every figure hdr-histogram-js gives, without building its counts by index', () => {
    const h = new BucketHistogram(nativePairs(values));
    expect(h.totalCount).toBe(reference.totalCount);
    for (const p of PERCENTILES) expect(h.getValueAtPercentile(p), `p${p}`).toBe(reference.getValueAtPercentile(p));
    expect(h.mean).toBe(reference.mean);
    expect(h.stdDeviation).toBe(reference.stdDeviation);
    expect(meanAndStdDeviation(h)).toEqual({ mean: reference.mean, stdDeviation: reference.stdDeviation });
    expect(h.maxValue).toBe(reference.maxValue);
    expect(h.minNonZeroValue).toBe(reference.minNonZeroValue);
    expect(h.summary).toEqual(reference.summary);
    expect([...iterateRecorded(h)]).toEqual([...iterateRecorded(reference)]);
    expect(expanded(h)).toBe(false);
  });

  it('prints the same text report, with both spectra', () => {
    const h = () => new BucketHistogram(nativePairs(values));
    const ours = syntheticResult({ corrected: h(), uncorrected: h(), sendLag: h() });
    const theirs = syntheticResult({ corrected: reference, uncorrected: reference, sendLag: reference });
    const options = { latency: true, uLatency: true };
    expect(formatText(ours, options)).toBe(formatText(theirs, options));
    expect([ours.corrected, ours.uncorrected, ours.sendLag].some((x) => expanded(x as BucketHistogram))).toBe(false);
  });

  it('builds its counts for the standard formats, and they match', () => {
    const h = new BucketHistogram(nativePairs(values));
    expect(encodeIntoCompressedBase64(h)).toBe(encodeIntoCompressedBase64(reference));
    expect(expanded(h)).toBe(true);
    expect(h.outputPercentileDistribution(5, 1e6)).toBe(reference.outputPercentileDistribution(5, 1e6));
    for (const p of PERCENTILES) expect(h.getValueAtPercentile(p), `p${p}`).toBe(reference.getValueAtPercentile(p));
    expect([h.mean, h.stdDeviation]).toEqual([reference.mean, reference.stdDeviation]);
  });

  it('adds into another histogram, and takes more values, as hdr-histogram-js does', () => {
    const sum = emptyHistogram();
    sum.add(new BucketHistogram(nativePairs(values)));
    sum.add(reference);
    const twice = emptyHistogram();
    twice.add(reference);
    twice.add(reference);
    expect(sum.outputPercentileDistribution()).toBe(twice.outputPercentileDistribution());

    const h = new BucketHistogram(nativePairs(values));
    h.recordValueWithCount(5_000_000, 3);
    const more = referenceOf([...iterateRecorded(reference)].map(({ value, count }): [number, number] => [value, count]).concat([[5_000_000, 3]]));
    expect([h.totalCount, h.getValueAtPercentile(99), h.mean, h.maxValue]).toEqual([more.totalCount, more.getValueAtPercentile(99), more.mean, more.maxValue]);
    h.reset();
    expect([h.totalCount, h.getValueAtPercentile(50), h.mean]).toEqual([0, 0, 0]);
  });
});

describe('BucketHistogram of pairs out of order', () => {
  it('counts them right all the same', () => {
    const h = new BucketHistogram(new Float64Array([2_000_000, 1, 1000, 2, 2_000_100, 3, 1000, 4]));
    const reference = referenceOf([[2_000_000, 1], [1000, 2], [2_000_100, 3], [1000, 4]]);
    expect([...iterateRecorded(h)]).toEqual([...iterateRecorded(reference)]);
    for (const p of PERCENTILES) expect(h.getValueAtPercentile(p), `p${p}`).toBe(reference.getValueAtPercentile(p));
    expect([h.totalCount, h.mean, h.stdDeviation]).toEqual([reference.totalCount, reference.mean, reference.stdDeviation]);
  });
});
