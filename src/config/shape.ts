// options.ts (shape): checks the load-shape options (--stages, --arrival/--seed, --warmup, -n,
// -R max, --max-connections) against each other and turns them into the run's ShapeConfig.
import { UsageError } from '../common/errors.js';
import { rampsOf, totalDurationMs, type Ramp, type StageSpec } from './stages.js';

export type Arrival = 'constant' | 'poisson';

export interface ShapeOptions {
  /** Requests per second, or 'max' for closed-loop mode; not with `stages`. */
  rate?: number | 'max';
  durationMs?: number;
  stages?: StageSpec[];
  arrival?: Arrival;
  seed?: number;
  warmupMs?: number;
  /** -n: stop after this many requests. */
  requestCount?: number;
  maxConnections?: number;
}

export interface ShapeConfig {
  /** Target rate for the report: the constant rate, the stages' average, or 0 in closed loop. */
  rate: number;
  /** Measured length; a year (no limit) when only -n bounds the run. */
  durationMs: number;
  /** The stages as linear ramps, when given. */
  ramps?: Ramp[];
  arrival: Arrival;
  seed: number;
  warmupMs: number;
  /** Stop after this many requests (0 = no limit). */
  requestCount: number;
  closedLoop: boolean;
  maxConnections: number;
}

/** A run bounded only by -n goes on until its requests are sent: a year is "no limit". */
export const UNLIMITED_MS = 365 * 24 * 3600 * 1000;
export const MAX_REQUESTS = 2 ** 53 - 1;

function check(condition: boolean, message: string): void {
  if (!condition) throw new UsageError(message);
}

export function validateShape(options: ShapeOptions, connections: number, defaultDurationMs: number, maxRate: number): ShapeConfig {
  const { rate, stages, requestCount: requests } = options;
  const closedLoop = rate === 'max';
  check(rate !== undefined || stages !== undefined, '-R/--rate is required (or --stages): the total requests per second, e.g. -R 2000, -R 20k or -R max');
  check(rate === undefined || stages === undefined, 'use either -R/--rate or --stages, not both: the stages set the rate');
  check(stages === undefined || options.durationMs === undefined, '--stages sets the duration; leave out -d/--duration');
  if (typeof rate === 'number') {
    check(Number.isFinite(rate) && rate > 0, `--rate must be > 0, got ${rate}`);
    check(rate <= maxRate, `--rate must be at most ${maxRate}, got ${rate}`);
  }
  if (stages !== undefined) {
    check(stages.length > 0, '--stages needs at least one stage, like 30s:1k');
    check(stages.every((s) => s.rate >= 0 && s.rate <= maxRate), `--stages rates must be from 0 to ${maxRate}`);
    check(stages.some((s) => s.rate > 0), '--stages must reach a rate above 0 somewhere');
    check(stages.every((s) => s.durationMs > 0), '--stages durations must be > 0');
  }
  const arrival = options.arrival ?? 'constant';
  check(arrival === 'constant' || arrival === 'poisson', `--arrival must be constant or poisson, got "${String(arrival)}"`);
  check(!(closedLoop && arrival === 'poisson'), '--arrival poisson needs a rate: -R max has no schedule to shape');
  const seed = options.seed ?? 1;
  check(Number.isInteger(seed) && seed >= 0 && seed <= MAX_REQUESTS, `--seed must be a whole number from 0 to ${MAX_REQUESTS}, got ${seed}`);
  const warmupMs = options.warmupMs ?? 0;
  check(Number.isFinite(warmupMs) && warmupMs >= 0 && warmupMs <= UNLIMITED_MS, `--warmup must be a duration from 0 to 365d, got ${warmupMs}ms`);
  check(!(warmupMs > 0 && requests !== undefined), '--warmup cannot be combined with -n/--requests: give the measured part a duration with -d');
  check(
    requests === undefined || (Number.isInteger(requests) && requests >= 1 && requests <= MAX_REQUESTS),
    `--requests must be a whole number from 1 to ${MAX_REQUESTS}, got ${requests}`,
  );
  const maxConnections = options.maxConnections ?? connections;
  check(
    Number.isInteger(maxConnections) && maxConnections >= connections && maxConnections <= 1_000_000,
    `--max-connections must be a whole number from --connections (${connections}) to 1000000, got ${maxConnections}`,
  );
  check(!(closedLoop && options.maxConnections !== undefined), '--max-connections needs a rate: with -R max every connection is always busy, so more would only be opened forever');

  let durationMs: number;
  if (stages !== undefined) durationMs = totalDurationMs(stages);
  else if (options.durationMs !== undefined) durationMs = options.durationMs;
  else durationMs = requests !== undefined ? UNLIMITED_MS : defaultDurationMs;
  const durationFlag = stages !== undefined ? '--stages (in total)' : '--duration';
  check(Number.isFinite(durationMs) && durationMs > 0, `${durationFlag} must be > 0, got ${durationMs}ms`);
  check(durationMs <= UNLIMITED_MS, `${durationFlag} must be at most a year (8760h), got ${Math.round(durationMs / 3_600_000)}h`);

  // After a warm-up (at the first stage's target) the first stage starts from that rate, not from 0.
  const ramps = stages !== undefined ? rampsOf(stages, warmupMs > 0 ? stages[0]!.rate : 0) : undefined;
  let average: number;
  if (ramps) average = ramps.reduce((sum, r) => sum + ((r.fromRate + r.toRate) / 2) * (r.durationNs / 1e9), 0) / (durationMs / 1000);
  else average = typeof rate === 'number' ? rate : 0;
  const config: ShapeConfig = { rate: average, durationMs, arrival, seed, warmupMs, requestCount: requests ?? 0, closedLoop, maxConnections };
  if (ramps) config.ramps = ramps;
  return config;
}
