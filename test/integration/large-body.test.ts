// Responses far larger than one read (256 KiB each): every byte is read, counted once, and each
// response completes only when its last byte is in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, accountedFor, runJson } from './run-cli.js';
import { large, type TestServer } from './servers.js';

const BYTES = 256 * 1024;

describe.skipIf(!ENGINE_BUILT)('256 KiB responses (-R 50 -d 2s -c 10 -t 2)', () => {
  let server: TestServer;
  let run: Awaited<ReturnType<typeof runJson>>;
  beforeAll(async () => {
    server = await large(BYTES);
    // -n, not -d: all 100 go out however busy the machine, so every count below is exact.
    run = await runJson(['-R', '50', '-n', '100', '-c', '10', '-t', '2', server.url]);
  });
  afterAll(() => server?.close());

  it('completes every request with no errors', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.sent).toBe(100);
    expect(run.json.completed).toBe(100);
    expect(run.json.status).toEqual({ '200': 100 });
    expect(run.json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
    expect(accountedFor(run.json)).toBe(run.json.sent);
  });

  it('reads exactly the bytes the server sent', () => {
    expect(run.json.bytesRead).toBe(server.stats.bytesSent);
    expect(run.json.bytesRead).toBeGreaterThan(100 * BYTES);
    expect(run.json.bytesRead % 100).toBe(0);
    // Keep-alive held: the body's framing was right every time.
    expect(server.stats.connections).toBe(10);
  });
});
