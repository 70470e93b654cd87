import { afterAll, describe, expect, it } from 'vitest';
import { runJson } from './run-cli.js';
import { chunked, closing, malformed, mixedStatus, type TestServer } from './servers.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function start(make: () => Promise<TestServer>): Promise<TestServer> {
  const server = await make();
  servers.push(server);
  return server;
}

describe('response framing against real servers', () => {
  it('completes every request when the server closes each connection, and ends without waiting out the timeout', async () => {
    // Regression: a closing response once left the in-flight count wrapped below zero, so the run
    // waited the whole --timeout for answers that were not coming.
    const server = await start(closing);
    const { json, elapsedMs } = await runJson(['-R', '200', '-d', '2s', '-c', '10', '-t', '1', '--timeout', '20s', server.url], 40_000);
    expect(json.sent).toBe(400);
    expect(json.completed).toBe(400);
    expect(json.inFlight).toBe(0);
    expect(json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
    expect(elapsedMs).toBeLessThan(15_000);
  });

  it('reads chunked responses with trailers', async () => {
    const server = await start(chunked);
    const { json } = await runJson(['-R', '500', '-d', '2s', '-c', '10', '-t', '2', server.url]);
    expect(json.completed).toBe(1000);
    expect(json.status).toEqual({ '200': 1000 });
    expect(json.errors.parse).toBe(0);
  });

  it('counts non-2xx responses by status code', async () => {
    const server = await start(mixedStatus);
    const { json, stdout, stderr } = await runJson(['-R', '500', '-d', '2s', '-c', '10', '-t', '1', server.url]);
    expect(stdout.length).toBeGreaterThan(0);
    expect(json.completed).toBe(1000);
    expect(json.status['503']).toBe(100);
    expect(json.status['200']).toBe(900);
    expect(json.non2xx3xx).toBe(100);
    expect(stderr).toContain('  Non-2xx or 3xx responses: 100\n');
  });

  it('counts a malformed status line as a parse error and keeps going', async () => {
    const server = await start(malformed);
    const { json, code } = await runJson(['-R', '100', '-d', '1s', '-c', '4', '-t', '1', server.url]);
    expect(code).toBe(0);
    expect(json.errors.parse).toBe(json.sent);
    expect(json.completed).toBe(0);
  });
});
