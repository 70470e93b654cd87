import { describe, expect, it } from 'vitest';
import { stallAt } from '../../src/target/stall.js';
import { parseStall } from '../../src/cli/target.js';

const ms = 1e6;

describe('stallAt', () => {
  const schedule = { lengthNs: 200 * ms, everyNs: 2000 * ms, firstAtNs: 1000 * ms };
  it('holds from each stall start for its length, never before the first', () => {
    expect(stallAt(schedule, 0)).toBeUndefined();
    expect(stallAt(schedule, 999 * ms)).toBeUndefined();
    expect(stallAt(schedule, 1000 * ms)).toEqual({ startNs: 1000 * ms, endNs: 1200 * ms });
    expect(stallAt(schedule, 1199.999 * ms)).toEqual({ startNs: 1000 * ms, endNs: 1200 * ms });
    expect(stallAt(schedule, 1200 * ms)).toBeUndefined();
    expect(stallAt(schedule, 5100 * ms)).toEqual({ startNs: 5000 * ms, endNs: 5200 * ms });
  });
});

describe('parseStall', () => {
  it('reads <length>/<period>, the first stall one period in', () => {
    expect(parseStall('300ms/2s')).toEqual({ lengthNs: 300 * ms, everyNs: 2000 * ms, firstAtNs: 2000 * ms });
  });
  it('rejects other forms with one line naming the flag', () => {
    expect(() => parseStall('300ms')).toThrow('--stall must look like 300ms/2s (stall length/period), got "300ms"');
    expect(() => parseStall('2s/300ms')).toThrow('--stall length must be > 0 and shorter than its period, got "2s/300ms"');
    expect(() => parseStall('x/2s')).toThrow('--stall length in "x/2s" must be a duration like 30s, 2m or 500ms, got "x"');
  });
});
