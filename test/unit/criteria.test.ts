import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/errors.js';
import type { Result } from '../../src/result/result.js';
import { describeVerdict, failedRequests, formatCriteriaFailures, judgeCriteria, parseCriterion } from '../../src/analysis/criteria.js';
import { histogramOf, syntheticResult } from '../fixtures/result.js';

// The synthetic run: 10,000 scheduled, sent and answered 200 at 1000 req/s;
// corrected latency 9,000 x 1 ms, 900 x 2 ms, 100 x 10 ms.
const healthy = syntheticResult();
// 10,000 scheduled: 40 never sent, 9,960 sent; of those 9,900 answered (30 of them 503), 20 timed
// out, 10 read errors, 30 unanswered at the end: 40 + 20 + 10 + 30 + 30 = 130 failed.
const troubled = syntheticResult({
  sent: 9960,
  notSent: 40,
  completed: 9900,
  inFlight: 30,
  errors: { connect: 3, read: 10, write: 0, timeout: 20, parse: 0 },
  status: { 200: 9870, 503: 30 },
  non2xx3xx: 30,
  achievedRate: 990,
});
// A server that accepts and never answers: 50 sent, 50 timed out, nothing measured.
const silent = syntheticResult({
  scheduled: 50,
  sent: 50,
  completed: 0,
  errors: { connect: 0, read: 0, write: 0, timeout: 50, parse: 0 },
  status: {},
  achievedRate: 0,
  corrected: histogramOf([]),
});
// A port that refuses every connection: nothing sent.
const refused = syntheticResult({ scheduled: 50, sent: 0, notSent: 50, completed: 0, errors: { connect: 12, read: 0, write: 0, timeout: 0, parse: 0 }, status: {}, achievedRate: 0, corrected: histogramOf([]) });
const closedLoop = syntheticResult({ config: { ...healthy.config, rate: 0, closedLoop: true } });

const judge = (expr: string, result: Result) => judgeCriteria(result, [expr])[0]!;

