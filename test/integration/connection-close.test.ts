// A server that closes the connection after every response: each request needs a fresh
// connection, and none of those closes is an error, whether the body is framed by its
// Content-Length or runs until the close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, accountedFor, runJson } from './run-cli.js';
import { CLOSE_DELIMITED_BODY, closeDelimited, closing, type TestServer } from './servers.js';

describe.skipIf(!ENGINE_BUILT)('a server that sends Connection: close on every response (-R 200 -d 2s -c 10)', () => {
  let server: TestServer;
  let run: Awaited<ReturnType<typeof runJson>>;
  beforeAll(async () => {
    server = await closing();
    // A long --timeout: a run that waits for answers that are not coming would show in its end time.
    // -n, not -d: all 400 go out however busy the machine, so every count below is exact.
    run = await runJson(['-R', '200', '-n', '400', '-c', '10', '-t', '1', '--timeout', '20s', server.url]);
  });
  afterAll(() => server?.close());

  it('completes all 400 requests with no errors', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.scheduled).toBe(400);
    expect(run.json.sent).toBe(400);
    expect(run.json.completed).toBe(400);
    expect(run.json.status).toEqual({ '200': 400 });
    expect(run.json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
    expect(run.json.inFlight).toBe(0);
    expect(accountedFor(run.json)).toBe(run.json.sent);
  });

  it('used a new connection for every request', () => {
    expect(server.stats.requests).toBe(400);
    expect(server.stats.connections).toBeGreaterThanOrEqual(400);
    expect(run.json.bytesRead).toBe(server.stats.bytesSent);
  });

  it('ends when the last response is in, not after the 20 s timeout', () => {
    // Regression: a closing response once left the in-flight count wrapped below zero, so the
    // run waited out the whole --timeout. Measured from the server's last request to exit.
    expect(run.exitedAt - server.stats.lastRequestAt!).toBeLessThan(10_000);
  });
});

describe.skipIf(!ENGINE_BUILT)('a body delimited by the connection closing (no Content-Length, not chunked)', () => {
  let server: TestServer;
  let run: Awaited<ReturnType<typeof runJson>>;
  beforeAll(async () => {
    server = await closeDelimited();
    run = await runJson(['-R', '100', '-n', '200', '-c', '10', '-t', '1', server.url]);
  });
  afterAll(() => server?.close());

  it('reads each body to the close and counts it as a complete 200, not a read error', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.sent).toBe(200);
    expect(run.json.completed).toBe(200);
    expect(run.json.status).toEqual({ '200': 200 });
    expect(run.json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
    expect(run.json.bytesRead).toBe(server.stats.bytesSent);
    expect(run.json.bytesRead).toBe(200 * ('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'.length + CLOSE_DELIMITED_BODY.length));
    expect(server.stats.connections).toBeGreaterThanOrEqual(200);
  });
});
