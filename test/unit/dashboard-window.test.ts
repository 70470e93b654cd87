import { describe, expect, it } from 'vitest';
import { decideVerdict } from '../../src/analysis/self-check.js';
import { validate } from '../../src/config/options.js';
import type { RunSnapshot } from '../../src/engine/run.js';
import { DashboardWindow, liveFacts, liveWords } from '../../src/live/dashboard-window.js';

const URL_ = 'http://127.0.0.1:8080/';
const config = validate({ url: URL_, rate: 1000, durationMs: 10_000, connections: 10, threads: 1 });
const noErrors = { connect: 0, read: 0, write: 0, timeout: 0, parse: 0 };

/** A cumulative snapshot at `s` seconds of a run that has kept 1000/s: everything due sent and answered. */
function at(s: number, overrides: Partial<RunSnapshot> = {}): RunSnapshot {
  const n = Math.round(1000 * s);
  return {
    elapsedNs: s * 1e9,
    due: n,
    sent: n,
    completed: n,
    errors: noErrors,
    status: { '200': n },
    connectionsOpen: 10,
    inFlight: 0,
    // Every response took 1 ms; every request went out 10 us late.
    correctedBuckets: Float64Array.from(n > 0 ? [1_000_000, n] : []),
    sendLagBuckets: Float64Array.from(n > 0 ? [10_000, n] : []),
    queued: 0,
    // One pump at 20% of a core, never waiting for one.
    threadCpu: Float64Array.from([0.2 * s * 1e9, 0]),
    scriptStarved: 0,
    ...overrides,
  };
}

describe('dashboard window', () => {
  it('closes an interval per snapshot: target and achieved rates, and the corrected p50/p99/max of that interval alone', () => {
    const window = new DashboardWindow(config, 2);
    window.add(at(0.25));
    window.add(at(0.5));
    // The next 250 ms: 250 due, 200 answered, 150 at 1 ms and 50 at 100 ms.
    window.add(at(0.75, { completed: 700, correctedBuckets: Float64Array.from([1_000_000, 650, 100_000_000, 50]) }));
    expect(window.intervals).toHaveLength(2);
    const [first, second] = window.intervals;
    expect(first!.targetRate).toBeCloseTo(1000, 0);
    expect(first!.achievedRate).toBeCloseTo(1000, 6);
    expect(first!.p99Ns).toBeGreaterThanOrEqual(1_000_000);
    expect(first!.p99Ns).toBeLessThan(1_001_000);
    expect(second!.achievedRate).toBeCloseTo(800, 6);
    expect(second!.p50Ns).toBeLessThan(1_001_000);
    expect(second!.p99Ns).toBeGreaterThanOrEqual(100_000_000);
    expect(second!.maxNs).toBeGreaterThanOrEqual(100_000_000);
  });

  it('an interval with nothing answered has no latency (a stall is a gap, not a zero)', () => {
    const window = new DashboardWindow(config, 2);
    window.add(at(1));
    window.add({ ...at(1), elapsedNs: 1.25e9 });
    expect(window.intervals[0]).toMatchObject({ achievedRate: 0, p50Ns: 0, p99Ns: 0, maxNs: 0 });
  });

  it('judges nothing before a second of the run has passed', () => {
    const window = new DashboardWindow(config, 2);
    window.add(at(0.25));
    window.add(at(0.5));
    expect(window.verdict()).toBeUndefined();
  });

  it('a run on schedule: "generator keeping up" (kept-schedule)', () => {
    const window = new DashboardWindow(config, 2);
    for (let s = 0.25; s <= 3; s += 0.25) window.add(at(s));
    expect(window.verdict()).toEqual({ verdict: 'kept-schedule', ok: true, words: 'generator keeping up' });
    expect(window.threadCpuShares().map((p) => Math.round(p * 100))).toEqual([20]);
  });

  it('a pump at a full core and falling behind: "CPU-bound: raise -t" while threads are fewer than cores', () => {
    const window = new DashboardWindow(config, 2);
    for (let s = 0.25; s <= 3; s += 0.25) {
      // Sending 60% of what is due, each request 50 ms late, the pump at 98% of a core.
      const sent = Math.round(600 * s);
      window.add(at(s, { sent, completed: sent, sendLagBuckets: Float64Array.from([50_000_000, sent]), threadCpu: Float64Array.from([0.98 * s * 1e9, 0]) }));
    }
    expect(window.verdict()).toEqual({ verdict: 'generator-cpu-bound', ok: false, words: 'CPU-bound: raise -t' });
  });

  it('judges the last 2 s only: a slip at the start is forgotten once the run has kept up since', () => {
    const window = new DashboardWindow(config, 2);
    window.add(at(0.5, { sent: 100, completed: 100, sendLagBuckets: Float64Array.from([50_000_000, 100]) }));
    for (let s = 0.75; s <= 4; s += 0.25) window.add(at(s, { sendLagBuckets: Float64Array.from([50_000_000, 100, 10_000, Math.round(1000 * s) - 100]) }));
    expect(window.verdict()?.verdict).toBe('kept-schedule');
  });

  it('requests waiting for busy connections (a server stall): too-few-connections, in words', () => {
    const from = at(1);
    // 2 s on, 800 requests due are still waiting and 900 found every connection busy.
    const to = at(3, { sent: 2200, completed: 2190, queued: 900 });
    const facts = liveFacts(config, from, to);
    expect(facts).toMatchObject({ scheduled: 2000, sent: 1200, notSent: 800, queued: 900 });
    expect(decideVerdict(facts)).toBe('too-few-connections');
    expect(liveWords('too-few-connections', 1, 2)).toBe('requests waiting for a free connection: raise -c');
  });

  it('a -s script whose request() ran dry while requests were due: script-fell-behind, in words', () => {
    const window = new DashboardWindow(config, 2);
    for (let s = 0.25; s <= 3; s += 0.25) {
      // Sending 70% of what is due, each request 20 ms late, the script's ring empty 40 times a second.
      const sent = Math.round(700 * s);
      window.add(at(s, { sent, completed: sent, sendLagBuckets: Float64Array.from([20_000_000, sent]), scriptStarved: Math.round(40 * s) }));
    }
    expect(window.verdict()).toEqual({ verdict: 'script-fell-behind', ok: false, words: 'script falling behind: make request() cheaper' });
  });

  it('tells a CPU-bound generator with as many threads as cores to find more cores, not more threads', () => {
    expect(liveWords('generator-cpu-bound', 2, 2)).toBe('CPU-bound: give ratetest more cores');
  });
});
