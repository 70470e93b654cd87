// --io-engine io_uring: the HTTP/1.1 pump over io_uring, against the same servers the epoll pump
// is tested on. Accounting, never pace: every scheduled request sent or counted unsent, the
// server's own counts (requests, status codes, bytes) equal the tool's. Where the kernel or a
// sandbox refuses io_uring, the run says so in one line and exits 2, and these tests skip with it.
// Kernel receive stamps over the ring, a test of pace, are in io-uring-stamps.test.ts.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccounted } from './pace.js';
import { CLI_BUILT, ENGINE_BUILT, STACK_FRAME, mustHaveExited, runCli, runJson, startCli } from './run-cli.js';
import { CALL } from './grpc-servers.js';
import { RING, ringRefused } from './io-engine.js';
import { closing, mixedStatus, plain, silent, type TestServer } from './servers.js';

const ERRORS_NONE = { connect: 0, read: 0, write: 0, timeout: 0, parse: 0 };


describe.skipIf(!ENGINE_BUILT)('--io-engine io_uring', () => {
  let server: TestServer;
  let refused: string | undefined;
  beforeAll(async () => {
    server = await plain();
    refused = await ringRefused(server.url);
  });
  afterAll(() => server?.close());

  // Each run against a fresh plain server, so the server's counts are the run's alone.
  async function againstPlain(args: string[]) {
    const own = await plain();
    try {
      return { run: await runJson([...RING, ...args, own.url]), stats: own.stats };
    } finally {
      await own.close();
    }
  }

  it('open loop (-R 2000 -d 1s -c 10 -t 2): every request answered, the server counts what the tool counts, bytes included', async (ctx) => {
    if (refused) ctx.skip(refused);
    const { run, stats } = await againstPlain(['-R', '2000', '-d', '1s', '-c', '10', '-t', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.config.ioEngine).toBe('io_uring');
    expectAccounted(run.json, 2000, false);
    expect(stats.requests).toBe(run.json.sent);
    expect(run.json.completed).toBe(run.json.sent - run.json.inFlight);
    expect(run.json.status).toEqual({ '200': run.json.completed });
    expect(run.json.errors).toEqual(ERRORS_NONE);
    expect(run.json.bytesWritten).toBe(stats.bytesReceived);
    expect(run.json.bytesRead).toBe(stats.bytesSent);
  });

  it('a 1 ms send window (-R 3000 --batch 1ms): every request accounted for', async (ctx) => {
    if (refused) ctx.skip(refused);
    const { run, stats } = await againstPlain(['-R', '3000', '-d', '1s', '-c', '10', '-t', '1', '--batch', '1ms']);
    expect(run.code, run.stderr).toBe(0);
    expectAccounted(run.json, 3000, false);
    expect(stats.requests).toBe(run.json.sent);
    expect(run.json.errors).toEqual(ERRORS_NONE);
    expect(run.json.bytesRead).toBe(stats.bytesSent);
  });

  it('closed loop (-R max -n 3000): exactly 3000 sent and answered', async (ctx) => {
    if (refused) ctx.skip(refused);
    const { run, stats } = await againstPlain(['-R', 'max', '-n', '3000', '-c', '10', '-t', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.sent).toBe(3000);
    expect(run.json.completed).toBe(3000);
    expect(stats.requests).toBe(3000);
    expect(run.json.status).toEqual({ '200': 3000 });
    expect(run.json.errors).toEqual(ERRORS_NONE);
  });

  it('pipelining (--pipeline 4 over 2 connections, open and closed loop): every request answered in order', async (ctx) => {
    if (refused) ctx.skip(refused);
    const open = await againstPlain(['-R', '2000', '-n', '2000', '-c', '2', '-t', '1', '--pipeline', '4']);
    expect(open.run.code, open.run.stderr).toBe(0);
    expectAccounted(open.run.json, 2000);
    expect(open.stats.requests).toBe(2000);
    expect(open.run.json.errors).toEqual(ERRORS_NONE);
    const closed = await againstPlain(['-R', 'max', '-n', '4000', '-c', '2', '-t', '1', '--pipeline', '4']);
    expect(closed.run.code, closed.run.stderr).toBe(0);
    expect(closed.run.json.completed).toBe(4000);
    expect(closed.stats.requests).toBe(4000);
    expect(closed.run.json.bytesRead).toBe(closed.stats.bytesSent);
  });

  it('mixed status codes: exactly the codes the server sent', async (ctx) => {
    if (refused) ctx.skip(refused);
    const mixed = await mixedStatus();
    try {
      const run = await runJson([...RING, '-R', '500', '-n', '1000', '-c', '10', '-t', '1', mixed.url]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.completed).toBe(1000);
      expect(mixed.stats.status).toEqual({ '200': 600, '204': 100, '302': 100, '404': 100, '503': 100 });
      expect(run.json.status).toEqual(mixed.stats.status);
    } finally {
      await mixed.close();
    }
  });

  it('a server that closes after every response: each connection replaced, nothing lost', async (ctx) => {
    if (refused) ctx.skip(refused);
    const closer = await closing();
    try {
      const run = await runJson([...RING, '-R', '300', '-n', '300', '-c', '10', '-t', '1', closer.url]);
      expect(run.code, run.stderr).toBe(0);
      expectAccounted(run.json, 300);
      expect(closer.stats.requests).toBe(300);
      expect(closer.stats.connections).toBeGreaterThanOrEqual(300);
      expect(run.json.errors).toEqual(ERRORS_NONE);
    } finally {
      await closer.close();
    }
  });

  it('a server that never answers (--timeout 300ms): every request times out and its connection is replaced', async (ctx) => {
    if (refused) ctx.skip(refused);
    const mute = await silent();
    try {
      const run = await runJson([...RING, '-R', '20', '-d', '1s', '-c', '20', '-t', '1', '--timeout', '300ms', mute.url]);
      expect(run.code, run.stderr).toBe(0);
      expectAccounted(run.json, 20, false);
      expect(mute.stats.requests).toBe(run.json.sent);
      expect(run.json.completed).toBe(0);
      expect(run.json.errors).toEqual({ ...ERRORS_NONE, timeout: run.json.sent });
      // A timed-out connection is closed (its ring operations cancelled first, or the socket
      // would stay open) and another opened in its place.
      expect(mute.stats.connections).toBeGreaterThanOrEqual(20 + run.json.sent);
    } finally {
      await mute.close();
    }
  });
});

// The refusals of plain-HTTP/1.1-only are Linux's: elsewhere io_uring is refused as not Linux first.
describe.skipIf(!CLI_BUILT || process.platform !== 'linux')('--io-engine usage errors', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await plain();
  });
  afterAll(() => server?.close());

  const only = '--io-engine io_uring carries plain HTTP/1.1 only (http:// without --http2)';
  const cases: [string, () => string[], string][] = [
    ['an unknown engine', () => ['-R', '10', '--io-engine', 'kqueue', server.url], '--io-engine must be epoll or io_uring, got "kqueue"'],
    ['io_uring with https://', () => ['-R', '10', ...RING, 'https://127.0.0.1:1/'], `${only}, got "https://127.0.0.1:1/"`],
    ['io_uring with --http2', () => ['-R', '10', ...RING, '--http2', server.url], `${only}, got --http2`],
    ['io_uring with gRPC', () => ['grpc', ...CALL, '--data', '{}', '-R', '10', ...RING, server.url], `${only}, got a gRPC run`],
  ];

  it.each(cases)('%s: exit 2 and one line', async (_name, args, message) => {
    const run = await runCli(args());
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`ratetest: ${message}\n`);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(server.stats.connections).toBe(0);
  });
});

