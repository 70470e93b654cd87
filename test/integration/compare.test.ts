// ratetest compare on two real runs: a 2 ms server and a 12 ms one; the table says the first is
// faster, --json - gives the same figures as data, and a bad file is one line and exit 2.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { ResultJson } from '../../src/report/json.js';
import { skipIfBusy } from './pace.js';
import { ENGINE_BUILT, runCli } from './run-cli.js';
import { delayed, type TestServer } from './servers.js';

describe.skipIf(!ENGINE_BUILT)('ratetest compare', () => {
  let dir: string;
  const servers: TestServer[] = [];
  const results: ResultJson[] = [];
  // Which run was faster is pace: judged when the machine let both runs keep their schedule.
  const skipIfEitherBusy = (ctx: TestContext) => results.forEach((json) => skipIfBusy(ctx, { json }));
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ratetest-compare-'));
    for (const [name, delay] of [['fast', 2], ['slow', 12]] as const) {
      const server = await delayed(delay);
      servers.push(server);
      const run = await runCli(['-R', '200', '-d', '2s', '-c', '8', '-t', '1', '--json', join(dir, `${name}.json`), server.url]);
      expect(run.code, run.stderr).toBe(0);
      results.push(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as ResultJson);
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the figures side by side and names the faster run', async (ctx) => {
    const run = await runCli(['compare', join(dir, 'fast.json'), join(dir, 'slow.json')]);
    expect(run.code, run.stderr).toBe(0);
    const [fast, slow] = results as [ResultJson, ResultJson];
    const completed = slow.completed - fast.completed;
    expect(run.stdout).toMatch(new RegExp(`completed\\s+${fast.completed}\\s+${slow.completed}\\s+${completed === 0 ? '0 \\(0\\.0%\\)\\s+=' : `[-+]${Math.abs(completed)} `}`));
    // The two servers listen on different ports: the only setting that differs.
    expect(run.stdout.match(/note: .*/g)).toEqual([expect.stringMatching(/^note: the runs differ in url: http:\/\/127\.0\.0\.1:\d+\/ -> http:\/\/127\.0\.0\.1:\d+\/$/)]);
    skipIfEitherBusy(ctx);
    const p50 = run.stdout.split('\n').find((l) => /^\s+p50 /.test(l))!;
    expect(p50).toMatch(/\+[\d.]+ms \(\+\d+\.\d%\)\s+fast\.json$/);
  });

  it('--json - writes the comparison as data (the table to stderr)', async (ctx) => {
    const run = await runCli(['compare', join(dir, 'fast.json'), join(dir, 'slow.json'), '--json', '-']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('send lag p99');
    const json = JSON.parse(run.stdout);
    const [fast, slow] = results as [ResultJson, ResultJson];
    const p50 = json.rows.find((r: { metric: string }) => r.metric === 'p50');
    expect([p50.before, p50.after]).toEqual([fast.latency.corrected.percentilesNs['50'], slow.latency.corrected.percentilesNs['50']]);
    skipIfEitherBusy(ctx);
    expect(p50.after - p50.before).toBeGreaterThan(8e6);
    expect(p50.verdict).toBe('before');
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
