// ratetest compare on two real runs: a 2 ms server and a 12 ms one; the table says the first is
// faster, --json - gives the same figures as data, and a bad file is one line and exit 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runCli } from './run-cli.js';
import { delayed, type TestServer } from './servers.js';

describe.skipIf(!ENGINE_BUILT)('ratetest compare', () => {
  let dir: string;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ratetest-compare-'));
    for (const [name, delay] of [['fast', 2], ['slow', 12]] as const) {
      const server = await delayed(delay);
      servers.push(server);
      const run = await runCli(['-R', '200', '-d', '2s', '-c', '8', '-t', '1', '--json', join(dir, `${name}.json`), server.url]);
      expect(run.code, run.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the figures side by side and names the faster run', async () => {
    const run = await runCli(['compare', join(dir, 'fast.json'), join(dir, 'slow.json')]);
    expect(run.code, run.stderr).toBe(0);
    const p50 = run.stdout.split('\n').find((l) => /^\s+p50 /.test(l))!;
    expect(p50).toMatch(/\+[\d.]+ms \(\+\d+\.\d%\)\s+fast\.json$/);
    expect(run.stdout).toMatch(/completed\s+400\s+400\s+0 \(0\.0%\)\s+=/);
    // The two servers listen on different ports: the only setting that differs.
    expect(run.stdout.match(/note: .*/g)).toEqual([expect.stringMatching(/^note: the runs differ in url: http:\/\/127\.0\.0\.1:\d+\/ -> http:\/\/127\.0\.0\.1:\d+\/$/)]);
  });

  it('--json - writes the comparison as data (the table to stderr)', async () => {
    const run = await runCli(['compare', join(dir, 'fast.json'), join(dir, 'slow.json'), '--json', '-']);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);
    const p50 = json.rows.find((r: { metric: string }) => r.metric === 'p50');
    expect(p50.after - p50.before).toBeGreaterThan(8e6);
    expect(p50.verdict).toBe('before');
    expect(run.stderr).toContain('send lag p99');
  });

  it('a file that is not a result: one line, exit 2', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"hello": 1}');
    const run = await runCli(['compare', join(dir, 'fast.json'), join(dir, 'bad.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('not a ratetest result');
    const missing = await runCli(['compare', join(dir, 'fast.json')]);
    expect(missing.code).toBe(2);
  });
});
