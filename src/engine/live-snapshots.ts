// live-snapshots.ts: cumulative snapshots on a faster timer than the once-a-second progress, for a
// live view that wants to see a sub-second stall (--dashboard). Asks the pumps' published counters
// only (native snapshot()), never the hot path, and only while someone is watching.
import type { NativeRun } from '../addon/native.js';
import { runSnapshot, scriptStarved, type RunSnapshot } from './progress.js';

/** The fastest a live view may ask: more often than this, a terminal redraw costs more than it shows. */
export const LIVE_PERIOD_MIN_MS = 100;

/** Calls onSnapshot every periodMs (at least LIVE_PERIOD_MIN_MS) until the returned stop is called. */
export function watchLive(native: NativeRun, periodMs: number, onSnapshot: (s: RunSnapshot) => void): () => void {
  const timer = setInterval(() => onSnapshot(runSnapshot(native.snapshot(), scriptStarved(native))), Math.max(LIVE_PERIOD_MIN_MS, periodMs));
  timer.unref();
  return () => clearInterval(timer);
}
