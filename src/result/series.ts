// series.ts: the run cut into intervals of about a second, from the engine's cumulative snapshots
// (never from the hot path). Each interval's histograms are the difference of two cumulative
// ones, and the last interval runs to the final result, so the intervals add up exactly to the
// run's totals: what an HdrHistogram interval log needs. Each interval keeps its p50/p99/max; the
// histograms themselves only when asked for (see Interval).
import type { Histogram } from 'hdr-histogram-js';
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from './hdr-formats.js';
import { bucketsToHistogram, subtractBuckets } from './histogram.js';
import type { NativeErrors, NativeSnapshot } from '../addon/native.js';

/** What the series needs of a snapshot or of the final result. */
export type Cumulative = Pick<NativeSnapshot, 'elapsedNs' | 'sent' | 'completed' | 'errors' | 'status' | 'corrected' | 'uncorrected'> & { due?: number };

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
}

/** An interval's corrected and uncorrected histograms in HdrHistogram's compressed base64 encoding. */
export interface IntervalHistograms {
  corrected: string;
  uncorrected: string;
}

/**
 * An interval: its counts and latency figures, and its histograms only when the run keeps them
 * (RunOptions.intervalHistograms, for --hdr-log). Kept, they cost a few KB a second (compressed;
 * a full 1 ns..1 h histogram is 270 KB); not kept, an hour-long soak test's series stays under
 * a megabyte.
 */
export interface Interval extends IntervalJson {
  histograms?: IntervalHistograms;
}

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

function errorTotal(errors: NativeErrors): number {
  return errors.connect + errors.read + errors.write + errors.timeout + errors.parse;
}

function statusRecord(pairs: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) out[String(pairs[i])] = pairs[i + 1]!;
  return out;
}

export interface IntervalHistogramPair {
  corrected: Histogram;
  uncorrected: Histogram;
}

/** An interval's histograms as it closes, for a consumer that writes them out (an --hdr-log stream). */
export type IntervalListener = (interval: Interval, histograms: IntervalHistogramPair) => void;

export class SeriesRecorder {
  readonly intervals: Interval[] = [];
  private last: Cumulative | undefined;

  /**
   * keepHistograms: store each interval's histograms (compressed) as well as its figures.
   * fromNs: where measuring starts (the end of a warm-up): the first interval begins there, and
   * snapshots before it (whose counters are all still zero) make no interval.
   * onInterval: each interval's histograms as it closes, kept or not.
   */
  constructor(
    private readonly keepHistograms = false,
    private readonly fromNs = 0,
    private readonly onInterval?: IntervalListener,
  ) {}

  /** Adds the interval since the previous call (the first from the start). Empty intervals are kept: a stall is data. */
  add(now: Cumulative): void {
    const before = this.last;
    if (now.elapsedNs <= (before?.elapsedNs ?? this.fromNs)) return;
    const corrected = bucketsToHistogram(subtractBuckets(now.corrected, before?.corrected));
    const interval: Interval = {
      startNs: before?.elapsedNs ?? this.fromNs,
      endNs: now.elapsedNs,
      due: (now.due ?? now.sent) - (before ? before.due ?? before.sent : 0),
      sent: now.sent - (before?.sent ?? 0),
      completed: now.completed - (before?.completed ?? 0),
      errors: errorTotal(now.errors) - (before ? errorTotal(before.errors) : 0),
      status: statusRecord(subtractBuckets(now.status, before?.status)),
      ...latencyFigures(corrected),
    };
    if (this.keepHistograms || this.onInterval) {
      const uncorrected = bucketsToHistogram(subtractBuckets(now.uncorrected, before?.uncorrected));
      if (this.keepHistograms) {
        interval.histograms = { corrected: encodeIntoCompressedBase64(corrected), uncorrected: encodeIntoCompressedBase64(uncorrected) };
      }
      this.onInterval?.(interval, { corrected, uncorrected });
    }
    this.intervals.push(interval);
    this.last = now;
  }

  /** The final result closes the series: its end is at least the last snapshot's. */
  finish(final: Cumulative): Interval[] {
    const end = Math.max(final.elapsedNs, (this.last?.elapsedNs ?? this.fromNs) + 1);
    this.add({ ...final, elapsedNs: end });
    return this.intervals;
  }
}

export function intervalJson(interval: Interval): IntervalJson {
  const { histograms: _, ...json } = interval;
  return json;
}
