// http2-result.ts: the native HTTP/2 counters as the Result's `http2` section. Pure: no I/O.
import { bucketsToHistogram } from '../result/histogram.js';
import type { NativeHttp2 } from '../addon/native.js';
import { droppedForHttp2, type RunConfig } from '../config/options.js';
import type { Http2Result } from '../result/result.js';

/** RFC 9113 section 7 error codes, by value; codes above 0xd are counted as OTHER. */
export const H2_ERROR_NAMES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
  'OTHER',
] as const;

export function http2Result(native: NativeHttp2, config: Pick<RunConfig, 'streams' | 'headers'>): Http2Result {
  const resets: Record<string, number> = {};
  native.resets.forEach((count, code) => {
    if (count > 0) resets[H2_ERROR_NAMES[code] ?? 'OTHER'] = count;
  });
  const inFlight = bucketsToHistogram(native.streamsInFlight);
  return {
    streams: config.streams,
    ...(native.cappedTo > 0 ? { cappedTo: native.cappedTo } : {}),
    streamsInFlight: {
      p50: inFlight.totalCount > 0 ? inFlight.getValueAtPercentile(50) : 0,
      max: inFlight.totalCount > 0 ? inFlight.maxValue : 0,
    },
    goaways: native.goaways,
    resent: native.resent,
    resets,
    stalledWindows: native.stalls,
    protocolErrors: native.protocolErrors,
    allocatorCalls: native.allocatorCalls,
    systemAllocations: native.systemAllocations,
    droppedHeaders: droppedForHttp2(config.headers),
  };
}