// A sandbox that refuses io_uring (a seccomp filter answering io_uring_setup with EPERM, as
// Docker's default profile does): one line naming why, exit 2, before the banner, nothing sent.
const DENY = fileURLToPath(new URL('../fixtures/deny-io-uring.py', import.meta.url));
const PYTHON = process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch) && spawnSync('python3', ['--version']).status === 0;

describe.skipIf(!ENGINE_BUILT || !PYTHON)('--io-engine io_uring where io_uring_setup is refused', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await plain();
  });
  afterAll(() => server?.close());

  it('exits 2 with one line that says why and what to use instead', async () => {
    const run = mustHaveExited(await startCli([...RING, '-R', '10', '-d', '1s', server.url], undefined, undefined, ['python3', DENY]).done);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toBe(
      'ratetest: --io-engine io_uring: io_uring_setup failed: Operation not permitted (io_uring is disabled here: ' +
        'kernel.io_uring_disabled, or a seccomp filter as in many containers); use --io-engine epoll\n',
    );
    expect(run.stdout).toBe('');
    expect(server.stats.connections).toBe(0);
  });

  it('leaves the default engine working under the same filter', async () => {
    const run = mustHaveExited(await startCli(['-R', '100', '-n', '50', '-c', '2', '-t', '1', server.url], undefined, undefined, ['python3', DENY]).done);
    expect(run.code, run.stderr).toBe(0);
    expect(server.stats.requests).toBe(50);
  });
});
