import { describe, expect, it } from 'vitest';
import { validate } from '../../src/config/options.js';
import { formatProgress } from '../../src/live/progress-line.js';

const progress = { elapsedNs: 12.2e9, sent: 240_000, completed: 239_900, rate: 19_990.4, errors: 3, connectionsOpen: 100, targetRate: 20_000, p50Ns: 104_000, p99Ns: 1_210_000 };

describe('formatProgress', () => {
  it('elapsed of total, achieved of target, the last second p50/p99, errors, connections', () => {
    const config = validate({ url: 'http://127.0.0.1:8080/', rate: 20_000, durationMs: 60_000 });
    expect(formatProgress(progress, config)).toBe('[  12s / 60s]  19,990/s of 20,000/s  p50 104.00us  p99 1.21ms  errors 3  conns 100');
  });

  it('-n: requests sent of the count; -R max: target max; a second with no response: dashes', () => {
    const counted = validate({ url: 'http://127.0.0.1:8080/', rate: 'max', requestCount: 1_000_000 });
    const { p50Ns: _p50, p99Ns: _p99, ...noLatency } = progress;
    expect(formatProgress(noLatency, counted)).toBe('[  12s / 240,000 of 1,000,000 sent]  19,990/s of max  p50 -  p99 -  errors 3  conns 100');
  });
});
