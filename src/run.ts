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
import { targetPerSecond } from './shape/stages.js';
import { checkMonitorPid, startMonitor } from './monitor.js';

/** Once a second while the run goes on. */
export interface Progress {
  elapsedNs: number;
  sent: number;
  completed: number;
  /** Completed responses per second over the last interval. */
  rate: number;
  errors: number;
  connectionsOpen: number;
}

export interface RunHooks {
  /** Aborting stops the run early; the promise still resolves with what was gathered. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Called once the options are valid and the host resolved, just before the pumps start. */
  onStart?: (config: RunConfig, address: string) => void;
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

/** Target requests per second of the measured run: the ramps' integral, or the constant rate. */
function targets(config: RunConfig, durationNs: number): number[] | undefined {
  if (config.closedLoop) return undefined;
  if (config.ramps) {
    // After a warm-up the ramps begin with it; the measured seconds are those after it.
    const warm = Math.round(config.warmupMs * 1e6);
    const ramps = warm > 0 ? [{ durationNs: warm, fromRate: config.ramps[0]!.fromRate, toRate: config.ramps[0]!.fromRate }, ...config.ramps] : config.ramps;
    return targetPerSecond(ramps).slice(Math.ceil(warm / 1e9));
  }
  const seconds = Math.ceil(durationNs / 1e9);
  return Array.from({ length: seconds }, (_, s) => config.rate * Math.min(1, durationNs / 1e9 - s));
}

function startNative(config: RunConfig, address: string, program: RequestProgram | undefined): NativeRun {
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
      pipeline: config.pipeline,
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
    });
  } catch (err) {
    if (err instanceof RatetestError) throw err;
    // A --ca/--cert/--key file OpenSSL rejected (not PEM, key not matching): bad input.
    if ((err as { code?: string }).code === 'ERR_TLS_CONFIG') throw new UsageError((err as Error).message);
    throw new RatetestError('ERR_ADDON', `the native pump failed to start: ${(err as Error).message}`);
  }
}

function sumErrors(errors: NativeErrors): number {
  return errors.connect + errors.read + errors.write + errors.timeout + errors.parse;
}

function watchProgress(native: NativeRun, onProgress: (p: Progress) => void): () => void {
  let last: NativeSnapshot | undefined;
  const timer = setInterval(() => {
    const now = native.snapshot();
    const intervalNs = last ? now.elapsedNs - last.elapsedNs : now.elapsedNs;
    const done = last ? now.completed - last.completed : now.completed;
    onProgress({
      elapsedNs: now.elapsedNs,
      sent: now.sent,
      completed: now.completed,
      rate: intervalNs > 0 ? (done * 1e9) / intervalNs : 0,
      errors: sumErrors(now.errors),
      connectionsOpen: now.connectionsOpen,
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
    ...(native.tls ? { tls: tlsResult(native.tls) } : {}),
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
  const config = validate(options);
  const program = compileRequests(config, options);
  // With --unix-socket the URL's host is only the Host header: nothing to resolve.
  const address = config.unixSocket ?? (await resolveAddress(config.host)).address;
  if (hooks.signal?.aborted) throw new RatetestError('ERR_RUN', 'the run was aborted before it started');
  ensureFds(config);
  if (options.monitorPid !== undefined) checkMonitorPid(options.monitorPid);
  hooks.onStart?.(config, address);
  const startedAt = new Date();
  const native = startNative(config, address, program);
  const monitor = options.monitorPid !== undefined ? startMonitor(options.monitorPid) : undefined;
  const stop = () => native.stop();
  hooks.signal?.addEventListener('abort', stop, { once: true });
  const stopProgress = hooks.onProgress ? watchProgress(native, hooks.onProgress) : () => {};
  try {
    const result = toResult(config, await settled(native), startedAt, program);
    if (monitor) result.monitor = monitor.stop();
    return result;
  } finally {
    stopProgress();
    hooks.signal?.removeEventListener('abort', stop);
  }
}
