// done(summary, latency, requests) gets wrk's units: microseconds, integer percentiles, and
// requests as per-thread requests-per-second samples.
import { describe, expect, it } from 'vitest';
import { emptyHistogram } from '../../src/result/histogram.js';
import { doneArguments } from '../../src/script/done.js';
import type { Result } from '../../src/result/result.js';

function result(latenciesNs: number[]): Result {
  const corrected = emptyHistogram();
  for (const ns of latenciesNs) corrected.recordValue(ns);
  return {
    durationNs: 3e9,
    completed: latenciesNs.length,
    bytesRead: 1234,
    errors: { connect: 1, read: 2, write: 3, timeout: 4, parse: 5 },
    non2xx3xx: 6,
    corrected,
    threads: [
      { completed: 0, cpuNs: 0, perSecond: [10, 20, 30, 99] },
      { completed: 0, cpuNs: 0, perSecond: [40, 50, 60] },
    ],
  } as unknown as Result;
}

describe('doneArguments', () => {
  it('summary in microseconds with wrk error names (status = non-2xx/3xx)', () => {
    const [summary] = doneArguments(result([1e6]));
    expect(summary).toEqual({ duration: 3e6, requests: 1, bytes: 1234, errors: { connect: 1, read: 2, write: 3, status: 6, timeout: 4 } });
  });

  it('latency in whole microseconds', () => {
    const [, latency] = doneArguments(result(Array.from({ length: 100 }, (_, i) => (i + 1) * 1e6)));
    expect(latency.percentile(50)).toBeGreaterThanOrEqual(49_900);
    expect(latency.percentile(50)).toBeLessThanOrEqual(50_100);
    expect(Number.isInteger(latency.percentile(99.999))).toBe(true);
    expect(latency.min).toBeCloseTo(1000, -1);
    expect(latency.max).toBeCloseTo(100_000, -2);
    expect(latency.mean).toBeCloseTo(50_500, -2);
  });

  it('requests: the whole seconds of each thread as samples', () => {
    const [, , requests] = doneArguments(result([1e6]));
    // The fourth second of thread 0 is past the 3 s run and is left out.
    expect(requests.min).toBe(10);
    expect(requests.max).toBe(60);
    expect(requests.mean).toBe(35);
    expect(requests.percentile(50)).toBe(30);
  });

  it('an empty run gives zeros, not NaN', () => {
    const [, latency] = doneArguments(result([]));
    expect([latency.min, latency.max, latency.mean, latency.stdev, latency.percentile(99)]).toEqual([0, 0, 0, 0, 0]);
  });
});
