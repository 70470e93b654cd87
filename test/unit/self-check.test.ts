import { describe, expect, it } from 'vitest';
import { selfCheck } from '../../src/analysis/self-check.js';
import type { ThreadResult } from '../../src/result/result.js';
import { histogramOf, syntheticResult } from '../fixtures/result.js';

/** A send lag whose p99 is `ns` (all 100 values there). */
const lagAt = (ns: number) => histogramOf([[ns, 100]]);
const LATE = lagAt(5_000_000);
const thread = (cpuNs: number): ThreadResult => ({ completed: 5000, cpuNs, perSecond: [] });
const connectErrors = { connect: 9, read: 0, write: 0, timeout: 0, parse: 0 };

describe('generator self-check', () => {
  it('passes a healthy run and reports the figures it judged', () => {
    expect(selfCheck(syntheticResult())).toEqual({
      ok: true,
      messages: [],
      sendLagP99Ns: 20_015, // the highest value of 20,000's bucket (16 ns wide)
      notSentPercent: 0,
      queuedPercent: 0,
      maxThreadCpuPercent: 12,
      threadCpuPercent: [10, 12],
      achievedPercent: 100,
    });
  });

  describe('send lag p99 limit: 1 ms, at bucket resolution', () => {
    it('passes 999,935 ns, the top of the last bucket wholly under 1 ms', () => {
      const check = selfCheck(syntheticResult({ sendLag: lagAt(999_935) }));
      expect(check.ok).toBe(true);
      expect(check.sendLagP99Ns).toBe(999_935);
    });

    it('fails 999,936 ns, whose bucket holds 1 ms (reported as 1,000,447)', () => {
      const check = selfCheck(syntheticResult({ sendLag: lagAt(999_936) }));
      expect(check.ok).toBe(false);
      expect(check.sendLagP99Ns).toBe(1_000_447);
      expect(check.cause).toBe('unknown');
    });

    it('looks at p99 only: 1% late by 5 ms passes, 1.1% does not', () => {
      expect(selfCheck(syntheticResult({ sendLag: histogramOf([[20_000, 9900], [5_000_000, 100]]) })).ok).toBe(true);
      expect(selfCheck(syntheticResult({ sendLag: histogramOf([[20_000, 9890], [5_000_000, 110]]) })).ok).toBe(false);
    });
  });

  describe('requests never sent: limit 0.5% of those scheduled', () => {
    it('passes 50 of 10,000 and fails 51', () => {
      expect(selfCheck(syntheticResult({ notSent: 50 })).ok).toBe(true);
      const check = selfCheck(syntheticResult({ notSent: 51 }));
      expect(check.ok).toBe(false);
      expect(check.notSentPercent).toBe(0.51);
    });

    it('blames failed connects first, with the OS error explained', () => {
      const check = selfCheck(syntheticResult({ notSent: 51, queued: 9000, errors: connectErrors, errorCodes: { connect: 'ECONNREFUSED' } }));
      expect(check.cause).toBe('connect-errors');
      expect(check.messages[0]).toBe(
        '51 of 10000 requests were never sent: 9 connection attempts failed: ECONNREFUSED (nothing is listening at that address and port).',
      );
    });

    it('does not blame connects that failed while everything was sent', () => {
      const check = selfCheck(syntheticResult({ sendLag: LATE, errors: connectErrors }));
      expect(check.cause).toBe('unknown');
    });
  });

  describe('cause: busy connections above 10% of requests scheduled', () => {
    it('blames the connections at 1,001 of 10,000 queued: "raise -c"', () => {
      const check = selfCheck(syntheticResult({ sendLag: LATE, queued: 1001 }));
      expect(check.cause).toBe('connections');
      expect(check.queuedPercent).toBe(10.01);
      expect(check.messages).toEqual([
        'the schedule slipped (send lag p99 5.00ms): 10.01% of requests found all 10 connections busy.',
        'The server answered too slowly for 10 connections to carry 1000 req/s; raise -c, or accept that the server is the bottleneck (the corrected latencies include this wait).',
      ]);
    });

    it('does not at exactly 10% (1,000 of 10,000)', () => {
      expect(selfCheck(syntheticResult({ sendLag: LATE, queued: 1000 })).cause).toBe('unknown');
    });

    it('counts the share of requests scheduled, queued ones never sent included: at most 100%', () => {
      const check = selfCheck(syntheticResult({ sendLag: LATE, sent: 40, notSent: 9960, queued: 9990 }));
      expect(check.cause).toBe('connections');
      expect(check.queuedPercent).toBe(99.9);
    });

    it('comes before CPU: both high blames the connections', () => {
      expect(selfCheck(syntheticResult({ sendLag: LATE, queued: 5000, threads: [thread(9.5e9)] })).cause).toBe('connections');
    });
  });

  describe('cause: a pump thread at 90% of a core or more', () => {
    it('blames the generator at exactly 90% of the duration: "raise -t"', () => {
      const check = selfCheck(syntheticResult({ sendLag: LATE, threads: [thread(1e9), thread(9e9)], achievedRate: 800 }), { cores: 4 });
      expect(check.cause).toBe('generator-cpu');
      expect(check.maxThreadCpuPercent).toBe(90);
      expect(check.threadCpuPercent).toEqual([10, 90]);
      expect(check.messages).toEqual([
        'the generator could not keep its schedule (send lag p99 5.00ms): pump thread 2 of 2 used up to 90% of a core, and it achieved 80% of the requested rate.',
        'The generator, not the server, limited this run and these latencies include its own delay. To fix: raise -t (now 2; this machine has 4 cores); ' +
          'raise --batch (now 100us, e.g. --batch 1ms) so each wake-up sends more requests; run the generator on its own cores or machine, away from the server.',
      ]);
    });

    it('advises only what would help: no -t beyond the cores, no --batch already at 1 ms, fewer connections past 1,000 per thread', () => {
      const config = { ...syntheticResult().config, threads: 2, connections: 5000, batchNs: 1_000_000 };
      const check = selfCheck(syntheticResult({ config, sendLag: LATE, threads: [thread(9.5e9), thread(9.5e9)] }), { cores: 2 });
      expect(check.messages[0]).toContain('pump threads 1, 2 of 2 used up to 95% of a core');
      expect(check.messages[1]).toBe(
        'The generator, not the server, limited this run and these latencies include its own delay. To fix: ' +
          'use fewer connections (-c 5000 is 2500 per thread, each one a socket the pump must serve); run the generator on its own cores or machine, away from the server.',
      );
    });

    it('does not 1 ns below', () => {
      expect(selfCheck(syntheticResult({ sendLag: LATE, threads: [thread(9e9 - 1)] })).cause).toBe('unknown');
    });

    it('notes a busy pump even when the schedule was kept', () => {
      const check = selfCheck(syntheticResult({ threads: [thread(9.5e9)] }));
      expect(check.ok).toBe(true);
      expect(check.messages).toEqual(['a pump thread used 95% of a core: close to its limit; add threads (-t) before raising the rate.']);
    });
  });

  it('says the server limited a run that kept its schedule but completed under 90% of the rate', () => {
    const check = selfCheck(syntheticResult({ achievedRate: 850 }));
    expect(check.ok).toBe(true);
    expect(check.achievedPercent).toBe(85);
    expect(check.messages).toEqual([
      'requests went out on schedule but the server completed only 85% of the requested rate: the server, not the generator, limited this run.',
    ]);
    expect(selfCheck(syntheticResult({ achievedRate: 900 })).messages).toEqual([]);
  });

  it('suggests a connection count from the latency the server showed (Little\'s law, doubled)', () => {
    // 1000 req/s x ~0.505 ms mean uncorrected latency x 2 is about 2; the synthetic run has 10: just "raise -c".
    expect(selfCheck(syntheticResult({ sendLag: LATE, queued: 2000 })).messages[1]).toContain('; raise -c, or accept');
    const slow = histogramOf([[50_000_000, 100]]);
    expect(selfCheck(syntheticResult({ sendLag: LATE, queued: 2000, uncorrected: slow })).messages[1]).toContain(
      '; raise -c (to about 100 at this latency), or accept',
    );
  });

  it('says so when it cannot tell why the schedule slipped', () => {
    const check = selfCheck(syntheticResult({ sendLag: LATE, notSent: 60 }));
    expect(check).toMatchObject({ ok: false, cause: 'unknown' });
    expect(check.messages).toEqual([
      'the schedule slipped (send lag p99 5.00ms, 60 requests never sent) with connections free and CPU to spare; the machine may be overloaded or the process was paused.',
    ]);
  });

  it('blames a -s script whose request() fell behind, before CPU, and says how to make it cheaper', () => {
    const script = { file: 's.lua', language: 'lua' as const, requestsPerCall: 1, starved: 120, responsesDropped: 0, responsesTruncated: 0, notes: [] };
    const check = selfCheck(syntheticResult({ sendLag: LATE, threads: [thread(10e9), thread(0)], script }));
    expect(check).toMatchObject({ ok: false, cause: 'script' });
    expect(check.messages[0]).toContain('its requests ran out 120 times with a request due');
    expect(check.messages[1]).toContain('templates');
    // A script that kept up is not blamed.
    expect(selfCheck(syntheticResult({ sendLag: LATE, script: { ...script, starved: 0 } })).cause).toBe('unknown');
  });

  it('copes with an empty run', () => {
    const empty = histogramOf([]);
    const check = selfCheck(
      syntheticResult({ scheduled: 0, sent: 0, completed: 0, durationNs: 0, threads: [], sendLag: empty, corrected: empty, uncorrected: empty }),
    );
    expect(check).toEqual({
      ok: true,
      messages: [],
      sendLagP99Ns: 0,
      notSentPercent: 0,
      queuedPercent: 0,
      maxThreadCpuPercent: 0,
      threadCpuPercent: [],
      achievedPercent: 100,
    });
  });
});
