// done.ts: done(summary, latency, requests) with the figures wrk gives it, from the run's Result:
// times in microseconds, latency corrected (wrk2's), requests = per-thread requests per second.
import type { Histogram } from 'hdr-histogram-js';
import type { Result } from '../result/result.js';
import type { DoneStats, DoneSummary, LoadedScript } from './types.js';

function histogramStats(h: Histogram): DoneStats {
  const us = (ns: number) => Math.round(ns / 1e3);
  const empty = h.totalCount === 0;
  return {
    min: empty ? 0 : us(h.minNonZeroValue),
    max: empty ? 0 : us(h.maxValue),
    mean: empty ? 0 : h.mean / 1e3,
    stdev: empty ? 0 : h.stdDeviation / 1e3,
    percentile: (p) => (empty ? 0 : us(h.getValueAtPercentile(p))),
  };
}

function sampleStats(samples: number[]): DoneStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n > 0 ? sorted.reduce((a, b) => a + b, 0) / n : 0;
  const variance = n > 1 ? sorted.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1) : 0;
  return {
    min: n > 0 ? sorted[0]! : 0,
    max: n > 0 ? sorted[n - 1]! : 0,
    mean,
    stdev: Math.sqrt(variance),
    percentile: (p) => (n > 0 ? sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]! : 0),
  };
}

export function doneArguments(result: Result): [DoneSummary, DoneStats, DoneStats] {
  const whole = Math.floor(result.durationNs / 1e9);
  const summary: DoneSummary = {
    duration: Math.round(result.durationNs / 1e3),
    requests: result.completed,
    bytes: result.bytesRead,
    errors: { connect: result.errors.connect, read: result.errors.read, write: result.errors.write, status: result.non2xx3xx, timeout: result.errors.timeout },
  };
  const perSecond = result.threads.flatMap((t) => t.perSecond.slice(0, Math.max(1, whole)));
  return [summary, histogramStats(result.corrected), sampleStats(perSecond)];
}

/** Calls the script's done() (when it has one) with the run's figures. Throws ScriptRunError. */
export function scriptDone(script: LoadedScript, result: Result): void {
  if (script.hasDone) script.done(...doneArguments(result));
}
