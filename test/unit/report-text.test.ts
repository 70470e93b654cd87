import { describe, expect, it } from 'vitest';
import { formatText } from '../../src/report/text.js';
import { syntheticResult } from '../fixtures/result.js';

const plain = { latency: false, uLatency: false };

describe('text report in wrk2 form', () => {
  const text = formatText(syntheticResult(), plain);

  it('starts with the Thread Stats block exactly as wrk2 prints it', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('  Thread Stats   Avg      Stdev     Max   +/- Stdev');
    expect(lines[1]).toMatch(/^    Latency {5}1\.\d\dms +\d+\.\d\d(us|ms) +10\.\d\dms +\d+\.\d\d%$/);
    expect(lines[2]).toBe('    Req/Sec   500.00      0.00   500.00    100.00%');
  });

  it('prints the wrk2 latency distribution lines', () => {
    expect(text).toContain('  Latency Distribution (HdrHistogram - Recorded Latency)\n 50.000%    1.00ms\n');
    expect(text).toMatch(/ 99\.000% +2\.00ms\n/);
    expect(text).toMatch(/100\.000% +10\.0\dms\n/);
  });

  it('matches the regexes wrk2 parsers use', () => {
    const summary = /(\d+) requests in ([\d.]+)(\w+), ([\d.]+)(\w+) read/.exec(text);
    expect(summary?.slice(1)).toEqual(['10000', '10.00', 's', '1.95', 'MB']);
    expect(text).toMatch(/^Requests\/sec: +1000\.00$/m);
    expect(text).toMatch(/^Transfer\/sec: +200\.00KB$/m);
  });

  it('leaves out the socket-error and non-2xx lines when there were none, as wrk2 does', () => {
    expect(text).not.toContain('Socket errors');
    expect(text).not.toContain('Non-2xx');
  });

  it('prints socket errors, parse errors and non-2xx counts in wrk2 form when present', () => {
    const t = formatText(
      syntheticResult({ errors: { connect: 1, read: 2, write: 3, timeout: 4, parse: 5 }, non2xx3xx: 7, status: { 200: 9993, 503: 7 } }),
      plain,
    );
    expect(t).toContain('  Socket errors: connect 1, read 2, write 3, timeout 4\n  Parse errors: 5\n  Non-2xx or 3xx responses: 7\n');
    expect(t).toContain('  Status codes: 200: 9993, 503: 7\n');
  });

  it('adds requested vs achieved rate and send lag below the rule', () => {
    expect(text).toContain('  Rate: requested 1000.00/s, achieved 1000.00/s (100.00%)\n');
    expect(text).toMatch(/  Send lag: p50 20\.\d\dus, p99 20\.\d\dus, p99\.9 20\.\d\dus, max 5\.\d\dms\n/);
  });

  it('prints the standard HdrHistogram spectrum with -L and the uncorrected block with -U', () => {
    const detailed = formatText(syntheticResult(), { latency: true, uLatency: true });
    expect(detailed).toContain('  Detailed Percentile spectrum:\n       Value     Percentile TotalCount 1/(1-Percentile)\n');
    expect(detailed).toMatch(/#\[Mean {4}= +\d+\.\d{3}, StdDeviation {3}= +\d+\.\d{3}\]/);
    expect(detailed).toContain('  Latency Distribution (HdrHistogram - Uncorrected Latency (measured without taking delayed starts into account))');
    expect(plain.latency).toBe(false);
    expect(text).not.toContain('Detailed Percentile spectrum');
  });

  it('says when the run was interrupted', () => {
    expect(formatText(syntheticResult({ interrupted: true, durationNs: 3.21e9 }), plain)).toContain('  Run interrupted after 3.21s\n');
  });
});
