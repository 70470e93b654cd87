import { describe, expect, it } from 'vitest';
import { bucketsToHistogram, emptyHistogram, iterateRecorded, percentWithinStdev } from '../../src/histogram.js';

describe('native buckets to hdr-histogram-js', () => {
  it('rebuilds counts, min, max and percentiles from [value, count] pairs', () => {
    const h = bucketsToHistogram(new Float64Array([1000, 50, 2_000_000, 49, 3_600_000_000_000, 1]));
    expect(h.totalCount).toBe(100);
    expect(h.minNonZeroValue).toBe(1000);
    expect(h.getValueAtPercentile(50)).toBe(1000);
    expect(h.getValueAtPercentile(99)).toBeGreaterThanOrEqual(2_000_000);
    expect(h.getValueAtPercentile(99)).toBeLessThan(2_002_000);
    expect(h.maxValue).toBeGreaterThanOrEqual(3_600_000_000_000);
  });

  it('round-trips: every recorded bucket comes back with its count', () => {
    const source = emptyHistogram();
    const values = [1, 7, 2047, 2048, 2049, 123_456, 99_999_999, 1_234_567_890_123];
    values.forEach((v, i) => source.recordValueWithCount(v, i + 1));
    const pairs = new Float64Array([...iterateRecorded(source)].flatMap(({ value, count }) => [value, count]));
    const rebuilt = bucketsToHistogram(pairs);
    expect([...iterateRecorded(rebuilt)]).toEqual([...iterateRecorded(source)]);
    expect(rebuilt.totalCount).toBe(source.totalCount);
  });

  it('computes wrk\'s +/- Stdev share', () => {
    const h = bucketsToHistogram(new Float64Array([100, 8, 1000, 2]));
    // mean 280, stdev 360: the 8 values at 100 lie within, the 2 at 1000 do not.
    expect(percentWithinStdev(h)).toBe(80);
  });
});
