// run.ts: one run from options to Result, in order: validate, compile the requests or load the
// script, resolve, start the native pumps, relay progress, and hand back the Result. Orchestration
// only: each step's work lives in the file it imports.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { RatetestError, UsageError } from '../common/errors.js';
import type { NativeResult, NativeRun, NativeSnapshot } from '../addon/native.js';
import { validate, type RunOptions, type RunConfig } from '../config/options.js';
import { UNLIMITED_MS } from '../config/shape.js';
import { compileRequests, type RequestProgram } from '../requests/compile.js';
import { fingerprintOf } from '../config/fingerprint.js';
import type { Result, ShardInfo } from '../result/result.js';
import { SeriesRecorder, type IntervalListener } from '../result/series.js';
import type { ScriptPlan } from '../script/load.js';
import type { LoadedScript } from '../script/types.js';
import { DeadTargetWatch } from './dead-target.js';
import { ensureFds, ensureIoEngine, resolveAddress, startNative } from './native-plan.js';
import { runSnapshot, scriptStarved, watch, type Progress, type RunSnapshot } from './progress.js';
import { watchLive } from './live-snapshots.js';
import { toResult } from './to-result.js';

export type { Progress, RunSnapshot };

export interface RunHooks {
  /** Each cumulative snapshot: once a second while the run goes on, then the final figures (final = true). */
  onSnapshot?: (snapshot: RunSnapshot, final: boolean) => void;
  /** Aborting stops the run early; the promise still resolves with what was gathered. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Called once the options are valid and the host resolved, just before the pumps start; startedAt becomes Result.startedAt. */
  onStart?: (config: RunConfig, address: string, startedAt: Date, shard?: ShardInfo) => void;
  /**
   * Each interval of --interval as it closes (after any warm-up), with its corrected and
   * uncorrected histograms: for writing them out during the run (--hdr-log) rather than keeping
   * them (RunOptions.intervalHistograms). Its times are from Result.startedAt.
   */
  onInterval?: IntervalListener;
  /** A script run: the loaded script, for scriptDone() after the report (src/script/done.ts). */
  onScript?: (script: LoadedScript) => void;
  /** Cumulative snapshots every periodMs while the run goes on, for a live view (--dashboard); the final figures still come through onSnapshot. */
  live?: { periodMs: number; onSnapshot: (snapshot: RunSnapshot) => void };
}

/** A -n run gives up after this many (connect timeout + timeout) with no connection and no response. */
const DEAD_TARGET_FACTOR = 2;

// The addon resolves `done` even for a run whose every request failed; a rejection means the
// run itself broke, which callers should see as ERR_RUN rather than as an unexplained Error.
async function settled(native: NativeRun): Promise<NativeResult> {
  try {
    return await native.done;
  } catch (err) {
    throw new RatetestError('ERR_RUN', `the run failed: ${(err as Error).message}`);
  }
}

