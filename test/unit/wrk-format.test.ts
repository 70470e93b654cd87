// Expected strings are what wrk2's own C functions (src/units.c, print_units) print for the same
// input, built and run once to check; the ties show where long double and glibc rounding matter.
import { describe, expect, it } from 'vitest';
import { formatBinary, formatMetric, formatTimeS, formatTimeUs, padUnits, printfFixed } from '../../src/report/wrk-format.js';

describe("wrk2's number formats", () => {
  it.each([
    [0, '0.00us'],
    [520.1, '520.10us'],
    [849, '849.00us'],
    [850, '0.85ms'], // wrk moves up a unit at 85%
    [1220, '1.22ms'],
    [1125, '1.12ms'], // an exact tie: glibc rounds to even
    [10_305, '10.31ms'], // 10.305 is just above the tie as a long double (a double falls below)
    [999_999.999, '1000.00ms'], // under a second stays in ms, never "1.00s"
    [2_000_000, '2.00s'],
    [90_000_000, '1.50m'],
  ])('format_time_us(%d) = %s', (us, text) => expect(formatTimeUs(us)).toBe(text));

  it.each([
    [100, '100.00'],
    [677.46 * 1024, '677.46K'],
    [204_800, '200.00K'],
    [2_048_000, '1.95M'],
    [1_179_648, '1.12M'], // 1.125 exactly: to even
    [20_814_643.2, '19.85M'],
  ])('format_binary(%d) = %s', (n, text) => expect(formatBinary(n)).toBe(text));

  it.each([
    [500, '500.00'],
    [1050, '1.05k'],
    [2500, '2.50k'],
    [10_305, '10.31k'],
  ])('format_metric(%d) = %s', (n, text) => expect(formatMetric(n)).toBe(text));

  it('format_time_s: 10 -> 10s, 120 -> 2m, 150 -> 2m (2.5 rounds to even)', () => {
    expect(formatTimeS(10)).toBe('10s');
    expect(formatTimeS(120)).toBe('2m');
    expect(formatTimeS(150)).toBe('2m');
  });

  it('pads as print_units does: two spaces after a bare number, one after a one-letter unit, none after two', () => {
    expect(padUnits('1.22ms', 8)).toBe('  1.22ms');
    expect(padUnits('120.04', 10)).toBe('  120.04  ');
    expect(padUnits('1.05k', 8)).toBe('  1.05k ');
    expect(padUnits('1.18s', 10)).toBe('    1.18s ');
    expect(padUnits('1000.00ms', 10)).toBe(' 1000.00ms');
  });

  it('printf %.*f: ties to even, inf for infinity', () => {
    expect(printfFixed(2.5, 0)).toBe('2');
    expect(printfFixed(3.5, 0)).toBe('4');
    expect(printfFixed(0.9921875, 6)).toBe('0.992188');
    expect(printfFixed(0.0625, 3)).toBe('0.062');
    expect(printfFixed(1 / 0, 2)).toBe('inf');
    expect(printfFixed(99.999, 3)).toBe('99.999');
    expect(printfFixed(-1.25, 1)).toBe('-1.2');
  });
});
