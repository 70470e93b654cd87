// The Prometheus exposition from a snapshot: counters carry the engine's cumulative values, the
// latency histogram folds HdrHistogram buckets into cumulative Prometheus buckets (+Inf = count).
import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_S, RunMetrics, foldBuckets } from '../../src/live/prometheus.js';
import type { RunSnapshot } from '../../src/engine/run.js';

function snapshot(overrides: Partial<RunSnapshot> = {}): RunSnapshot {
  return {
    elapsedNs: 2e9,
    due: 2000,
    sent: 1990,
    completed: 1980,
    errors: { connect: 1, read: 2, write: 0, timeout: 3, parse: 0 },
    status: { '200': 1900, '503': 80 },
    connectionsOpen: 10,
    inFlight: 10,
    // 1000 at 80 µs, 900 at 2 ms, 80 at 30 s (past the last bound)
    correctedBuckets: Float64Array.from([80_000, 1000, 2_000_000, 900, 30e9, 80]),
    sendLagBuckets: new Float64Array(),
    queued: 0,
    threadCpu: new Float64Array(),
    scriptStarved: 0,
    ...overrides,
  };
}

/** name{labels} value lines, labels as written. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('foldBuckets', () => {
  it('counts each value in every bucket whose bound it is under or at', () => {
    const { cumulative, count, sumS } = foldBuckets(Float64Array.from([100_000, 2, 250_000, 3]), [0.0001, 0.00025, 1]);
    expect(cumulative).toEqual([2, 5, 5]);
    expect(count).toBe(5);
    expect(sumS).toBeCloseTo(0.00095, 9);
  });
});

describe('RunMetrics', () => {
  it('exposes counters, gauges and a cumulative latency histogram', async () => {
    const metrics = new RunMetrics();
    metrics.update(snapshot({ elapsedNs: 1e9, due: 1000, completed: 990 }));
    metrics.update(snapshot());
    const s = samples(await metrics.text());
    expect(s.get('ratetest_requests_sent_total')).toBe(1990);
    expect(s.get('ratetest_responses_total{code="200"}')).toBe(1900);
    expect(s.get('ratetest_responses_total{code="503"}')).toBe(80);
    expect(s.get('ratetest_errors_total{kind="timeout"}')).toBe(3);
    expect(s.get('ratetest_errors_total{kind="parse"}')).toBe(0);
    expect(s.get('ratetest_target_rate')).toBe(1000);
    expect(s.get('ratetest_achieved_rate')).toBe(990);
    expect(s.get('ratetest_connections_open')).toBe(10);
    const buckets = LATENCY_BUCKETS_S.map((le) => s.get(`ratetest_latency_seconds_bucket{le="${le}"}`)!);
    expect(buckets.every((n, i) => i === 0 || n >= buckets[i - 1]!)).toBe(true);
    expect(s.get('ratetest_latency_seconds_bucket{le="0.0001"}')).toBe(1000);
    expect(s.get('ratetest_latency_seconds_bucket{le="0.0025"}')).toBe(1900);
    expect(s.get('ratetest_latency_seconds_bucket{le="10"}')).toBe(1900);
    expect(s.get('ratetest_latency_seconds_bucket{le="+Inf"}')).toBe(1980);
    expect(s.get('ratetest_latency_seconds_count')).toBe(1980);
    expect(s.get('ratetest_latency_seconds_sum')).toBeCloseTo(1000 * 80e-6 + 900 * 0.002 + 80 * 30, 6);
  });

  it('keeps the rates of the last whole second when the final snapshot (the drain after the end) comes, and no target in closed loop', async () => {
    const metrics = new RunMetrics();
    metrics.update(snapshot({ elapsedNs: 1e9, due: 1000, completed: 990 }));
    metrics.update(snapshot());
    metrics.update(snapshot({ elapsedNs: 2.02e9, due: 2000, completed: 2000 }), true);
    const s = samples(await metrics.text());
    expect(s.get('ratetest_target_rate')).toBe(1000);
    expect(s.get('ratetest_achieved_rate')).toBe(990);
    // Counters and the histogram are the final snapshot's.
    expect(s.get('ratetest_latency_seconds_count')).toBe(1980);
    const closed = new RunMetrics({}, { closedLoop: true });
    closed.update(snapshot({ elapsedNs: 1e9, due: 1066, completed: 1066 }));
    expect(samples(await closed.text()).get('ratetest_target_rate')).toBe(0);
    expect(samples(await closed.text()).get('ratetest_achieved_rate')).toBe(1066);
  });

  it('before any snapshot: zeros, still valid exposition', async () => {
    const text = await new RunMetrics({ url: 'http://x/' }).text();
    expect(text).toContain('# TYPE ratetest_latency_seconds histogram');
    expect(samples(text).get('ratetest_latency_seconds_bucket{le="+Inf",url="http://x/"}')).toBe(0);
  });
});
