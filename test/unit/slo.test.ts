import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/errors.js';
import { evaluateSlo, formatActual, measure, parseSlo } from '../../src/analysis/slo.js';
import { histogramOf, syntheticResult } from '../fixtures/result.js';

describe('SLO expressions', () => {
  it('parses latency percentiles with each operator and a duration in nanoseconds', () => {
    expect(parseSlo('p99<50ms')).toEqual({ text: 'p99<50ms', metric: 'p99', op: '<', limit: 50e6 });
    expect(parseSlo('p99.9 <= 1s')).toMatchObject({ metric: 'p99.9', op: '<=', limit: 1e9 });
    expect(parseSlo('p50>100us')).toMatchObject({ metric: 'p50', op: '>', limit: 100e3 });
    expect(parseSlo('max>=2s')).toMatchObject({ metric: 'max', op: '>=', limit: 2e9 });
    expect(parseSlo('p90<5ms')).toMatchObject({ metric: 'p90', limit: 5e6 });
  });

  it('parses errors and rate as percentages', () => {
    expect(parseSlo('errors<0.1%')).toMatchObject({ metric: 'errors', op: '<', limit: 0.1 });
    expect(parseSlo('rate>=95%')).toMatchObject({ metric: 'rate', op: '>=', limit: 95 });
  });

  it('rejects what it cannot read with a UsageError naming the accepted form', () => {
    for (const bad of ['p98<50ms', 'p99=50ms', 'p99<fast', 'errors<0.1', 'rate>=95', 'p99<50%', '']) {
      expect(() => parseSlo(bad), bad).toThrow(UsageError);
    }
    expect(() => parseSlo('p95<1ms')).toThrow(/--slo must be p50\/p90\/p99\/p99.9\/max/);
  });

  // The synthetic run: 9,000 x 1 ms, 900 x 2 ms, 100 x 10 ms (p99 is 2 ms's bucket, max 10 ms's).
  it('judges latency against the corrected histogram', () => {
    const result = syntheticResult();
    expect(evaluateSlo(parseSlo('p99<3ms'), result).pass).toBe(true);
    expect(evaluateSlo(parseSlo('p99<2ms'), result).pass).toBe(false); // the bucket top is just above 2 ms
    expect(evaluateSlo(parseSlo('max<10ms'), result).pass).toBe(false);
    expect(evaluateSlo(parseSlo('max<11ms'), result).pass).toBe(true);
    expect(evaluateSlo(parseSlo('p50<=1.001ms'), result).pass).toBe(true);
  });

  it('counts errors, non-2xx/3xx and unanswered requests against those sent', () => {
    const result = syntheticResult({ errors: { connect: 5, read: 1, write: 0, timeout: 2, parse: 0 }, non2xx3xx: 4, inFlight: 3 });
    expect(measure('errors', result)).toBeCloseTo(0.1, 10); // (1 + 2 + 4 + 3) / 10,000; connect errors are not requests
    expect(evaluateSlo(parseSlo('errors<0.1%'), result).pass).toBe(false);
    expect(evaluateSlo(parseSlo('errors<=0.1%'), result).pass).toBe(true);
  });

  it('judges the achieved rate as a percentage of the requested one', () => {
    const result = syntheticResult({ achievedRate: 940 });
    expect(measure('rate', result)).toBeCloseTo(94, 10);
    expect(evaluateSlo(parseSlo('rate>=95%'), result).pass).toBe(false);
    expect(evaluateSlo(parseSlo('rate>90%'), result).pass).toBe(true);
  });

  it('fails a latency SLO when nothing completed rather than passing on an empty histogram', () => {
    const result = syntheticResult({ completed: 0, corrected: histogramOf([]) });
    expect(evaluateSlo(parseSlo('p99<50ms'), result).pass).toBe(false);
  });

  it('formats the measured figure in the SLO unit', () => {
    expect(formatActual(evaluateSlo(parseSlo('max<1s'), syntheticResult()))).toBe('max 10.00ms');
    expect(formatActual(evaluateSlo(parseSlo('rate>=95%'), syntheticResult({ achievedRate: 500 })))).toBe('rate 50.00%');
  });
});
