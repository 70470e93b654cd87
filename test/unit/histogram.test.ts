import { describe, expect, it } from 'vitest';
import {
  HISTOGRAM_LAYOUT,
  bucketsToHistogram,
  emptyHistogram,
  highestEquivalentValue,
  iterateRecorded,
  layoutOf,
  lowestEquivalentValue,
  percentileOfBuckets,
  mergeBuckets,
  subtractBuckets,
  meanAndStdDeviation,
} from '../../src/result/histogram.js';

/** What the native side sends: each non-empty bucket's lowest value and its count. */
const pairsOf = (h: ReturnType<typeof emptyHistogram>) =>
  new Float64Array([...iterateRecorded(h)].flatMap(({ value, count }) => [value, count]));

/** Deterministic values spread over every magnitude from 1 ns to 1 hour. */
function spreadValues(n: number): number[] {
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, () => Math.floor(HISTOGRAM_LAYOUT.highestTrackableValue ** next()));
}

const LEVELS = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 99.999, 100];

describe('histogram layout', () => {
  it('is 1 ns to 1 hour at 3 significant digits, in one place', () => {
    expect(HISTOGRAM_LAYOUT).toEqual({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: 3 });
  });

  it('has the 32 buckets of 2048 sub-buckets (33,792 counts) native/histogram.h allocates', () => {
    const h = emptyHistogram();
    expect(layoutOf(h)).toEqual({ bucketCount: 32, subBucketCount: 2048 });
    expect((h as unknown as { countsArrayLength: number }).countsArrayLength).toBe(33_792);
    expect(h.autoResize).toBe(false);
    expect(h.numberOfSignificantValueDigits).toBe(3);
  });

  it('starts empty', () => {
    const h = emptyHistogram();
    expect(h.totalCount).toBe(0);
    expect([...iterateRecorded(h)]).toEqual([]);
  });
});

describe('bucketsToHistogram', () => {
  it('rebuilds count, min, max and percentiles from [value, count] pairs', () => {
    const h = bucketsToHistogram(new Float64Array([1000, 50, 2_000_000, 49, 3_600_000_000_000, 1]));
    expect(h.totalCount).toBe(100);
    expect(h.getValueAtPercentile(0)).toBe(1000); // exact below 2048 ns
    expect(h.getValueAtPercentile(50)).toBe(1000);
    // 2,000,000 ns shares a bucket of 1,024 ns: 1,999,872 to 2,000,895.
    expect(h.getValueAtPercentile(99)).toBe(2_000_895);
    expect(h.getValueAtPercentile(100)).toBe(3_601_330_077_695);
  });

  it('round-trips: the same buckets, count, min, max, mean, stdev and percentiles', () => {
    const source = emptyHistogram();
    spreadValues(5000).forEach((v, i) => source.recordValueWithCount(v, 1 + (i % 7)));
    const rebuilt = bucketsToHistogram(pairsOf(source));
    expect([...iterateRecorded(rebuilt)]).toEqual([...iterateRecorded(source)]);
    expect(rebuilt.totalCount).toBe(source.totalCount);
    for (const p of LEVELS) expect(rebuilt.getValueAtPercentile(p), `p${p}`).toBe(source.getValueAtPercentile(p));
    expect(rebuilt.mean).toBe(source.mean);
    expect(rebuilt.stdDeviation).toBe(source.stdDeviation);
    expect(rebuilt.maxValue).toBe(lowestEquivalentValue(source, source.maxValue));
    expect(rebuilt.minNonZeroValue).toBe(lowestEquivalentValue(source, source.minNonZeroValue));
  });

  it.each([1, 2047, 2048, 2049, 4095, 4096, 999_999, 1_000_000, 2 ** 31 + 12_345, 1_234_567_890_123, 3_600_000_000_000])(
    'puts a bucket value for %d in the same bucket as the value itself',
    (value) => {
      const direct = emptyHistogram();
      direct.recordValue(value);
      const lowest = lowestEquivalentValue(direct, value);
      const viaBucket = bucketsToHistogram(new Float64Array([lowest, 1]));
      expect([...iterateRecorded(viaBucket)]).toEqual([...iterateRecorded(direct)]);
      expect(lowestEquivalentValue(direct, lowest)).toBe(lowest);
      expect(lowestEquivalentValue(direct, highestEquivalentValue(direct, value))).toBe(lowest);
    },
  );

  it('clamps values above 1 hour into the top bucket instead of throwing', () => {
    const h = bucketsToHistogram(new Float64Array([7_200_000_000_000, 2, 1000, 1]));
    expect(h.totalCount).toBe(3);
    expect(h.getValueAtPercentile(100)).toBe(highestEquivalentValue(h, HISTOGRAM_LAYOUT.highestTrackableValue));
  });

  it('skips empty buckets and ignores a trailing half pair', () => {
    const h = bucketsToHistogram(new Float64Array([500, 0, 700, 3, 900]));
    expect([...iterateRecorded(h)]).toEqual([{ value: 700, count: 3 }]);
  });

  it('keeps a value of 0 (a send lag can be 0)', () => {
    const h = bucketsToHistogram(new Float64Array([0, 5, 10, 5]));
    expect(h.totalCount).toBe(10);
    expect(h.getValueAtPercentile(0)).toBe(0);
    expect(h.getValueAtPercentile(50)).toBe(0);
  });
});

