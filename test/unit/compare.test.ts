// compare: each figure before and after, the change, and which side is better (lower latency and
// errors, higher achieved rate); settings that differ are named.
import { describe, expect, it } from 'vitest';
import { compareResults, formatComparison } from '../../src/cli/compare.js';
import { toJson } from '../../src/report/json.js';
import { histogramOf, syntheticResult } from '../fixtures/result.js';

const fast = toJson(syntheticResult({ corrected: histogramOf([[1_000_000, 100]]) }));
const slow = toJson(syntheticResult({ corrected: histogramOf([[2_000_000, 100]]), errors: { connect: 0, read: 2, write: 0, timeout: 1, parse: 0 } }));

describe('compareResults', () => {
  it('names the better side of each figure', () => {
    const c = compareResults(fast, slow, ['a.json', 'b.json']);
    const p50 = c.rows.find((r) => r.metric === 'p50')!;
    expect(p50.verdict).toBe('before');
    expect(p50.changePercent).toBeCloseTo(100, 0);
    // Errors as a share of requests sent, as --threshold reads them.
    expect(c.rows.find((r) => r.metric === 'errors')).toMatchObject({ unit: 'percent', before: 0, after: (3 / slow.sent) * 100, verdict: 'before' });
    expect(c.rows.find((r) => r.metric === 'requested rate')!.verdict).toBe('n/a');
    expect(c.rows.find((r) => r.metric === 'completed')!.verdict).toBe('same');
    expect(compareResults(slow, fast).rows.find((r) => r.metric === 'p99')!.verdict).toBe('after');
    expect(c.differences).toEqual([]);
  });

  it('a run that timed no response has no latency figures: "-" and no winner, not 0 as the best', () => {
    const dead = toJson(syntheticResult({ corrected: histogramOf([]), completed: 0 }));
    const c = compareResults(fast, dead);
    for (const metric of ['p50', 'p99', 'max']) expect(c.rows.find((r) => r.metric === metric)).toMatchObject({ after: null, verdict: 'n/a' });
    expect(formatComparison(c).split('\n').find((l) => l.includes('p99 '))).toMatch(/p99\s+1\.00ms\s+-\s+-$/);
  });

  it('compares errors as shares, so runs of different sizes compare; a different duration reads as one', () => {
    const small = toJson(syntheticResult({ sent: 1000, non2xx3xx: 100 }));
    const large = toJson(syntheticResult({ sent: 3000, non2xx3xx: 300 }));
    expect(compareResults(small, large).rows.find((r) => r.metric === 'non-2xx/3xx')!.verdict).toBe('same');
    const longer = { ...large, config: { ...large.config, durationNs: 60e9 } };
    expect(compareResults(small, longer).differences).toEqual(['duration: 10s -> 1m']);
  });

  it('lists settings that differ, and per-name p99 for names both runs have', () => {
    const other = { ...slow, config: { ...slow.config, rate: 2000, connections: 20 } };
    expect(compareResults(fast, other).differences).toEqual(['rate: 1000 -> 2000', 'connections: 10 -> 20']);
    const named = (ns: number) => ({ name: 'search', weight: 1, sent: 1, completed: 1, errors: 0, non2xx3xx: 0, status: {}, latency: { corrected: { ...fast.latency.corrected, percentilesNs: { ...fast.latency.corrected.percentilesNs, '99': ns } } } });
    const rows = compareResults({ ...fast, requests: [named(5e6)] }, { ...slow, requests: [named(4e6)] }).rows;
    expect(rows.find((r) => r.metric === 'search p99')).toMatchObject({ before: 5e6, after: 4e6, verdict: 'after' });
  });

  it('prints an aligned table with the change and the winner', () => {
    const text = formatComparison(compareResults(fast, slow, ['/x/a.json', '/y/b.json']));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+a\.json\s+b\.json\s+change\s+better$/);
    expect(lines.find((l) => l.includes('p50'))).toMatch(/p50\s+1\.00ms\s+2\.00ms\s+\+1\.00ms \(\+100\.\d%\)\s+a\.json$/);
    expect(lines.find((l) => l.includes('completed'))).toMatch(/=$/);
  });
});
