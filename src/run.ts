// run.ts: one run from options to Result: validate, resolve, start the native pumps, relay
// progress from snapshots, and turn the native result into histograms and counts.
import { lookup } from 'node:dns/promises';
import { constants } from 'node:os';
import { bucketsToHistogram } from './histogram.js';
import { RatetestError } from './errors.js';
import { loadAddon, type NativeErrors, type NativeResult, type NativeRun, type NativeSnapshot } from './native.js';
import { validate, type RunConfig, type RunOptions } from './options.js';
import type { ErrorCounts, Result } from './result.js';
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
function nanos(config: RunConfig): { durationNs: number; timeoutNs: number; batchNs: number } {
  return {
    durationNs: Math.round(config.durationMs * 1e6),
    timeoutNs: Math.round(config.timeoutMs * 1e6),
    batchNs: Math.round(config.batchUs * 1e3),
  };
}

/** Raises the soft fd limit to fit the connections, or fails before anything is printed or started. */
function ensureFds(config: RunConfig): void {
  try {
    loadAddon().ensureFdLimit(config.connections + FD_HEADROOM);
  } catch (err) {
    if (err instanceof RatetestError) throw err;
    if ((err as { code?: string }).code === 'ERR_FD_LIMIT') throw new RatetestError('ERR_FD_LIMIT', (err as Error).message);
    throw new RatetestError('ERR_ADDON', `cannot check the file descriptor limit: ${(err as Error).message}`);
  }
}

function startNative(config: RunConfig, address: string): NativeRun {
  const addon = loadAddon();
  try {
    return addon.start({
      threads: config.threads,
      connections: config.connections,
      rate: config.rate,
      ...nanos(config),
      drainNs: nanos(config).timeoutNs,
      address,
      port: config.port,
      request: config.request,
      headRequest: config.headRequest,
    });
  } catch (err) {
    if (err instanceof RatetestError) throw err;
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

export function toResult(config: RunConfig, native: NativeResult, startedAt: Date): Result {
  const status: Record<number, number> = {};
  let non2xx3xx = 0;
  for (let i = 0; i + 1 < native.status.length; i += 2) {
    const code = native.status[i]!;
    const count = native.status[i + 1]!;
    status[code] = count;
    if (code < 200 || code >= 400) non2xx3xx += count;
  }
  const errorCodes: Result['errorCodes'] = {};
  for (const kind of Object.keys(native.firstErrno) as (keyof ErrorCounts)[]) {
    const errno = native.firstErrno[kind];
    if (errno !== 0) errorCodes[kind] = ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
  }
  return {
    config: {
      url: config.url.toString(),
      method: config.method,
      rate: config.rate,
      threads: config.threads,
      connections: config.connections,
      ...nanos(config),
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
    interrupted: native.stopped,
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
  const { address } = await resolveAddress(config.host);
  if (hooks.signal?.aborted) throw new RatetestError('ERR_RUN', 'the run was aborted before it started');
  ensureFds(config);
  if (options.monitorPid !== undefined) checkMonitorPid(options.monitorPid);
  hooks.onStart?.(config, address);
  const startedAt = new Date();
  const native = startNative(config, address);
  const monitor = options.monitorPid !== undefined ? startMonitor(options.monitorPid) : undefined;
  const stop = () => native.stop();
  hooks.signal?.addEventListener('abort', stop, { once: true });
  const stopProgress = hooks.onProgress ? watchProgress(native, hooks.onProgress) : () => {};
  try {
    const result = toResult(config, await settled(native), startedAt);
    if (monitor) result.monitor = monitor.stop();
    return result;
  } finally {
    stopProgress();
    hooks.signal?.removeEventListener('abort', stop);
  }
}
