import { describe, expect, it } from 'vitest';
import { selfCheck } from '../../src/analysis/self-check.js';
import type { ThreadResult } from '../../src/result/result.js';
import { histogramOf, syntheticResult } from '../fixtures/result.js';

/** A send lag whose p99 is `ns` (all 100 values there). */
const lagAt = (ns: number) => histogramOf([[ns, 100]]);
const LATE = lagAt(5_000_000);
const thread = (cpuNs: number, runDelayNs = 0): ThreadResult => ({ completed: 5000, cpuNs, runDelayNs, perSecond: [] });
const connectErrors = { connect: 9, read: 0, write: 0, timeout: 0, parse: 0 };

describe('generator self-check', () => {
  it('passes a healthy run and reports the figures it judged', () => {
    expect(selfCheck(syntheticResult())).toEqual({
      ok: true,
      verdict: 'kept-schedule',
      summary: 'ratetest kept its schedule (self-check: kept-schedule)',
      messages: [],
      sendLagP99Ns: 20_015, // the highest value of 20,000's bucket (16 ns wide)
      notSentPercent: 0,
      queuedPercent: 0,
      maxThreadCpuPercent: 12,
      threadCpuPercent: [10, 12],
      maxThreadRunDelayPercent: 0,
      achievedPercent: 100,
    });
  });

  describe('send lag p99 limit: 1 ms, at bucket resolution', () => {
    it('passes 999,935 ns, the top of the last bucket wholly under 1 ms', () => {
      const check = selfCheck(syntheticResult({ sendLag: lagAt(999_935) }));
      expect(check.ok).toBe(true);
      expect(check.sendLagP99Ns).toBe(999_935);
    });

    it('notes 999,936 ns, whose bucket holds 1 ms (reported as 1,000,447): small-send-lag', () => {
      const check = selfCheck(syntheticResult({ sendLag: lagAt(999_936) }));
      expect(check).toMatchObject({ ok: true, verdict: 'small-send-lag', sendLagP99Ns: 1_000_447 });
    });

    it('with nothing else to blame, notes a lag up to 2 ms and calls one past it a stalled machine', () => {
      expect(selfCheck(syntheticResult({ sendLag: lagAt(1_990_000) })).verdict).toBe('small-send-lag');
      expect(selfCheck(syntheticResult({ sendLag: lagAt(2_010_000) }))).toMatchObject({ ok: false, verdict: 'machine-stalled' });
    });

    it('scales the note to the run: up to a tenth of the corrected p99 (4 ms against 40 ms)', () => {
      const corrected = histogramOf([[40_000_000, 1000]]);
      expect(selfCheck(syntheticResult({ corrected, sendLag: lagAt(3_900_000) })).verdict).toBe('small-send-lag');
      expect(selfCheck(syntheticResult({ corrected, sendLag: lagAt(4_100_000) })).verdict).toBe('machine-stalled');
    });

    it('a 5-minute soak at 20k req/s, every request answered, lag p99 1.14 ms: a note, not a WARNING', () => {
      const corrected = histogramOf([[300_000, 5_900_000], [1_300_000, 100_000]]);
      const soak = syntheticResult({
        config: { ...syntheticResult().config, rate: 20_000, durationNs: 300e9 },
        durationNs: 300e9,
        scheduled: 6_000_000,
        sent: 6_000_000,
        completed: 6_000_000,
        status: { 200: 6_000_000 },
        achievedRate: 20_000,
        corrected,
        sendLag: histogramOf([[20_000, 5_900_000], [1_140_000, 100_000]]),
        threads: [thread(60e9), thread(62e9)],
      });
      const check = selfCheck(soak);
      expect(check).toMatchObject({ ok: true, verdict: 'small-send-lag', summary: 'ratetest kept its schedule within a few milliseconds (self-check: small-send-lag)' });
      expect(check.messages).toEqual([
        'send lag p99 1.14ms: 1% of requests went out over 1 ms late, the pump waiting for a core it shares; the corrected latencies include up to that much of the generator\'s own delay (88% of the corrected p99, 1.30ms).',
      ]);
    });

    it('looks at p99 only: 1% late by 5 ms passes, 1.1% does not', () => {
      expect(selfCheck(syntheticResult({ sendLag: histogramOf([[20_000, 9900], [5_000_000, 100]]) })).ok).toBe(true);
      expect(selfCheck(syntheticResult({ sendLag: histogramOf([[20_000, 9890], [5_000_000, 110]]) })).ok).toBe(false);
    });
  });

  describe('requests never sent: limit 0.5% of those scheduled', () => {
    it('passes 50 of 10,000 and fails 51, even with the lag small', () => {
      expect(selfCheck(syntheticResult({ notSent: 50 })).ok).toBe(true);
      const check = selfCheck(syntheticResult({ notSent: 51, sendLag: lagAt(1_500_000) }));
      expect(check).toMatchObject({ ok: false, verdict: 'machine-stalled', notSentPercent: 0.51 });
    });

    it('blames failed connects first, with the OS error explained: connect-errors', () => {
      const check = selfCheck(syntheticResult({ notSent: 51, queued: 9000, errors: connectErrors, errorCodes: { connect: 'ECONNREFUSED' } }));
      expect(check.verdict).toBe('connect-errors');
      expect(check.summary).toBe(
        'connections to the server failed and requests went unsent (self-check: connect-errors); the latencies above are of those that were sent',
      );
      expect(check.messages[0]).toBe(
        '51 of 10000 requests were never sent: 9 connection attempts failed: ECONNREFUSED (nothing is listening at that address and port).',
      );
    });

    it('calls a server no connection ever reached dead: dead-server', () => {
      const check = selfCheck(
        syntheticResult({ sent: 0, completed: 0, notSent: 10_000, achievedRate: 0, status: {}, errors: connectErrors, errorCodes: { connect: 'ECONNREFUSED' } }),
      );
      expect(check).toMatchObject({ ok: false, verdict: 'dead-server', summary: 'no connection to the server opened (self-check: dead-server); nothing was measured' });
      expect(check.messages).toEqual([
        'all 9 connection attempts failed: ECONNREFUSED (nothing is listening at that address and port); none of the 10000 scheduled requests was sent.',
        'Check the URL and that the server is up.',
      ]);
    });

    it('does not blame connects that failed while everything was sent', () => {
      const check = selfCheck(syntheticResult({ sendLag: LATE, errors: connectErrors }));
      expect(check.verdict).toBe('machine-stalled');
    });
  });

  describe('verdict connection-resets: read and write errors above 1% of requests sent', () => {
    const resets = (read: number, write: number) => ({ connect: 0, read, write, timeout: 0, parse: 0 });

    it('blames a server that drops connections at 101 of 10,000, before the connections they kept busy', () => {
      const check = selfCheck(syntheticResult({ sendLag: LATE, queued: 5000, errors: resets(60, 41), errorCodes: { read: 'ECONNRESET' } }));
      expect(check).toMatchObject({ ok: false, verdict: 'connection-resets' });
      expect(check.summary).toBe(
        'the server closed or reset connections under requests, and requests waited for new ones (self-check: connection-resets); the latencies above include that wait',
      );
      expect(check.messages[0]).toMatch(
        /^the schedule slipped \(send lag p99 5\.00ms\): 101 of 10000 requests sent ended in a read or write error \(first: ECONNRESET .*\), each one a connection the server dropped and ratetest had to reopen\.$/,
      );
    });

    it('names them even when the schedule held', () => {
      const check = selfCheck(syntheticResult({ errors: resets(200, 0), errorCodes: { read: 'ECONNRESET' } }));
      expect(check).toMatchObject({ ok: false, verdict: 'connection-resets' });
      expect(check.messages[0]).toMatch(/^200 of 10000 requests sent ended in a read or write error/);
    });

    it('does not at exactly 1% (100 of 10,000)', () => {
      expect(selfCheck(syntheticResult({ sendLag: LATE, errors: resets(100, 0) })).verdict).toBe('machine-stalled');
    });
  });

  describe('verdict too-few-connections: busy connections above 1% of requests scheduled (10% with a pump short of CPU)', () => {
    it('blames the connections at 1,001 of 10,000 queued: "raise -c"', () => {
      const check = selfCheck(syntheticResult({ sendLag: LATE, queued: 1001 }));
      expect(check.verdict).toBe('too-few-connections');
      expect(check.summary).toBe(
        'requests waited for a free connection, the server slow to free one (self-check: too-few-connections); the latencies above include that wait',
      );
      expect(check.queuedPercent).toBe(10.01);
      expect(check.messages).toEqual([
        'the schedule slipped (send lag p99 5.00ms): 10.01% of requests found all 10 connections busy.',
        'The server answered too slowly for 10 connections to carry 1000 req/s; raise -c, or accept that the server is the bottleneck (the corrected latencies include this wait).',
      ]);
    });

    it('with pumps that had their CPU, 1% is enough: 101 of 10,000 (a server stall), not 100', () => {
      expect(selfCheck(syntheticResult({ sendLag: LATE, queued: 101 })).verdict).toBe('too-few-connections');
      expect(selfCheck(syntheticResult({ sendLag: LATE, queued: 100 })).verdict).toBe('machine-stalled');
    });

    it('with a pump that waited for a CPU, not at exactly 10% (1,000 of 10,000): a late pump makes connections look busy', () => {
      const waited = [thread(1e9, 2e9)];
      expect(selfCheck(syntheticResult({ sendLag: LATE, queued: 1000, threads: waited })).verdict).toBe('machine-stalled');
      expect(selfCheck(syntheticResult({ sendLag: LATE, queued: 1001, threads: waited })).verdict).toBe('too-few-connections');
    });

    it('counts the share of requests scheduled, queued ones never sent included: at most 100%', () => {
      const check = selfCheck(syntheticResult({ sendLag: LATE, sent: 40, notSent: 9960, queued: 9990 }));
      expect(check.verdict).toBe('too-few-connections');
      expect(check.queuedPercent).toBe(99.9);
    });

    it('comes before CPU: both high blames the connections', () => {
      expect(selfCheck(syntheticResult({ sendLag: LATE, queued: 5000, threads: [thread(9.5e9)] })).verdict).toBe('too-few-connections');
    });
  });

  describe('verdict generator-cpu-bound: a pump thread at 90% of a core or more', () => {
    it('blames the generator at exactly 90% of the duration: "raise -t"', () => {
      const check = selfCheck(syntheticResult({ sendLag: LATE, threads: [thread(1e9), thread(9e9)], achievedRate: 800 }), { cores: 4 });
      expect(check.verdict).toBe('generator-cpu-bound');
      expect(check.summary).toBe(
        "ratetest ran out of CPU and fell behind its schedule (self-check: generator-cpu-bound); the latencies above are not the server's alone",
      );
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
      expect(selfCheck(syntheticResult({ sendLag: LATE, threads: [thread(9e9 - 1)] })).verdict).toBe('machine-stalled');
    });

    it('notes a busy pump even when the schedule was kept', () => {
      const check = selfCheck(syntheticResult({ threads: [thread(9.5e9)] }));
      expect(check).toMatchObject({ ok: true, verdict: 'kept-schedule' });
      expect(check.messages).toEqual(['a pump thread used 95% of a core: close to its limit; add threads (-t) before raising the rate.']);
    });
  });

  it('says the server limited a run that kept its schedule but completed under 90% of the rate: slow-server', () => {
    const check = selfCheck(syntheticResult({ achievedRate: 850 }));
    expect(check).toMatchObject({ ok: true, verdict: 'slow-server', summary: 'ratetest kept its schedule (self-check: slow-server); the server did not keep up with it' });
    expect(check.achievedPercent).toBe(85);
    expect(check.messages).toEqual([
      'requests went out on schedule but the server completed only 85% of the requested rate: the server, not the generator, limited this run.',
    ]);
    expect(selfCheck(syntheticResult({ achievedRate: 900 })).messages).toEqual([]);
  });

  it("judges a shard (--shard I/4) against its quarter of the fleet's rate, not the fleet's", () => {
    const shard = { index: 1, count: 4, fingerprint: '0123456789abcdef' };
    const check = selfCheck(syntheticResult({ shard, achievedRate: 250 }));
    expect(check).toMatchObject({ ok: true, verdict: 'kept-schedule', achievedPercent: 100, messages: [] });
    expect(selfCheck(syntheticResult({ shard, achievedRate: 200 }))).toMatchObject({ verdict: 'slow-server', achievedPercent: 80 });
  });

  it('names the short server, not the lag, when the lag alone would be a note', () => {
    const check = selfCheck(syntheticResult({ achievedRate: 0, sendLag: lagAt(1_500_000) }));
    expect(check).toMatchObject({ ok: true, verdict: 'slow-server' });
    expect(check.messages[1]).toMatch(/^send lag p99 1\.50ms: 1% of requests went out over 1 ms late/);
    // Past the note's limit the lag is the machine's, whatever the server did.
    expect(selfCheck(syntheticResult({ achievedRate: 0, sendLag: lagAt(9_000_000) })).verdict).toBe('machine-stalled');
  });

  it('suggests a connection count from the latency the server showed (Little\'s law, doubled)', () => {
    // 1000 req/s x ~0.505 ms mean uncorrected latency x 2 is about 2; the synthetic run has 10: just "raise -c".
    expect(selfCheck(syntheticResult({ sendLag: LATE, queued: 2000 })).messages[1]).toContain('; raise -c, or accept');
    const slow = histogramOf([[50_000_000, 100]]);
    expect(selfCheck(syntheticResult({ sendLag: LATE, queued: 2000, uncorrected: slow })).messages[1]).toContain(
      '; raise -c (to about 100 at this latency), or accept',
    );
  });

  it('blames the machine when a pump waited for a CPU other work held: machine-stalled', () => {
    const check = selfCheck(syntheticResult({ sendLag: LATE, threads: [thread(1e9, 0.2e9), thread(1e9, 2.8e9)] }));
    expect(check).toMatchObject({ ok: false, verdict: 'machine-stalled', maxThreadRunDelayPercent: 28 });
    expect(check.messages[0]).toBe(
      'the schedule slipped (send lag p99 5.00ms): a pump thread waited 28% of the run for a CPU that other work held, though no pump used more than 10% of a core.',
    );
  });

  it('notes a busy machine under too few connections: a server there is slowed too', () => {
    const check = selfCheck(syntheticResult({ sendLag: LATE, queued: 2000, threads: [thread(1e9, 3e9)] }));
    expect(check.verdict).toBe('too-few-connections');
    expect(check.messages[2]).toBe(
      'The machine was busy too (a pump thread waited 30% of the run for a CPU that other work held): a server on this machine is slowed by that as well.',
    );
  });

  it('blames a pause when the schedule slipped with connections free, CPU to spare and no wait for it: machine-stalled', () => {
    const check = selfCheck(syntheticResult({ sendLag: LATE, notSent: 60 }));
    expect(check).toMatchObject({
      ok: false,
      verdict: 'machine-stalled',
      summary: "ratetest fell behind its schedule with connections free and CPU to spare: the machine stalled it (self-check: machine-stalled); the latencies above are not the server's alone",
    });
    expect(check.messages).toEqual([
      'the schedule slipped (send lag p99 5.00ms, 60 requests never sent): every pump used under 90% of a core (at most 12%) and none waited long for one (at most 0% of the run): the process was stopped or paused (a paused VM or container, SIGSTOP).',
      'Run again on a quieter machine, or give ratetest its own cores (taskset), away from the server.',
    ]);
  });

  it('names short waits for a busy core, not a pause, when a pump waited in all longer than the lag', () => {
    // 50 ms of waiting over a 10 s run is 0.5% of it, under the limit, and ten times the 5 ms lag.
    const check = selfCheck(syntheticResult({ sendLag: LATE, notSent: 60, threads: [thread(1.2e9, 5e7)] }));
    expect(check.verdict).toBe('machine-stalled');
    expect(check.messages[0]).toBe(
      'the schedule slipped (send lag p99 5.00ms, 60 requests never sent): every pump used under 90% of a core (at most 12%), but one waited 50.0 ms in all (0.5% of the run) for a CPU that other work held, longer than the lag: short waits for a busy core.',
    );
  });

  it('blames a -s script whose request() fell behind, before CPU, and says how to make it cheaper', () => {
    const script = { file: 's.lua', language: 'lua' as const, requestsPerCall: 1, starved: 120, responsesDropped: 0, responsesTruncated: 0, notes: [] };
    const check = selfCheck(syntheticResult({ sendLag: LATE, threads: [thread(10e9), thread(0)], script }));
    expect(check).toMatchObject({ ok: false, verdict: 'script-fell-behind' });
    expect(check.messages[0]).toContain('its requests ran out 120 times with a request due');
    expect(check.messages[1]).toContain('templates');
    // A script that kept up is not blamed.
    expect(selfCheck(syntheticResult({ sendLag: LATE, script: { ...script, starved: 0 } })).verdict).toBe('machine-stalled');
  });

  it('copes with an empty run', () => {
    const empty = histogramOf([]);
    const check = selfCheck(
      syntheticResult({ scheduled: 0, sent: 0, completed: 0, durationNs: 0, threads: [], sendLag: empty, corrected: empty, uncorrected: empty }),
    );
    expect(check).toEqual({
      ok: true,
      verdict: 'kept-schedule',
      summary: 'ratetest kept its schedule (self-check: kept-schedule)',
      messages: [],
      sendLagP99Ns: 0,
      notSentPercent: 0,
      queuedPercent: 0,
      maxThreadCpuPercent: 0,
      threadCpuPercent: [],
      maxThreadRunDelayPercent: 0,
      achievedPercent: 100,
    });
  });
});
