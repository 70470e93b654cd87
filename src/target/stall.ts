// stall.ts: when the target's answers are held: a pause of lengthNs every everyNs (a GC pause, a
// lock, a stop-the-world flush), the first firstAtNs after the clock's origin. Pure arithmetic on
// times since that origin; the server owns the clock and the held answers.

export interface StallSchedule {
  lengthNs: number;
  everyNs: number;
  /** Start of the first stall after the origin (the first numbered request); everyNs by default. */
  firstAtNs: number;
}

/**
 * The stall covering `sinceOriginNs`, as its [start, end) since the origin, or undefined when
 * answers flow. With 200ms every 2s from 1s: 1.05s is in [1s, 1.2s); 1.2s is not.
 */
export function stallAt(schedule: StallSchedule, sinceOriginNs: number): { startNs: number; endNs: number } | undefined {
  const intoSchedule = sinceOriginNs - schedule.firstAtNs;
  if (intoSchedule < 0) return undefined;
  const n = Math.floor(intoSchedule / schedule.everyNs);
  const startNs = schedule.firstAtNs + n * schedule.everyNs;
  return sinceOriginNs < startNs + schedule.lengthNs ? { startNs, endNs: startNs + schedule.lengthNs } : undefined;
}
