// run.ts: one run from options to Result: validate, resolve, start the native pumps, relay
// progress from snapshots, and turn the native result into histograms and counts.
import { lookup } from 'node:dns/promises';
import { constants } from 'node:os';
import { bucketsToHistogram } from './histogram.js';
import { RatetestError, UsageError } from './errors.js';
import { loadAddon, type NativeErrors, type NativePlan, type NativeResult, type NativeRun, type NativeSnapshot } from './native.js';
import { validate, type RunConfig, type RunOptions } from './options.js';
import { compileRequests, type RequestProgram } from './requests/compile.js';
import type { ErrorCounts, RequestResult, Result, ResultConfig, TlsResult } from './result.js';
import { http2Result } from './http2-result.js';
import { cumulativeAt, targetPerSecond, type Ramp } from './shape/stages.js';
import { checkMonitorPid, startMonitor } from './monitor.js';
import { SeriesRecorder, type IntervalListener } from './series.js';
import { DeadTargetWatch } from './dead-target.js';
import { UNLIMITED_MS } from './shape/options.js';
import { performance } from 'node:perf_hooks';
import { ScriptFeeder } from './script/feeder.js';
import { splitRequests } from './script/http-messages.js';
import { loadScript, planScript, type ScriptPlan } from './script/load.js';
import { ScriptLoadError, type LoadedScript, type ScriptRunError } from './script/types.js';

/** Once a second while the run goes on. */
export interface Progress {
  elapsedNs: number;
  sent: number;
  completed: number;
  /** Completed responses per second over the last interval. */
  rate: number;
  errors: number;
  connectionsOpen: number;
  /** Requests the schedule had due per second over the last interval (0 in closed loop). */
  targetRate: number;
  /** Corrected latency of the last interval's responses; undefined when none completed. */
  p50Ns?: number;
  p99Ns?: number;
}

/** The run's cumulative figures so far, once a second and once at the end (for live exporters). */
export interface RunSnapshot {
  elapsedNs: number;
  /** Requests the schedule had due (the target); in closed loop, those sent. */
  due: number;
  sent: number;
  completed: number;
  errors: ErrorCounts;
  /** Responses by status code. */
  status: Record<string, number>;
  connectionsOpen: number;
  inFlight: number;
  /** Corrected latency so far as [valueNs, count] pairs, ascending (HdrHistogram buckets). */
  correctedBuckets: Float64Array;
}

function runSnapshot(s: NativeSnapshot): RunSnapshot {
  const status: Record<string, number> = {};
  for (let i = 0; i + 1 < s.status.length; i += 2) status[String(s.status[i])] = s.status[i + 1]!;
  return {
    elapsedNs: s.elapsedNs,
    due: s.due,
    sent: s.sent,
    completed: s.completed,
    errors: { ...s.errors },
    status,
    connectionsOpen: s.connectionsOpen,
    inFlight: s.inFlight,
    correctedBuckets: s.corrected,
  };
}

export interface RunHooks {
  /** Each cumulative snapshot: once a second while the run goes on, then the final figures (final = true). */
  onSnapshot?: (snapshot: RunSnapshot, final: boolean) => void;
  /** Aborting stops the run early; the promise still resolves with what was gathered. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Called once the options are valid and the host resolved, just before the pumps start; startedAt becomes Result.startedAt. */
  onStart?: (config: RunConfig, address: string, startedAt: Date) => void;
  /**
   * Each interval of about a second as it closes (after any warm-up), with its corrected and
   * uncorrected histograms: for writing them out during the run (--hdr-log) rather than keeping
   * them (RunOptions.intervalHistograms). Its times are from Result.startedAt.
   */
  onInterval?: IntervalListener;
  /** A script run: the loaded script, for scriptDone() after the report (src/script/done.ts). */
  onScript?: (script: LoadedScript) => void;
}

