// --threshold: exit 0 when every gate holds, 1 with the failed gates and measured values listed,
// 2 for a malformed expression before any load is sent; a gate over a dead server fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runCli } from './run-cli.js';
import { plain, refusedPort, silent, type TestServer } from './servers.js';

const ARGS = ['-R', '100', '-d', '1s', '-c', '2', '-t', '1'];

describe.skipIf(!ENGINE_BUILT)('--threshold', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await plain();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('exits 0 when every threshold holds', async () => {
    const run = await runCli([...ARGS, '--threshold', 'p99<10s', '--threshold', 'errors=0', '--threshold', 'non2xx=0', server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('Thresholds failed');
  }, 30_000);

  it('exits 1 and lists each failed threshold with its measured value', async () => {
    const run = await runCli([...ARGS, '--threshold', 'p50<1ns', '--threshold', 'errors>0', '--threshold', 'max<10s', server.url]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/Thresholds failed:\n {2}p50<1ns: measured [\d.]+ms\n {2}errors>0: measured 0\n/);
    expect(run.stdout).not.toContain('max<10s');
  }, 30_000);

  it('exits 2 on a malformed threshold, before the run', async () => {
    const before = server.stats.requests;
    const run = await runCli([...ARGS, '--threshold', 'p99<<1s', server.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ratetest: --threshold /);
    expect(server.stats.requests).toBe(before);
  }, 30_000);
});

describe.skipIf(!ENGINE_BUILT)('--threshold against a dead server', () => {
  const GATES = ['--threshold', 'p99<100ms', '--threshold', 'errors<1%', '--threshold', 'rate>=0%'];

  it('a server that accepts and never answers fails a latency gate: exit 1, and says why', async () => {
    const server = await silent();
    try {
      // 50/s, each request holding its connection 500 ms: 25 busy at a time, so 50 connections never run out.
      const run = await runCli(['-R', '50', '-d', '1s', '-c', '50', '-t', '1', '--timeout', '500ms', ...GATES, server.url]);
      expect(run.code, run.stderr).toBe(1);
      expect(server.stats.requests).toBe(50);
      expect(run.stdout).toContain('Thresholds failed:\n  p99<100ms: no responses to measure (0 of 50 requests completed)\n  errors<1%: measured 100%\n');
      expect(run.stdout).not.toContain('rate>=0%');
    } finally {
      await server.close();
    }
  }, 30_000);

  it('a port that refuses every connection fails the same gates', async () => {
    const port = await refusedPort();
    const run = await runCli(['-R', '50', '-d', '1s', '-c', '2', '-t', '1', ...GATES, `http://127.0.0.1:${port}/`]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('Thresholds failed:\n  p99<100ms: no responses to measure (0 of 50 requests completed)\n  errors<1%: measured 100%\n');
  }, 30_000);
});
