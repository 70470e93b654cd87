// truth-disagreement.ts: when ratetest and a server's truth disagree, the cause the run's own
// figures can show (a starved pump, unsent requests, a held-up process), or none. Pure: Result
// and the server's event-loop delay in, one sentence out.
import { availableParallelism } from 'node:os';
import { CPU_LIMIT, NOT_SENT_LIMIT, cpuAdvice, figuresOf } from './self-check.js';
import type { Result } from '../result/result.js';

/** A held-up event loop beyond this is the machine's doing, not a measurement error (5x the 1 ms allowance). */
export const LOOP_DELAY_CAUSE_NS = 5_000_000;

/**
 * Why ratetest and the truth disagree, from what the run and the target saw. The stalls make
 * requests wait for connections, so the self-check's "schedule slipped" is expected here and
 * explains nothing; a pump short of CPU, requests never sent, or this process held up (the
 * target's event loop delay) do. Returns undefined when none of them happened.
 */
export function disagreementCause(result: Result, loopDelayMaxNs: number): string | undefined {
  const figures = figuresOf(result);
  if (figures.maxThreadCpuPercent >= CPU_LIMIT * 100) {
    return `the generator was starved of CPU: a pump thread used ${figures.maxThreadCpuPercent}% of a core. ${cpuAdvice(result, { cores: availableParallelism() })}`;
  }
  if (result.notSent > NOT_SENT_LIMIT * result.scheduled) {
    return `the generator could not send ${result.notSent} of ${result.scheduled} requests (${figures.notSentPercent}%).`;
  }
  if (loopDelayMaxNs > LOOP_DELAY_CAUSE_NS) {
    return `this machine is overloaded: the demo's process (target and generator) was held up for up to ${(loopDelayMaxNs / 1e6).toFixed(1)} ms at a time by other load; run the demo again on a quieter machine.`;
  }
  return undefined;
}
