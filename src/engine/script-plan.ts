// script-plan.ts: how a script run (-s) is fed: queue depth and ring sizes from the rate, each
// thread's request limit, the native plan's script fields, and what the Result says of the script.
import type { NativePlan, NativeRun } from '../addon/native.js';
import type { RunConfig, RunOptions } from '../config/options.js';
import type { Result } from '../result/result.js';
import { ScriptFeeder } from '../script/feeder.js';
import { splitRequests } from '../script/http-messages.js';
import type { ScriptPlan } from '../script/load.js';
import { ScriptLoadError, type LoadedScript, type ScriptRunError } from '../script/types.js';
import { totalScheduled } from './schedule.js';

/**
 * A script's rings hold about this long of each thread's rate, generated ahead: the JavaScript
 * thread was seen to pause up to ~40 ms (GC, the first snapshot) at 20k req/s, and an empty ring
 * is send lag. Response-driven scripts see their changes this much later at most.
 */
const SCRIPT_AHEAD_S = 0.1;
/** Response bytes kept per response for response(); longer ones are cut (and counted). */
const SCRIPT_CAPTURE_LIMIT = 256 * 1024;
const SCRIPT_RESPONSE_RING_BYTES = 8 * 1024 * 1024;

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(n, 8)));
}

/** Requests kept queued per thread: a few feeder ticks' worth of its rate, or of its connections in closed loop. */
function scriptDepth(config: RunConfig): number {
  if (config.closedLoop) return Math.max(256, 4 * Math.ceil(config.maxConnections / config.threads) * config.pipeline);
  const peak = config.ramps ? Math.max(...config.ramps.map((r) => Math.max(r.fromRate, r.toRate))) : config.rate;
  return Math.min(65536, Math.max(32, Math.ceil((peak / config.threads) * SCRIPT_AHEAD_S)));
}

/**
 * How many requests each thread's schedule can ask for in the whole run (Infinity when nothing
 * bounds it), so request() is not called for requests that will never be sent: wrk scripts that
 * count their request() calls (setup.lua) then count what was sent, give or take the queue.
 */
function scriptLimits(config: RunConfig): number[] {
  let total = totalScheduled(config);
  // Poisson arrivals vary around the mean: leave room for a generous deviation (within -n).
  if (!config.closedLoop && config.arrival === 'poisson') total += 4 * Math.sqrt(total) + 10;
  else if (!config.closedLoop) total += 1;
  if (config.requestCount > 0) total = Math.min(total, config.requestCount);
  return Array.from({ length: config.threads }, (_, i) => (Number.isFinite(total) ? Math.ceil((Math.ceil(total) - i) / config.threads) + 1 : Infinity));
}

export function scriptNativePlan(config: RunConfig, script: LoadedScript, plan: ScriptPlan, address: string, feeder: ScriptFeeder | undefined): Partial<NativePlan> {
  const out: Partial<NativePlan> = {};
  if (!plan.staticRequest) {
    const depth = scriptDepth(config);
    // Sized from every request of the first queues, not only the first: a script whose requests
    // vary in size (bodies from a file) would otherwise starve on a ring that fits the first.
    const largest = Math.max(plan.maxRequestBytes, feeder?.largestFirstRequest ?? 0);
    out.script = {
      // Room for twice the queue at the largest request seen, and for one request of 512 KiB at least.
      requestRingBytes: Math.min(2 ** 30, nextPowerOfTwo(Math.max(1 << 20, 2 * depth * (largest + 16)))),
      responseRingBytes: script.threads.some((t) => t.hasResponse) ? SCRIPT_RESPONSE_RING_BYTES : 0,
      // Each connection's buffer is presized for the first request only: sized for the largest,
      // 10k connections would take 10k copies of it; a larger request grows its buffer once.
      maxRequestBytes: plan.maxRequestBytes,
      captureLimit: SCRIPT_CAPTURE_LIMIT,
    };
  }
  if (config.unixSocket === undefined && script.threads.some((t) => t.address)) {
    out.pumpAddresses = script.threads.map((t) => (t.address ? { address: t.address.host, port: t.address.port } : { address, port: config.port }));
  }
  return out;
}


/** The config a script run uses: its static request, or pipelining deep enough for what request() returns. */
export function scriptConfig(config: RunConfig, plan: ScriptPlan, options: RunOptions): RunConfig {
  if (plan.staticRequest) {
    return { ...config, request: plan.staticRequest, headRequest: plan.staticRequest.subarray(0, 5).toString('latin1') === 'HEAD ' };
  }
  // wrk pipelines the requests one request() returns; so does ratetest unless --pipeline says otherwise.
  if (plan.perCall > 1 && options.pipeline === undefined) return { ...config, pipeline: Math.min(plan.perCall, 1024) };
  return config;
}

/** The feeder with each thread's first queue generated: before the pumps start. A hook error here is a load error. */
export function newFeeder(config: RunConfig, script: LoadedScript, plan: ScriptPlan): ScriptFeeder {
  try {
    return new ScriptFeeder(script, {
      depth: scriptDepth(config),
      limits: scriptLimits(config),
      perCall: plan.perCall,
      split: splitRequests,
      primed: script.threads.map((_, i) => (i === 0 ? plan.probe : undefined)),
    });
  } catch (err) {
    throw new ScriptLoadError(`request(): ${(err as Error).message}`, (err as ScriptRunError).exitCode);
  }
}

export function scriptResult(script: LoadedScript, plan: ScriptPlan, native: NativeRun, feeder: ScriptFeeder | undefined): NonNullable<Result['script']> {
  const counts = native.scriptCounts?.() ?? { responsesDropped: 0, responsesTruncated: 0, starved: 0 };
  return {
    file: script.file,
    language: script.file.toLowerCase().endsWith('.lua') ? 'lua' : 'javascript',
    requestsPerCall: plan.perCall,
    starved: counts.starved,
    responsesDropped: counts.responsesDropped,
    responsesTruncated: counts.responsesTruncated,
    notes: [...script.notes],
    ...(feeder?.error ? { error: feeder.error.message } : {}),
    ...(feeder?.error?.exitCode !== undefined ? { exitCode: feeder.error.exitCode } : {}),
  };
}
