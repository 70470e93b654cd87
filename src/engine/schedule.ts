// schedule.ts: what the run's schedule means for the figures around it: the target rate over an
// interval, and each second's target, for progress and the Result. Pure over a RunConfig.
import type { RunConfig } from '../config/options.js';
import { cumulativeAt, targetPerSecond, type Ramp } from '../config/stages.js';

/**
 * The rate as the schedule follows it from its start (a constant rate is one flat ramp), a
 * warm-up first at the first stage's target, as native/plan.cc prepends it.
 */
export function runRamps(config: RunConfig): Ramp[] {
  const ramps = config.ramps ?? [{ durationNs: config.durationMs * 1e6, fromRate: config.rate, toRate: config.rate }];
  const warm = Math.round(config.warmupMs * 1e6);
  return warm > 0 ? [{ durationNs: warm, fromRate: ramps[0]!.toRate, toRate: ramps[0]!.toRate }, ...ramps] : ramps;
}

/** The schedule's mean rate between two times since the start (0 in closed loop): what progress shows as the target. */
export function targetRateBetween(config: RunConfig, fromNs: number, toNs: number): number {
  if (config.closedLoop || toNs <= fromNs) return 0;
  const ramps = runRamps(config);
  return ((cumulativeAt(ramps, toNs) - cumulativeAt(ramps, fromNs)) * 1e9) / (toNs - fromNs);
}

/** Target requests per second of the measured run: the ramps' integral, or the constant rate. */
export function targets(config: RunConfig, durationNs: number): number[] | undefined {
  if (config.closedLoop) return undefined;
  if (config.ramps) {
    // The measured seconds are those after the warm-up.
    return targetPerSecond(runRamps(config)).slice(Math.ceil((config.warmupMs * 1e6) / 1e9));
  }
  const seconds = Math.ceil(durationNs / 1e9);
  return Array.from({ length: seconds }, (_, s) => config.rate * Math.min(1, durationNs / 1e9 - s));
}
