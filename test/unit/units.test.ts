import { describe, expect, it } from 'vitest';
import { formatDurationShort, parseCount, parseDuration, parseRate } from '../../src/common/units.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500e6],
    ['30s', 30e9],
    ['2m', 120e9],
    ['1h', 3600e9],
    ['1.5s', 1.5e9],
    ['10', 10e9],
    ['250us', 250e3],
  ])('parses %s', (text, ns) => expect(parseDuration(text, '--duration')).toBe(ns));

  it('rejects "abc": --duration must be a duration like 30s, 2m or 500ms, got "abc"', () => {
    expect(() => parseDuration('abc', '--duration')).toThrow('--duration must be a duration like 30s, 2m or 500ms, got "abc"');
  });

  it.each(['', '-1s', '10x', 's', '1.2.3s'])('rejects %j', (text) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(/^--timeout must be a duration/);
  });
});

describe('parseRate', () => {
  it.each([
    ['20000', 20000],
    ['20k', 20000],
    ['1.5k', 1500],
    ['2m', 2e6],
    ['0.5', 0.5],
  ])('parses %s', (text, rate) => expect(parseRate(text, '--rate')).toBe(rate));

  it('rejects "fast": --rate must be a number like 2000, 20k or 1.5m, got "fast"', () => {
    expect(() => parseRate('fast', '--rate')).toThrow('--rate must be a number like 2000, 20k or 1.5m, got "fast"');
  });
});

describe('parseCount', () => {
  it('parses 100 and 10k', () => {
    expect(parseCount('100', '-c')).toBe(100);
    expect(parseCount('10k', '-c')).toBe(10_000);
  });

  it('rejects 1.5: -c must be a whole number like 100 or 10k, got "1.5"', () => {
    expect(() => parseCount('1.5', '-c')).toThrow('-c must be a whole number like 100 or 10k, got "1.5"');
  });
});

describe('formatDurationShort', () => {
  it.each([
    [10e9, '10s'],
    [90e9, '90s'],
    [120e9, '2m'],
    [3600e9, '1h'],
    [1.5e9, '1500ms'],
    [100e3, '100us'],
    [0, '0ns'],
  ])('formats %d ns as %s', (ns, text) => expect(formatDurationShort(ns)).toBe(text));

  it('gives back what parseDuration reads as the same value', () => {
    for (const ns of [1, 999, 1e3, 250e3, 1e6, 2e9, 61e9, 7200e9]) {
      expect(parseDuration(formatDurationShort(ns), '--duration')).toBe(ns);
    }
  });
});
