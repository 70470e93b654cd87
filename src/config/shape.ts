// shape.ts: checks the load-shape options (--stages, --arrival/--seed, --warmup, -n, -R max,
// --max-connections, --shard, --start-at) against each other and turns them into the run's
// ShapeConfig. The schedule's arithmetic is the native side's: the mean rate and the stages as
// run are asked of it (scheduleFigures), never computed here.
import { randomInt } from 'node:crypto';
import { UsageError } from '../common/errors.js';
import { formatDurationShort } from '../common/units.js';
import { loadAddon, type NativeLimits, type NativeSchedulePlan } from '../addon/native.js';
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
  /** --shard I/N: this instance sends the global requests k = index (mod count) of the fleet's schedule. */
  shard?: { index: number; count: number };
  /** --start-at: the schedule's start, unix milliseconds; connections open before it. */
  startAt?: number;
}

/** --seed's defaults: Poisson arrivals repeat by default; template randomness does not. */
export const POISSON_SEED_DEFAULT = 1;

export interface ShapeConfig {
  /** Target rate for the report: the constant rate, the stages' average, or 0 in closed loop. */
  rate: number;
  /** Measured length; a year (no limit) when only -n bounds the run. */
  durationMs: number;
  /** The stages as linear ramps, when given. */
  ramps?: Ramp[];
  arrival: Arrival;
  /** The Poisson stream's seed: --seed, or POISSON_SEED_DEFAULT. */
  seed: number;
  /** Seeds {{rand}}, {{uuid}}, {{pick}} and random CSV rows: --seed, or a random one. */
  templateSeed: number;
  /** --seed was given (so every shard of a fleet draws the same template values). */
  seedGiven: boolean;
  warmupMs: number;
  /** Stop after this many requests (0 = no limit). */
  requestCount: number;
  closedLoop: boolean;
  maxConnections: number;
  shard?: { index: number; count: number };
  /** Unix milliseconds. */
  startAt?: number;
}

/** A run bounded only by -n goes on until its requests are sent: a year is "no limit". */
export const UNLIMITED_MS = 365 * 24 * 3600 * 1000;

function check(condition: boolean, message: string): void {
  if (!condition) throw new UsageError(message);
}

export function validateShape(options: ShapeOptions, connections: number, defaultDurationMs: number, limits: NativeLimits): ShapeConfig {
  const { maxRate, maxWhole } = limits;
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
  check(options.seed === undefined || (Number.isInteger(options.seed) && options.seed >= 0 && options.seed <= maxWhole), seedMessage(maxWhole, String(options.seed)));
  const seed = options.seed ?? POISSON_SEED_DEFAULT;
  const templateSeed = options.seed ?? randomInt(0, 2 ** 48 - 1);
  const warmupMs = options.warmupMs ?? 0;
  check(Number.isFinite(warmupMs) && warmupMs >= 0 && warmupMs <= UNLIMITED_MS, `--warmup must be a duration from 0 to 365d, got ${warmupMs}ms`);
  check(!(warmupMs > 0 && requests !== undefined), '--warmup cannot be combined with -n/--requests: give the measured part a duration with -d');
  check(
    requests === undefined || (Number.isInteger(requests) && requests >= 1 && requests <= maxWhole),
    `--requests must be a whole number from 1 to ${maxWhole}, got ${requests}`,
  );
  const maxConnections = options.maxConnections ?? connections;
  check(
    Number.isInteger(maxConnections) && maxConnections >= connections && maxConnections <= limits.maxConnections,
    `--max-connections must be a whole number from --connections (${connections}) to ${limits.maxConnections}, got ${maxConnections}`,
  );
  check(!(closedLoop && options.maxConnections !== undefined), '--max-connections needs a rate: with -R max every connection is always busy, so more would only be opened forever');

  let durationMs: number;
  if (stages !== undefined) durationMs = totalDurationMs(stages);
  else if (options.durationMs !== undefined) durationMs = options.durationMs;
  else durationMs = requests !== undefined ? UNLIMITED_MS : defaultDurationMs;
  const durationFlag = stages !== undefined ? '--stages (in total)' : '--duration';
  check(Number.isFinite(durationMs) && durationMs > 0, `${durationFlag} must be > 0, got ${durationMs}ms`);
  check(durationMs <= UNLIMITED_MS, `${durationFlag} must be at most a year (8760h), got ${Math.round(durationMs / 3_600_000)}h`);

  const shard = options.shard;
  if (shard !== undefined) checkShard(shard, limits.maxShards);
  if (options.startAt !== undefined) checkStartAt(options.startAt, durationMs, warmupMs);

  const config: ShapeConfig = { rate: 0, durationMs, arrival, seed, templateSeed, seedGiven: options.seed !== undefined, warmupMs, requestCount: requests ?? 0, closedLoop, maxConnections };
  if (stages !== undefined) config.ramps = rampsOf(stages);
  if (shard !== undefined) config.shard = { index: shard.index, count: shard.count };
  if (options.startAt !== undefined) config.startAt = options.startAt;
  // The native schedule says what the stages mean once a warm-up goes first, and their mean rate.
  const figures = loadAddon().scheduleFigures(schedulePlan({ ...config, rate: typeof rate === 'number' ? rate : 1 }), new Float64Array(0));
  config.rate = closedLoop ? 0 : typeof rate === 'number' ? rate : figures.meanRate;
  if (figures.stages) config.ramps = figures.stages;
  return config;
}

