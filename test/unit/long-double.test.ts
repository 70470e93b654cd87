import { describe, expect, it } from 'vitest';
import { atLeast, divide, fromNumber, multiply, toFixed, toNumber } from '../../src/report/long-double.js';

describe('x87 long double, exactly', () => {
  it('holds a double exactly', () => {
    expect(fromNumber(0.1)).toEqual({ mant: 0x1999999999999an, exp: -56 });
    expect(toNumber(fromNumber(1234.5678))).toBe(1234.5678);
    expect(toFixed(fromNumber(0.1), 20)).toBe('0.10000000000000000555'); // the double's exact value
    expect(toFixed(fromNumber(5e-324), 3)).toBe('0.000'); // subnormal
  });

  // The 20-digit expansions are what glibc's printf("%.20Lf") and ("%.20f") print for the same division.
  it('divides to 64 significant bits: 10305 / 1000 lands above the tie, the double below', () => {
    expect(toFixed(divide(fromNumber(10_305), 1000), 2)).toBe('10.31');
    expect((10_305 / 1000).toFixed(20)).toBe('10.30499999999999971578');
    expect(toFixed(divide(fromNumber(10_305), 1000), 20)).toBe('10.30500000000000000028');
  });

  it('rounds an exact quotient not at all, and an exact tie to even', () => {
    expect(toFixed(divide(fromNumber(1_179_648), 1024 * 1024), 30)).toBe(`1.125${'0'.repeat(27)}`);
    expect(toFixed(fromNumber(1.125), 2)).toBe('1.12');
    expect(toFixed(fromNumber(1.375), 2)).toBe('1.38');
  });

  it('multiplies', () => {
    expect(toNumber(multiply(fromNumber(0.25), 100))).toBe(25);
    expect(toFixed(multiply(divide(fromNumber(23), 40), 100), 2)).toBe('57.50');
  });

  it('compares exactly', () => {
    expect(atLeast(fromNumber(850), 1000 * 0.85)).toBe(true);
    expect(atLeast(divide(fromNumber(849_999_999), 1_000_000), 850)).toBe(false);
  });

  it('refuses negative and non-finite values', () => {
    expect(() => fromNumber(-1)).toThrow('long double: expected a finite value >= 0, got -1');
    expect(() => fromNumber(Number.NaN)).toThrow(RangeError);
    expect(() => divide(fromNumber(1), 0)).toThrow('long double: division by zero');
  });
});
