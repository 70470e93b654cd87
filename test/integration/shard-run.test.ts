// One shard on its own: it sends exactly its global requests k = I (mod N) ({{seq}} = k + 1),
// starts at --start-at, and labels its Prometheus samples with its shard.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runJson } from './run-cli.js';
import { recording, type TestServer } from './servers.js';

describe.skipIf(!ENGINE_BUILT)('--shard 1/4 -n 40 on its own', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await recording();
    dir = mkdtempSync(join(tmpdir(), 'ratetest-shard-'));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends {{seq}} 2, 6, ..., 38 (k = 1 mod 4), from --start-at, with a shard label on its metrics', async () => {
    const startAt = Date.now() + 1500;
    const prom = join(dir, 'run.prom');
    const run = await runJson(['-R', '200', '-n', '40', '-t', '2', '-c', '2', '--shard', '1/4', '--start-at', String(startAt), '--prom-file', prom, `${server.url}/t/{{seq}}`]);
    expect(run.code, run.stderr).toBe(0);
    const seqs = server.stats.received.map((r) => Number(/(\d+)$/.exec(r.url)![1])).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 10 }, (_, i) => 2 + 4 * i));
    expect(run.json).toMatchObject({ sent: 10, completed: 10, scheduled: 10 });
    // Its own rate is its quarter of the fleet's, and the report says both.
    expect(run.json.requestedRate).toBe(50);
    expect(run.json.config.rate).toBe(200);
    expect(run.stdout + run.stderr).toContain("Rate: requested 50.00/s (1/4 of the fleet's 200.00/s)");
    expect(run.json.shard).toMatchObject({ index: 1, count: 4, startAt: new Date(startAt).toISOString() });
    // Started at the instant, or later by what it reports; never before it.
    expect(Math.abs(Date.parse(run.json.startedAt) - startAt - run.json.shard!.lateNs! / 1e6)).toBeLessThanOrEqual(1);
    expect(readFileSync(prom, 'utf8')).toMatch(/ratetest_requests_sent_total\{[^}]*shard="1"[^}]*\} 10/);
  }, 30_000);
});
