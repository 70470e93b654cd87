// The expected rows are what wrk2's own print_stats / stats.c print for the same data (built once
// with a small driver; latency histograms in nanoseconds shown in microseconds, as ratetest does).
import { describe, expect, it } from 'vitest';
import { divide, toNumber, type LongDouble } from '../../src/report/long-double.js';
import { formatMetric, formatTimeUs, statsRow } from '../../src/report/wrk-format.js';
import { hdrMax, histogramStats, histogramWithinStdev, sampleStats } from '../../src/report/wrk-stats.js';
import { histogramOf, spreadHistogram } from '../fixtures/result.js';

const us = (ns: LongDouble) => divide(ns, 1000);
const latencyRow = (h: ReturnType<typeof histogramOf>) => {
  const s = histogramStats(h);
  return statsRow('Latency', { ...s, mean: us(s.mean), stdev: us(s.stdev), max: us(s.max) }, formatTimeUs);
};

describe("wrk2's Thread Stats rows", () => {
  it.each([
    ['three levels', histogramOf([[1_000_000, 9000], [2_000_000, 900], [10_000_000, 100]]), '    Latency     1.18ms    0.93ms   9.99ms   99.00%'],
    ['a spread to 20 s', spreadHistogram(), '    Latency     1.57s     3.67s   20.07s    89.59%'],
    ['tiny values', histogramOf([[0, 5], [10, 5]]), '    Latency     0.00us    0.00us   0.01us  100.00%'],
  ])('Latency row for %s', (_, h, row) => expect(latencyRow(h)).toBe(row));

  it.each([
    [[500, 500, 500, 480, 520], '    Req/Sec   500.00     14.14   520.00     60.00%'],
    [[2481, 2502, 2519, 2498, 10_305], '    Req/Sec     4.06k     3.49k   10.31k    80.00%'],
    [[1], '    Req/Sec     1.00      0.00     1.00    100.00%'],
    [[1000, 1001], '    Req/Sec     1.00k     0.71     1.00k   100.00%'],
  ])('Req/Sec row for %j', (samples, row) => expect(statsRow('Req/Sec', sampleStats(samples), formatMetric)).toBe(row));

  it('gives zeros, not nan, without samples or values', () => {
    expect(statsRow('Req/Sec', sampleStats([]), formatMetric)).toBe('    Req/Sec     0.00      0.00     0.00      0.00%');
    expect(latencyRow(histogramOf([]))).toBe('    Latency     0.00us    0.00us   0.00us    0.00%');
  });

  it('takes max as the lowest value of the highest bucket (hdr_max)', () => {
    expect(hdrMax(histogramOf([[10_000_000, 1]]))).toBe(9_994_240);
  });

  it('counts "+/- Stdev" through the bucket just above mean + stdev, as wrk2 does', () => {
    // 8 at 100 and 2 at 1000: mean 280, stdev 360, bounds [-80, 640]: the 8 only.
    const h = histogramOf([[100, 8], [1000, 2]]);
    expect(histogramWithinStdev(h, 280, 360)).toBe(80);
    // wrk2 stops at the first bucket whose highest value exceeds trunc(mean + stdev) and counts it,
    // so a value one above the upper bound is still inside.
    expect(histogramWithinStdev(histogramOf([[100, 8], [641, 2]]), 280, 360)).toBe(100);
    expect(histogramWithinStdev(histogramOf([[100, 8], [642, 2]]), 280, 360)).toBe(80);
    // The lower bound truncates toward zero: 99.9 -> 99 keeps a value of 99.
    expect(histogramWithinStdev(histogramOf([[99, 1], [200, 1]]), 150, 50.1)).toBe(100);
    expect(histogramWithinStdev(histogramOf([[98, 1], [200, 1]]), 150, 50.1)).toBe(50);
  });

  it('computes Req/Sec as stats.c does: sample stdev (n - 1), within inclusive', () => {
    const s = sampleStats([500, 500, 500, 480, 520]);
    expect(toNumber(s.mean)).toBe(500);
    expect(toNumber(s.stdev)).toBeCloseTo(Math.sqrt(200), 12);
    expect(toNumber(s.max)).toBe(520);
    expect(toNumber(s.within)).toBe(60);
  });
});
