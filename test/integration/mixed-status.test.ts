// A server answering 200, 204, 302, 404 and 503 in a fixed pattern: the status map must equal
// what the server sent, and only 4xx/5xx count as "Non-2xx or 3xx".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runJson, textFigures } from './run-cli.js';
import { mixedStatus, type TestServer } from './servers.js';

describe.skipIf(!ENGINE_BUILT)('a server with mixed status codes (every 10th a 503; 404, 302, 204 too)', () => {
  let server: TestServer;
  let run: Awaited<ReturnType<typeof runJson>>;
  beforeAll(async () => {
    server = await mixedStatus();
    // Bounded by -n, not -d: all 1000 go out however busy the machine, so the pattern's counts are exact.
    run = await runJson(['-R', '500', '-n', '1000', '-c', '10', '-t', '1', server.url]);
  });
  afterAll(() => server?.close());

  it('completes every request, bodiless 204s included', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.scheduled).toBe(1000);
    expect(run.json.sent).toBe(1000);
    expect(run.json.completed).toBe(1000);
    expect(run.json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
  });

  it('reports exactly the status codes the server sent', () => {
    expect(server.stats.status).toEqual({ '200': 600, '204': 100, '302': 100, '404': 100, '503': 100 });
    expect(run.json.status).toEqual(server.stats.status);
  });

  it('counts only the 4xx and 5xx as non-2xx-or-3xx, in the JSON and in wrk2\'s line', () => {
    expect(run.json.non2xx3xx).toBe(200);
    expect(textFigures(run.stderr).non2xx3xx).toBe(200);
    expect(run.stderr).toContain('\n  Non-2xx or 3xx responses: 200\n');
  });

  it('still counts every non-2xx response as completed, with a latency', () => {
    expect(run.json.latency.corrected.count).toBe(1000);
    expect(textFigures(run.stderr).requests).toBe(1000);
  });
});
