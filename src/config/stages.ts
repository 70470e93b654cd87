// stages.ts: --stages '30s:1k,2m:20k,10s:0': parsing, the ramps they mean (k6's
// ramping-arrival-rate: each stage ramps linearly from the previous stage's target to its own,
// the first from 0), and the target they set at any time (for target-vs-achieved figures).
import { UsageError } from '../common/errors.js';
import { parseDuration, parseRate } from '../common/units.js';

/** One stage as typed: reach `rate` requests/s by the end of `durationMs`. */
export interface StageSpec {
  durationMs: number;
  rate: number;
}

/** One linear piece of the rate, as the native schedule takes it. */
export interface Ramp {
  durationNs: number;
  fromRate: number;
  toRate: number;
}

export const MAX_STAGES = 10_000;

const FORM = `like '30s:1k,2m:20k,10s:0' (duration:target rate, comma-separated)`;

export function parseStages(text: string): StageSpec[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) throw new UsageError(`--stages must look ${FORM}, got "${text}"`);
  if (parts.length > MAX_STAGES) throw new UsageError(`--stages takes at most ${MAX_STAGES} stages, got ${parts.length}`);
  return parts.map((part) => {
    const colon = part.indexOf(':');
    if (colon <= 0) throw new UsageError(`--stages must look ${FORM}, got "${part}" in "${text}"`);
    const durationNs = parseDuration(part.slice(0, colon), `--stages duration "${part}"`);
    if (durationNs <= 0) throw new UsageError(`--stages durations must be > 0, got "${part}"`);
    return { durationMs: durationNs / 1e6, rate: parseRate(part.slice(colon + 1), `--stages rate "${part}"`) };
  });
}

/** The ramps the stages mean: each from the previous target (the first from `startRate`) to its own. */
export function rampsOf(stages: StageSpec[], startRate = 0): Ramp[] {
  let from = startRate;
  return stages.map((s) => {
    const ramp = { durationNs: Math.round(s.durationMs * 1e6), fromRate: from, toRate: s.rate };
    from = s.rate;
    return ramp;
  });
}

export function totalDurationMs(stages: StageSpec[]): number {
  return stages.reduce((sum, s) => sum + s.durationMs, 0);
}

/** Requests the ramps schedule from their start to `tNs` (the integral of the rate). */
export function cumulativeAt(ramps: Ramp[], tNs: number): number {
  let at = 0;
  let count = 0;
  for (const r of ramps) {
    const d = r.durationNs / 1e9;
    if (tNs < at + r.durationNs) {
      const tau = (tNs - at) / 1e9;
      return count + r.fromRate * tau + ((r.toRate - r.fromRate) * tau * tau) / (2 * d);
    }
    count += ((r.fromRate + r.toRate) / 2) * d;
    at += r.durationNs;
  }
  return count;
}

/** The target: requests scheduled in each whole second of the ramps (the last second may be partial). */
export function targetPerSecond(ramps: Ramp[]): number[] {
  const totalNs = ramps.reduce((sum, r) => sum + r.durationNs, 0);
  const out: number[] = [];
  for (let s = 0; s * 1e9 < totalNs; s++) out.push(cumulativeAt(ramps, Math.min((s + 1) * 1e9, totalNs)) - cumulativeAt(ramps, s * 1e9));
  return out;
}

/**
 * When the ramps' cumulative count reaches `count` (the inverse of cumulativeAt), ns from their
 * start; Infinity when it never does. Request k (1-based) is due at timeOfCount(ramps, k - 1),
 * as native/schedule.h's RateShape::time_of places it.
 */
export function timeOfCount(ramps: Ramp[], count: number): number {
  let at = 0;
  let before = 0;
  for (const r of ramps) {
    const d = r.durationNs / 1e9;
    const inStage = ((r.fromRate + r.toRate) / 2) * d;
    if (count < before + inStage) {
      const x = count - before;
      const a = (r.toRate - r.fromRate) / (2 * d);
      const b = r.fromRate;
      // Root of a*tau^2 + b*tau = x in the form that stays exact when a is tiny or b is 0.
      const tau = x > 0 ? (2 * x) / (b + Math.sqrt(Math.max(0, b * b + 4 * a * x))) : 0;
      return at + Math.floor(Math.min(tau * 1e9, r.durationNs));
    }
    before += inStage;
    at += r.durationNs;
  }
  return Infinity;
}