describe('percentileOfBuckets', () => {
  it('answers as getValueAtPercentile of the histogram the pairs make, for any mix of buckets', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 50; trial++) {
      const values = new Map<number, number>();
      for (let k = 0; k < 1 + Math.floor(random() * 40); k++) values.set(Math.floor(10 ** (random() * 10)), 1 + Math.floor(random() * 1000));
      const histogram = emptyHistogram();
      for (const [v, n] of values) histogram.recordValueWithCount(v, n);
      const pairs = Float64Array.from([...iterateRecorded(histogram)].flatMap(({ value, count }) => [value, count]));
      for (const p of [0, 50, 90, 99, 99.9, 100]) expect(percentileOfBuckets(pairs, p), `p${p} of ${pairs.join(',')}`).toBe(histogram.getValueAtPercentile(p));
    }
  });

  it('is 0 for no counts', () => {
    expect(percentileOfBuckets(new Float64Array(), 99)).toBe(0);
  });
});

describe('meanAndStdDeviation', () => {
  it("equals hdr-histogram-js's own mean and stdDeviation to the bit, and is 0 for an empty histogram", () => {
    const histogram = emptyHistogram();
    for (const value of spreadValues(5000)) histogram.recordValue(value);
    histogram.recordValueWithCount(1234, 17);
    expect(meanAndStdDeviation(histogram)).toEqual({ mean: histogram.mean, stdDeviation: histogram.stdDeviation });
    expect(meanAndStdDeviation(histogram).mean).toBeGreaterThan(0);
    expect(meanAndStdDeviation(emptyHistogram())).toEqual({ mean: 0, stdDeviation: 0 });
  });
});

describe('mergeBuckets and subtractBuckets', () => {
  const pairs = (...xs: number[]) => Float64Array.from(xs);

  it("adds several pumps' pairs into one ascending array, equal values summed", () => {
    expect([...mergeBuckets([pairs(1000, 2, 3000, 1), pairs(500, 4, 1000, 3, 9000, 1), pairs()])]).toEqual([500, 4, 1000, 5, 3000, 1, 9000, 1]);
    expect([...mergeBuckets([pairs(7, 1)])]).toEqual([7, 1]);
    expect([...mergeBuckets([])]).toEqual([]);
  });

  it('merges to the histogram the pumps would make together', () => {
    const a = emptyHistogram();
    const b = emptyHistogram();
    spreadValues(3000).forEach((v, i) => (i % 3 ? a : b).recordValueWithCount(v, 1 + (i % 5)));
    const both = emptyHistogram();
    both.add(a);
    both.add(b);
    expect([...mergeBuckets([pairsOf(a), pairsOf(b)])]).toEqual([...pairsOf(both)]);
  });

  it('takes an earlier snapshot from a later one: what was recorded in between', () => {
    expect([...subtractBuckets(pairs(500, 4, 1000, 5, 3000, 1), pairs(1000, 2))]).toEqual([500, 4, 1000, 3, 3000, 1]);
    expect([...subtractBuckets(pairs(500, 4, 1000, 5), pairs(500, 4, 1000, 5))]).toEqual([]);
    expect([...subtractBuckets(pairs(500, 4), undefined)]).toEqual([500, 4]);
  });
});
