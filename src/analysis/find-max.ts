// find-max.ts: the search for the highest rate a server sustains within its SLOs. Short steps
// climb geometrically from `from` until a step fails (or `to` passes), then bisection narrows the
// bracket between the highest pass and the lowest fail, and a final re-run of the answer checks
// it was not luck. Pure over `probe`: the CLI passes real runs, the unit tests a fake server.
import type { Result } from '../result/result.js';
import { selfCheck, type SelfCheck } from './self-check.js';
import { judgeCriteria, type Criterion, type CriterionVerdict } from './criteria.js';

export type StepKind = 'ramp' | 'refine' | 'confirm';
/** pass: every SLO held; fail: the server missed one; generator: the generator, not the server, limited the step. */
export type StepOutcome = 'pass' | 'fail' | 'generator';

export interface Step {
  kind: StepKind;
  rate: number;
  result: Result;
  verdicts: CriterionVerdict[];
  selfCheck: SelfCheck;
  outcome: StepOutcome;
}

export interface SearchOptions {
  slos: Criterion[];
  from: number;
  to: number;
  /** Each ramp step multiplies the rate by this. */
  growth: number;
  /** Refinement stops when (lowest fail - highest pass) / highest pass is at most this. */
  precision: number;
  /** Refinement steps at most, so a noisy server cannot keep the search going. */
  maxRefineSteps: number;
}

export const SEARCH_DEFAULTS = { growth: 2, precision: 0.05, maxRefineSteps: 8 } as const;

export interface SearchAnswer {
  /** Highest rate that passed every SLO (undefined when even `from` failed). */
  maxRate: number | undefined;
  /** Lowest rate at which the server failed an SLO (undefined when none did up to `to`). */
  lowestFail: number | undefined;
  /** (lowestFail - maxRate) / maxRate: how far the true knee may lie above the answer. */
  bracket: number | undefined;
  /** A re-run at maxRate passed again (undefined when there was nothing to re-run). */
  confirmed: boolean | undefined;
  /** The search stopped because the generator could not produce a rate: the server's limit may lie higher. */
  generatorLimitedAt: number | undefined;
  /** The search reached `to` with every step passing. */
  reachedTo: boolean;
  interrupted: boolean;
}

export interface Search {
  steps: Step[];
  answer: SearchAnswer;
}

/** Judges one step: generator-limited first, since then the latencies are not the server's. */
export function judgeStep(kind: StepKind, rate: number, result: Result, slos: Criterion[]): Step {
  const verdicts = judgeCriteria(result, slos);
  const check = selfCheck(result);
  // 'connections' and 'connect-errors' are the server's doing (slow answers hold connections busy);
  // a starved pump or a stalled machine is the generator's.
  const generatorLimited = !check.ok && (check.cause === 'generator-cpu' || check.cause === 'unknown');
  const pass = verdicts.every((v) => v.passed);
  const outcome: StepOutcome = pass ? 'pass' : generatorLimited ? 'generator' : 'fail';
  return { kind, rate, result, verdicts, selfCheck: check, outcome };
}

export interface SearchHooks {
  /** Runs one step at `rate` for the step duration. */
  probe: (rate: number) => Promise<Result>;
  onStep?: (step: Step) => void;
  /** Checked between steps: true stops the search with what it has. */
  stopped?: () => boolean;
}

/** Re-runs of a step whose schedule slipped for no reason the self-check can name. */
const STALL_RETRIES = 1;

/** Rates rounded to whole requests per second: a knee is never known finer than that. */
const whole = (rate: number) => Math.max(1, Math.round(rate));

export async function findMax(options: SearchOptions, hooks: SearchHooks): Promise<Search> {
  const steps: Step[] = [];
  let lastPass: number | undefined;
  let firstFail: number | undefined;
  let generatorLimitedAt: number | undefined;
  let interrupted = false;

  const step = async (kind: StepKind, rate: number): Promise<Step | undefined> => {
    if (hooks.stopped?.()) {
      interrupted = true;
      return undefined;
    }
    for (let attempt = 1; ; attempt++) {
      const result = await hooks.probe(rate);
      const s = judgeStep(kind, rate, result, options.slos);
      steps.push(s);
      hooks.onStep?.(s);
      if (result.interrupted) interrupted = true;
      if (interrupted) return undefined;
      // A schedule that slipped with connections and CPU to spare is a passing stall of the
      // machine (another process, a paused VM): one more try says more about the server than
      // ending the ramp on it.
      const stalled = s.outcome === 'generator' && s.selfCheck.cause === 'unknown';
      if (!stalled || attempt > STALL_RETRIES || hooks.stopped?.()) return s;
    }
  };

  // Ramp: from, from*growth, ... and `to` itself last.
  for (let rate = whole(options.from); ; rate = Math.min(whole(rate * options.growth), whole(options.to))) {
    const s = await step('ramp', rate);
    if (!s) break;
    if (s.outcome === 'pass') lastPass = rate;
    else if (s.outcome === 'fail') firstFail = rate;
    else generatorLimitedAt = rate;
    if (s.outcome !== 'pass' || rate >= whole(options.to)) break;
  }

  // Refine: bisect between the highest pass and the lowest fail (or generator-limited rate).
  const ceiling = () => firstFail ?? generatorLimitedAt;
  for (let i = 0; i < options.maxRefineSteps && !interrupted && lastPass !== undefined; i++) {
    const high = ceiling();
    if (high === undefined || (high - lastPass) / lastPass <= options.precision) break;
    const mid = whole((lastPass + high) / 2);
    if (mid <= lastPass || mid >= high) break;
    const s = await step('refine', mid);
    if (!s) break;
    if (s.outcome === 'pass') lastPass = mid;
    else if (s.outcome === 'fail') firstFail = mid;
    else generatorLimitedAt = mid;
  }

  let confirmed: boolean | undefined;
  if (lastPass !== undefined && !interrupted) {
    const s = await step('confirm', lastPass);
    if (s) confirmed = s.outcome === 'pass';
  }

  const bracket = lastPass !== undefined && firstFail !== undefined ? (firstFail - lastPass) / lastPass : undefined;
  return {
    steps,
    answer: {
      maxRate: lastPass,
      lowestFail: firstFail,
      bracket,
      confirmed,
      // Only a limit when the server itself never failed above the answer.
      generatorLimitedAt: firstFail === undefined ? generatorLimitedAt : undefined,
      reachedTo: firstFail === undefined && generatorLimitedAt === undefined && lastPass !== undefined && lastPass >= whole(options.to),
      interrupted,
    },
  };
}
