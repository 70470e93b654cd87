import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/errors.js';
import { grpcTimeout } from '../../src/cli/grpc.js';
import { encodeMessage, findMethod, loadProto } from '../../src/grpc/proto.js';
import { grpcResult } from '../../src/engine/grpc-result.js';
import { grpcLines } from '../../src/report/grpc-lines.js';
import { failedRequests } from '../../src/analysis/criteria.js';
import { mergeResults } from '../../src/analysis/merge.js';
import { droppedForHttp2 } from '../../src/config/options.js';
import { syntheticResult } from '../fixtures/result.js';

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/grpc/${path}`, import.meta.url));
const method = findMethod(loadProto(fixture('labecho.proto'), [fixture('include')]), 'labecho.Echo/Say', 'labecho.proto');

/** The message a frame holds, decoded back with the same type. */
function decode(frame: Buffer): Record<string, unknown> {
  expect(frame[0]).toBe(0);
  expect(frame.readUInt32BE(1)).toBe(frame.length - 5);
  return method.type.toObject(method.type.decode(frame.subarray(5)), { longs: String, enums: String, bytes: String }) as Record<string, unknown>;
}

describe('grpcTimeout: the finest grpc-timeout unit whose count fits 8 digits, rounded up', () => {
  it.each([
    [1, '1n'],
    [99_999_999, '99999999n'],
    [100e6, '100000u'],
    [50e6, '50000000n'],
    [2e9, '2000000u'],
    [1234.5, '1235n'],
    [200e9, '200000m'],
    [3600e9 * 24, '86400000m'],
    [3600e9 * 24 * 2, '172800S'],
  ])('%d ns -> %s', (ns, expected) => {
    expect(grpcTimeout(ns)).toBe(expected);
  });
});

describe('encodeMessage', () => {
  it('frames the protobuf encoding: flag 0, big-endian length, the message', () => {
    const frame = encodeMessage(method, '{"text":"hi"}', '--data');
    expect([...frame]).toEqual([0, 0, 0, 0, 4, 0x0a, 0x02, 0x68, 0x69]);
  });

  it('takes JSON names and .proto names, int64 past 2^53 as a string, enums by name, bytes as base64, null as the default', () => {
    const frame = encodeMessage(method, '{"text":null,"delayMs":7,"seq":"9007199254740993","kind":"LOUD","blob":"AAEC","inner":{"level":-3},"tags":["a"]}', '--data');
    expect(decode(frame)).toEqual({ delay_ms: 7, seq: '9007199254740993', kind: 'LOUD', blob: 'AAEC', inner: { level: -3 }, tags: ['a'] });
  });

  it('an empty message is a frame of length 0', () => {
    expect([...encodeMessage(method, '{}', '--data')]).toEqual([0, 0, 0, 0, 0]);
  });

  it.each([
    ['{"text":true}', '--data: field "text": expected a string, got true'],
    ['{"seq":-1.5}', '--data: field "seq": expected an integer (int64), got -1.5'],
    ['{"delay_ms":-1}', '--data: field "delay_ms": -1 is out of range for uint32 (0 to 4294967295)'],
    ['{"blob":"not base64!"}', '--data: field "blob": expected base64 text (bytes), got "not base64!"'],
    ['{"tags":"a"}', '--data: field "tags": expected an array (a repeated string), got "a"'],
    ['{"inner":[]}', '--data: field "inner": expected an object for labecho.Inner, got an array'],
    ['"text"', '--data: the message (labecho.SayRequest): expected an object for labecho.SayRequest, got "text"'],
  ])('refuses %s: "%s"', (json, message) => {
    expect(() => encodeMessage(method, json, '--data')).toThrow(new UsageError(message));
  });

  it('refuses two members of one oneof', () => {
    const root = protobuf.parse('syntax = "proto3"; package p; message M { oneof pick { string a = 1; int32 b = 2; } } service S { rpc Go (M) returns (M); }', { keepCase: true }).root;
    const m = findMethod(root, 'p.S/Go', 'inline.proto');
    expect(() => encodeMessage(m, '{"a":"x","b":1}', '--data')).toThrow(new UsageError('--data: the message (p.M): a and b are in one oneof (pick): set one of them'));
    expect(encodeMessage(m, '{"b":1}', '--data').length).toBe(7);
  });

  it('gives the method its HTTP/2 path, with either separator', () => {
    expect(method.path).toBe('/labecho.Echo/Say');
    expect(findMethod(loadProto(fixture('labecho.proto'), [fixture('include')]), 'labecho.Echo.Say', 'labecho.proto').path).toBe('/labecho.Echo/Say');
  });
});

describe('the grpc section', () => {
  const native = { status: Float64Array.from([180, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 2]), httpErrors: 4, malformed: 1, firstErrorCode: 14, firstErrorMessage: 'try%20again' };

  it('names codes, counts a code above 16 as OTHER, decodes grpc-message', () => {
    expect(grpcResult(native)).toEqual({ status: { OK: 180, DEADLINE_EXCEEDED: 3, UNAVAILABLE: 20, OTHER: 2 }, httpErrors: 4, malformed: 1, firstError: { status: 'UNAVAILABLE', message: 'try again' } });
  });

  it('the text report says it in one line per kind', () => {
    const result = syntheticResult({ grpc: grpcResult(native) });
    expect(grpcLines(result)).toEqual([
      '  gRPC status: OK 180, DEADLINE_EXCEEDED 3, UNAVAILABLE 20, OTHER 2',
      '  gRPC calls without a grpc-status: 4 (HTTP-level errors; see the status codes above)',
      '  Malformed gRPC responses: 1 (a grpc-status that is no number, or a message cut short)',
      '  First gRPC error: UNAVAILABLE: try again',
    ]);
    expect(grpcLines(syntheticResult())).toEqual([]);
  });

  it('errors counts every call that did not end OK, though every HTTP status was 200', () => {
    const result = syntheticResult({ scheduled: 210, sent: 210, completed: 210, status: { 200: 210 }, non2xx3xx: 0, grpc: grpcResult(native) });
    expect(failedRequests(result)).toBe(210 - 180);
  });

  it('merge adds shards code by code', () => {
    const a = syntheticResult({ grpc: { status: { OK: 10, UNAVAILABLE: 1 }, httpErrors: 1, malformed: 0 } });
    const b = syntheticResult({ grpc: { status: { OK: 5, INTERNAL: 2 }, httpErrors: 0, malformed: 3, firstError: { status: 'INTERNAL', message: 'x' } } });
    expect(mergeResults([{ source: 'a', value: a }, { source: 'b', value: b }]).grpc).toEqual({
      status: { OK: 15, UNAVAILABLE: 1, INTERNAL: 2 },
      httpErrors: 1,
      malformed: 3,
      firstError: { status: 'INTERNAL', message: 'x' },
    });
  });
});

it('HTTP/2 keeps "TE: trailers" (gRPC needs it) and drops any other TE', () => {
  expect(droppedForHttp2(['TE: trailers', 'te:  Trailers ', 'TE: gzip', 'Connection: close'])).toEqual(['TE', 'Connection']);
});
