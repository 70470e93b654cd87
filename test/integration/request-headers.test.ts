// -H: each header reaches the server as given; a Host or User-Agent given replaces ratetest's
// own rather than being sent twice.
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runJson } from './run-cli.js';
import { recording, type TestServer } from './servers.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Header lines of a request, name lower-cased, duplicates kept. */
function headerLines(rawHeaders: string[]): [string, string][] {
  const lines: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) lines.push([rawHeaders[i]!.toLowerCase(), rawHeaders[i + 1]!]);
  return lines;
}

async function received(args: string[], url = (server: TestServer) => server.url) {
  const server = await recording();
  servers.push(server);
  // -n, not -d: all 20 go out however busy the machine.
  const run = await runJson(['-R', '20', '-n', '20', '-c', '2', '-t', '1', ...args, url(server)]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.json.completed).toBe(20);
  expect(server.stats.received).toHaveLength(20);
  return { server, requests: server.stats.received };
}

describe.skipIf(!ENGINE_BUILT)('request headers', () => {
  it('sends every -H header on every request', async () => {
    const { requests } = await received(['-H', 'X-Trace: abc-123', '-H', 'Authorization: Bearer t0ken', '-H', 'Accept:text/plain']);
    for (const r of requests) {
      expect(r.headers['x-trace']).toBe('abc-123');
      expect(r.headers['authorization']).toBe('Bearer t0ken');
      expect(r.headers['accept']).toBe('text/plain');
    }
  });

  it('sends Host and a ratetest User-Agent by default', async () => {
    const { server, requests } = await received([]);
    for (const r of requests) {
      expect(r.headers.host).toBe(`127.0.0.1:${server.port}`);
      expect(r.headers['user-agent']).toMatch(/^ratetest\//);
    }
  });

  it('-H Host and -H User-Agent replace the defaults, each sent once', async () => {
    const { requests } = await received(['-H', 'Host: example.test', '-H', 'User-Agent: probe/1']);
    for (const r of requests) {
      const lines = headerLines(r.rawHeaders);
      expect(lines.filter(([name]) => name === 'host')).toEqual([['host', 'example.test']]);
      expect(lines.filter(([name]) => name === 'user-agent')).toEqual([['user-agent', 'probe/1']]);
    }
  });

  it('-H Content-Type with a body is sent alongside the Content-Length', async () => {
    const { requests } = await received(['-H', 'Content-Type: application/json', '-b', '{"a":1}']);
    for (const r of requests) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['content-length']).toBe('7');
      expect(r.body.toString()).toBe('{"a":1}');
    }
  });

  it('turns URL credentials into Basic authentication, percent-decoded, and keeps them out of the path', async () => {
    const { requests } = await received([], (server) => `http://us%20er:p%40ss@127.0.0.1:${server.port}/private`);
    for (const r of requests) {
      expect(r.headers['authorization']).toBe(`Basic ${Buffer.from('us er:p@ss').toString('base64')}`);
      expect(r.url).toBe('/private');
    }
  });
});
