// hdr-log.ts: the run as an HdrHistogram interval log (.hlog): the standard header lines, then one
// line per interval and tag ("corrected", "uncorrected") with the histogram in HdrHistogram's
// compressed base64 encoding, written by hdr-histogram-js's own HistogramLogWriter. Readable by
// HdrHistogram's HistogramLogProcessor and by `ratetest merge` (readHdrLog, shardOfLog). The CLI streams it to its file as
// each interval closes (HdrLogWriter); formatHdrLog writes a finished run's kept intervals.
import type { Histogram, HistogramLogWriter } from 'hdr-histogram-js';
import { histogramLogReader, histogramLogWriter } from '../result/hdr-formats.js';
import type { Result, ShardInfo } from '../result/result.js';
import { intervalHistogram, type Interval, type IntervalHistogramPair } from '../result/series.js';
import { maskUrl } from '../common/url-display.js';

/** Values are recorded in nanoseconds; the log's Interval_Max column is in milliseconds. */
const NS_PER_MS = 1e6;
export const LOG_TAGS = ['corrected', 'uncorrected'] as const;

/** Writes an interval log as its intervals come: the header first, then each interval's lines. */
export class HdrLogWriter {
  private readonly writer: HistogramLogWriter;

  constructor(write: (text: string) => void, config: Pick<Result['config'], 'method' | 'url' | 'rate'>, startedAt: Date, shard?: Omit<ShardInfo, 'lateNs'>) {
    this.writer = histogramLogWriter(write);
    this.writer.outputComment(`ratetest ${config.method} ${maskUrl(config.url)} at ${config.rate} req/s; values in nanoseconds`);
    // A fleet's merge reads this line to check that its logs belong together.
    if (shard) this.writer.outputComment(`[Shard: ${shard.index}/${shard.count} fingerprint=${shard.fingerprint}${shard.startAt !== undefined ? ` startAt=${shard.startAt}` : ''}]`);
    this.writer.outputLogFormatVersion();
    this.writer.outputStartTime(startedAt.getTime());
    this.writer.outputLegend();
  }

  /** One interval (times from the run's start) and its histograms, a line per tag. */
  interval(interval: Pick<Interval, 'startNs' | 'endNs'>, histograms: IntervalHistogramPair): void {
    for (const tag of LOG_TAGS) {
      const histogram = histograms[tag];
      histogram.tag = tag;
      this.writer.outputIntervalHistogram(histogram, interval.startNs / 1e9, interval.endNs / 1e9, NS_PER_MS);
    }
  }
}

/** The log of a finished run that kept its interval histograms (RunOptions.intervalHistograms). */
export function formatHdrLog(result: Result): string {
  let text = '';
  const log = new HdrLogWriter((chunk) => void (text += chunk), result.config, new Date(result.startedAt), result.shard);
  for (const interval of result.intervals ?? []) {
    log.interval(interval, { corrected: intervalHistogram(interval, 'corrected'), uncorrected: intervalHistogram(interval, 'uncorrected') });
  }
  return text;
}

/** The comment line a shard's log carries: `#[Shard: I/N fingerprint=<16 hex> startAt=<ISO 8601>]`. */
const SHARD_COMMENT = /^#\[Shard: (\d+)\/(\d+) fingerprint=([0-9a-f]{16})(?: startAt=(\S+?))?\]\s*$/m;

/** The shard a log's header names, when it names one. */
export function shardOfLog(text: string): ShardInfo | undefined {
  const match = SHARD_COMMENT.exec(text.slice(0, 4096));
  if (!match) return undefined;
  return { index: Number(match[1]), count: Number(match[2]), fingerprint: match[3]!, ...(match[4] !== undefined ? { startAt: match[4] } : {}) };
}

/** Each interval histogram of a log, in order, with its tag; returns how many there were. */
export function readHdrLog(text: string, onHistogram: (tag: string | undefined, histogram: Histogram) => void): number {
  const reader = histogramLogReader(text);
  let intervals = 0;
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    intervals += 1;
    onHistogram(h.tag, h);
  }
  return intervals;
}
