// json-read.ts: a ratetest/result/v1 document read back into a Result (its encoded histograms
// decoded), so a merge or a gate works on what the run itself held. Pure: no files; the
// document's own fields are trusted once it names the schema (read-result.ts checks that).
import type { Histogram } from 'hdr-histogram-js';
import { decodeFromCompressedBase64 } from '../result/hdr-formats.js';
import type { RequestResult, Result } from '../result/result.js';
import type { LatencyJson, ResultJson } from './json.js';
import { emptyHistogram } from '../result/histogram.js';

/** A latency object's histogram; an older document without one reads as empty. */
export function decodeLatency(latency: LatencyJson | undefined): Histogram {
  if (!latency?.histogram) return emptyHistogram();
  return decodeFromCompressedBase64(latency.histogram, 64, false);
}

const statusOf = (status: Record<string, number>): Record<number, number> => Object.fromEntries(Object.entries(status).map(([code, n]) => [Number(code), n]));

export function resultFromJson(json: ResultJson): Result {
  const { schema: _schema, requestedRate: _rate, selfCheck: _check, latency, status, tls, requests, series, ...rest } = json;
  const result: Result = {
    ...rest,
    status: statusOf(status),
    corrected: decodeLatency(latency.corrected),
    uncorrected: decodeLatency(latency.uncorrected),
    sendLag: decodeLatency(latency.sendLag),
  };
  if (tls) result.tls = { ...tls, handshake: decodeLatency(tls.handshake) };
  if (requests) {
    result.requests = requests.map(({ latency: l, status: s, ...r }): RequestResult => ({ ...r, status: statusOf(s), corrected: decodeLatency(l.corrected) }));
  }
  if (series) result.intervals = series.map((interval) => ({ ...interval }));
  return result;
}
