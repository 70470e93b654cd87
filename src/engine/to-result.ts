// to-result.ts: the native result (plain numbers and bucket arrays) as a Result: histograms,
// counts by status and error kind, errno names, per-name statistics.
import { constants } from 'node:os';
import type { NativeResult } from '../addon/native.js';
import type { RunConfig } from '../config/options.js';
import type { RequestProgram } from '../requests/compile.js';
import { bucketsToHistogram } from '../result/histogram.js';
import type { ErrorCounts, RequestResult, Result, TlsResult } from '../result/result.js';
import { nanos, shapeFields } from './native-plan.js';
import { http2Result } from './http2-result.js';
import { grpcResult } from './grpc-result.js';
import { targets } from './schedule.js';

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, code]) => [code, name]));


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
      ...(config.ioEngine !== 'epoll' ? { ioEngine: config.ioEngine } : {}),
      ...shapeFields(config),
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
    threads: native.threads.map((t) => ({ completed: t.completed, cpuNs: t.cpuNs, runDelayNs: t.runDelayNs, perSecond: Array.from(t.perSecond) })),
    protocol: !config.http2 ? 'http/1.1' : config.tls ? 'h2' : 'h2c',
    ...(native.tls ? { tls: tlsResult(native.tls) } : {}),
    ...(native.http2 ? { http2: http2Result(native.http2, config) } : {}),
    ...(native.grpc ? { grpc: grpcResult(native.grpc) } : {}),
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