/** A -n run gives up after this many (connect timeout + timeout) with no connection and no response. */
const DEAD_TARGET_FACTOR = 2;

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
  let total = Infinity;
  if (!config.closedLoop) {
    const ramps = runRamps(config);
    total = cumulativeAt(ramps, ramps.reduce((sum, r) => sum + r.durationNs, 0));
    // Poisson arrivals vary around the mean: leave room for a generous deviation.
    total = config.arrival === 'poisson' ? total + 4 * Math.sqrt(total) + 10 : total + 1;
  }
  if (config.requestCount > 0) total = Math.min(total, config.requestCount);
  return Array.from({ length: config.threads }, (_, i) => (Number.isFinite(total) ? Math.ceil((Math.ceil(total) - i) / config.threads) + 1 : Infinity));
}

function scriptNativePlan(config: RunConfig, script: LoadedScript, plan: ScriptPlan, address: string, feeder: ScriptFeeder | undefined): Partial<NativePlan> {
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

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, code]) => [code, name]));

/** Extra file descriptors beyond one per connection: stdio, the poller, Node's own. */
const FD_HEADROOM = 64;

/** The host as a numeric address the pump can connect to; "[::1]" works as well as "::1". */
export async function resolveAddress(host: string): Promise<{ address: string; family: 4 | 6 }> {
  try {
    const { address, family } = await lookup(host.replace(/^\[(.*)\]$/, '$1'));
    return { address, family: family === 6 ? 6 : 4 };
  } catch (err) {
    throw new RatetestError('ERR_RESOLVE', `cannot resolve host "${host}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The config's times in the nanoseconds the native side and the Result use. */
function nanos(config: RunConfig): { durationNs: number; timeoutNs: number; batchNs: number; connectTimeoutNs: number } {
  return {
    durationNs: Math.round(config.durationMs * 1e6),
    timeoutNs: Math.round(config.timeoutMs * 1e6),
    batchNs: Math.round(config.batchUs * 1e3),
    connectTimeoutNs: Math.round(config.connectTimeoutMs * 1e6),
  };
}

/** Raises the soft fd limit to fit the connections, or fails before anything is printed or started. */
function ensureFds(config: RunConfig): void {
  try {
    loadAddon().ensureFdLimit(config.maxConnections + FD_HEADROOM);
  } catch (err) {
    if (err instanceof RatetestError) throw err;
    if ((err as { code?: string }).code === 'ERR_FD_LIMIT') throw new RatetestError('ERR_FD_LIMIT', (err as Error).message);
    throw new RatetestError('ERR_ADDON', `cannot check the file descriptor limit: ${(err as Error).message}`);
  }
}

/** The load-shape fields of the native plan; left out when default, as older plans had them. */
function shapePlan(config: RunConfig): Partial<NativePlan> {
  const plan: Partial<NativePlan> = {};
  if (config.ramps) plan.stages = config.ramps;
  if (config.arrival === 'poisson') Object.assign(plan, { arrival: 'poisson', seed: config.seed });
  if (config.warmupMs > 0) plan.warmupNs = Math.round(config.warmupMs * 1e6);
  if (config.requestCount > 0) plan.maxRequests = config.requestCount;
  if (config.closedLoop) plan.closedLoop = true;
  if (config.maxConnections > config.connections) plan.maxConnections = config.maxConnections;
  return plan;
}

/** The same, as the Result's config reports them. */
function shapeResultConfig(config: RunConfig): Partial<ResultConfig> {
  const out: Partial<ResultConfig> = {};
  if (config.ramps) out.stages = config.ramps;
  if (config.arrival === 'poisson') Object.assign(out, { arrival: 'poisson', seed: config.seed });
  if (config.warmupMs > 0) out.warmupNs = Math.round(config.warmupMs * 1e6);
  if (config.requestCount > 0) out.requestCount = config.requestCount;
  if (config.closedLoop) out.closedLoop = true;
  if (config.maxConnections > config.connections) out.maxConnections = config.maxConnections;
  return out;
}

/**
 * The rate as the schedule follows it from its start (a constant rate is one flat ramp), a
 * warm-up first at the first stage's target, as native/plan.cc prepends it.
 */
function runRamps(config: RunConfig): Ramp[] {
  const ramps = config.ramps ?? [{ durationNs: config.durationMs * 1e6, fromRate: config.rate, toRate: config.rate }];
  const warm = Math.round(config.warmupMs * 1e6);
  return warm > 0 ? [{ durationNs: warm, fromRate: ramps[0]!.toRate, toRate: ramps[0]!.toRate }, ...ramps] : ramps;
}

/** The schedule's mean rate between two times since the start (0 in closed loop): what progress shows as the target. */
function targetRateBetween(config: RunConfig, fromNs: number, toNs: number): number {
  if (config.closedLoop || toNs <= fromNs) return 0;
  const ramps = runRamps(config);
  return ((cumulativeAt(ramps, toNs) - cumulativeAt(ramps, fromNs)) * 1e9) / (toNs - fromNs);
}

/** Target requests per second of the measured run: the ramps' integral, or the constant rate. */
function targets(config: RunConfig, durationNs: number): number[] | undefined {
  if (config.closedLoop) return undefined;
  if (config.ramps) {
    // The measured seconds are those after the warm-up.
    return targetPerSecond(runRamps(config)).slice(Math.ceil((config.warmupMs * 1e6) / 1e9));
  }
  const seconds = Math.ceil(durationNs / 1e9);
  return Array.from({ length: seconds }, (_, s) => config.rate * Math.min(1, durationNs / 1e9 - s));
}

function startNative(config: RunConfig, address: string, program: RequestProgram | undefined, extra: Partial<NativePlan> = {}): NativeRun {
  const addon = loadAddon();
  try {
    return addon.start({
      threads: config.threads,
      connections: config.connections,
      // Closed loop has no schedule; the native plan still wants a valid rate.
      rate: config.closedLoop ? 1 : config.rate,
      ...nanos(config),
      drainNs: nanos(config).timeoutNs,
      address,
      port: config.port,
      // HTTP/2 streams take the place of pipelined requests: the in-flight slots per connection.
      pipeline: config.http2 ? config.streams : config.pipeline,
      ...(config.http2 ? { http2: { authority: config.url.host, nghttp2Version: process.versions.nghttp2 ?? 'none' } } : {}),
      ...(config.unixSocket !== undefined ? { unixPath: config.unixSocket } : {}),
      ...(config.tls
        ? {
            tls: {
              serverName: config.tls.serverName,
              verify: config.tls.verify,
              caFile: config.tls.caFile ?? '',
              certFile: config.tls.certFile ?? '',
              keyFile: config.tls.keyFile ?? '',
            },
          }
        : {}),
      request: config.request,
      headRequest: config.headRequest,
      ...(program && { templates: program.native }),
      ...shapePlan(config),
      ...extra,
    });
  } catch (err) {
    if (err instanceof RatetestError) throw err;
    // A --ca/--cert/--key file OpenSSL rejected (not PEM, key not matching): bad input.
    if ((err as { code?: string }).code === 'ERR_TLS_CONFIG') throw new UsageError((err as Error).message);
    if ((err as { code?: string }).code === 'ERR_HTTP2_VERSION') throw new RatetestError('ERR_HTTP2_VERSION', (err as Error).message);
    throw new RatetestError('ERR_ADDON', `the native pump failed to start: ${(err as Error).message}`);
  }
}

function sumErrors(errors: NativeErrors): number {
  return errors.connect + errors.read + errors.write + errors.timeout + errors.parse;
}

// Once a second: the series' next interval, and progress for whoever asked.
function watch(native: NativeRun, config: RunConfig, series: SeriesRecorder, onProgress?: (p: Progress) => void, onSnapshot?: (s: NativeSnapshot) => void): () => void {
  let last: NativeSnapshot | undefined;
  const timer = setInterval(() => {
    const now = native.snapshot();
    series.add(now);
    onSnapshot?.(now);
    const intervalNs = last ? now.elapsedNs - last.elapsedNs : now.elapsedNs;
    const done = last ? now.completed - last.completed : now.completed;
    const latest = series.intervals.at(-1);
    const latency = latest && latest.endNs === now.elapsedNs && latest.maxNs > 0 ? latest : undefined;
    onProgress?.({
      elapsedNs: now.elapsedNs,
      sent: now.sent,
      completed: now.completed,
      rate: intervalNs > 0 ? (done * 1e9) / intervalNs : 0,
      errors: sumErrors(now.errors),
      connectionsOpen: now.connectionsOpen,
      targetRate: targetRateBetween(config, last?.elapsedNs ?? 0, now.elapsedNs),
      ...(latency && { p50Ns: latency.p50Ns, p99Ns: latency.p99Ns }),
    });
    last = now;
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Interleaved [code, count, ...] as counts by code, and how many were not 2xx or 3xx. */
function statusCounts(pairs: Float64Array): { status: Record<number, number>; non2xx3xx: number } {
  const status: Record<number, number> = {};
  let non2xx3xx = 0;
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const code = pairs[i]!;
    const count = pairs[i + 1]!;
    status[code] = count;
    if (code < 200 || code >= 400) non2xx3xx += count;
  }
  return { status, non2xx3xx };
}

function requestResults(native: NativeResult, program: RequestProgram | undefined): RequestResult[] | undefined {
  if (!program || program.names.length === 0) return undefined;
  return program.names.map((name, i) => {
    const r = native.byName[i]!;
    return { name, weight: program.weights[i]!, sent: r.sent, completed: r.completed, errors: r.errors, ...statusCounts(r.status), corrected: bucketsToHistogram(r.corrected) };
  });
}

export function toResult(config: RunConfig, native: NativeResult, startedAt: Date, program?: RequestProgram): Result {
  const { status, non2xx3xx } = statusCounts(native.status);
  const errorCodes: Result['errorCodes'] = {};
  for (const kind of Object.keys(native.firstErrno) as (keyof ErrorCounts)[]) {
    const errno = native.firstErrno[kind];
    if (errno !== 0) errorCodes[kind] = ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
  }
  const result: Result = {
    config: {
      url: program?.templatedUrl ?? config.url.toString(),
      method: config.method,
      rate: config.rate,
      threads: config.threads,
      connections: config.connections,
      ...nanos(config),
      pipeline: config.pipeline,
      ...(config.http2 ? { http2: true, streams: config.streams } : {}),
      ...(config.unixSocket !== undefined ? { unixSocket: config.unixSocket } : {}),
      ...shapeResultConfig(config),
    },
    startedAt: startedAt.toISOString(),
    durationNs: native.durationNs,
    scheduled: native.scheduled,
    sent: native.sent,
    completed: native.completed,
    notSent: native.notSent,
    inFlight: native.inFlight,
    queued: native.queued,
    bytesRead: native.bytesRead,
    bytesWritten: native.bytesWritten,
    errors: { ...native.errors },
    errorCodes,
    status,
    non2xx3xx,
    achievedRate: native.durationNs > 0 ? native.completed / (native.durationNs / 1e9) : 0,
    corrected: bucketsToHistogram(native.corrected),
    uncorrected: bucketsToHistogram(native.uncorrected),
    sendLag: bucketsToHistogram(native.sendLag),
    threads: native.threads.map((t) => ({ completed: t.completed, cpuNs: t.cpuNs, perSecond: Array.from(t.perSecond) })),
    protocol: !config.http2 ? 'http/1.1' : config.tls ? 'h2' : 'h2c',
    ...(native.tls ? { tls: tlsResult(native.tls) } : {}),
    ...(native.http2 ? { http2: http2Result(native.http2, config) } : {}),
    interrupted: native.stopped,
    connectionsOpened: native.connectionsOpened,
    openedPerSecond: Array.from(native.openedPerSecond),
    ...(program?.names.length ? { requests: requestResults(native, program)! } : {}),
  };
  const target = targets(config, native.durationNs);
  if (target) result.targetPerSecond = target;
  if (native.warmup) result.warmup = { ...native.warmup };
  return result;
}

function tlsResult(tls: NonNullable<NativeResult['tls']>): TlsResult {
  return {
    handshakes: tls.handshakes,
    resumed: tls.resumed,
    errors: { ...tls.errors },
    ...(tls.firstError !== '' ? { firstError: tls.firstError } : {}),
    handshake: bucketsToHistogram(tls.handshakeNs),
  };
}

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
  let script: { loaded: LoadedScript; plan: ScriptPlan } | undefined;
  if (options.script) {
    const loaded = await loadScript(config, options.script);
    const plan = planScript(loaded);
    script = { loaded, plan };
    hooks.onScript?.(loaded);
    config = scriptConfig(config, plan, options);
  }
  if (hooks.signal?.aborted) throw new RatetestError('ERR_RUN', 'the run was aborted before it started');
  ensureFds(config);
  if (options.monitorPid !== undefined) checkMonitorPid(options.monitorPid);
  const startedAt = new Date();
  hooks.onStart?.(config, address, startedAt);
  const feeder = script && !script.plan.staticRequest ? newFeeder(config, script.loaded, script.plan) : undefined;
  const native = startNative(config, address, program, script ? scriptNativePlan(config, script.loaded, script.plan, address, feeder) : {});
  feeder?.start(native as Required<NativeRun>, () => native.stop());
  const monitor = options.monitorPid !== undefined ? startMonitor(options.monitorPid) : undefined;
  const stop = () => native.stop();
  hooks.signal?.addEventListener('abort', stop, { once: true });
  const series = new SeriesRecorder(options.intervalHistograms === true, Math.round(config.warmupMs * 1e6), hooks.onInterval);
  let endedEarly: string | undefined;
  const deadTarget = config.durationMs >= UNLIMITED_MS ? new DeadTargetWatch(DEAD_TARGET_FACTOR * (config.connectTimeoutMs + config.timeoutMs)) : undefined;
  const onSnapshot = (s: NativeSnapshot) => {
    hooks.onSnapshot?.(runSnapshot(s), false);
    endedEarly ??= deadTarget?.check(s, performance.now());
    if (endedEarly) native.stop();
  };
  const stopWatching = watch(native, config, series, hooks.onProgress, onSnapshot);
  try {
    const final = await settled(native);
    stopWatching();
    feeder?.finish();
    hooks.onSnapshot?.(runSnapshot(final), true);
    const result = toResult(config, final, startedAt, program);
    result.intervals = series.finish(final);
    if (endedEarly) Object.assign(result, { endedEarly, interrupted: false });
    if (monitor) result.monitor = monitor.stop();
    if (script) result.script = scriptResult(script.loaded, script.plan, native, feeder);
    return result;
  } finally {
    stopWatching();
    feeder?.finish();
    hooks.signal?.removeEventListener('abort', stop);
  }
}

/** The config a script run uses: its static request, or pipelining deep enough for what request() returns. */
function scriptConfig(config: RunConfig, plan: ScriptPlan, options: RunOptions): RunConfig {
  if (plan.staticRequest) {
    return { ...config, request: plan.staticRequest, headRequest: plan.staticRequest.subarray(0, 5).toString('latin1') === 'HEAD ' };
  }
  // wrk pipelines the requests one request() returns; so does ratetest unless --pipeline says otherwise.
  if (plan.perCall > 1 && options.pipeline === undefined) return { ...config, pipeline: Math.min(plan.perCall, 1024) };
  return config;
}

/** The feeder with each thread's first queue generated: before the pumps start. A hook error here is a load error. */
function newFeeder(config: RunConfig, script: LoadedScript, plan: ScriptPlan): ScriptFeeder {
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

function scriptResult(script: LoadedScript, plan: ScriptPlan, native: NativeRun, feeder: ScriptFeeder | undefined): NonNullable<Result['script']> {
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
