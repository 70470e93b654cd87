// progress.ts: what a run reports while it goes: a Progress each second (for the progress line),
// cumulative RunSnapshots (for live exporters), both from the pumps' snapshots on a 1 s timer,
// and the series' intervals as the pumps queue them. Never touches the hot path: snapshots are
// plain numbers the pumps publish, intervals records they queue.
import type { NativeErrors, NativeRun, NativeSnapshot } from '../addon/native.js';
import type { RunConfig } from '../config/options.js';
import type { ErrorCounts } from '../result/result.js';
import { percentileOfBuckets, subtractBuckets } from '../result/histogram.js';
import type { SeriesRecorder } from '../result/series.js';
import { targetRateBetween } from './schedule.js';

/** Once a second while the run goes on. */
export interface Progress {
  elapsedNs: number;
  sent: number;
  completed: number;
  /** Completed responses per second over the last interval. */
  rate: number;
  errors: number;
  connectionsOpen: number;
  /** Requests the schedule had due per second over the last interval (0 in closed loop). */
  targetRate: number;
  /**
   * Corrected latency of the responses completed since the last Progress, from the difference of
   * two cumulative snapshots: the series' intervals close on the pumps' clock, so at the first
   * second none may have closed yet. Undefined when none completed.
   */
  p50Ns?: number;
  p99Ns?: number;
}

/** The run's cumulative figures so far, once a second and once at the end (for live exporters). */
export interface RunSnapshot {
  elapsedNs: number;
  /** Requests the schedule had due (the target); in closed loop, those sent. */
  due: number;
  sent: number;
  completed: number;
  errors: ErrorCounts;
  /** Responses by status code. */
  status: Record<string, number>;
  connectionsOpen: number;
  inFlight: number;
  /** Corrected latency so far as [valueNs, count] pairs, ascending (HdrHistogram buckets). */
  correctedBuckets: Float64Array;
  /** Send lag so far, the same way. */
  sendLagBuckets: Float64Array;
  /** Requests that found every connection busy when due. */
  queued: number;
  /** Each pump thread's CPU time and run delay so far ([cpuNs, runDelayNs] per thread); empty where the OS does not say. */
  threadCpu: Float64Array;
  /** Times a -s script's request() had no request ready when one was due, so far (0 without a script). */
  scriptStarved: number;
}

/** A -s script's starvation so far; the pumps count it apart from the snapshot. */
export function scriptStarved(native: NativeRun): number {
  return native.scriptCounts?.().starved ?? 0;
}

export function runSnapshot(s: NativeSnapshot, scriptStarved = 0): RunSnapshot {
  const status: Record<string, number> = {};
  for (let i = 0; i + 1 < s.status.length; i += 2) status[String(s.status[i])] = s.status[i + 1]!;
  return {
    elapsedNs: s.elapsedNs,
    due: s.due,
    sent: s.sent,
    completed: s.completed,
    errors: { ...s.errors },
    status,
    connectionsOpen: s.connectionsOpen,
    inFlight: s.inFlight,
    correctedBuckets: s.corrected,
    sendLagBuckets: s.sendLag,
    queued: s.queued,
    threadCpu: s.threadCpu,
    scriptStarved,
  };
}


function sumErrors(errors: NativeErrors): number {
  return errors.connect + errors.read + errors.write + errors.timeout + errors.parse;
}


/**
 * How often the series takes the pumps' queued intervals: each pump's ring holds 1 MiB, hundreds
 * of 10 ms intervals even at high rates, so a few times a second keeps it far from full.
 */
const INTERVAL_DRAIN_MS = 250;

// Once a second: progress for whoever asked; every INTERVAL_DRAIN_MS: the series' new intervals.
export function watch(native: NativeRun, config: RunConfig, series: SeriesRecorder, onProgress?: (p: Progress) => void, onSnapshot?: (s: NativeSnapshot) => void): () => void {
  let last: NativeSnapshot | undefined;
  const drain = setInterval(() => series.add(native.intervals()), INTERVAL_DRAIN_MS);
  drain.unref();
  const timer = setInterval(() => {
    series.add(native.intervals());
    const now = native.snapshot();
    onSnapshot?.(now);
    const intervalNs = last ? now.elapsedNs - last.elapsedNs : now.elapsedNs;
    const done = last ? now.completed - last.completed : now.completed;
    const recent = subtractBuckets(now.corrected, last?.corrected);
    const timed = recent.some((count, i) => i % 2 === 1 && count > 0);
    const latency = timed ? { p50Ns: percentileOfBuckets(recent, 50), p99Ns: percentileOfBuckets(recent, 99) } : undefined;
    onProgress?.({
      elapsedNs: now.elapsedNs,
      sent: now.sent,
      completed: now.completed,
      rate: intervalNs > 0 ? (done * 1e9) / intervalNs : 0,
      errors: sumErrors(now.errors),
      connectionsOpen: now.connectionsOpen,
      targetRate: targetRateBetween(config, last?.elapsedNs ?? 0, now.elapsedNs),
      ...(latency && { p50Ns: latency.p50Ns, p99Ns: latency.p99Ns }),
    });
    last = now;
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    clearInterval(drain);
  };
}