describe('criteria: one grammar for --threshold and --slo', () => {
  // [expression, run, passes, the line the report prints for it]
  const cases: [string, Result, boolean, string][] = [
    // Latencies: the corrected histogram, nanoseconds; bucket tops sit just above the recorded value.
    ['p50<=1.001ms', healthy, true, 'p50<=1.001ms: measured 1ms'],
    ['p90<2ms', healthy, true, 'p90<2ms: measured 1ms'],
    ['p99<3ms', healthy, true, 'p99<3ms: measured 2.001ms'],
    ['p99<2ms', healthy, false, 'p99<2ms: measured 2.001ms'],
    ['p99.9 <= 11ms', healthy, true, 'p99.9 <= 11ms: measured 10.002ms'],
    ['p95<1ms', healthy, false, 'p95<1ms: measured 2.001ms'],
    ['max<10ms', healthy, false, 'max<10ms: measured 10ms'], // exactly 10 ms: not under it
    ['max>=10ms', healthy, true, 'max>=10ms: measured 10ms'],
    ['min>500us', healthy, true, 'min>500us: measured 1ms'],
    ['mean<2ms', healthy, true, 'mean<2ms: measured 1.18ms'],
    // Zero responses: every latency criterion fails, whatever its operator, and says why.
    ['p99<100ms', silent, false, 'p99<100ms: no responses to measure (0 of 50 requests completed)'],
    ['p50>1ns', silent, false, 'p50>1ns: no responses to measure (0 of 50 requests completed)'],
    ['max<1s', refused, false, 'max<1s: no responses to measure (0 of 50 requests completed)'],
    ['mean<1s', silent, false, 'mean<1s: no responses to measure (0 of 50 requests completed)'],
    // errors: requests without a 2xx/3xx answer, as a count or a share of requests scheduled.
    ['errors=0', healthy, true, 'errors=0: measured 0'],
    ['errors<0.1%', healthy, true, 'errors<0.1%: measured 0%'],
    ['errors<=130', troubled, true, 'errors<=130: measured 130'],
    ['errors<130', troubled, false, 'errors<130: measured 130'],
    ['errors<=1.3%', troubled, true, 'errors<=1.3%: measured 1.3%'],
    ['errors<1%', troubled, false, 'errors<1%: measured 1.3%'],
    ['errors<1%', silent, false, 'errors<1%: measured 100%'],
    ['errors=0', refused, false, 'errors=0: measured 50'],
    ['errors<50%', refused, false, 'errors<50%: measured 100%'],
    // non2xx: answers whose status was not 2xx/3xx.
    ['non2xx=0', healthy, true, 'non2xx=0: measured 0'],
    ['non2xx=0', troubled, false, 'non2xx=0: measured 30'],
    ['non2xx<=0.3%', troubled, true, 'non2xx<=0.3%: measured 0.3%'],
    // rate: achieved, as a share of the requested rate or in req/s.
    ['rate>=99%', troubled, true, 'rate>=99%: measured 99%'],
    ['rate>99%', troubled, false, 'rate>99%: measured 99%'],
    ['rate>=950', troubled, true, 'rate>=950: measured 990/s'],
    ['rate>=1k', troubled, false, 'rate>=1k: measured 990/s'],
    ['rate>=0%', silent, true, 'rate>=0%: measured 0%'],
    ['rate>=99%', closedLoop, false, 'rate>=99%: no requested rate to compare with (-R max runs as fast as it can)'],
    ['rate>=500', closedLoop, true, 'rate>=500: measured 1000/s'],
  ];
  it.each(cases)('%s', (expr, result, passes, line) => {
    const verdict = judge(expr, result);
    expect(describeVerdict(verdict)).toBe(line);
    expect(verdict.passed).toBe(passes);
  });

  it('counts failed requests from the schedule (or from those sent, when more were): not sent, failed, unanswered and non-2xx/3xx', () => {
    expect(failedRequests(healthy)).toBe(0);
    expect(failedRequests(troubled)).toBe(130);
    expect(failedRequests(silent)).toBe(50);
    expect(failedRequests(refused)).toBe(50);
    // A script pipelining 3 requests per request() call sends more than the schedule's count.
    expect(failedRequests(syntheticResult({ scheduled: 100, sent: 300, completed: 297 }))).toBe(3);
    expect(describeVerdict(judge('errors<=1%', syntheticResult({ scheduled: 100, sent: 300, completed: 297 })))).toBe('errors<=1%: measured 1%');
  });

  it('keeps the figure in the limit unit: nanoseconds, counts, percent, req/s', () => {
    expect(parseCriterion('p99<50ms')).toEqual({ text: 'p99<50ms', metric: 'p99', op: '<', limit: 50e6, percent: false });
    expect(parseCriterion(' p99.9 <= 1s ')).toEqual({ text: 'p99.9 <= 1s', metric: 'p99.9', op: '<=', limit: 1e9, percent: false });
    expect(parseCriterion('errors<0.1%')).toEqual({ text: 'errors<0.1%', metric: 'errors', op: '<', limit: 0.1, percent: true });
    expect(parseCriterion('non2xx=0')).toEqual({ text: 'non2xx=0', metric: 'non2xx', op: '=', limit: 0, percent: false });
    expect(parseCriterion('rate>=95%')).toEqual({ text: 'rate>=95%', metric: 'rate', op: '>=', limit: 95, percent: true });
    expect(parseCriterion('rate>=1.5k')).toEqual({ text: 'rate>=1.5k', metric: 'rate', op: '>=', limit: 1500, percent: false });
    expect(judge('p99<=2.001ms', healthy).measured).toBe(healthy.corrected.getValueAtPercentile(99));
  });

  // [typed, flag, the one line of the UsageError]
  const bad: [string, string, string][] = [
    ['p99', '--threshold', '--threshold must look like p99<100ms, p99.9<=250ms, max<1s, mean<20ms, errors<0.1%, errors=0, non2xx=0, rate>=99% or rate>=950, got "p99"'],
    ['p99<<1s', '--threshold', '--threshold "p99<<1s" must be a duration like 30s, 2m or 500ms, got "<1s"'],
    ['latency<1s', '--slo', '--slo must look like p99<100ms, p99.9<=250ms, max<1s, mean<20ms, errors<0.1%, errors=0, non2xx=0, rate>=99% or rate>=950, got "latency<1s"'],
    ['', '--slo', '--slo must look like p99<100ms, p99.9<=250ms, max<1s, mean<20ms, errors<0.1%, errors=0, non2xx=0, rate>=99% or rate>=950, got ""'],
    ['p101<1s', '--threshold', '--threshold percentile must be between 0 and 100, got "p101<1s"'],
    ['p0<1s', '--slo', '--slo percentile must be between 0 and 100, got "p0<1s"'],
    ['p99<100xs', '--threshold', '--threshold "p99<100xs" must be a duration like 30s, 2m or 500ms, got "100xs"'],
    ['p99<50%', '--slo', '--slo "p99<50%" must be a duration like 30s, 2m or 500ms, got "50%"'],
    ['errors<x', '--threshold', '--threshold errors takes a count or a percentage like 0 or 0.1%, got "errors<x"'],
    ['non2xx<-1', '--threshold', '--threshold non2xx takes a count or a percentage like 0 or 0.1%, got "non2xx<-1"'],
    ['rate>=fast', '--slo', '--slo rate takes a percentage of the requested rate like 99%, or req/s like 950 or 2k, got "rate>=fast"'],
  ];
  it.each(bad)('rejects %j for %s with one line naming the flag and the form', (typed, flag, message) => {
    expect(() => parseCriterion(typed, flag)).toThrow(UsageError);
    expect(() => parseCriterion(typed, flag)).toThrow(message);
  });

  it('lists only the failed criteria, in order, under one heading', () => {
    const verdicts = judgeCriteria(silent, ['p99<100ms', 'rate>=0%', 'errors<1%']);
    expect(formatCriteriaFailures(verdicts)).toBe(
      'Thresholds failed:\n  p99<100ms: no responses to measure (0 of 50 requests completed)\n  errors<1%: measured 100%\n',
    );
    expect(formatCriteriaFailures(judgeCriteria(healthy, ['p99<1s', 'errors=0']))).toBe('');
  });
});
