// The schedule family on a fake clock (native scheduleForTest): stages ramp exactly along the
// integral of the rate, rate-0 stages send nothing, Poisson gaps have the exponential's mean and
// variance and repeat with the same seed.
import { describe, expect, it } from 'vitest';
import { loadTestAddon } from '../native-test-addon.js';
import { cumulativeAt, rampsOf, targetPerSecond } from '../../src/shape/stages.js';

const addon = loadTestAddon();
const S = 1e9;

/** Every pump's intended times (ns from start) merged, stopping where the shape ends. */
function merged(pumps: number, count: number, shape: Parameters<typeof addon.scheduleForTest>[4]): number[] {
  const all: number[] = [];
  for (let i = 0; i < pumps; i++) {
    for (const t of addon.scheduleForTest(1, pumps, i, count, shape).intendedNs) if (t >= 0) all.push(t);
  }
  return all.sort((a, b) => a - b);
}

describe('stages schedule', () => {
  // '2s:1k,3s:1k,1s:0': ramp 0->1000 over 2 s (1000 requests), hold 3 s (3000), ramp down 1 s (500).
  const stages = rampsOf([
    { durationMs: 2000, rate: 1000 },
    { durationMs: 3000, rate: 1000 },
    { durationMs: 1000, rate: 0 },
  ]);

  it('schedules the integral of the rate in total: 4500 requests, whatever the pump count', () => {
    for (const pumps of [1, 2, 3]) expect(merged(pumps, 10_000, { stages }).length).toBe(4500);
  });

  it('puts the k-th request where the integral reaches k (within 1 ns): t = sqrt(2k/a) on the ramp', () => {
    const times = merged(1, 10_000, { stages });
    const slope = 1000 / 2; // req/s per s
    for (const k of [0, 1, 10, 100, 999]) expect(Math.abs(times[k]! - Math.sqrt((2 * k) / slope) * S)).toBeLessThanOrEqual(1);
    // The flat stage: evenly spaced 1 ms from t = 2 s.
    for (const k of [1000, 1500, 3999]) expect(Math.abs(times[k]! - (2 * S + (k - 1000) * 1e6))).toBeLessThanOrEqual(1);
  });

  it('due counts match the integral at stage boundaries and mid-ramp, to within one request', () => {
    const queryNs = [0.5 * S, 1 * S, 2 * S, 3.5 * S, 5 * S, 5.5 * S, 6 * S, 60 * S];
    const pumps = 2;
    const due = queryNs.map(() => 0);
    for (let i = 0; i < pumps; i++) {
      addon.scheduleForTest(1, pumps, i, 0, { stages, queryNs }).dueAtQuery.forEach((n, q) => (due[q]! += n));
    }
    queryNs.forEach((t, q) => {
      const integral = cumulativeAt(stages, t);
      expect(Math.abs(due[q]! - Math.ceil(integral)), `at ${t / S}s`).toBeLessThanOrEqual(1);
    });
    expect(due[due.length - 1]).toBe(4500);
  });

  it('due counts step exactly at each intended time, not 1 ns before', () => {
    const { intendedNs, dueAt, dueBefore } = addon.scheduleForTest(1, 2, 1, 2000, { stages });
    for (let n = 0; n < 2000; n++) {
      if (intendedNs[n]! < 0) break;
      expect(dueAt[n]).toBe(n + 1);
      expect(dueBefore[n]).toBe(n);
    }
  });

  it('sends nothing during a rate-0 stage and resumes after it', () => {
    const gap = rampsOf([
      { durationMs: 1000, rate: 100 },
      { durationMs: 1000, rate: 0 },
      { durationMs: 1000, rate: 0 },
      { durationMs: 1000, rate: 100 },
    ]);
    // 50 on the way up, 50 on the way down, nothing while at 0, 50 on the last ramp: 150.
    const times = merged(2, 1000, { stages: gap });
    expect(times.length).toBe(150);
    expect(times.filter((t) => t >= 2 * S && t < 3 * S)).toEqual([]);
    expect(times.filter((t) => t >= 3 * S).length).toBe(50);
  });

  it('targetPerSecond (for target-vs-achieved series) sums to the integral', () => {
    const target = targetPerSecond(stages);
    expect(target.length).toBe(6);
    expect(target.reduce((a, b) => a + b, 0)).toBeCloseTo(4500, 6);
    expect(target[0]).toBeCloseTo(250, 6);
    expect(target[3]).toBeCloseTo(1000, 6);
  });
});

describe('poisson schedule', () => {
  const rate = 10_000;
  const count = 40_000;

  function gaps(pumps: number, index: number, seed: number): number[] {
    const { intendedNs } = addon.scheduleForTest(rate, pumps, index, count, { poisson: true, seed });
    const out: number[] = [];
    for (let n = 1; n < count; n++) out.push(intendedNs[n]! - intendedNs[n - 1]!);
    return out;
  }

  it('has exponential gaps: mean 1/(R/T) and variance mean^2, within 3% (40k samples: ~5 sigma)', () => {
    for (const [pumps, index] of [[1, 0], [4, 3]] as const) {
      const g = gaps(pumps, index, 42);
      const mean = g.reduce((a, b) => a + b, 0) / g.length;
      const variance = g.reduce((a, b) => a + (b - mean) ** 2, 0) / g.length;
      const expected = (pumps * S) / rate;
      expect(Math.abs(mean / expected - 1)).toBeLessThan(0.03);
      expect(Math.abs(variance / expected ** 2 - 1)).toBeLessThan(0.06);
      // An exponential has P(gap > mean) = 1/e.
      expect(Math.abs(g.filter((x) => x > expected).length / g.length - Math.exp(-1))).toBeLessThan(0.02);
    }
  });

  it('merges T pumps into one stream of rate R', () => {
    const all = merged(4, 10_000, { poisson: true, seed: 3 }).map((t) => t); // rate 1/s per call: scale below
    // scheduleForTest's rate argument was 1 here: 4 pumps x 10k requests span about 40k s.
    const spanS = all[all.length - 1]! / S;
    expect(Math.abs(all.length / spanS - 1)).toBeLessThan(0.03);
  });

  it('repeats exactly with the same seed and differs with another seed or pump', () => {
    expect(gaps(2, 0, 7)).toEqual(gaps(2, 0, 7));
    expect(gaps(2, 0, 7)).not.toEqual(gaps(2, 0, 8));
    expect(gaps(2, 0, 7)).not.toEqual(gaps(2, 1, 7));
  });

  it('due counts agree with the intended times, stepping at each one', () => {
    const { intendedNs, dueAt, dueBefore } = addon.scheduleForTest(rate, 2, 0, 5000, { poisson: true, seed: 9 });
    for (let n = 0; n < 5000; n++) {
      // Two requests can share a nanosecond; then the count jumps by both at once.
      if (n > 0 && intendedNs[n] === intendedNs[n - 1]) continue;
      expect(dueBefore[n]).toBe(n);
      expect(dueAt[n]).toBeGreaterThanOrEqual(n + 1);
    }
  });

  it('follows a ramp too (time change): a 0->1000/s ramp over 10 s holds ~5000 requests, more in its second half', () => {
    const stages = rampsOf([{ durationMs: 10_000, rate: 1000 }]);
    const times = merged(2, 20_000, { poisson: true, seed: 5, stages });
    // Poisson count with mean 5000: sd ~71; allow 4 sd.
    expect(Math.abs(times.length - 5000)).toBeLessThan(290);
    const secondHalf = times.filter((t) => t >= 5 * S).length;
    expect(Math.abs(secondHalf - 3750)).toBeLessThan(250);
  });
});
