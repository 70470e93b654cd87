// spectrum-data.ts: the percentile spectrum as HdrHistogram's plotter draws it: x is 1/(1-p), on a
// log axis, so 0%, 90%, 99%, 99.9%, ... fall one decade apart (x = 1, 10, 100, 1000, ...) and the
// tail gets as much room as the body. Pure: histograms in, plain arrays out.
import type { Histogram } from 'hdr-histogram-js';

/** Points per decade of 1/(1-p): 20 keeps a knee in the curve visible without bloating the page. */
const POINTS_PER_DECADE = 20;
const NS_PER_MS = 1e6;

export interface SpectrumData {
  /** 1/(1-p), ascending, shared by both curves (uPlot plots series against one x array). */
  x: number[];
  /** percentileLabel of each x, for the chart's hover legend. */
  labels: string[];
  /** Axis ticks: the whole decades within x (1 -> "0%", 10 -> "90%", ...). */
  ticks: { x: number; label: string }[];
  /** Latency in ms at each x; null past the histogram's own last point (it had fewer requests). */
  corrected: (number | null)[];
  uncorrected: (number | null)[];
}

/**
 * x runs from 1 (p = 0) to the largest request count: with N requests the last meaningful
 * percentile is 1 - 1/N (one request above it), i.e. x = N; beyond that a curve would only
 * repeat its max.
 */
export function spectrumX(maxCount: number): number[] {
  if (maxCount < 1) return [];
  const x: number[] = [];
  const steps = Math.floor(Math.log10(maxCount) * POINTS_PER_DECADE + 1e-9);
  // Rounded to 12 digits so whole decades are exact (1, 10, 100): the 90%/99% ticks meet a point.
  for (let k = 0; k <= steps; k++) x.push(Number((10 ** (k / POINTS_PER_DECADE)).toPrecision(12)));
  if (x[x.length - 1]! < maxCount) x.push(maxCount);
  return x;
}

/** The latency (ms) at each x for one histogram; null where x is past its count. */
export function spectrumCurve(histogram: Histogram, x: number[]): (number | null)[] {
  const count = histogram.totalCount;
  return x.map((xi) => (count > 0 && xi <= count ? histogram.getValueAtPercentile(100 * (1 - 1 / xi)) / NS_PER_MS : null));
}

export function spectrumData(corrected: Histogram, uncorrected: Histogram): SpectrumData {
  const x = spectrumX(Math.max(corrected.totalCount, uncorrected.totalCount));
  const ticks = x.filter((xi) => Number.isInteger(Math.log10(xi))).map((xi) => ({ x: xi, label: percentileLabel(xi) }));
  return { x, labels: x.map(percentileLabel), ticks, corrected: spectrumCurve(corrected, x), uncorrected: spectrumCurve(uncorrected, x) };
}

/** The axis label of x = 1/(1-p): 1 -> "0%", 10 -> "90%", 1000 -> "99.9%", 31.6 -> "96.84%". */
export function percentileLabel(x: number): string {
  const decade = Math.round(Math.log10(x));
  if (Math.abs(x - 10 ** decade) < 1e-9 * x) {
    if (decade === 0) return '0%';
    if (decade === 1) return '90%';
    return decade === 2 ? '99%' : `99.${'9'.repeat(decade - 2)}%`;
  }
  const digits = Math.max(0, Math.ceil(Math.log10(x)));
  return `${Number((100 * (1 - 1 / x)).toFixed(digits))}%`;
}
