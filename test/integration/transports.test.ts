// Transports other than plain TCP to 127.0.0.1: a Unix domain socket, HTTP/1.1 pipelining, IPv6
// (::1), and the connect timeout (a listener whose accept queue is full, so SYNs go unanswered).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccounted, skipIfBusy } from './pace.js';
import { ENGINE_BUILT, SANITIZED, accountedFor, pctMs, runCli, runJson } from './run-cli.js';

const NO_ERRORS = { connect: 0, read: 0, write: 0, timeout: 0, parse: 0 };

interface Seen {
  requests: number;
  urls: Set<string>;
  hosts: Set<string>;
}

async function httpOn(listen: (server: http.Server) => Promise<void>): Promise<{ server: http.Server; seen: Seen }> {
  const seen: Seen = { requests: 0, urls: new Set(), hosts: new Set() };
  const server = http.createServer((req, res) => {
    seen.requests++;
    seen.urls.add(req.url ?? '');
    seen.hosts.add(req.headers.host ?? '');
    res.end('ok');
  });
  await listen(server);
  return { server, seen };
}

const closeServer = (server: http.Server | net.Server | undefined) =>
  new Promise<void>((resolve) => {
    if (!server) return resolve();
    (server as http.Server).closeAllConnections?.();
    server.close(() => resolve());
  });

// Under the sanitizers, https.test.ts runs over a Unix socket and pipelined; connect errors are
// refused-port's. Left here for that pass: IPv6 and the connect timeout.
describe.skipIf(!ENGINE_BUILT || SANITIZED)('--unix-socket', () => {
  let dir: string;
  let path: string;
  let server: http.Server;
  let seen: Seen;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ratetest-unix-'));
    path = join(dir, 'http.sock');
    ({ server, seen } = await httpOn((s) => new Promise((resolve) => s.listen(path, resolve))));
  });
  afterAll(async () => {
    await closeServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends every request over the socket, with Host and path from the URL', async () => {
    const run = await runJson(['-R', '200', '-d', '2s', '-c', '4', '-t', '2', '--unix-socket', path, 'http://api.example/items?id=7']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.errors).toEqual(NO_ERRORS);
    expectAccounted(run.json, 400);
    expect(seen.requests).toBe(run.json.sent);
    expect([...seen.urls]).toEqual(['/items?id=7']);
    expect([...seen.hosts]).toEqual(['api.example']);
    expect(run.json.config.unixSocket).toBe(path);
  });

  it('a socket path nobody listens on: connect errors, not a crash', async () => {
    const run = await runJson(['-R', '50', '-d', '500ms', '-c', '1', '-t', '1', '--unix-socket', join(dir, 'nobody.sock'), 'http://x/']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.completed).toBe(0);
    expect(run.json.errors.connect).toBeGreaterThan(0);
    expect(run.json.errorCodes.connect).toBe('ENOENT');
  });

  it('a path too long for a socket address: one line, exit 2', async () => {
    const run = await runCli(['-R', '10', '--unix-socket', `/tmp/${'x'.repeat(200)}`, 'http://x/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ratetest: --unix-socket must be a socket path of 1 to 103 bytes, got "\/tmp\/x+"\n$/);
  });
});

/**
 * A server that answers each request DELAY_MS after it arrives, in order, however many are
 * outstanding on the connection; it records the most requests it ever held unanswered on one
 * connection, which is above 1 only if the client pipelined.
 */
