import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from './run-cli.js';
import { httpServer, type TestServer } from './servers.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function recording(): Promise<TestServer> {
  const server = await httpServer((_req, res) => res.end('ok'), { record: true });
  servers.push(server);
  return server;
}

describe('what the server receives', () => {
  it('sends the method, body and headers given', async () => {
    const server = await recording();
    const { json } = await runJson([
      '-R', '20', '-d', '1s', '-c', '2', '-t', '1',
      '-m', 'PUT', '-b', '{"id":7}', '-H', 'X-Trace: abc', '-H', 'Content-Type: application/json',
      `${server.url}items?x=1`,
    ]);
    expect(json.completed).toBe(20);
    expect(server.received).toHaveLength(20);
    for (const r of server.received) {
      expect(r.method).toBe('PUT');
      expect(r.url).toBe('/items?x=1');
      expect(r.body).toBe('{"id":7}');
      expect(r.headers['content-length']).toBe('8');
      expect(r.headers['x-trace']).toBe('abc');
      expect(r.headers['content-type']).toBe('application/json');
    }
  });

  it('reads the body from --body-file and POSTs it', async () => {
    const server = await recording();
    const dir = mkdtempSync(join(tmpdir(), 'ratetest-'));
    writeFileSync(join(dir, 'body.json'), '{"from":"file"}');
    await runJson(['-R', '10', '-d', '1s', '-c', '1', '-t', '1', '--body-file', join(dir, 'body.json'), server.url]);
    expect(server.received.length).toBe(10);
    expect(server.received[0]!.method).toBe('POST');
    expect(server.received[0]!.body).toBe('{"from":"file"}');
  });

  it('writes the JSON result to a file and the text report to stdout', async () => {
    const server = await recording();
    const dir = mkdtempSync(join(tmpdir(), 'ratetest-'));
    const file = join(dir, 'result.json');
    const result = await runCli(['-R', '10', '-d', '1s', '-c', '1', '-t', '1', '--json', file, server.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Running 1s test @ /);
    expect(result.stdout).toMatch(/Requests\/sec: +\d+\.\d\d\n/);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { schema: string; completed: number };
    expect(json.schema).toBe('ratetest/result/v1');
    expect(json.completed).toBe(10);
  });
});
