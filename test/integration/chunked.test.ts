// Chunked responses with a trailer, from Node's encoder and as exact bytes split across reads:
// every response is framed right, so keep-alive connections carry the next one cleanly.
import { afterAll, describe, expect, it } from 'vitest';
import { expectAccounted } from './pace.js';
import { ENGINE_BUILT, runJson } from './run-cli.js';
import { RAW_CHUNKED_PIECES, chunked, rawChunked, type TestServer } from './servers.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe.skipIf(!ENGINE_BUILT)('chunked responses with a trailer', () => {
  it('reads every response from Node\'s chunked encoder (-R 500 -d 1s -c 10 -t 2)', async () => {
    const server = await chunked();
    servers.push(server);
    const { json, code, stderr } = await runJson(['-R', '500', '-d', '1s', '-c', '10', '-t', '2', server.url]);
    expect(code, stderr).toBe(0);
    expectAccounted(json, 500);
    expect(json.status).toEqual({ '200': json.completed });
    expect(json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
    expect(json.bytesRead).toBe(server.stats.bytesSent);
    // Keep-alive held: chunked framing never forced a reconnect.
    expect(server.stats.connections).toBe(10);
  });

  it('reads chunk sizes, extensions, trailers and the final CRLF split across separate reads (-R 200 -d 1s)', async () => {
    const server = await rawChunked();
    servers.push(server);
    const { json, code, stderr } = await runJson(['-R', '200', '-d', '1s', '-c', '10', '-t', '1', server.url]);
    expect(code, stderr).toBe(0);
    expectAccounted(json, 200);
    expect(json.status).toEqual({ '200': json.completed });
    expect(json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
    expect(json.bytesRead).toBe(json.completed * RAW_CHUNKED_PIECES.join('').length);
    expect(server.stats.connections).toBe(10);
  });
});
