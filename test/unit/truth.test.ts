import { describe, expect, it } from 'vitest';
import { computeTruth, intendedOffsetNs, truthPercentiles } from '../../src/analysis/truth.js';
import { checkAgainstTruth } from '../../src/analysis/truth-check.js';
import { cumulativeAt, parseStages, rampsOf, timeOfCount } from '../../src/config/stages.js';
import { emptyHistogram, highestEquivalentValue } from '../../src/result/histogram.js';
import { constantIntendedNs, handMadeLog, LOG_T0_NS, STAGED_COUNT, STAGES, stagedIntendedNs } from '../fixtures/truth-logs.js';

/** A percentile as ratetest reports its own: the top of the bucket that holds the value. */
const reported = (ns: number) => highestEquivalentValue(emptyHistogram(), ns);

describe('computeTruth', () => {
  it('finds T0 from the earliest on-time arrival (not the first request) and gives each request its known latency, constant rate', () => {
    const truth = computeTruth(handMadeLog(100, constantIntendedNs), { rate: 1000 });
    expect(truth.t0Ns).toBe(LOG_T0_NS);
    expect(truth).toMatchObject({ answered: 100, unanswered: 0, firstK: 1, lastK: 100 });
    // Latencies 1..100 ms, one each.
    expect(truthPercentiles(truth.latency)).toEqual({ '50': reported(50e6), '90': reported(90e6), '99': reported(99e6), '99.9': reported(100e6) });
    expect(truth.latency.totalCount).toBe(100);
  });

  it('follows the stages: request k is due where the ramps reach k-1 requests', () => {
    const truth = computeTruth(handMadeLog(STAGED_COUNT, stagedIntendedNs), { ramps: rampsOf(parseStages(STAGES)) });
    expect(truth.t0Ns).toBe(LOG_T0_NS);
    expect(truthPercentiles(truth.latency)).toEqual({ '50': reported(75e6), '90': reported(135e6), '99': reported(149e6), '99.9': reported(150e6) });
  });

  it('gets the stages wrong when given a constant rate instead (the schedule matters)', () => {
    const truth = computeTruth(handMadeLog(STAGED_COUNT, stagedIntendedNs), { rate: 75 });
    expect(truthPercentiles(truth.latency)['50']).not.toBe(reported(75e6));
  });

  it('leaves unanswered requests out and counts them', () => {
    const log = handMadeLog(10, constantIntendedNs);
    log.requests[0] = [log.requests[0]![0], log.requests[0]![1], null];
    const truth = computeTruth(log, { rate: 1000 });
    expect(truth).toMatchObject({ answered: 9, unanswered: 1 });
  });

  it('rejects a log with a request twice, one beyond the stages, or none', () => {
    const twice = handMadeLog(3, constantIntendedNs);
    twice.requests.push(twice.requests[0]!);
    expect(() => computeTruth(twice, { rate: 1000 })).toThrow('request k=3 appears twice in the log: reset it (DELETE /__truth) before each run');
    expect(() => computeTruth(handMadeLog(151, stagedIntendedNs), { ramps: rampsOf(parseStages(STAGES)) })).toThrow('request k=151 lies beyond the schedule, which holds 150 requests');
    expect(() => computeTruth({ requests: [] }, { rate: 1 })).toThrow('the log holds no numbered requests (/t/<k>): nothing to compute');
  });
});

describe('timeOfCount (the schedule through intendedOffsetNs)', () => {
  it('inverts cumulativeAt over ramps up, flat and down', () => {
    const ramps = rampsOf(parseStages('2s:1k,3s:1k,1s:0'));
    for (const count of [0, 1, 999.5, 1000, 2500, 3999, 4200, 4499]) {
      const t = timeOfCount(ramps, count);
      expect(cumulativeAt(ramps, t)).toBeCloseTo(count, 3);
    }
    expect(timeOfCount(ramps, 4500)).toBe(Infinity);
  });

  it('gives (k-1)/R at a constant rate', () => {
    expect(intendedOffsetNs({ rate: 2000 }, 1)).toBe(0);
    expect(intendedOffsetNs({ rate: 2000 }, 2001)).toBe(1e9);
  });
});

describe('checkAgainstTruth', () => {
  const histogram = (valuesNs: number[]) => {
    const h = emptyHistogram();
    for (const v of valuesNs) h.recordValue(v);
    return h;
  };
  const spread = (scale: number, offsetNs = 0) => Array.from({ length: 1000 }, (_, i) => Math.round((i + 1) * 200e3 * scale + offsetNs));

  it('agrees within 2% + 1 ms at every percentile', () => {
    const check = checkAgainstTruth(histogram(spread(1)), histogram(spread(1.015, 0.5e6)), histogram(spread(0.1)));
    expect(check.agrees).toBe(true);
    expect(check.rows.map((r) => r.percentile)).toEqual([50, 90, 99, 99.9]);
  });

  it('disagrees, and says where, when ratetest is more than 2% + 1 ms off', () => {
    // Its top 2% 10 ms high: p99 of the truth is ~198 ms, so 2% + 1 ms allows ~4.96 ms.
    const tool = spread(1).map((v, i) => (i >= 980 ? v + 10e6 : v));
    const check = checkAgainstTruth(histogram(spread(1)), histogram(tool), histogram(spread(1)));
    expect(check.agrees).toBe(false);
    expect(check.rows.find((r) => r.percentile === 99)!.agrees).toBe(false);
    expect(check.rows.find((r) => r.percentile === 50)!.agrees).toBe(true);
  });
});
