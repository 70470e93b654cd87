import { describe, expect, it } from 'vitest';
import { checkAgainstTruth } from '../../src/analysis/truth-check.js';
import { formatTruthCheck } from '../../src/report/truth-check.js';
import { emptyHistogram } from '../../src/result/histogram.js';

/**
 * 1000 values: 900 of 1 ms, then 100 spread over 100..199 ms (a stall's worth of waits). p99 is
 * the 990th value, 189 ms, reported as the top of its bucket: 189.006 ms.
 */
function stalled(scale = 1, tailOffsetNs = 0) {
  const h = emptyHistogram();
  for (let i = 0; i < 900; i++) h.recordValue(1e6 * scale);
  for (let i = 0; i < 100; i++) h.recordValue((100 + i) * 1e6 * scale + tailOffsetNs);
  return h;
}

describe('formatTruthCheck', () => {
  it('prints the table, the coordinated-omission sentence at the percentile it hides most, and the agreement', () => {
    const uncorrected = emptyHistogram();
    for (let i = 0; i < 1000; i++) uncorrected.recordValue(i < 990 ? 0.5e6 : 150e6);
    const text = formatTruthCheck(checkAgainstTruth(stalled(), stalled(1, 0.2e6), uncorrected));
    expect(text).toBe(
      '\nTruth check (ms): the target\'s own log (1000 requests answered) against ratetest (1000 completed)\n' +
        '  percentile       target   ratetest  difference  uncorrected\n' +
        '  p50               1.000      1.000      +0.000        0.500\n' +
        '  p90               1.000      1.000      +0.000        0.500\n' +
        '  p99             189.006    189.268      +0.262        0.500\n' +
        '  p99.9           198.050    198.312      +0.262      150.077\n' +
        '  Uncorrected: a closed-loop tool, timing from each actual write, would report p99 0.500 ms against the true 189.006 ms: coordinated omission hides the requests that waited behind each stall, because such a tool stops sending while the server stalls.\n' +
        '  Agrees: every percentile is within 2% + 1 ms of the target\'s truth.\n',
    );
  });

  it('names each percentile that disagrees, with the allowance', () => {
    const text = formatTruthCheck(checkAgainstTruth(stalled(), stalled(1, 20e6), stalled()));
    expect(text).toContain('  Uncorrected: timed from each actual write, as a closed-loop tool times it, the figures are the same here: nothing was waiting.\n');
    expect(text).toContain('  DISAGREES at p99: ratetest 209.060 ms, target 189.006 ms, 20.054 ms apart (allowed 4.780: 2% + 1 ms).\n');
    expect(text).not.toContain('Agrees');
  });
});
