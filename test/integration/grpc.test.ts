// ratetest grpc against real servers: grpc-js serving the test's own .proto, and a raw h2c server
// writing exact answers. What is asserted is accounting: the server's count of calls equals the
// tool's, and every answered call is counted once, by its grpc-status or apart as an HTTP-level
// error or a malformed answer.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runJson } from './run-cli.js';
import { expectAccounted } from './pace.js';
import { CALL, grpcFrame, startEchoServer, startRawGrpcServer, type EchoServer } from './grpc-servers.js';
import { makeTlsFiles, type TlsFiles } from './tls-fixtures.js';

const RATE = '200';

describe.skipIf(!ENGINE_BUILT)('ratetest grpc against a grpc-js server', () => {
  let server: EchoServer;
  beforeAll(async () => {
    // Every 10th call the server takes is UNAVAILABLE; "slow" sleeps past any short deadline.
    server = await startEchoServer((request, index) => {
      if (request.text === 'unavailable-10th' && index % 10 === 9) return { code: grpc.status.UNAVAILABLE, details: 'every 10th call' };
      return { reply: { text: request.text, seq: request.seq } };
    });
  });
  afterAll(() => server?.close());

  it('counts calls by grpc-status exactly: every 10th UNAVAILABLE, the rest OK', async () => {
    const before = server.calls.length;
    const run = await runJson(['grpc', ...CALL, '--data', '{"text":"unavailable-10th"}', '-R', RATE, '-n', '200', '-c', '2', '-t', '1', server.url]);
    expect(run.code, run.stderr).toBe(0);
    const json = run.json;
    expectAccounted(json, 200);
    const calls = server.calls.slice(before);
    expect(calls.length).toBe(json.sent);
    expect(calls.every((c) => c.request.text === 'unavailable-10th')).toBe(true);
    const unavailable = Math.floor(calls.length / 10);
    expect(json.grpc).toEqual({ status: { OK: calls.length - unavailable, UNAVAILABLE: unavailable }, httpErrors: 0, malformed: 0, firstError: { status: 'UNAVAILABLE', message: 'every 10th call' } });
    expect(json.status).toEqual({ 200: json.completed });
    expect(run.stderr).toContain(`gRPC status: OK ${calls.length - unavailable}, UNAVAILABLE ${unavailable}`);
  });

  it('--threshold errors=0 fails on non-OK calls (exit 1); errors<=20 holds', async () => {
    const fails = await runJson(['grpc', ...CALL, '--data', '{"text":"unavailable-10th"}', '-R', RATE, '-n', '100', '-c', '2', '-t', '1', '--threshold', 'errors=0', server.url]);
    expect(fails.code, fails.stderr).toBe(1);
    expect(fails.json.grpc!.status.UNAVAILABLE).toBeGreaterThan(0);
    const holds = await runJson(['grpc', ...CALL, '--data', '{"text":"ok"}', '-R', RATE, '-n', '100', '-c', '2', '-t', '1', '--threshold', 'errors<=20%', server.url]);
    expect(holds.code, holds.stderr).toBe(0);
    expect(holds.json.grpc!.status).toEqual({ OK: holds.json.sent });
  });

  it('-H metadata, --deadline as grpc-timeout, and a field of every kind encoded', async () => {
    const before = server.calls.length;
    const data = '{"text":"fields","seq":"9007199254740993","kind":"LOUD","tags":["a","b"],"inner":{"level":-3},"blob":"AAEC"}';
    const run = await runJson(['grpc', ...CALL, '--data', data, '-H', 'x-tenant: blue', '--deadline', '2s', '-R', RATE, '-n', '20', '-c', '1', '-t', '1', server.url]);
    expect(run.code, run.stderr).toBe(0);
    const call = server.calls[before]!;
    expect(call.metadata.get('x-tenant')).toEqual(['blue']);
    expect(call.request).toMatchObject({ text: 'fields', kind: 'LOUD', tags: ['a', 'b'] });
    // longs: Number rounds 2^53 + 1 to 2^53: the 64-bit value reached the server past 2^53.
    expect(call.request.seq).toBe(2 ** 53);
    expect(run.json.grpc!.status).toEqual({ OK: run.json.sent });
  });

  it('DEADLINE_EXCEEDED: a handler that sleeps past --deadline', async () => {
    const run = await runJson(['grpc', ...CALL, '--data', '{"text":"slow","delay_ms":400}', '--deadline', '50ms', '-R', '50', '-n', '20', '-c', '2', '-t', '1', server.url]);
    expect(run.code, run.stderr).toBe(0);
    expectAccounted(run.json, 20);
    expect(run.json.grpc!.status).toEqual({ DEADLINE_EXCEEDED: run.json.sent });
  });

  it('--data-file: messages reach the server in file order, then again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ratetest-grpc-'));
    const file = join(dir, 'calls.jsonl');
    writeFileSync(file, [1, 2, 3, 4, 5].map((seq) => JSON.stringify({ text: 'file', seq })).join('\n') + '\n\n');
    const before = server.calls.length;
    // One connection, one stream: the server sees the calls in the order they were sent.
    const run = await runJson(['grpc', ...CALL, '--data-file', file, '--streams', '1', '-R', RATE, '-n', '12', '-c', '1', '-t', '1', server.url]);
    expect(run.code, run.stderr).toBe(0);
    expectAccounted(run.json, 12);
    expect(server.calls.slice(before).map((c) => c.request.seq)).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2]);

    const random = server.calls.length;
    const seeded = await runJson(['grpc', ...CALL, '--data-file', file, '--seed', '7', '--streams', '1', '-R', RATE, '-n', '40', '-c', '1', '-t', '1', server.url]);
    expect(seeded.code, seeded.stderr).toBe(0);
    const seqs = server.calls.slice(random).map((c) => c.request.seq);
    expect(seqs).toHaveLength(seeded.json.sent);
    expect(seqs.every((s) => s >= 1 && s <= 5)).toBe(true);
    expect(seqs.slice(0, 10)).not.toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
  });
});

