// The HTTP/2 section: native counters -> Result.http2 (http2-result.ts), its text lines
// (report/http2-lines.ts), the protocol in the JSON, and the --http2/--streams checks in validate().
import { describe, expect, it } from 'vitest';
import { http2Result } from '../../src/engine/http2-result.js';
import { http2Lines } from '../../src/report/http2-lines.js';
import { toJson } from '../../src/report/json.js';
import { validate } from '../../src/config/options.js';
import type { NativeHttp2 } from '../../src/addon/native.js';
import { syntheticResult } from '../fixtures/result.js';

function nativeHttp2(overrides: Partial<NativeHttp2> = {}): NativeHttp2 {
  const resets = new Float64Array(15);
  resets[2] = 4; // INTERNAL_ERROR
  resets[14] = 1; // a code above 0xd
  // Streams in flight sampled at each send: 1 x10, 3 x20, 8 x1 ([value, count] pairs).
  const streamsInFlight = new Float64Array([1, 10, 3, 20, 8, 1]);
  return { goaways: 2, resent: 7, resets, stalls: 1, protocolErrors: 3, cappedTo: 0, allocatorCalls: 330, systemAllocations: 9, streamsInFlight, ...overrides };
}

describe('http2Result', () => {
  it('names RST_STREAM codes, keeps only those seen, and summarises streams in flight', () => {
    const h2 = http2Result(nativeHttp2(), { streams: 8, headers: ['X-A: 1', 'connection: close', 'Upgrade: h2c'] });
    expect(h2.resets).toEqual({ INTERNAL_ERROR: 4, OTHER: 1 });
    expect(h2.streamsInFlight).toEqual({ p50: 3, max: 8 });
    expect(h2).toMatchObject({ streams: 8, goaways: 2, resent: 7, stalledWindows: 1, protocolErrors: 3, allocatorCalls: 330, systemAllocations: 9 });
    expect(h2.cappedTo).toBeUndefined();
    expect(h2.droppedHeaders).toEqual(['connection', 'Upgrade']);
  });

  it('reports the server cap only when one was below --streams', () => {
    expect(http2Result(nativeHttp2({ cappedTo: 2 }), { streams: 8, headers: [] }).cappedTo).toBe(2);
  });
});

describe('http2Lines', () => {
  it('prints the protocol, streams, GOAWAYs, resets, stalls, protocol errors and dropped headers', () => {
    const http2 = http2Result(nativeHttp2({ cappedTo: 2 }), { streams: 8, headers: ['Connection: close'] });
    expect(http2Lines(syntheticResult({ protocol: 'h2', http2 }))).toEqual([
      '  Protocol: HTTP/2 (h2)',
      '  Streams in flight per connection: p50 3, max 8 (the server allows 2 of --streams 8)',
      '  GOAWAYs: 2 (connections replaced; 7 streams sent again)',
      '  RST_STREAMs: INTERNAL_ERROR 4, OTHER 1',
      "  Stalled windows: 1 (request bodies waited on the server's flow-control window)",
      '  HTTP/2 protocol errors: 3',
      '  Note: HTTP/2 forbids connection-specific headers; left out: Connection',
    ]);
  });

  it('prints nothing for an HTTP/1.1 run, and only the first two lines for a quiet h2c run', () => {
    expect(http2Lines(syntheticResult())).toEqual([]);
    const quiet = http2Result(nativeHttp2({ goaways: 0, resets: new Float64Array(15), stalls: 0, protocolErrors: 0 }), { streams: 8, headers: [] });
    expect(http2Lines(syntheticResult({ protocol: 'h2c', http2: quiet }))).toEqual(['  Protocol: HTTP/2 (h2c)', '  Streams in flight per connection: p50 3, max 8']);
  });
});

describe('the JSON protocol field', () => {
  it('is http/1.1 for a result without one, and the result\'s own otherwise', () => {
    expect(toJson(syntheticResult()).protocol).toBe('http/1.1');
    expect(toJson(syntheticResult({ protocol: 'h2c' })).protocol).toBe('h2c');
  });
});

describe('validate: --http2 and --streams', () => {
  it('defaults --streams to 1 with --http2, and keeps HTTP/1.1 without it', () => {
    expect(validate({ url: 'http://127.0.0.1/', rate: 1, http2: true })).toMatchObject({ http2: true, streams: 1 });
    expect(validate({ url: 'http://127.0.0.1/', rate: 1 })).toMatchObject({ http2: false, streams: 1 });
  });

  it.each([
    [{ streams: 4 }, '--streams applies to --http2 only, got --streams 4'],
    [{ http2: true, pipeline: 2 }, '--pipeline applies to HTTP/1.1 only; with --http2 use --streams, got --pipeline 2'],
    [{ http2: true, streams: 1025 }, '--streams must be a whole number from 1 to 1024, got 1025'],
    [{ http2: true, streams: 1.5 }, '--streams must be a whole number from 1 to 1024, got 1.5'],
  ])('rejects %o: "%s"', (options, message) => {
    expect(() => validate({ url: 'http://127.0.0.1/', rate: 1, ...options })).toThrow(message);
  });
});
