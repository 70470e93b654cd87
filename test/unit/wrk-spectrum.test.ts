// The golden files are what wrk2's own hdr_percentiles_print(h, stdout, 5, 1e6, CLASSIC) printed
// for the same values (its src/hdr_histogram.c built once with a small driver), so a match means
// ratetest's spectrum is wrk2's, column for column.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyHistogram } from '../../src/result/histogram.js';
import { percentileSpectrum } from '../../src/report/wrk-spectrum.js';
import { histogramOf, spreadHistogram } from '../fixtures/result.js';

const golden = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe("wrk2's detailed percentile spectrum", () => {
  it('matches wrk2 for three latency levels (the report fixture)', () => {
    const h = histogramOf([[1_000_000, 9000], [2_000_000, 900], [10_000_000, 100]]);
    expect(percentileSpectrum(h, 5, 1e6)).toBe(golden('wrk2-spectrum-fixture.txt'));
  });

  it('matches wrk2 for a spread from 50 us to 20 s', () => {
    expect(percentileSpectrum(spreadHistogram(), 5, 1e6)).toBe(golden('wrk2-spectrum-spread.txt'));
  });

  it("uses wrk2's columns, not the Java/JS layout", () => {
    const lines = percentileSpectrum(histogramOf([[1_000_000, 1]]), 5, 1e6).split('\n');
    expect(lines[0]).toBe('       Value   Percentile   TotalCount 1/(1-Percentile)');
    expect(lines[1]).toBe('');
    expect(lines[2]).toBe('       1.000     0.000000            1         1.00');
    expect(lines[3]).toBe('       1.000     1.000000            1          inf');
  });

  it('prints an empty histogram as wrk2 does, with 0 where wrk2 prints -nan', () => {
    expect(percentileSpectrum(emptyHistogram(), 5, 1e6)).toBe(
      [
        '       Value   Percentile   TotalCount 1/(1-Percentile)',
        '',
        '       0.000     1.000000            0          inf',
        '#[Mean    =        0.000, StdDeviation   =        0.000]',
        '#[Max     =        0.000, Total count    =            0]',
        '#[Buckets =           32, SubBuckets     =         2048]',
        '',
      ].join('\n'),
    );
  });
});
