// --http2 against Node's http2 module: h2c with prior knowledge, h2 by ALPN over TLS with the test
// CA, requests (headers, bodies, templates) as the server saw them, the server's stream limit,
// and the flags' usage errors. Accounting, not pace: every scheduled request is sent or counted
// as not sent, and the server's count equals ratetest's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, CLI_BUILT, SANITIZED, STACK_FRAME, runCli, runJson } from './run-cli.js';
import { h2Server, type H2Server } from './h2-servers.js';
import { makeTlsFiles, startHttpsServer, type TlsFiles } from './tls-fixtures.js';
import { root, violations } from '../fixtures/schema.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/scripts/${name}`, import.meta.url));
const NO_ERRORS = { connect: 0, read: 0, write: 0, timeout: 0, parse: 0 };

describe.skipIf(!ENGINE_BUILT)('--http2 against Node http2', () => {
  let tls: TlsFiles;
  beforeAll(() => {
    tls = makeTlsFiles();
  });
  afterAll(() => tls?.remove());

  it('h2c with prior knowledge: every request answered, the server counts what ratetest counts', async () => {
    const server = await h2Server({ delayMs: 5 });
    try {
      const { json, stderr, code } = await runJson(['--http2', '--streams', '4', '-R', '200', '-d', '2s', '-c', '2', '-t', '1', server.url]);
      expect(code, stderr).toBe(0);
      expect(json.protocol).toBe('h2c');
      expect(json.sent + json.notSent).toBe(json.scheduled);
      expect(json.completed).toBe(json.sent);
      expect(server.stats.answered).toBe(json.completed);
      expect(json.status).toEqual({ '200': json.completed });
      expect(json.errors).toEqual(NO_ERRORS);
      // Two connections, one session each: streams share them instead of opening more.
      expect(server.stats.sessions).toBe(2);
      expect(server.stats.maxConcurrent).toBeLessThanOrEqual(4);
      expect(json.http2!.streams).toBe(4);
      expect(json.http2!.streamsInFlight.max).toBeLessThanOrEqual(4);
      expect(json.http2!.goaways).toBe(0);
      expect(json.http2!.resets).toEqual({});
      expect(json.config.http2).toBe(true);
      expect(violations(json, root)).toEqual([]);
      expect(stderr).toContain('  Protocol: HTTP/2 (h2c)\n');
      expect(stderr).toMatch(/^  Streams in flight per connection: p50 \d+, max [1-4]$/m);
    } finally {
      await server.close();
    }
  });

  it('h2 over TLS, negotiated by ALPN and verified with --ca', async () => {
    const server = await h2Server({ tls: { cert: tls.leaf, key: tls.leafKey } });
    try {
      const { json, stderr, code } = await runJson(['--http2', '--streams', '2', '-R', '100', '-d', '1s', '-c', '2', '-t', '1', '--ca', tls.ca, server.url]);
      expect(code, stderr).toBe(0);
      expect(json.protocol).toBe('h2');
      expect(json.sent + json.notSent).toBe(json.scheduled);
      expect(json.completed).toBe(json.sent);
      expect(server.stats.answered).toBe(json.completed);
      expect(json.errors).toEqual(NO_ERRORS);
      expect(json.tls!.handshakes).toBe(2);
      expect(stderr).toContain('  Protocol: HTTP/2 (h2)\n');
    } finally {
      await server.close();
    }
  });

  it('h2 against a server that offers only http/1.1 by ALPN: TLS handshake errors, nothing answered', async () => {
    // The https test server of tls-fixtures speaks HTTP/1.1 only, and refuses an h2-only offer.
    const server = await startHttpsServer({ cert: tls.leaf, key: tls.leafKey });
    try {
      const { json, stderr } = await runJson(['--http2', '-R', '20', '-d', '1s', '-c', '1', '-t', '1', '--ca', tls.ca, server.url]);
      expect(json.completed).toBe(0);
      expect(json.tls!.errors.handshake).toBeGreaterThan(0);
      expect(stderr).toMatch(/^  First TLS error: .+$/m);
    } finally {
      await server.close();
    }
  });

  it('-H, a body and templates become HEADERS and DATA; connection-specific headers are left out with a note', async () => {
    const server = await h2Server();
    try {
      const args = ['--http2', '-R', '50', '-n', '50', '-c', '1', '-t', '1', '-m', 'POST', '-b', 'abc', '-H', 'X-Test: yes', '-H', 'Connection: keep-alive'];
      const { json, stderr, code } = await runJson([...args, `${server.url}t/{{seq}}`]);
      expect(code, stderr).toBe(0);
      expect(json.completed).toBe(50);
      const headers = server.stats.firstHeaders!;
      expect(headers[':method']).toBe('POST');
      expect(headers[':scheme']).toBe('http');
      expect(headers[':authority']).toBe(`127.0.0.1:${server.port}`);
      expect(headers['x-test']).toBe('yes');
      expect(headers['content-length']).toBe('3');
      expect(headers.connection).toBeUndefined();
      expect(server.stats.body).toBe('abc'.repeat(50));
      // {{seq}}: one path per request, none repeated.
      expect(new Set(server.stats.paths).size).toBe(50);
      expect(server.stats.paths.every((p) => /^\/t\/\d+$/.test(p))).toBe(true);
      expect(json.http2!.droppedHeaders).toEqual(['Connection']);
      expect(stderr).toContain('  Note: HTTP/2 forbids connection-specific headers; left out: Connection\n');
    } finally {
      await server.close();
    }
  });

  it('--requests-file and a wrk Lua script: their HTTP/1.1 requests become HTTP/2 streams', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ratetest-h2-'));
    const server = await h2Server();
    try {
      const file = join(dir, 'reqs.json');
      writeFileSync(file, JSON.stringify({ requests: [{ name: 'a', weight: 3, path: '/a' }, { name: 'b', method: 'POST', path: '/b', body: 'xy' }] }));
      const mix = await runJson(['--http2', '-R', '40', '-n', '40', '-c', '1', '-t', '1', '--requests-file', file, server.url]);
      expect(mix.code, mix.stderr).toBe(0);
      expect(mix.json.completed).toBe(40);
      expect(server.stats.paths.filter((p) => p === '/a')).toHaveLength(30);
      expect(server.stats.paths.filter((p) => p === '/b')).toHaveLength(10);
      expect(server.stats.body).toBe('xy'.repeat(10));
      expect(mix.json.requests!.map((r) => [r.name, r.completed])).toEqual([['a', 30], ['b', 10]]);

      const script = join(dir, 'post.lua');
      writeFileSync(script, 'request = function() return wrk.format("PUT", "/lua", { ["X-Lua"] = "1", ["Connection"] = "keep-alive" }, "zz") end\n');
      const lua = await runJson(['--http2', '-R', '20', '-n', '20', '-c', '1', '-t', '1', '-s', script, server.url]);
      expect(lua.code, lua.stderr).toBe(0);
      expect(lua.json.completed).toBe(20);
      expect(server.stats.paths.filter((p) => p === '/lua')).toHaveLength(20);
      expect(server.stats.body).toBe('xy'.repeat(10) + 'zz'.repeat(20));
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('response() from a Lua and a JS script gets the status, the header fields and the body of each stream', async () => {
    const server = await h2Server({ answer: (n) => ({ status: n % 5 === 0 ? 404 : 200, headers: { 'x-n': String(n), 'content-type': 'text/plain' }, body: `body-${n}` }) });
    try {
      for (const script of ['h2-response.lua', 'h2-response.mjs']) {
        const before = server.stats.answered;
        const run = await runCli(['--http2', '--streams', '4', '-R', '200', '-n', '100', '-c', '2', '-t', '1', '-s', fixture(script), server.url]);
        expect(run.code, run.stderr).toBe(0);
        expect(server.stats.answered - before).toBe(100);
        expect(run.stdout).toContain('h2 responses checked: 100\n');
      }
    } finally {
      await server.close();
    }
  });

  // A closed loop waits up to one --batch window between turns while streams are in flight, so
  // many come back per turn; with --batch 0 it takes a turn per response. Either way, and against
  // a server slower than the window, every stream is answered once and counted once.
  it.each([
    ['the default window', [], 0],
    ['--batch 0', ['--batch', '0'], 0],
    ['a server slower than the window', [], 2],
  ] as const)('-R max over h2c with %s: every stream answered and counted once', async (_name, extra, delayMs) => {
    const server = await h2Server({ delayMs });
    try {
      const { json, stderr, code } = await runJson(['--http2', '--streams', '8', '-R', 'max', '-n', '2000', '-c', '2', '-t', '1', ...extra, server.url]);
      expect(code, stderr).toBe(0);
      expect(json.sent).toBe(2000);
      expect(json.completed).toBe(2000);
      expect(server.stats.answered).toBe(2000);
      expect(json.errors).toEqual(NO_ERRORS);
      expect(server.stats.maxConcurrent).toBeLessThanOrEqual(8);
      expect(json.http2!.streamsInFlight.max).toBeLessThanOrEqual(8);
    } finally {
      await server.close();
    }
  });

  it('SETTINGS_MAX_CONCURRENT_STREAMS 1 caps --streams 8, and the report says so', async () => {
    const server = await h2Server({ maxConcurrentStreams: 1, delayMs: 20 });
    try {
      const { json, stderr } = await runJson(['--http2', '--streams', '8', '-R', '100', '-d', '1s', '-c', '1', '-t', '1', server.url]);
      expect(server.stats.maxConcurrent).toBe(1);
      expect(json.http2!.cappedTo).toBe(1);
      expect(json.http2!.streamsInFlight.max).toBe(1);
      expect(json.sent + json.notSent).toBe(json.scheduled);
      expect(server.stats.answered).toBe(json.completed);
      expect(json.errors).toEqual(NO_ERRORS);
      expect(stderr).toContain('Streams in flight per connection: p50 1, max 1 (the server allows 1 of --streams 8)');
    } finally {
      await server.close();
    }
  });
});

// These end before the engine starts: nothing for the sanitizer pass.
describe.skipIf(!CLI_BUILT || SANITIZED)('--http2 usage errors', () => {
  const url = 'http://127.0.0.1:9/';
  const cases: [string, string[], string][] = [
    ['--streams without --http2', ['-R', '10', '--streams', '4', url], '--streams applies to --http2 only, got --streams 4'],
    ['--pipeline with --http2', ['-R', '10', '--http2', '--pipeline', '2', url], '--pipeline applies to HTTP/1.1 only; with --http2 use --streams, got --pipeline 2'],
    ['--streams 0', ['-R', '10', '--http2', '--streams', '0', url], '--streams must be a whole number from 1 to 1024, got 0'],
    ['--streams that is not a number', ['-R', '10', '--http2', '--streams', 'many', url], '--streams must be a whole number like 100 or 10k, got "many"'],
  ];
  it.each(cases)('%s: exit 2 and one line', async (_name, args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`ratetest: ${message}\n`);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stdout).toBe('');
  });
});