/** Runs one load test. Rejects only for bad options or a run that cannot start; failed requests are counted. */
export async function run(options: RunOptions, hooks: RunHooks = {}): Promise<Result> {
  let config = validate(options);
  if (options.script && (options.requests || options.csvFile !== undefined)) {
    throw new UsageError('-s gives the requests; drop --requests-file and --csv');
  }
  // A script makes its own requests; templates in -H/-b reach it as the text they are.
  const program = options.script ? undefined : compileRequests(config, options);
  // With --unix-socket the URL's host is only the Host header: nothing to resolve.
  const address = config.unixSocket ?? (await resolveAddress(config.host)).address;
  // The script and monitor modules load only for the runs that use them (a plain run's RSS).
  const scripting = options.script ? await import('./script-plan.js') : undefined;
  const monitoring = options.monitorPid !== undefined ? await import('./monitor.js') : undefined;
  let script: { loaded: LoadedScript; plan: ScriptPlan } | undefined;
  if (options.script && scripting) {
    const { loadScript, planScript } = await import('../script/load.js');
    const loaded = await loadScript(config, options.script);
    const plan = planScript(loaded);
    script = { loaded, plan };
    hooks.onScript?.(loaded);
    config = scripting.scriptConfig(config, plan, options);
  }
  if (hooks.signal?.aborted) throw new RatetestError('ERR_RUN', 'the run was aborted before it started');
  ensureFds(config);
  ensureIoEngine(config);
  if (options.monitorPid !== undefined) monitoring?.checkMonitorPid(options.monitorPid);
  // With --start-at the schedule starts at that instant (or now, if it has passed).
  let startedAt = new Date(Math.max(Date.now(), config.startAt ?? 0));
  const shard = shardOf(config, program, options);
  hooks.onStart?.(config, address, startedAt, shard);
  const feeder = script && !script.plan.staticRequest ? scripting?.newFeeder(config, script.loaded, script.plan) : undefined;
  const native = startNative(config, address, program, script && scripting ? scripting.scriptNativePlan(config, script.loaded, script.plan, address, feeder) : {});
  feeder?.start(native as Required<NativeRun>, () => native.stop());
  const monitor = options.monitorPid !== undefined ? monitoring?.startMonitor(options.monitorPid) : undefined;
  const stop = () => native.stop();
  hooks.signal?.addEventListener('abort', stop, { once: true });
  const series = new SeriesRecorder(config.threads, Math.round(config.intervalMs * 1e6), Math.round(config.warmupMs * 1e6), options.intervalHistograms === true, hooks.onInterval);
  let endedEarly: string | undefined;
  const deadTarget = config.durationMs >= UNLIMITED_MS ? new DeadTargetWatch(DEAD_TARGET_FACTOR * (config.connectTimeoutMs + config.timeoutMs)) : undefined;
  const onSnapshot = (s: NativeSnapshot) => {
    hooks.onSnapshot?.(runSnapshot(s, scriptStarved(native)), false);
    endedEarly ??= deadTarget?.check(s, performance.now());
    if (endedEarly) native.stop();
  };
  const stopWatchingSeries = watch(native, config, series, hooks.onProgress, onSnapshot);
  const stopWatchingLive = hooks.live ? watchLive(native, hooks.live.periodMs, hooks.live.onSnapshot) : () => {};
  const stopWatching = () => {
    stopWatchingSeries();
    stopWatchingLive();
  };
  try {
    const final = await settled(native);
    stopWatching();
    feeder?.finish();
    hooks.onSnapshot?.(runSnapshot(final, scriptStarved(native)), true);
    if (final.lateNs !== undefined && config.startAt !== undefined) startedAt = new Date(config.startAt + final.lateNs / 1e6);
    const result = toResult(config, final, startedAt, program);
    if (shard) result.shard = { ...shard, ...(final.lateNs !== undefined ? { lateNs: final.lateNs } : {}) };
    result.intervals = series.finish(native.intervals(true));
    if (endedEarly) Object.assign(result, { endedEarly, interrupted: false });
    if (monitor) result.monitor = monitor.stop();
    if (script && scripting) result.script = scripting.scriptResult(script.loaded, script.plan, native, feeder);
    return result;
  } finally {
    stopWatching();
    feeder?.finish();
    hooks.signal?.removeEventListener('abort', stop);
  }
}

/** The Result's shard section (--shard or --start-at), its lateness filled in at the end. */
function shardOf(config: RunConfig, program: RequestProgram | undefined, options: RunOptions): ShardInfo | undefined {
  if (!config.shard && config.startAt === undefined) return undefined;
  const script = options.script ? { source: readFileSync(options.script.file), args: options.script.args ?? [] } : undefined;
  return {
    index: config.shard?.index ?? 0,
    count: config.shard?.count ?? 1,
    ...(config.startAt !== undefined ? { startAt: new Date(config.startAt).toISOString() } : {}),
    fingerprint: fingerprintOf(config, { ...(program && { templates: program.native }), ...(script && { script }) }),
  };
}
