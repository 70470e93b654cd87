// timeline-data.ts: the run interval by interval (result.intervals, src/result/series.ts; --interval
// wide) as the arrays the HTML report's time charts plot: latency, target vs achieved rate, errors
// and status codes. Counts become per-second rates over each interval's length, but never over
// less than the run's interval: a short last interval (the drain after the run's end: a few
// responses in a few ms) is a count over a whole interval, not a spike to thousands per second.
// Pure: intervals in, plain arrays out.
import type { Interval } from '../result/series.js';

const NS_PER_S = 1e9;
const NS_PER_MS = 1e6;

export interface TimelineData {
  /** Each interval's end, seconds from the schedule's start. */
  t: number[];
  /** Corrected latency in ms; null for an interval with no response (a stall shows as a gap). */
  p50: (number | null)[];
  p99: (number | null)[];
  max: (number | null)[];
  /** Per second: requests due by the schedule (the target), written, and completed (achieved). */
  due: number[];
  sent: number[];
  completed: number[];
  /** Per second: read/write/timeout/parse/connect errors, and responses by status code. */
  errors: number[];
  status: Record<string, number[]>;
}

/** widthNs: the run's --interval (results from before it existed had 1 s). */
export function timelineData(intervals: Interval[], widthNs = NS_PER_S): TimelineData {
  const codes = [...new Set(intervals.flatMap((i) => Object.keys(i.status)))].sort();
  const perSecond = (count: number, i: Interval) => (count * NS_PER_S) / Math.max(widthNs, i.endNs - i.startNs);
  const ms = (i: Interval, ns: number) => (i.maxNs > 0 ? ns / NS_PER_MS : null);
  return {
    t: intervals.map((i) => i.endNs / NS_PER_S),
    p50: intervals.map((i) => ms(i, i.p50Ns)),
    p99: intervals.map((i) => ms(i, i.p99Ns)),
    max: intervals.map((i) => ms(i, i.maxNs)),
    due: intervals.map((i) => perSecond(i.due, i)),
    sent: intervals.map((i) => perSecond(i.sent, i)),
    completed: intervals.map((i) => perSecond(i.completed, i)),
    errors: intervals.map((i) => perSecond(i.errors, i)),
    status: Object.fromEntries(codes.map((code) => [code, intervals.map((i) => perSecond(i.status[code] ?? 0, i))])),
  };
}
