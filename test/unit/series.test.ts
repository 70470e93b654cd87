// The series merges the pumps' interval records (native/interval_recorder.h): one interval per
// index once every pump has closed it, a full ring's wide record widening the interval, and the
// intervals adding up exactly to what the pumps recorded, histograms included.
import { describe, expect, it } from 'vitest';
import { SeriesRecorder, intervalHistogram, type IntervalHistogramPair } from '../../src/result/series.js';
import type { NativeInterval } from '../../src/addon/native.js';

const MS = 1e6;

function record(pump: number, first: number, completed: number, latencyNs: number, extra: Partial<NativeInterval> = {}): NativeInterval {
  const last = extra.last ?? first;
  return {
    pump,
    first,
    last,
    endNs: (last + 1) * 10 * MS,
    due: completed,
    sent: completed,
    completed,
    errors: 0,
    status: completed > 0 ? Float64Array.from([200, completed]) : new Float64Array(),
    corrected: completed > 0 ? Float64Array.from([latencyNs, completed]) : new Float64Array(),
    uncorrected: completed > 0 ? Float64Array.from([latencyNs / 2, completed]) : new Float64Array(),
    ...extra,
  };
}

describe('SeriesRecorder', () => {
  it('adds an interval once every pump has closed it, summing the pumps', () => {
    const series = new SeriesRecorder(2, 10 * MS, 0, true);
    series.add([record(0, 0, 3, 1 * MS), record(0, 1, 2, 2 * MS)]);
    expect(series.intervals).toHaveLength(0);
    series.add([record(1, 0, 4, 5 * MS)]);
    expect(series.intervals.map((i) => [i.startNs, i.endNs, i.completed, i.status['200']])).toEqual([[0, 10 * MS, 7, 7]]);
    const corrected = intervalHistogram(series.intervals[0]!, 'corrected');
    expect(corrected.totalCount).toBe(7);
    expect(series.intervals[0]!.maxNs).toBe(corrected.getValueAtPercentile(100));
    expect(Math.abs(series.intervals[0]!.maxNs - 5 * MS)).toBeLessThanOrEqual(5 * MS * 0.001);
  });

  it('widens an interval where one pump queued several as one record (its ring was full)', () => {
    const series = new SeriesRecorder(2, 10 * MS, 0);
    series.add([record(0, 0, 1, MS), record(0, 1, 1, MS), record(0, 2, 1, MS), record(0, 3, 1, MS)]);
    series.add([record(1, 0, 5, MS, { last: 2 }), record(1, 3, 1, MS)]);
    expect(series.intervals.map((i) => [i.startNs / MS, i.endNs / MS, i.completed])).toEqual([
      [0, 30, 8],
      [30, 40, 2],
    ]);
  });

  it('finishes with what is left: pumps that ended in different intervals, a warm-up offset', () => {
    const seen: number[] = [];
    const series = new SeriesRecorder(2, 10 * MS, 500 * MS, false, (_i, h: IntervalHistogramPair) => seen.push(h.corrected.totalCount));
    series.add([record(0, 0, 2, MS), record(1, 0, 2, MS)]);
    const intervals = series.finish([record(0, 1, 1, MS, { endNs: 12 * MS }), record(1, 1, 1, MS, { endNs: 11 * MS }), record(1, 2, 1, MS, { endNs: 21 * MS })]);
    expect(intervals.map((i) => [i.startNs / MS, i.endNs / MS, i.completed])).toEqual([
      [500, 510, 4],
      [510, 512, 2],
      [520, 521, 1],
    ]);
    expect(seen).toEqual([4, 2, 1]);
    expect(intervals[0]!.histograms).toBeUndefined();
  });

  it('keeps empty intervals (a stall is data)', () => {
    const series = new SeriesRecorder(1, 10 * MS);
    series.add([record(0, 0, 0, 0, { due: 10 }), record(0, 1, 4, 300 * MS, { errors: 2 })]);
    expect(series.intervals.map((i) => [i.due, i.completed, i.errors, i.maxNs])).toEqual([
      [10, 0, 0, 0],
      [4, 4, 2, series.intervals[1]!.maxNs],
    ]);
    expect(series.intervals[0]!.status).toEqual({});
    expect(series.intervals[1]!.p99Ns).toBeGreaterThanOrEqual(300 * MS);
  });
});
