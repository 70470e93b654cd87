// --threshold: exit 0 when every gate holds, 1 with the failed gates and measured values listed,
// 2 for a malformed expression before any load is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runCli } from './run-cli.js';
import { plain, type TestServer } from './servers.js';

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
  });

  it('exits 1 and lists each failed threshold with its measured value', async () => {
    const run = await runCli([...ARGS, '--threshold', 'p50<1ns', '--threshold', 'errors>0', '--threshold', 'max<10s', server.url]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/Thresholds failed:\n {2}p50<1ns: measured [\d.]+ms\n {2}errors>0: measured 0\n/);
    expect(run.stdout).not.toContain('max<10s');
  });

  it('exits 2 on a malformed threshold, before the run', async () => {
    const before = server.stats.requests;
    const run = await runCli([...ARGS, '--threshold', 'p99<<1s', server.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ratetest: --threshold /);
    expect(server.stats.requests).toBe(before);
  });
});
