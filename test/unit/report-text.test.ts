// The text report: golden files for two fixed runs, and the regexes scripts use on wrk2's output.
// The wrk2 pieces are checked against wrk2's own C code in wrk-format, wrk-stats and wrk-spectrum
// tests; here, that they are put together in wrk2's order and forms.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatText } from '../../src/report/text.js';
import type { Result } from '../../src/result/result.js';
import { histogramOf, syntheticResult } from '../fixtures/result.js';

const PLAIN = { latency: false, uLatency: false };
const BOTH = { latency: true, uLatency: true };

/** Compare with test/fixtures/<name>; UPDATE_GOLDEN=1 rewrites it (then read the diff). */
function expectGolden(text: string, name: string) {
  const url = new URL(`../fixtures/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN) writeFileSync(url, text);
  expect(text).toBe(readFileSync(url, 'utf8'));
}

/** A troubled run: errors of every kind, non-2xx answers, unsent and unanswered requests, too few connections. */
function troubledResult(): Result {
  return syntheticResult({
    errors: { connect: 1, read: 2, write: 3, timeout: 4, parse: 3 },
    errorCodes: { read: 'ECONNRESET', connect: 'ECONNREFUSED' },
    status: { 503: 5, 200: 9986 },
    non2xx3xx: 5,
    completed: 9991,
    achievedRate: 999.1,
    notSent: 12,
    inFlight: 2,
    queued: 4000,
    sent: 9988,
    sendLag: histogramOf([[20_000, 9000], [3_000_000, 988]]),
  });
}

describe('text report', () => {
  it('matches the golden report of a healthy run', () => {
    expectGolden(formatText(syntheticResult(), PLAIN), 'report-text-plain.txt');
  });

  it('matches the golden report of a troubled run with -L and -U', () => {
    expectGolden(formatText(troubledResult(), BOTH), 'report-text-troubled.txt');
  });

  describe("wrk2's lines, as wrk2 parsers read them", () => {
    const text = formatText(syntheticResult(), PLAIN);
    const lines = text.split('\n');

    it('opens with the Thread Stats header and the Latency and Req/Sec rows', () => {
      expect(lines[0]).toBe('  Thread Stats   Avg      Stdev     Max   +/- Stdev');
      expect(lines[1]).toBe('    Latency     1.18ms    0.93ms   9.99ms   99.00%');
      expect(lines[2]).toBe('    Req/Sec   500.00      0.00   500.00    100.00%');
      const row = /^\s+Latency\s+([\d.]+)(us|ms|s|m)\s+([\d.]+)(us|ms|s|m)\s+([\d.]+)(us|ms|s|m)\s+([\d.]+)%$/m.exec(text);
      expect(row?.slice(1)).toEqual(['1.18', 'ms', '0.93', 'ms', '9.99', 'ms', '99.00']);
      // Split on whitespace, as the npm "wrk" parser does: [ '', 'Latency', avg, stdev, max, '99.00%' ].
      expect(lines[1]!.split(/[\t ]+/).slice(2)).toEqual(['1.18ms', '0.93ms', '9.99ms', '99.00%']);
      expect(lines[2]!.split(/[\t ]+/).slice(2)).toEqual(['500.00', '0.00', '500.00', '100.00%']);
    });

    it('prints the eight HdrHistogram percentiles', () => {
      expect(lines[3]).toBe('  Latency Distribution (HdrHistogram - Recorded Latency)');
      const found = [...text.matchAll(/^\s*([\d.]+)%\s+([\d.]+)(us|ms|s|m)$/gm)].map((m) => `${m[1]} ${m[2]}${m[3]}`);
      expect(found).toEqual(['50.000 1.00ms', '75.000 1.00ms', '90.000 1.00ms', '99.000 2.00ms', '99.900 10.00ms', '99.990 10.00ms', '99.999 10.00ms', '100.000 10.00ms']);
      expect(/^\s+99\.000%\s+([0-9.]+(?:us|ms|s))$/m.exec(text)?.[1]).toBe('2.00ms');
    });

    it('summarises with the requests, Requests/sec and Transfer/sec lines', () => {
      expect(/(\d+) requests in ([\d.]+)(\w+), ([\d.]+)(\w+) read/.exec(text)?.slice(1)).toEqual(['10000', '10.00', 's', '1.95', 'MB']);
      expect(text).toContain('\n  10000 requests in 10.00s, 1.95MB read\nRequests/sec:   1000.00\nTransfer/sec:    200.00KB\n');
      expect(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]).toBe('1000.00');
      expect(/Transfer\/sec:\s+([\d.]+)(\w+)/.exec(text)?.slice(1)).toEqual(['200.00', 'KB']);
    });

    it('leaves out the Socket errors and Non-2xx lines when there were none, as wrk2 does', () => {
      expect(text).not.toContain('Socket errors');
      expect(text).not.toContain('Non-2xx');
      expect(text).not.toContain('Parse errors');
    });

    it('prints no spectrum without -L or -U', () => {
      expect(text).not.toContain('Detailed Percentile spectrum');
      expect(text).not.toContain('Uncorrected Latency (measured');
    });
  });

  describe('errors, in wrk2 form', () => {
    const text = formatText(troubledResult(), PLAIN);

    it('prints the Socket errors line exactly, then parse errors on a line of their own, then Non-2xx', () => {
      expect(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text)?.slice(1)).toEqual(['1', '2', '3', '4']);
      expect(text).toContain(
        '\n  9991 requests in 10.00s, 1.95MB read\n  Socket errors: connect 1, read 2, write 3, timeout 4\n  Parse errors: 3\n  Non-2xx or 3xx responses: 5\nRequests/sec:    999.10\n',
      );
      expect(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1]).toBe('5');
    });

    it("prints parse errors alone on ratetest's line, with no Socket errors line (wrk2 has no parse errors)", () => {
      const t = formatText(syntheticResult({ errors: { connect: 0, read: 0, write: 0, timeout: 0, parse: 7 } }), PLAIN);
      expect(t).not.toContain('Socket errors');
      expect(t).toContain('\n  10000 requests in 10.00s, 1.95MB read\n  Parse errors: 7\nRequests/sec:');
    });
  });

  describe('-L and -U', () => {
    const spectrumLine = /^\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+([\d.]+|inf)$/gm;

    it('-L adds the spectrum of the corrected latencies after a blank line, closed by the rule', () => {
      const text = formatText(syntheticResult(), { latency: true, uLatency: false });
      expect(text).toContain('100.000%   10.00ms\n\n  Detailed Percentile spectrum:\n       Value   Percentile   TotalCount 1/(1-Percentile)\n\n       1.000     0.000000         9000         1.00\n');
      expect(text).toContain('#[Buckets =           32, SubBuckets     =         2048]\n----------------------------------------------------------\n  10000 requests in');
      expect(text.split('Detailed Percentile spectrum:')).toHaveLength(2);
      const rows = [...text.matchAll(spectrumLine)];
      expect(rows.at(-1)?.slice(1)).toEqual(['10.002', '1.000000', '10000', 'inf']);
      expect(/#\[Mean\s+=\s+([\d.]+), StdDeviation\s+=\s+([\d.]+)\]/.exec(text)?.slice(1)).toEqual(['1.180', '0.931']);
      expect(/#\[Max\s+=\s+([\d.]+), Total count\s+=\s+(\d+)\]/.exec(text)?.slice(1)).toEqual(['9.994', '10000']);
      expect(text).not.toContain('Uncorrected Latency (measured');
    });

    it('-U adds the uncorrected distribution and spectrum after a blank line (and the corrected spectrum)', () => {
      const text = formatText(syntheticResult(), { latency: false, uLatency: true });
      expect(text).toContain(
        '----------------------------------------------------------\n\n  Latency Distribution (HdrHistogram - Uncorrected Latency (measured without taking delayed starts into account))\n 50.000%  500.22us\n',
      );
      expect(text.split('Detailed Percentile spectrum:')).toHaveLength(3);
      expect([...text.matchAll(/Total count\s+=\s+(\d+)\]/g)].map((m) => m[1])).toEqual(['10000', '10000']);
    });
  });

  describe("ratetest's own lines, after wrk2's", () => {
    const text = formatText(syntheticResult(), PLAIN);
    const ours = text.slice(text.indexOf('Transfer/sec:'));

    it('come after Transfer/sec, below a rule', () => {
      expect(ours.split('\n').slice(1, 3)).toEqual(['----------------------------------------------------------', '  Rate: requested 1000.00/s, achieved 1000.00/s (100.00%)']);
    });

    it("give a shard's rate as its share of the fleet's", () => {
      const shard = formatText(syntheticResult({ shard: { index: 1, count: 4, fingerprint: '0123456789abcdef' }, achievedRate: 250 }), PLAIN);
      expect(shard).toContain("\n  Rate: requested 250.00/s (1/4 of the fleet's 1000.00/s), achieved 250.00/s (100.00%)\n");
    });

    it('give status codes in numeric order, uncorrected latency and send lag', () => {
      expect(formatText(troubledResult(), PLAIN)).toContain('\n  Status codes: 200: 9986, 503: 5\n');
      expect(ours).toContain('\n  Uncorrected latency: p50 500.22us, p99 500.22us, p99.9 1.00ms, max 1.00ms\n');
      expect(ours).toContain('\n  Send lag: p50 20.01us, p99 20.01us, p99.9 20.01us, max 5.00ms\n');
      expect(formatText(syntheticResult({ status: {} }), PLAIN)).toContain('\n  Status codes: none\n');
    });

    it('say nothing of unsent, in-flight, errors or interruption when there were none', () => {
      expect(ours).not.toMatch(/Not sent|In flight|First \w+ error|interrupted|WARNING|Note:/);
    });

    it('name unsent and unanswered requests and the first OS error of each kind, connect first', () => {
      const t = formatText(troubledResult(), PLAIN);
      expect(t).toContain(
        '\n  Not sent: 12 of 10000 scheduled requests were never written\n  In flight at end: 2 requests still unanswered\n  First connect error: ECONNREFUSED (nothing is listening at that address and port)\n  First read error: ECONNRESET',
      );
    });

    it('say when the run was interrupted', () => {
      expect(formatText(syntheticResult({ interrupted: true, durationNs: 3.21e9 }), PLAIN)).toContain('\n  Run interrupted after 3.21s\n');
    });

    it('end with a loud WARNING block when the schedule was not kept', () => {
      const t = formatText(troubledResult(), PLAIN);
      expect(t.endsWith(
        '\n\nWARNING: requests waited for a free connection, the server slow to free one (self-check: too-few-connections); the latencies above include that wait.\n' +
          'WARNING: the schedule slipped (send lag p99 3.00ms, 12 requests never sent): 40% of requests found all 10 connections busy.\n' +
          'WARNING: The server answered too slowly for 10 connections to carry 1000 req/s; raise -c, or accept that the server is the bottleneck (the corrected latencies include this wait).\n',
      )).toBe(true);
    });

    it('add a note when a pump thread was near its limit but kept the schedule', () => {
      const t = formatText(syntheticResult({ threads: [{ completed: 10_000, cpuNs: 9.5e9, perSecond: Array(10).fill(1000) as number[] }] }), PLAIN);
      expect(t).toContain('\n  Note (self-check: kept-schedule): a pump thread used 95% of a core: close to its limit; add threads (-t) before raising the rate.\n');
      expect(t).not.toContain('WARNING');
    });
  });

  describe('edges', () => {
    it('reports a run with no responses without NaN', () => {
      const empty = histogramOf([]);
      const t = formatText(
        syntheticResult({ completed: 0, bytesRead: 0, status: {}, achievedRate: 0, corrected: empty, uncorrected: empty, sendLag: empty, threads: [{ completed: 0, cpuNs: 0, perSecond: [0, 0] }] }),
        BOTH,
      );
      expect(t).not.toMatch(/nan|NaN|Infinity|undefined/);
      expect(t).toContain('    Latency     0.00us    0.00us   0.00us    0.00%\n');
      expect(t).toContain('\n  0 requests in 10.00s, 0.00B read\n');
      expect(t).toContain('\n  Uncorrected latency: none recorded\n  Send lag: none recorded\n');
    });

    it('uses per-thread average rates as Req/Sec samples for a run under a second', () => {
      const t = formatText(
        syntheticResult({ durationNs: 0.5e9, threads: [{ completed: 300, cpuNs: 0, perSecond: [300] }, { completed: 200, cpuNs: 0, perSecond: [200] }] }),
        PLAIN,
      );
      expect(t.split('\n')[2]).toBe('    Req/Sec   500.00    141.42   600.00    100.00%');
    });

    it('takes Req/Sec samples from whole seconds only', () => {
      const threads = [{ completed: 1010, cpuNs: 0, perSecond: [500, 500, 10] }];
      expect(formatText(syntheticResult({ durationNs: 2.02e9, threads }), PLAIN).split('\n')[2]).toBe('    Req/Sec   500.00      0.00   500.00    100.00%');
    });
  });
});

describe('text report: https', () => {
  const tls = { handshakes: 12, resumed: 10, errors: { handshake: 0, verify: 0 }, handshake: histogramOf([[1_000_000, 11], [3_000_000, 1]]) };

  it('prints one handshake line after the send lag, and no TLS lines for http', () => {
    const t = formatText(syntheticResult({ tls }), PLAIN);
    expect(t).toMatch(/\n {2}Send lag: [^\n]+\n {2}TLS handshakes: 12 \(10 resumed\), p50 1\.00ms, p99 3\.00ms, p99\.9 3\.00ms, max 3\.00ms\n/);
    expect(t).not.toContain('TLS errors');
    expect(formatText(syntheticResult(), PLAIN)).not.toContain('TLS');
  });

  it('prints the failures by kind and the first one in OpenSSL\'s words', () => {
    const failing = { ...tls, handshakes: 0, resumed: 0, handshake: histogramOf([]), errors: { handshake: 1, verify: 7 }, firstError: 'certificate verify failed: certificate has expired' };
    const t = formatText(syntheticResult({ tls: failing }), PLAIN);
    expect(t).toContain('\n  TLS handshakes: 0 (0 resumed), none recorded\n  TLS errors: handshake 1, verify 7\n  First TLS error: certificate verify failed: certificate has expired\n');
  });
});
