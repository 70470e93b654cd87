import { describe, expect, it } from 'vitest';
import { loadTestAddon } from '../native-test-addon.js';

const addon = loadTestAddon();

describe('schedule', () => {
  it('spaces one pump\'s requests exactly 1/rate apart: 20k req/s is every 50 us', () => {
    const { intendedNs } = addon.scheduleForTest(20_000, 1, 0, 1000);
    for (let n = 0; n < 1000; n++) expect(intendedNs[n]).toBe(n * 50_000);
  });

  it('interleaves pumps so the merged stream stays evenly spaced', () => {
    const pumps = 3;
    const rate = 30_000;
    const all: number[] = [];
    for (let i = 0; i < pumps; i++) all.push(...addon.scheduleForTest(rate, pumps, i, 500).intendedNs);
    all.sort((a, b) => a - b);
    for (let k = 0; k < all.length; k++) expect(Math.abs(all[k]! - (k * 1e9) / rate)).toBeLessThanOrEqual(1);
  });

  it('does not accumulate rounding: at 1000/3 req/s request n is due at n x 3 ms, within 1 ns', () => {
    // Adding a rounded 3,000,000 ns period each time would be exact here, but at 7,777 req/s
    // (128,582.99 ns) it would drift by 0.01 ns per request: 1 ms per 100M requests. n x period does not.
    const third = addon.scheduleForTest(1000 / 3, 1, 0, 100_000).intendedNs;
    for (let n = 0; n < 100_000; n += 997) expect(Math.abs(third[n]! - n * 3_000_000)).toBeLessThanOrEqual(1);
    const odd = addon.scheduleForTest(7_777, 1, 0, 100_000).intendedNs;
    for (let n = 0; n < 100_000; n += 997) expect(Math.abs(odd[n]! - (n * 1e9) / 7_777)).toBeLessThanOrEqual(1);
  });

  it('counts request n as due exactly at its intended time, not 1 ns before', () => {
    for (const [rate, pumps, index] of [[20_000, 1, 0], [7_777, 2, 1], [1_000_003, 4, 3], [0.5, 1, 0]] as const) {
      const { dueAt, dueBefore } = addon.scheduleForTest(rate, pumps, index, 2000);
      for (let n = 0; n < 2000; n++) {
        expect(dueAt[n]).toBe(n + 1);
        expect(dueBefore[n]).toBe(n);
      }
    }
  });
});
