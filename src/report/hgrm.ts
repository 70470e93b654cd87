// hgrm.ts: the percentile distribution in HdrHistogram's standard text format (.hgrm), the file
// HdrHistogram's online plotter loads. Values are milliseconds, the plotter's convention.
import type { Result } from '../result/result.js';

/** 5 ticks per half distance, as HdrHistogram's Java and C tools write by default. */
const TICKS_PER_HALF_DISTANCE = 5;
const NS_PER_MS = 1e6;

/** The corrected latency distribution (latency from the intended send time), in ms. */
export function formatHgrm(result: Result): string {
  return result.corrected.outputPercentileDistribution(TICKS_PER_HALF_DISTANCE, NS_PER_MS);
}
