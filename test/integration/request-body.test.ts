// -m, -b, --body-file: the server receives the method, the body byte for byte, and a
// Content-Length that counts bytes (not characters).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runJson } from './run-cli.js';
import { recording, type TestServer } from './servers.js';

const servers: TestServer[] = [];
const dir = mkdtempSync(join(tmpdir(), 'ratetest-body-'));
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function received(args: string[], path = '') {
  const server = await recording();
  servers.push(server);
  // -n, not -d: all 20 go out however busy the machine.
  const run = await runJson(['-R', '20', '-n', '20', '-c', '2', '-t', '1', ...args, `${server.url}${path}`]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.json.completed).toBe(20);
  expect(server.stats.received).toHaveLength(20);
  return { json: run.json, requests: server.stats.received };
}

describe.skipIf(!ENGINE_BUILT)('the request body', () => {
  it('-m POST -b sends the body with its Content-Length on every request', async () => {
    const { json, requests } = await received(['-m', 'POST', '-b', 'name=ratetest&n=1']);
    expect(json.config.method).toBe('POST');
    for (const r of requests) {
      expect(r.method).toBe('POST');
      expect(r.headers['content-length']).toBe('17');
      expect(r.body.toString()).toBe('name=ratetest&n=1');
    }
  });

  it('counts Content-Length in bytes for a UTF-8 body', async () => {
    const body = 'héllo ✓'; // 7 characters, 10 bytes
    const { requests } = await received(['-m', 'POST', '-b', body]);
    for (const r of requests) {
      expect(r.headers['content-length']).toBe(String(Buffer.byteLength(body)));
      expect(r.body.toString('utf8')).toBe(body);
    }
  });

  it('-b without -m defaults to POST', async () => {
    const { requests } = await received(['-b', 'x=1']);
    expect(requests.every((r) => r.method === 'POST' && r.body.toString() === 'x=1')).toBe(true);
  });

  it('-m PUT with a path and query keeps them as given', async () => {
    const { requests } = await received(['-m', 'PUT', '-b', '{"id":7}'], 'items/7?dry=1');
    for (const r of requests) {
      expect(r.method).toBe('PUT');
      expect(r.url).toBe('/items/7?dry=1');
      expect(r.body.toString()).toBe('{"id":7}');
    }
  });

  it('--body-file sends the file\'s bytes exactly, binary included', async () => {
    const bytes = Buffer.from([0x7b, 0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a, 0x7d]);
    const file = join(dir, 'body.bin');
    writeFileSync(file, bytes);
    const { requests } = await received(['--body-file', file]);
    for (const r of requests) {
      expect(r.method).toBe('POST');
      expect(r.headers['content-length']).toBe('8');
      expect(r.body.equals(bytes)).toBe(true);
    }
  });

  it('a GET sends no body and no Content-Length', async () => {
    const { requests } = await received([]);
    for (const r of requests) {
      expect(r.method).toBe('GET');
      expect(r.headers['content-length']).toBeUndefined();
      expect(r.body.length).toBe(0);
    }
  });
});
