// schedule.ts: what the run's schedule means for the figures around it: the target rate over an
// interval, each second's target, the requests a thread may be asked for. Every figure is asked
// of the native schedule (scheduleFigures), which the pumps follow; nothing is recomputed here.
import { loadAddon, type NativeScheduleFigures } from '../addon/native.js';
import type { RunConfig } from '../config/options.js';
import { schedulePlan } from '../config/shape.js';

function figures(config: RunConfig, timesNs: number[]): NativeScheduleFigures {
  return loadAddon().scheduleFigures(schedulePlan(config), Float64Array.from(timesNs));
}

/** This shard's mean scheduled rate between two times since the start (0 in closed loop): what progress shows as the target. */
export function targetRateBetween(config: RunConfig, fromNs: number, toNs: number): number {
  if (config.closedLoop || toNs <= fromNs) return 0;
  const [from, to] = figures(config, [fromNs, toNs]).dueAt;
  return ((to! - from!) * 1e9) / (toNs - fromNs);
}

/** Target requests in each second of the measured run (after the warm-up): this shard's share of the schedule. */
export function targets(config: RunConfig, durationNs: number): number[] | undefined {
  if (config.closedLoop) return undefined;
  const warmNs = Math.round(config.warmupMs * 1e6);
  // Stages end where they end; a constant rate runs the measured duration (less after a stop).
  const lengthNs = config.ramps ? Math.round(config.durationMs * 1e6) : durationNs;
  const seconds = Math.ceil(lengthNs / 1e9);
  const times = Array.from({ length: seconds + 1 }, (_, s) => warmNs + Math.min(s * 1e9, lengthNs));
  const due = figures(config, times).dueAt;
  return Array.from({ length: seconds }, (_, s) => due[s + 1]! - due[s]!);
}

/** This shard's requests over the whole schedule (warm-up included, within -n); Infinity in closed loop without -n. */
export function totalScheduled(config: RunConfig): number {
  if (config.closedLoop && config.requestCount === 0) return Infinity;
  return figures(config, []).totalDue;
}
