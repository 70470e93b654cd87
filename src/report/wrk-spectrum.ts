// wrk-spectrum.ts: the "Detailed Percentile spectrum" exactly as wrk2 prints it: HdrHistogram_c's
// hdr_percentiles_print(h, stdout, 5, scale, CLASSIC) as bundled in wrk2's src/hdr_histogram.c.
// Its columns differ from the Java/JS outputPercentileDistribution (which hdr-histogram-js prints):
//
//   wrk2 (C, CLASSIC)  "%12s %12s %12s %12s\n\n" then "%12.3f %12f %12d %12.2f\n", last line "... inf"
//   Java / JS          "%12s %14s %10s %14s\n\n" then "%12.3f %2.12f %10d %14.2f\n", last line 3 columns
//
// so scripts written against wrk2's spectrum read this one. Pure.
import type { Histogram } from 'hdr-histogram-js';
import { highestEquivalentValue, iterateRecorded, layoutOf, meanAndStdDeviation } from '../result/histogram.js';
import { hdrMax } from './wrk-stats.js';
import { printfFixed } from './wrk-format.js';

interface Step {
  /** Highest equivalent value of the bucket the step stopped in. */
  value: number;
  /** Percentile level iterated to, 0-100. */
  percentile: number;
  countToIndex: number;
}

/**
 * hdr_percentile_iter: steps of 100 / (ticks × 2^(k+1)) where k = floor(log2(100 / (100 − p))),
 * so each halving of the distance to 100% gets `ticksPerHalfDistance` more lines (50, 55 … 75,
 * 77.5 … 87.5 …). A step is emitted at the first bucket whose cumulative percentile reaches it;
 * the bucket holding the last value emits one step, then a final step at 100%.
 */
function* percentileSteps(histogram: Histogram, ticksPerHalfDistance: number): Generator<Step> {
  const total = histogram.totalCount;
  let iterateTo = 0;
  let countToIndex = 0;
  let value = 0;
  for (const bucket of iterateRecorded(histogram)) {
    countToIndex += bucket.count;
    value = highestEquivalentValue(histogram, bucket.value);
    const current = (100 * countToIndex) / total;
    while (iterateTo <= current) {
      yield { value, percentile: iterateTo, countToIndex };
      const halfDistance = 2 ** (Math.trunc(Math.log(100 / (100 - iterateTo)) / Math.log(2)) + 1);
      iterateTo += 100 / (ticksPerHalfDistance * halfDistance);
      // At the last recorded value the C iterator has nothing left and closes with the 100% line.
      if (countToIndex >= total) break;
    }
  }
  yield { value, percentile: 100, countToIndex };
}

const col = (text: string) => text.padStart(12);

/** The spectrum, values divided by `valueScale` (1e6 turns nanoseconds into milliseconds). */
export function percentileSpectrum(histogram: Histogram, ticksPerHalfDistance: number, valueScale: number): string {
  const lines = [[col('Value'), col('Percentile'), col('TotalCount'), col('1/(1-Percentile)')].join(' '), ''];
  for (const step of percentileSteps(histogram, ticksPerHalfDistance)) {
    const fraction = step.percentile / 100;
    lines.push(
      [
        col(printfFixed(step.value / valueScale, histogram.numberOfSignificantValueDigits)),
        col(printfFixed(fraction, 6)),
        col(String(step.countToIndex)),
        col(printfFixed(1 / (1 - fraction), 2)),
      ].join(' '),
    );
  }
  // wrk2 prints "-nan" for the mean and deviation of an empty histogram; 0 (what this gives) reads better.
  const { mean, stdDeviation: stdev } = meanAndStdDeviation(histogram);
  const { bucketCount, subBucketCount } = layoutOf(histogram);
  const f3 = (x: number) => col(printfFixed(x / valueScale, 3));
  lines.push(
    `#[Mean    = ${f3(mean)}, StdDeviation   = ${f3(stdev)}]`,
    `#[Max     = ${f3(hdrMax(histogram))}, Total count    = ${col(String(histogram.totalCount))}]`,
    `#[Buckets = ${col(String(bucketCount))}, SubBuckets     = ${col(String(subBucketCount))}]`,
  );
  return lines.join('\n') + '\n';
}
