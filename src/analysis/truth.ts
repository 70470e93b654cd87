// truth.ts: a server's own log of numbered requests (the target's GET /__truth) turned into the
// true corrected latency of each request, and its percentiles. The one implementation: the
// `truth` and `demo` commands and the project's accuracy tests all call it. Pure: no I/O.
//
// Request k (1-based, the {{seq}} number) was meant to leave at T0 + intended(k), where
// intended(k) is the schedule's offset of request k ((k-1)/R at a constant rate) and T0 is the
// schedule's start, which the server cannot see. A generator never sends early, so
// T0 = min_k(arrival_k - intended(k)); then truth_k = answered_k - (T0 + intended(k)).
// Example at R = 1000/s: k=1 arrives at 5.0002 s and k=2 at 5.0011 s, so T0 = min(5.0002,
// 5.0011 - 0.001) = 5.0001 s: k=1 arrived 0.1 ms after its time, and its truth includes that wait.
import type { Histogram } from 'hdr-histogram-js';
import { UsageError } from '../common/errors.js';
import { timeOfCount, type Ramp } from '../config/stages.js';
import { emptyHistogram, HISTOGRAM_LAYOUT } from '../result/histogram.js';

/** The schedule the requests were sent on: a constant rate (per second), or --stages ramps. */
export type TruthSchedule = { rate: number } | { ramps: Ramp[] };

/** The percentiles the truth check compares. */
export const TRUTH_PERCENTILES = [50, 90, 99, 99.9] as const;

/** What computeTruth needs of a log: [k, arrivalNs, answeredNs | null] per request. */
export interface TruthRequests {
  requests: readonly (readonly [number, number, number | null])[];
  /** Requests the server answered but left out of a full log (absent: none). */
  notRecorded?: number;
}

export interface Truth {
  /** True corrected latency of every answered request, ns, in the tool's histogram layout. */
  latency: Histogram;
  /** Requests answered (those in `latency`). */
  answered: number;
  /** Requests logged as arrived but not yet answered (left out of `latency`). */
  unanswered: number;
  /** Requests the server answered but left out of a full log: the truth covers only the rest. */
  notRecorded: number;
  /** Lowest and highest request number in the log. */
  firstK: number;
  lastK: number;
  /** The schedule's start on the log's clock, ns (min of arrival_k - intended(k)). */
  t0Ns: number;
}

/**
 * Offset of request k's intended send time from the schedule's start, ns. Every use of the
 * schedule in the truth goes through here, so a change to how the schedule is computed (the
 * native one) is made in one place.
 */
export function intendedOffsetNs(schedule: TruthSchedule, k: number): number {
  if ('rate' in schedule) return ((k - 1) * 1e9) / schedule.rate;
  return timeOfCount(schedule.ramps, k - 1);
}

/** Requests a schedule holds (Infinity for a constant rate). */
function scheduledCount(schedule: TruthSchedule): number {
  if ('rate' in schedule) return Infinity;
  let count = 0;
  for (const r of schedule.ramps) count += ((r.fromRate + r.toRate) / 2) * (r.durationNs / 1e9);
  return Math.ceil(count);
}

/** Throws a UsageError (without a file name: the caller adds it) on a log the truth cannot use. */
export function computeTruth(log: TruthRequests, schedule: TruthSchedule): Truth {
  if (log.requests.length === 0) throw new UsageError('the log holds no numbered requests (/t/<k>): nothing to compute');
  const total = scheduledCount(schedule);
  const seen = new Set<number>();
  let t0Ns = Infinity;
  let firstK = Infinity;
  let lastK = 0;
  for (const [k, arrivalNs] of log.requests) {
    if (seen.has(k)) throw new UsageError(`request k=${k} appears twice in the log: reset it (DELETE /__truth) before each run`);
    seen.add(k);
    if (k > total) throw new UsageError(`request k=${k} lies beyond the schedule, which holds ${total} requests`);
    t0Ns = Math.min(t0Ns, arrivalNs - intendedOffsetNs(schedule, k));
    firstK = Math.min(firstK, k);
    lastK = Math.max(lastK, k);
  }
  const latency = emptyHistogram();
  let answered = 0;
  for (const [k, , answeredNs] of log.requests) {
    if (answeredNs === null) continue;
    const ns = Math.round(answeredNs - (t0Ns + intendedOffsetNs(schedule, k)));
    latency.recordValue(Math.min(Math.max(ns, 0), HISTOGRAM_LAYOUT.highestTrackableValue));
    answered++;
  }
  return { latency, answered, unanswered: log.requests.length - answered, notRecorded: log.notRecorded ?? 0, firstK, lastK, t0Ns };
}

/** p50, p90, p99, p99.9 of a latency histogram, ns, as the tool reports its own percentiles. */
export function truthPercentiles(latency: Histogram): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of TRUTH_PERCENTILES) out[String(p)] = latency.totalCount > 0 ? latency.getValueAtPercentile(p) : 0;
  return out;
}

/** Checks the shape of a parsed /__truth log; the message says what is wrong. */
export function checkTruthJson(json: unknown): TruthRequests {
  const requests = (json as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests)) throw new UsageError('not a truth log (expected {"requests": [[k, arrivalNs, answeredNs], ...]}, as GET /__truth returns)');
  requests.forEach((r: unknown, i) => {
    const ok =
      Array.isArray(r) &&
      r.length >= 3 &&
      Number.isInteger(r[0]) &&
      (r[0] as number) >= 1 &&
      Number.isFinite(r[1]) &&
      (r[2] === null || Number.isFinite(r[2]));
    if (!ok) throw new UsageError(`requests[${i}] must be [k >= 1, arrivalNs, answeredNs or null], got ${JSON.stringify(r)}`);
  });
  const notRecorded = (json as { notRecorded?: unknown }).notRecorded;
  return { requests: requests as TruthRequests['requests'], notRecorded: typeof notRecorded === 'number' ? notRecorded : 0 };
}
