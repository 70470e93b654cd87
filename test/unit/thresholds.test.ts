import { describe, expect, it } from 'vitest';
import { emptyHistogram } from '../../src/result/histogram.js';
import type { Result } from '../../src/result/result.js';
import { checkThresholds, parseThreshold } from '../../src/analysis/thresholds.js';
import { UsageError } from '../../src/common/errors.js';

// 100 latencies of 1..100 ms, 1000 sent, 1 read error, 990 of 1000 req/s achieved.
function fakeResult(): Result {
  const corrected = emptyHistogram();
  for (let i = 1; i <= 100; i++) corrected.recordValue(i * 1_000_000);
  return {
    config: { rate: 1000 },
    sent: 1000,
    achievedRate: 990,
    non2xx3xx: 0,
    errors: { connect: 0, read: 1, write: 0, timeout: 0, parse: 0 },
    corrected,
  } as unknown as Result;
}

const passes = (expr: string) => checkThresholds(fakeResult(), [expr])[0]!.passed;

describe('thresholds', () => {
  it('compares percentiles against durations at the exact boundary', () => {
    const p99 = fakeResult().corrected.getValueAtPercentile(99);
    const max = fakeResult().corrected.maxValue;
    expect(passes(`p99<=${p99}ns`)).toBe(true);
    expect(passes(`p99<${p99}ns`)).toBe(false);
    expect(passes(`p99>=${p99}ns`)).toBe(true);
    expect(passes(`p99>${p99}ns`)).toBe(false);
    expect(passes(`max=${max}ns`)).toBe(true);
    expect(passes(`max<${max + 1}ns`)).toBe(true);
    expect(passes('p50<1s')).toBe(true);
  });

  it('counts errors as a count or a share of requests sent', () => {
    expect(passes('errors<=1')).toBe(true);
    expect(passes('errors=0')).toBe(false);
    expect(passes('errors<=0.1%')).toBe(true); // 1 of 1000 = 0.1%
    expect(passes('errors<0.1%')).toBe(false);
    expect(passes('non2xx=0')).toBe(true);
  });

  it('checks the achieved rate against the requested one', () => {
    expect(passes('rate>=99%')).toBe(true); // 990 of 1000
    expect(passes('rate>99%')).toBe(false);
    const [outcome] = checkThresholds(fakeResult(), ['rate>=99.5%']);
    expect(outcome!.passed).toBe(false);
    expect(outcome!.measured).toBe(99);
  });

  it('rejects malformed expressions with a usage error', () => {
    for (const bad of ['p99', 'p99<', 'p101<1s', 'rate>=99', 'errors<x', 'latency<1s', 'p99<100xs']) {
      expect(() => parseThreshold(bad), bad).toThrow(UsageError);
    }
  });
});
