// Responses that carry no body whatever their headers say (RFC 9112 6.3): to HEAD, 1xx interim
// responses before the final one, 204, and 304. Exact bytes from a raw server; a pump that
// waited for a body would time out, one that misread the framing would count parse errors.
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, accountedFor, runJson } from './run-cli.js';
import { rawRequestServer, type TestServer } from './servers.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe.skipIf(!ENGINE_BUILT)('bodiless responses', () => {
  it.each([
    ['a HEAD response with a Content-Length', ['-m', 'HEAD'], 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', '200'],
    ['a 304 with a Content-Length', [], 'HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\nETag: "x"\r\n\r\n', '304'],
    ['a 204', [], 'HTTP/1.1 204 No Content\r\n\r\n', '204'],
    ['100 Continue before the 200', [], 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', '200'],
    ['103 Early Hints before the 200', [], 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', '200'],
  ])('%s: every request completes once, keep-alive, no errors', async (_name, extra, response, status) => {
    let heads: string[] = [];
    const server = await rawRequestServer((socket, head) => {
      heads.push(head.split('\r\n')[0]!);
      socket.write(response);
    });
    servers.push(server);
    // -n, not -d: all 50 go out however busy the machine, so every count below is exact.
    const run = await runJson(['-R', '50', '-n', '50', '-c', '2', '-t', '1', ...extra, server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.sent).toBe(50);
    expect(run.json.completed).toBe(50);
    expect(run.json.status).toEqual({ [status]: 50 });
    expect(run.json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
    expect(accountedFor(run.json)).toBe(run.json.sent);
    expect(run.json.bytesRead).toBe(50 * response.length);
    expect(server.stats.connections).toBe(2);
    if (extra[1] === 'HEAD') expect(heads.every((h) => h.startsWith('HEAD / '))).toBe(true);
    heads = [];
  });
});
