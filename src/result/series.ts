// series.ts: the run cut into intervals of --interval (1 s unless set; 10 ms at the finest). The
// pumps close each interval themselves and queue it with its histograms (native/interval_recorder.h),
// so an interval holds exactly the responses recorded in it, never the difference of two
// snapshots; this file merges the pumps' records of the same interval. The intervals add up to the
// run's totals: what an HdrHistogram interval log needs. Each interval keeps its p50/p99/max; its
// histograms only when asked for (see Interval), compressed as it closes.
import type { Histogram } from 'hdr-histogram-js';
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from './hdr-formats.js';
import { bucketsToHistogram, emptyHistogram, mergeBuckets } from './histogram.js';
import type { NativeInterval } from '../addon/native.js';

/** One interval as the JSON carries it: counts and the corrected latency's p50/p99/max (0 when no response was timed). */
export interface IntervalJson {
  /** From the schedule's start. */
  startNs: number;
  endNs: number;
  /** Requests the schedule had due in the interval: the target. */
  due: number;
  sent: number;
  completed: number;
  errors: number;
  /** Responses by status code. */
  status: Record<string, number>;
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
  /** The interval's histograms, when the run kept them (see Interval). */
  histograms?: IntervalHistograms;
}

/** An interval's corrected and uncorrected histograms in HdrHistogram's compressed base64 encoding. */
export interface IntervalHistograms {
  corrected: string;
  uncorrected: string;
}

/**
 * An interval: its counts and latency figures, and its histograms only when the run keeps them
 * (RunOptions.intervalHistograms: --json, --html, the heatmap). Kept, they cost a few hundred
 * bytes to a few KB an interval (compressed; a full 1 ns..1 h histogram is 270 KB); not kept, an
 * hour-long soak test's series stays under a megabyte.
 */
export type Interval = IntervalJson;

/** The p50/p99/max of an interval's corrected latency (0 when no response was timed in it). */
export function latencyFigures(corrected: Histogram): Pick<Interval, 'p50Ns' | 'p99Ns' | 'maxNs'> {
  if (corrected.totalCount === 0) return { p50Ns: 0, p99Ns: 0, maxNs: 0 };
  return { p50Ns: corrected.getValueAtPercentile(50), p99Ns: corrected.getValueAtPercentile(99), maxNs: corrected.getValueAtPercentile(100) };
}

/** An interval's histogram, decoded; throws when the run did not keep the interval histograms. */
export function intervalHistogram(interval: Interval, tag: keyof IntervalHistograms): Histogram {
  if (!interval.histograms) throw new Error('this result has no interval histograms: run with intervalHistograms: true');
  return decodeFromCompressedBase64(interval.histograms[tag], 64, false);
}

export interface IntervalHistogramPair {
  corrected: Histogram;
  uncorrected: Histogram;
}

/**
 * An interval's histograms as it closes, for a consumer that writes them out (an --hdr-log
 * stream). The histograms are reused for the next interval: valid only during the call.
 */
export type IntervalListener = (interval: Interval, histograms: IntervalHistogramPair) => void;

function recordPairs(histogram: Histogram, pairs: Float64Array): void {
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    if (pairs[i + 1]! > 0) histogram.recordValueWithCount(pairs[i]!, pairs[i + 1]!);
  }
}

/**
 * Merges the pumps' interval records into the run's intervals, in order. Each pump queues one
 * record per interval index (k = 0 at the end of the warm-up), except where its ring was full
 * and one record covers several (first..last): the run's interval then covers them too, so
 * every interval holds all of every pump's responses in it.
 */
export class SeriesRecorder {
  readonly intervals: Interval[] = [];
  private readonly queues: NativeInterval[][];
  private next = 0;
  // Made only when an interval's histograms are kept or listened to, then reused for every
  // interval: a histogram is 270 KB, and 100 intervals a second would churn it.
  private scratch: IntervalHistogramPair | undefined;

  /**
   * pumps: how many queue records. widthNs: --interval. fromNs: where measuring starts (the end
   * of a warm-up), the first interval's start. keepHistograms: store each interval's histograms
   * (compressed). onInterval: each interval's histograms as it closes, kept or not.
   */
  constructor(
    pumps: number,
    private readonly widthNs: number,
    private readonly fromNs = 0,
    private readonly keepHistograms = false,
    private readonly onInterval?: IntervalListener,
  ) {
    this.queues = Array.from({ length: pumps }, () => []);
  }

  /** Records the pumps queued; every interval all of them have closed is added. */
  add(records: NativeInterval[]): void {
    for (const record of records) this.queues[record.pump]!.push(record);
    this.emit(false);
  }

  /** The pumps' last records close the series: a pump with none left has nothing more to add. */
  finish(records: NativeInterval[]): Interval[] {
    for (const record of records) this.queues[record.pump]!.push(record);
    this.emit(true);
    return this.intervals;
  }

  private emit(finished: boolean): void {
    for (;;) {
      const active = this.queues.filter((q) => q.length > 0);
      if (active.length === 0 || (!finished && active.length < this.queues.length)) return;
      // The interval ends where every pump's record ends together: one pump's wide record widens it.
      let last = Math.max(...active.map((q) => q[0]!.last));
      for (let widened = true; widened; ) {
        widened = false;
        for (const q of active) {
          for (const r of q) {
            if (r.first > last) break;
            if (r.last > last) {
              last = r.last;
              widened = true;
            }
          }
        }
      }
      if (!finished && active.some((q) => (q.filter((r) => r.first <= last).at(-1)?.last ?? -1) < last)) return;
      const taken = active.flatMap((q) => q.splice(0, q.filter((r) => r.first <= last).length));
      this.close(this.next, taken);
      this.next = last + 1;
    }
  }

  private close(first: number, records: NativeInterval[]): void {
    const status: Record<string, number> = {};
    const interval: Interval = { startNs: this.fromNs + first * this.widthNs, endNs: 0, due: 0, sent: 0, completed: 0, errors: 0, status, p50Ns: 0, p99Ns: 0, maxNs: 0 };
    let endNs = 0;
    for (const r of records) {
      endNs = Math.max(endNs, r.endNs);
      interval.due += r.due;
      interval.sent += r.sent;
      interval.completed += r.completed;
      interval.errors += r.errors;
      for (let i = 0; i + 1 < r.status.length; i += 2) status[String(r.status[i])] = (status[String(r.status[i])] ?? 0) + r.status[i + 1]!;
    }
    interval.endNs = this.fromNs + endNs;
    // The figures from the merged pairs: no 270 KB histogram per interval unless one is wanted.
    Object.assign(interval, latencyFigures(bucketsToHistogram(mergeBuckets(records.map((r) => r.corrected)))));
    if (this.keepHistograms || this.onInterval) {
      const scratch = (this.scratch ??= { corrected: emptyHistogram(), uncorrected: emptyHistogram() });
      scratch.corrected.reset();
      scratch.uncorrected.reset();
      for (const r of records) {
        recordPairs(scratch.corrected, r.corrected);
        recordPairs(scratch.uncorrected, r.uncorrected);
      }
      if (this.keepHistograms) {
        interval.histograms = { corrected: encodeIntoCompressedBase64(scratch.corrected), uncorrected: encodeIntoCompressedBase64(scratch.uncorrected) };
      }
      this.onInterval?.(interval, scratch);
    }
    this.intervals.push(interval);
  }
}

/** An interval as the JSON carries it: its histograms too, when the run kept them. */
export function intervalJson(interval: Interval): IntervalJson {
  return { ...interval };
}
