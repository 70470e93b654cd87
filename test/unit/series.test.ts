// The per-second series is cut from cumulative snapshots: each interval is the difference of two,
// and the intervals add up exactly to the final totals, histograms included.
import { describe, expect, it } from 'vitest';
import { SeriesRecorder, intervalHistogram, intervalJson, type Cumulative } from '../../src/result/series.js';

const NO_ERRORS = { connect: 0, read: 0, write: 0, timeout: 0, parse: 0 };

function snap(elapsedS: number, completed: number, buckets: number[], extra: Partial<Cumulative> = {}): Cumulative {
  return {
    elapsedNs: elapsedS * 1e9,
    due: completed,
    sent: completed,
    completed,
    errors: NO_ERRORS,
    status: Float64Array.from([200, completed]),
    corrected: Float64Array.from(buckets),
    uncorrected: Float64Array.from(buckets),
    ...extra,
  };
}

describe('SeriesRecorder', () => {
  it('subtracts consecutive snapshots bucket by bucket', () => {
    const series = new SeriesRecorder(true);
    series.add(snap(1, 10, [1000, 10]));
    series.add(snap(2, 25, [1000, 12, 50_000, 13]));
    const intervals = series.finish(snap(2.5, 30, [1000, 12, 50_000, 13, 2_000_000, 5]));
    expect(intervals.map((i) => [i.startNs, i.endNs, i.completed])).toEqual([
      [0, 1e9, 10],
      [1e9, 2e9, 15],
      [2e9, 2.5e9, 5],
    ]);
    const second = intervalHistogram(intervals[1]!, 'corrected');
    expect(second.totalCount).toBe(15);
    expect(second.maxValue).toBeGreaterThanOrEqual(49_950);
    expect(second.getValueAtPercentile(10)).toBeLessThan(1010);
    // The same bucket: a decoded histogram reports the bucket's highest equivalent value as its max.
    expect(Math.abs(intervals[1]!.maxNs - second.maxValue)).toBeLessThanOrEqual(second.maxValue * 0.001);
    expect(intervals[1]!.p99Ns).toBe(second.getValueAtPercentile(99));
    expect(intervals[1]!.status).toEqual({ '200': 15 });
    expect(intervalHistogram(intervals[2]!, 'corrected').minNonZeroValue).toBeGreaterThanOrEqual(1_990_000);
    for (const tag of ['corrected', 'uncorrected'] as const) {
      expect(intervals.reduce((sum, i) => sum + intervalHistogram(i, tag).totalCount, 0)).toBe(30);
    }
  });

  it('keeps only the figures unless asked for the histograms', () => {
    const series = new SeriesRecorder();
    const intervals = series.finish(snap(1, 10, [1000, 10]));
    expect(intervals[0]!.histograms).toBeUndefined();
    expect(intervals[0]!.p50Ns).toBeGreaterThanOrEqual(1000);
    expect(() => intervalHistogram(intervals[0]!, 'corrected')).toThrow('no interval histograms');
  });

  it('keeps an empty interval (a stall is data) and skips a snapshot that did not move', () => {
    const series = new SeriesRecorder();
    series.add(snap(1, 10, [1000, 10]));
    series.add(snap(1, 10, [1000, 10]));
    series.add(snap(2, 10, [1000, 10]));
    const intervals = series.finish(snap(2, 10, [1000, 10]));
    expect(intervals.map((i) => i.completed)).toEqual([10, 0, 0]);
    expect(intervalJson(intervals[1]!)).toMatchObject({ completed: 0, p50Ns: 0, p99Ns: 0, maxNs: 0, status: {} });
    // The final interval is never zero-length, so it always appears in the log.
    expect(intervals[2]!.endNs).toBeGreaterThan(intervals[2]!.startNs);
  });

  it('counts errors and the target per interval', () => {
    const series = new SeriesRecorder();
    series.add(snap(1, 5, [1000, 5], { due: 8, errors: { ...NO_ERRORS, timeout: 3 } }));
    const intervals = series.finish(snap(2, 9, [1000, 9], { due: 16, errors: { ...NO_ERRORS, timeout: 3, connect: 4 } }));
    expect(intervals.map((i) => [i.due, i.errors])).toEqual([
      [8, 3],
      [8, 4],
    ]);
  });
});
