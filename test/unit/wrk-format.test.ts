import { describe, expect, it } from 'vitest';
import { formatBinary, formatMetric, formatTimeS, formatTimeUs, padUnits } from '../../src/report/wrk-format.js';

describe("wrk2's number formats", () => {
  it.each([
    [520.1, '520.10us'],
    [849, '849.00us'],
    [850, '0.85ms'], // wrk moves up a unit at 85%
    [1220, '1.22ms'],
    [2_000_000, '2.00s'],
    [90_000_000, '1.50m'],
  ])('format_time_us(%d) = %s', (us, text) => expect(formatTimeUs(us)).toBe(text));

  it.each([
    [19.85 * 1024 * 1024, '19.85M'],
    [677.46 * 1024, '677.46K'],
    [100, '100.00'],
  ])('format_binary(%d) = %s', (n, text) => expect(formatBinary(n)).toBe(text));

  it('format_metric(1050) = 1.05k', () => expect(formatMetric(1050)).toBe('1.05k'));
  it('format_time_s: 10 -> 10s, 120 -> 2m', () => {
    expect(formatTimeS(10)).toBe('10s');
    expect(formatTimeS(120)).toBe('2m');
  });

  it('pads as print_units does: two spaces after a bare number, none after a two-letter unit', () => {
    expect(padUnits('1.22ms', 8)).toBe('  1.22ms');
    expect(padUnits('120.04', 10)).toBe('  120.04  ');
    expect(padUnits('1.05k', 8)).toBe('  1.05k ');
  });
});