describe.skipIf(!ENGINE_BUILT)('ratetest grpc against a server writing exact answers', () => {
  let raw: Awaited<ReturnType<typeof startRawGrpcServer>>;
  beforeAll(async () => {
    // Of every 5 calls: an OK message, a trailers-only PERMISSION_DENIED, an HTTP 503 with no
    // grpc-status, a message cut short, and a trailers-only code outside 0..16.
    raw = await startRawGrpcServer((stream, index) => {
      const kind = index % 5;
      if (kind === 0) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(grpcFrame(Buffer.from([0x0a, 0x02, 0x68, 0x69])));
      } else if (kind === 1) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '7', 'grpc-message': 'not%20yours' }, { endStream: true });
      } else if (kind === 2) {
        stream.respond({ ':status': 503, 'content-type': 'text/plain' });
        stream.end('overloaded');
      } else if (kind === 3) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(grpcFrame(Buffer.from('whole message')).subarray(0, 9));
      } else {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '42' }, { endStream: true });
      }
    });
  });
  afterAll(() => raw?.close());

  it('trailers-only statuses, HTTP-level errors and malformed answers each counted apart', async () => {
    const run = await runJson(['grpc', ...CALL, '--data', '{"text":"x"}', '--streams', '1', '-R', RATE, '-n', '50', '-c', '1', '-t', '1', raw.url]);
    expect(run.code, run.stderr).toBe(0);
    const json = run.json;
    expectAccounted(json, 50);
    expect(raw.calls()).toBe(json.sent);
    const of = (kind: number) => Math.floor((json.sent - kind + 4) / 5);
    expect(json.grpc).toEqual({
      status: { OK: of(0), PERMISSION_DENIED: of(1), OTHER: of(4) },
      httpErrors: of(2),
      malformed: of(3),
      firstError: { status: 'PERMISSION_DENIED', message: 'not yours' },
    });
    expect(json.status).toEqual({ 200: json.completed - of(2), 503: of(2) });
    expect(run.stderr).toContain(`gRPC calls without a grpc-status: ${of(2)}`);
  });
});

describe.skipIf(!ENGINE_BUILT)('ratetest grpc over TLS (h2 by ALPN), a server that requires client certificates', () => {
  let files: TlsFiles;
  let server: EchoServer;
  beforeAll(async () => {
    files = makeTlsFiles();
    server = await startEchoServer((request) => ({ reply: { text: request.text, seq: request.seq } }), {
      ca: readFileSync(files.ca),
      cert: readFileSync(files.leaf),
      key: readFileSync(files.leafKey),
    });
  });
  afterAll(async () => {
    await server?.close();
    files?.remove();
  });

  it.each([
    ['--ca', () => ['--ca', files.ca]],
    ['--insecure', () => ['--insecure']],
  ])('%s with --cert/--key: every call OK', async (_name, verify) => {
    const before = server.calls.length;
    const run = await runJson(['grpc', ...CALL, '--data', '{"text":"tls"}', ...verify(), '--cert', files.client, '--key', files.clientKey, '-R', RATE, '-n', '20', '-c', '1', '-t', '1', server.url]);
    expect(run.code, run.stderr).toBe(0);
    expectAccounted(run.json, 20);
    expect(run.json.protocol).toBe('h2');
    expect(server.calls.length - before).toBe(run.json.sent);
    expect(run.json.grpc!.status).toEqual({ OK: run.json.sent });
  });
});