/** The schedule's fields of a native plan: what the pumps and scheduleFigures both read. */
export function schedulePlan(config: ShapeConfig): NativeSchedulePlan {
  const plan: NativeSchedulePlan = {
    // Closed loop has no schedule; the native plan still wants a valid rate.
    rate: config.closedLoop || config.rate <= 0 ? 1 : config.rate,
    durationNs: Math.round(config.durationMs * 1e6),
  };
  if (config.ramps) plan.stages = config.ramps;
  if (config.arrival === 'poisson') Object.assign(plan, { arrival: 'poisson', seed: config.seed });
  if (config.warmupMs > 0) plan.warmupNs = Math.round(config.warmupMs * 1e6);
  if (config.requestCount > 0) plan.maxRequests = config.requestCount;
  if (config.closedLoop) plan.closedLoop = true;
  if (config.shard) Object.assign(plan, { shardIndex: config.shard.index, shardCount: config.shard.count });
  return plan;
}

/** The one --seed message, for the CLI's text and the API's number alike. */
export function seedMessage(maxWhole: number, got: string): string {
  return `--seed must be a whole number from 0 to ${maxWhole}, got "${got}"`;
}

const SHARD_FORM = 'I/N with 0 <= I < N, e.g. 0/4';

/** --shard as typed: "I/N", 0-based. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`--shard must look like ${SHARD_FORM}, got "${text}"`);
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  if (!(shard.count >= 1 && shard.index < shard.count)) throw new UsageError(`--shard must look like ${SHARD_FORM}, got "${text}"`);
  return shard;
}

function checkShard(shard: { index: number; count: number }, maxShards: number): void {
  const { index, count } = shard;
  check(Number.isInteger(count) && count >= 1 && count <= maxShards, `--shard count must be a whole number from 1 to ${maxShards}, got ${count}`);
  check(Number.isInteger(index) && index >= 0 && index < count, `--shard must look like ${SHARD_FORM}, got "${index}/${count}"`);
}

/**
 * --start-at as typed: an ISO-8601 instant with its zone, or unix milliseconds. Each machine
 * reads it on its own wall clock, once (native/plan.cc), so a clock 5 ms ahead starts its shard's
 * whole schedule 5 ms early; latencies never see the skew, as each is measured on one machine's
 * monotonic clock from that machine's own intended send times.
 */
export function parseStartAt(text: string): number {
  const trimmed = text.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) : /^\d{4}-\d\d-\d\dT/.test(trimmed) && /(Z|[+-]\d\d:?\d\d)$/.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (!Number.isSafeInteger(Math.round(ms)) || Number.isNaN(ms)) {
    throw new UsageError(`--start-at must be an ISO-8601 time with its zone (2026-01-02T15:04:05Z) or unix milliseconds, got "${text}"`);
  }
  return ms;
}

/** Later than -d after --start-at, this shard would miss its whole schedule: refuse rather than start. */
function checkStartAt(startAt: number, durationMs: number, warmupMs: number): void {
  const lateMs = Date.now() - startAt;
  check(
    lateMs <= durationMs + warmupMs,
    `--start-at ${new Date(startAt).toISOString()} passed more than the run's length (${formatDurationShort((durationMs + warmupMs) * 1e6)}) ago: this shard would miss its whole schedule; give a later instant`,
  );
}
