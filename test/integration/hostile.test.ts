// Hostile servers: each misbehaves in one way a broken server can. The run must count the right
// error kind, end on time (duration + timeout + start-up slack), and exit 0 without a crash.
import type net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { busyMachine, expectAccounted, skipIfBusy } from './pace.js';
import { SANITIZED, accountedFor, runJson } from './run-cli.js';
import { rawServer, type TestServer } from './servers.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A raw server that calls `reply` for each request head it receives on a connection. */
async function replying(reply: (socket: net.Socket, n: number) => void): Promise<TestServer> {
  const server = await rawServer((socket, state) => {
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        buffered = buffered.slice(end + 4);
        reply(socket, state.requests++);
      }
    });
  });
  servers.push(server);
  return server;
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
// 1 s of schedule + up to 1 s waiting for the last responses, as the run itself measured it, with
// room for a thread that woke late; a hang still ends at the 30 s kill.
const ON_TIME_NS = 4e9;
const args = (url: string, extra: string[] = []) => ['-R', '50', '-d', '1s', '-c', '5', '-t', '1', '--timeout', '1s', ...extra, url];

async function run(server: TestServer, extra: string[] = []) {
  const result = await runJson(args(server.url, extra), 30_000);
  expect(result.code).toBe(0);
  expect(result.stderr).not.toContain('internal error');
  // Ending on time is pace: judged by the run's own clock, when the machine let it keep time.
  if (busyMachine(result.json) === undefined) expect(result.json.durationNs).toBeLessThan(ON_TIME_NS);
  return result.json;
}

const PARSE_ERRORS: [string, string][] = [
  ['a malformed status line', 'HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok'],
  ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ['an invalid chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n'],
  ['a chunk size beyond 2^40', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n'],
  ['a body longer than its Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'],
  ['garbage pipelined after a good response', `${OK}\x00\x01\x02garbage`],
  ['headers over 256 KiB', `HTTP/1.1 200 OK\r\nX-Big: ${'x'.repeat(300 * 1024)}\r\nContent-Length: 2\r\n\r\nok`],
];
// Under the sanitizers, the pump's side of a parse error (count it, close, reconnect) needs one
// case, and the headers' growth past the read buffer another; which bytes break the framing is the
// parser's test table and the fuzzer's, under the same sanitizers.
const SANITIZED_PARSE_ERRORS = ['garbage pipelined after a good response', 'headers over 256 KiB'];

describe('hostile servers', () => {
  it.each(SANITIZED ? PARSE_ERRORS.filter(([name]) => SANITIZED_PARSE_ERRORS.includes(name)) : PARSE_ERRORS)('counts %s as parse errors', async (_name, response) => {
    const server = await replying((socket) => socket.write(response));
    const json = await run(server);
    expect(json.errors.parse).toBeGreaterThan(0);
    expect(json.sent + json.notSent).toBe(json.scheduled);
    // Every request sent ends one way. Bytes that follow a complete response while no request is
    // outstanding are a parse error of the connection, not of a request: they add to the errors
    // without taking a request's place, so errors may exceed the requests that failed.
    expect(json.completed + json.inFlight).toBeLessThanOrEqual(json.sent);
    expect(accountedFor(json)).toBeGreaterThanOrEqual(json.sent);
  });

  it('reads headers larger than its read buffer (200 KB) without error', async () => {
    const big = `HTTP/1.1 200 OK\r\nX-Big: ${'x'.repeat(200 * 1024)}\r\nContent-Length: 2\r\n\r\nok`;
    const server = await replying((socket) => socket.write(big));
    const json = await run(server);
    expectAccounted(json, 50);
    expect(json.errors.parse).toBe(0);
  });

  it('counts a reset in the middle of a response as a read error', async () => {
    const server = await replying((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf', () => socket.resetAndDestroy());
    });
    const json = await run(server);
    expect(json.errors.read).toBeGreaterThan(0);
    expect(json.completed).toBe(0);
  });

  it('counts a close in the middle of a body as a read error', async () => {
    const server = await replying((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf'));
    const json = await run(server);
    expect(json.errors.read).toBeGreaterThan(0);
  });

  it('times out a slowloris that drips one byte a second', async () => {
    const server = await replying((socket) => {
      let i = 0;
      const drip = setInterval(() => {
        if (socket.destroyed || i >= OK.length) return clearInterval(drip);
        socket.write(OK[i++]!);
      }, 1000);
      socket.on('close', () => clearInterval(drip));
    });
    const json = await run(server);
    expect(json.errors.timeout).toBeGreaterThan(0);
    expect(json.completed).toBe(0);
  });

  it('counts connect errors for a listener that drops every connection at once', async () => {
    const server = await rawServer((socket) => socket.destroy());
    servers.push(server);
    const json = await run(server);
    expect(json.errors.connect).toBeGreaterThan(0);
    expect(json.completed).toBe(0);
    // Requests written on a connection the server then reset: named as such, not as a slow server.
    // Which the self-check names first depends on whether the reset came before or after a write.
    if (json.sent > 0) expect(['connection-resets', 'connect-errors']).toContain(json.selfCheck.verdict);
    else expect(json.selfCheck).toMatchObject({ ok: false, verdict: 'dead-server' });
  });

  it('keeps the schedule on healthy connections while a third of them hang', async (ctx) => {
    // Every third connection never answers: requests on it time out after 1 s and the connection
    // is replaced, while the other connections carry the rest of the schedule.
    let connection = 0;
    const server = await rawServer((socket, state) => {
      const hangs = connection++ % 3 === 0;
      socket.on('data', () => {
        state.requests++;
        if (!hangs) socket.write(OK);
      });
    });
    servers.push(server);
    const json = await run(server, ['-c', '30']);
    expect(json.errors.timeout).toBeGreaterThan(0);
    expect(json.sent + json.notSent).toBe(json.scheduled);
    expect(json.completed + json.errors.timeout + json.inFlight).toBe(json.sent);
    // Keeping the schedule is pace: judged when the machine let it.
    skipIfBusy(ctx, { json });
    expect(json.notSent).toBe(0);
    // Lateness stays far below the 1 s the hung requests wait: healthy connections were free.
    expect(json.latency.sendLag.percentilesNs['99']!).toBeLessThan(50e6);
  });
});
