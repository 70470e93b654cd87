// A keep-alive server that closes connections left idle for 20 ms (as nginx, Node and most
// servers do after their keep-alive timeout): the pump must notice each close, reconnect, and
// lose no request and count no error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, accountedFor, runJson } from './run-cli.js';
import { idleClosing, type TestServer } from './servers.js';

describe.skipIf(!ENGINE_BUILT)('a server that closes idle keep-alive connections after 20 ms (-R 20 -d 2s -c 10)', () => {
  let server: TestServer;
  let run: Awaited<ReturnType<typeof runJson>>;
  beforeAll(async () => {
    server = await idleClosing(20);
    // 20/s: requests 50 ms apart, so whichever connection the pump picks has been idle longer
    // than 20 ms, and the server has closed it.
    // -n, not -d: all 40 go out however busy the machine, so every count below is exact.
    run = await runJson(['-R', '20', '-n', '40', '-c', '10', '-t', '1', server.url]);
  });
  afterAll(() => server?.close());

  it('completes every request with no errors', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.sent).toBe(40);
    expect(run.json.completed).toBe(40);
    expect(run.json.status).toEqual({ '200': 40 });
    expect(run.json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
    expect(accountedFor(run.json)).toBe(run.json.sent);
    expect(server.stats.requests).toBe(40);
  });

  it('reconnected after the server\'s closes', () => {
    expect(server.stats.connections).toBeGreaterThan(10);
  });
});
