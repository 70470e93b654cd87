// --hgrm: the standard HdrHistogram percentile distribution text, ending with the total count the
// run's JSON reports, values in ms.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runCli } from './run-cli.js';
import { plain, type TestServer } from './servers.js';

describe.skipIf(!ENGINE_BUILT)('--hgrm', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await plain();
    dir = mkdtempSync(join(tmpdir(), 'ratetest-hgrm-'));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the distribution with the run\'s total count', async () => {
    const hgrm = join(dir, 'run.hgrm');
    const json = join(dir, 'run.json');
    const run = await runCli(['-R', '100', '-d', '1s', '-c', '2', '-t', '1', '--hgrm', hgrm, '--json', json, server.url]);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(hgrm, 'utf8');
    const result = JSON.parse(readFileSync(json, 'utf8')) as { completed: number };
    expect(text).toMatch(/^ +Value +Percentile +TotalCount 1\/\(1-Percentile\)\n\n/);
    const total = /#\[Max += +[\d.]+, Total count += +(\d+)\]/.exec(text);
    expect(Number(total![1])).toBe(result.completed);
    expect(result.completed).toBe(server.stats.requests);
    // Rows: value (ms) percentile count 1/(1-p); the last percentile row is 1.0.
    const rows = text.split('\n').filter((l) => /^\s+[\d.]+\s+[\d.]+\s+\d+/.test(l));
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.at(-1)).toMatch(/\s1\.000000000000\s+\d+\s*$/);
  });
});
