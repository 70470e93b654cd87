import { describe, expect, it } from 'vitest';
import { selfCheck } from '../../src/report/self-check.js';
import { histogramOf, syntheticResult } from '../fixtures/result.js';

describe('generator self-check', () => {
  it('passes a run whose send lag p99 is under 1 ms', () => {
    expect(selfCheck(syntheticResult())).toEqual({ ok: true, messages: [], maxThreadCpuPercent: 12 });
  });

  it('blames busy connections when most late requests waited for one', () => {
    const check = selfCheck(syntheticResult({ sendLag: histogramOf([[5_000_000, 100]]), queued: 5000 }));
    expect(check.ok).toBe(false);
    expect(check.cause).toBe('connections');
    expect(check.messages.join(' ')).toContain('raise -c');
  });

  it('blames the generator when a pump used at least 90% of a core', () => {
    const threads = [{ completed: 10_000, cpuNs: 9e9, perSecond: [] }];
    const check = selfCheck(syntheticResult({ sendLag: histogramOf([[5_000_000, 100]]), threads }));
    expect(check.cause).toBe('generator-cpu');
    expect(check.maxThreadCpuPercent).toBe(90);
    expect(check.messages.join(' ')).toContain('raise -t');
  });

  it('stays ok at exactly 1 ms of lag and flags just above it', () => {
    // HdrHistogram reports a bucket's highest equivalent value: 999,999 stays under 1 ms.
    expect(selfCheck(syntheticResult({ sendLag: histogramOf([[999_000, 100]]) })).ok).toBe(true);
    expect(selfCheck(syntheticResult({ sendLag: histogramOf([[1_100_000, 100]]) })).ok).toBe(false);
  });

  it('flags requests never sent above 0.5% of those scheduled, naming failed connects', () => {
    expect(selfCheck(syntheticResult({ notSent: 50 })).ok).toBe(true);
    const check = selfCheck(syntheticResult({ notSent: 51, errors: { connect: 9, read: 0, write: 0, timeout: 0, parse: 0 }, errorCodes: { connect: 'ECONNREFUSED' } }));
    expect(check.cause).toBe('connect-errors');
    expect(check.messages[0]).toBe('51 of 10000 requests were never sent: 9 connection attempts failed: ECONNREFUSED (nothing is listening at that address and port).');
  });
});