const DELAY_MS = 40;
async function pipeliningServer(): Promise<{ server: net.Server; port: number; stats: { requests: number; responses: number; maxOutstanding: number } }> {
  const stats = { requests: 0, responses: 0, maxOutstanding: 0 };
  const server = net.createServer((socket) => {
    let buffered = '';
    let outstanding = 0;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        buffered = buffered.slice(end + 4);
        stats.requests++;
        outstanding++;
        stats.maxOutstanding = Math.max(stats.maxOutstanding, outstanding);
        // Equal delays keep the responses in request order, as HTTP/1.1 requires.
        setTimeout(() => {
          outstanding--;
          stats.responses++;
          if (!socket.destroyed) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        }, DELAY_MS);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, stats };
}

describe.skipIf(!ENGINE_BUILT || SANITIZED)('--pipeline', () => {
  it(`--pipeline 4 on one connection: exact counts, requests pipelined, each timed from its own send time (server delay ${DELAY_MS} ms)`, async (ctx) => {
    const { server, port, stats } = await pipeliningServer();
    try {
      // 50 req/s with 40 ms per response: two in flight at once on average, so one connection
      // keeps up only by pipelining.
      const run = await runJson(['-R', '50', '-d', '2s', '-c', '1', '-t', '1', '--pipeline', '4', `http://127.0.0.1:${port}/`]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.errors).toEqual(NO_ERRORS);
      expect(run.json.config.pipeline).toBe(4);
      expect(run.json.scheduled).toBe(100);
      expect(run.json.sent + run.json.notSent).toBe(100);
      expect(stats.requests).toBe(run.json.sent);
      expect(stats.responses).toBe(run.json.completed + run.json.inFlight);
      expect(accountedFor(run.json)).toBe(run.json.sent);
      expect(stats.maxOutstanding).toBeGreaterThanOrEqual(2);
      expect(stats.maxOutstanding).toBeLessThanOrEqual(4);
      expect(pctMs(run.json, 'corrected', '50')).toBeGreaterThanOrEqual(DELAY_MS);
      // Each response ~40 ms after its own request, not after the ones ahead of it: pace, judged
      // when the machine let it.
      skipIfBusy(ctx, run);
      expect(Math.abs(run.json.completed - 100)).toBeLessThanOrEqual(1);
      expect(pctMs(run.json, 'corrected', '99')).toBeLessThan(DELAY_MS + 30);
      expect(run.json.notSent).toBe(0);
    } finally {
      await closeServer(server);
    }
  });

  it('without --pipeline the same load on one connection queues: the latency grows', async () => {
    const { server, port, stats } = await pipeliningServer();
    try {
      const run = await runJson(['-R', '50', '-d', '2s', '-c', '1', '-t', '1', `http://127.0.0.1:${port}/`]);
      expect(run.code, run.stderr).toBe(0);
      expect(stats.maxOutstanding).toBe(1);
      // 25 responses a second at most against 50 asked for: later requests wait for the connection.
      expect(pctMs(run.json, 'corrected', '99')).toBeGreaterThan(500);
    } finally {
      await closeServer(server);
    }
  });

  it('--pipeline 0: one line, exit 2', async () => {
    const run = await runCli(['-R', '10', '--pipeline', '0', 'http://127.0.0.1:9/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ratetest: --pipeline must be a whole number from 1 to 1024, got 0\n');
  });
});

async function ipv6Available(): Promise<boolean> {
  const probe = net.createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

describe.skipIf(!ENGINE_BUILT)('IPv6', async () => {
  const available = await ipv6Available();
  it.skipIf(!available)('http://[::1]:port/ connects over IPv6 and sends Host with brackets', async () => {
    const { server, seen } = await httpOn((s) => new Promise((resolve) => s.listen(0, '::1', resolve)));
    try {
      const port = (server.address() as AddressInfo).port;
      const run = await runJson(['-R', '100', '-d', '1s', '-c', '2', '-t', '1', `http://[::1]:${port}/v6`]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.errors).toEqual(NO_ERRORS);
      expectAccounted(run.json, 100);
      expect(seen.requests).toBe(run.json.sent);
      expect([...seen.hosts]).toEqual([`[::1]:${port}`]);
      expect([...seen.urls]).toEqual(['/v6']);
    } finally {
      await closeServer(server);
    }
  });
});

/**
 * A listener with backlog 0 that never accepts, its one queue slot taken by its own connection:
 * further SYNs are dropped, so connects neither succeed nor fail, they hang (loopback only).
 */
function fullBacklogListener(): Promise<{ child: ChildProcess; port: number }> {
  const script = [
    'import socket, sys, time',
    's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
    'c = socket.socket(); c.connect(s.getsockname())',
    'c2 = socket.socket(); c2.setblocking(False)',
    'try: c2.connect(s.getsockname())',
    'except BlockingIOError: pass',
    'print(s.getsockname()[1], flush=True)',
    'time.sleep(60)',
  ].join('\n');
  const child = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
    child.once('error', reject);
  });
}

describe.skipIf(!ENGINE_BUILT)('--connect-timeout', () => {
  let listener: { child: ChildProcess; port: number };
  beforeAll(async () => {
    listener = await fullBacklogListener();
  });
  afterAll(() => {
    listener?.child.kill();
  });

  it('gives up on a connect after --connect-timeout, not --timeout, and counts ETIMEDOUT', async () => {
    const run = await runJson(['-R', '10', '-d', '1s', '-c', '1', '-t', '1', '--timeout', '10s', '--connect-timeout', '100ms', `http://127.0.0.1:${listener.port}/`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.completed).toBe(0);
    expect(run.json.errorCodes.connect).toBe('ETIMEDOUT');
    // 100 ms connect timeout + 50 ms back-off: ~7 attempts in the connect phase and 1 s run. A
    // 10 s connect timeout would give none.
    expect(run.json.errors.connect).toBeGreaterThanOrEqual(4);
    expect(run.json.config.connectTimeoutNs).toBe(100e6);
    // Well short of what one 10 s --timeout would take, by the run's own clock (a busy machine
    // slows Node's start, not this).
    expect(run.json.durationNs).toBeLessThan(9e9);
  });

  it.skipIf(SANITIZED)('--connect-timeout 0: one line, exit 2', async () => {
    const run = await runCli(['-R', '10', '--connect-timeout', '0', 'http://127.0.0.1:9/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ratetest: --connect-timeout must be > 0, got 0ms\n$/);
  });
});
