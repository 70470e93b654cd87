// native-plan.ts: a checked RunConfig as the plain object the native pumps start from, and the
// checks that must pass before they start (file descriptors, the address to connect to).
import { lookup } from 'node:dns/promises';
import { RatetestError } from '../common/errors.js';
import { fromNativeError, loadAddon, type NativePlan, type NativeRun, type NativeSchedulePlan } from '../addon/native.js';
import type { RunConfig } from '../config/options.js';
import { schedulePlan } from '../config/shape.js';
import type { RequestProgram } from '../requests/compile.js';
import type { ResultConfig } from '../result/result.js';

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
export function nanos(config: RunConfig): { durationNs: number; timeoutNs: number; batchNs: number; connectTimeoutNs: number; intervalNs: number } {
  return {
    intervalNs: Math.round(config.intervalMs * 1e6),
    durationNs: Math.round(config.durationMs * 1e6),
    timeoutNs: Math.round(config.timeoutMs * 1e6),
    batchNs: Math.round(config.batchUs * 1e3),
    connectTimeoutNs: Math.round(config.connectTimeoutMs * 1e6),
  };
}


/** --io-engine io_uring: fails before anything is printed or started where the kernel or a sandbox refuses it. */
export function ensureIoEngine(config: RunConfig): void {
  if (config.ioEngine !== 'io_uring') return;
  try {
    loadAddon().checkIoUring();
  } catch (err) {
    throw fromNativeError(err, 'cannot check io_uring');
  }
}

/** Raises the soft fd limit to fit the connections, or fails before anything is printed or started. */
export function ensureFds(config: RunConfig): void {
  try {
    loadAddon().ensureFdLimit(config.maxConnections + FD_HEADROOM);
  } catch (err) {
    throw fromNativeError(err, 'cannot check the file descriptor limit');
  }
}


/**
 * The load-shape fields a run's native plan and its Result's config both carry, left out when
 * default so a plain run's JSON stays short.
 */
export function shapeFields(config: RunConfig): ShapeFields {
  const out: ShapeFields = {};
  if (config.ramps) out.stages = config.ramps;
  if (config.arrival === 'poisson') Object.assign(out, { arrival: 'poisson', seed: config.seed });
  if (config.warmupMs > 0) out.warmupNs = Math.round(config.warmupMs * 1e6);
  if (config.requestCount > 0) out.requestCount = config.requestCount;
  if (config.closedLoop) out.closedLoop = true;
  if (config.maxConnections > config.connections) out.maxConnections = config.maxConnections;
  return out;
}

export type ShapeFields = Pick<ResultConfig, 'stages' | 'arrival' | 'seed' | 'warmupNs' | 'requestCount' | 'closedLoop' | 'maxConnections'>;

export function startNative(config: RunConfig, address: string, program: RequestProgram | undefined, extra: Partial<NativePlan> = {}): NativeRun {
  const addon = loadAddon();
  try {
    return addon.start({
      threads: config.threads,
      connections: config.connections,
      ...nanos(config),
      drainNs: nanos(config).timeoutNs,
      address,
      port: config.port,
      // HTTP/2 streams take the place of pipelined requests: the in-flight slots per connection.
      pipeline: config.http2 ? config.streams : config.pipeline,
      ...(config.http2 ? { http2: { authority: config.url.host, nghttp2Version: process.versions.nghttp2 ?? 'none' } } : {}),
      ...(config.grpc ? { grpc: true } : {}),
      ...(config.ioEngine !== 'epoll' ? { ioEngine: config.ioEngine } : {}),
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
      ...nativeShape(config),
      ...extra,
    });
  } catch (err) {
    throw fromNativeError(err, 'the native pump failed to start');
  }
}


/** The schedule's fields (shared with scheduleFigures), the extra connections and the start instant. */
function nativeShape(config: RunConfig): Omit<NativeSchedulePlan, 'durationNs'> & Partial<NativePlan> {
  const out: Omit<NativeSchedulePlan, 'durationNs'> & Partial<NativePlan> = schedulePlan(config);
  if (config.maxConnections > config.connections) out.maxConnections = config.maxConnections;
  if (config.startAt !== undefined) out.startAtUnixMs = config.startAt;
  return out;
}
