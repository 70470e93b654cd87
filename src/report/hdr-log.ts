// hdr-log.ts: the run as an HdrHistogram interval log (.hlog): the standard header lines, then one
// line per interval and tag ("corrected", "uncorrected") with the histogram in HdrHistogram's
// compressed base64 encoding, written by hdr-histogram-js's own HistogramLogWriter. Readable by
// HdrHistogram's HistogramLogProcessor and by `ratetest merge`.
import { HistogramLogWriter } from 'hdr-histogram-js';
import type { Result } from '../result.js';
import { intervalHistogram } from '../series.js';
import { maskUrl } from '../url-display.js';

/** Values are recorded in nanoseconds; the log's Interval_Max column is in milliseconds. */
const NS_PER_MS = 1e6;
export const LOG_TAGS = ['corrected', 'uncorrected'] as const;

export function formatHdrLog(result: Result): string {
  let text = '';
  const writer = new HistogramLogWriter((chunk: string) => void (text += chunk));
  const startMs = Date.parse(result.startedAt);
  writer.outputComment(`ratetest ${result.config.method} ${maskUrl(result.config.url)} at ${result.config.rate} req/s; values in nanoseconds`);
  writer.outputLogFormatVersion();
  writer.outputStartTime(startMs);
  writer.outputLegend();
  for (const interval of result.intervals ?? []) {
    for (const tag of LOG_TAGS) {
      const histogram = intervalHistogram(interval, tag);
      histogram.tag = tag;
      writer.outputIntervalHistogram(histogram, interval.startNs / 1e9, interval.endNs / 1e9, NS_PER_MS);
    }
  }
  return text;
}
