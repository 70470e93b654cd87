// json.ts: the whole result as JSON, schema "ratetest/result/v1" (schema/result.schema.json,
// documented in docs/json.md). Every time is in nanoseconds and says so in its name.
import { intervalJson, type IntervalJson } from '../result/series.js';
import type { Histogram } from 'hdr-histogram-js';
import { encodeIntoCompressedBase64 } from '../result/hdr-formats.js';
import { meanAndStdDeviation } from '../result/histogram.js';
import type { RequestResult, Result } from '../result/result.js';
import { requestedRate } from '../result/requested-rate.js';
import { selfCheck, type SelfCheck } from '../analysis/self-check.js';

export const JSON_SCHEMA_ID = 'ratetest/result/v1';

const PERCENTILE_KEYS = ['50', '75', '90', '99', '99.9', '99.99', '99.999', '100'] as const;

export interface LatencyJson {
  count: number;
  minNs: number;
  maxNs: number;
  meanNs: number;
  stdevNs: number;
  /** Percentile ("99.9") -> nanoseconds. */
  percentilesNs: Record<string, number>;
  /** The full histogram: HdrHistogram's compressed base64 encoding, values in nanoseconds. */
  histogram: string;
}

/** The Result as JSON: histograms become `latency` summaries, plus the schema id and self-check. */
export interface TlsJson extends Omit<NonNullable<Result['tls']>, 'handshake'> {
  handshake: LatencyJson;
}

export interface ResultJson extends Omit<Result, 'corrected' | 'uncorrected' | 'sendLag' | 'status' | 'requests' | 'tls' | 'intervals'> {
  /** One per --interval, adding up to the totals, each with its histograms when the run kept them. */
  series?: IntervalJson[];
  schema: typeof JSON_SCHEMA_ID;
  tls?: TlsJson;
  requestedRate: number;
  status: Record<string, number>;
  latency: { corrected: LatencyJson; uncorrected: LatencyJson; sendLag: LatencyJson };
  selfCheck: SelfCheck;
  /** Per request name (runs with a request file): counts, status codes and corrected latency. */
  requests?: RequestJson[];
}

export interface RequestJson extends Omit<RequestResult, 'corrected' | 'status'> {
  status: Record<string, number>;
  latency: { corrected: LatencyJson };
}

const statusJson = (status: Record<number, number>) => Object.fromEntries(Object.entries(status).map(([code, count]) => [String(code), count]));

function requestJson(r: RequestResult): RequestJson {
  return {
    name: r.name,
    weight: r.weight,
    sent: r.sent,
    completed: r.completed,
    errors: r.errors,
    status: statusJson(r.status),
    non2xx3xx: r.non2xx3xx,
    latency: { corrected: latencyJson(r.corrected) },
  };
}

/**
 * One histogram's summary. Values are at bucket resolution, in HdrHistogram's convention: minNs is
 * the lowest value of the lowest bucket (0 counts: a send lag can be 0), maxNs and each percentile
 * the highest value of their bucket, so maxNs equals percentilesNs["100"].
 */
export function latencyJson(histogram: Histogram): LatencyJson {
  const count = histogram.totalCount;
  const at = (percentile: number) => (count > 0 ? histogram.getValueAtPercentile(percentile) : 0);
  const percentilesNs: Record<string, number> = {};
  for (const key of PERCENTILE_KEYS) percentilesNs[key] = at(Number(key));
  const spread = meanAndStdDeviation(histogram);
  return {
    count,
    minNs: at(0),
    maxNs: at(100),
    meanNs: spread.mean,
    stdevNs: spread.stdDeviation,
    percentilesNs,
    histogram: encodeIntoCompressedBase64(histogram),
  };
}

export function toJson(result: Result): ResultJson {
  return {
    schema: JSON_SCHEMA_ID,
    config: result.config,
    startedAt: result.startedAt,
    protocol: result.protocol ?? 'http/1.1',
    durationNs: result.durationNs,
    requestedRate: requestedRate(result),
    achievedRate: result.achievedRate,
    scheduled: result.scheduled,
    sent: result.sent,
    completed: result.completed,
    notSent: result.notSent,
    inFlight: result.inFlight,
    queued: result.queued,
    bytesRead: result.bytesRead,
    bytesWritten: result.bytesWritten,
    errors: result.errors,
    errorCodes: result.errorCodes,
    status: statusJson(result.status),
    non2xx3xx: result.non2xx3xx,
    latency: {
      corrected: latencyJson(result.corrected),
      uncorrected: latencyJson(result.uncorrected),
      sendLag: latencyJson(result.sendLag),
    },
    threads: result.threads,
    ...(result.tls ? { tls: { ...result.tls, handshake: latencyJson(result.tls.handshake) } } : {}),
    ...(result.http2 ? { http2: result.http2 } : {}),
    ...(result.grpc ? { grpc: result.grpc } : {}),
    ...(result.warmup ? { warmup: result.warmup } : {}),
    ...(result.targetPerSecond ? { targetPerSecond: result.targetPerSecond } : {}),
    connectionsOpened: result.connectionsOpened,
    openedPerSecond: result.openedPerSecond,
    selfCheck: selfCheck(result),
    interrupted: result.interrupted,
    ...(result.requests && { requests: result.requests.map(requestJson) }),
    ...(result.monitor ? { monitor: result.monitor } : {}),
    ...(result.intervals ? { series: result.intervals.map(intervalJson) } : {}),
    ...(result.script ? { script: result.script } : {}),
    ...(result.endedEarly ? { endedEarly: result.endedEarly } : {}),
    ...(result.shard ? { shard: result.shard } : {}),
    ...(result.shards ? { shards: result.shards } : {}),
  };
}
