// deploy/kubernetes/entrypoint.sh with the environment Kubernetes gives a pod of an Indexed Job
// (JOB_COMPLETION_INDEX) and the Job's own (RATETEST_SHARDS, RATETEST_START_AT), running the real
// CLI against a local server: the command line it builds, exactly; where the CLI has --shard, the
// run itself, its result in the log for `ratetest merge -`; and the one line each missing variable gets.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ENGINE_BUILT, runCli } from './run-cli.js';
import { plain, type TestServer } from './servers.js';
import { jsonDocuments } from '../../src/report/json-stream.js';
import type { ResultJson } from '../../src/report/json.js';

const ENTRYPOINT = fileURLToPath(new URL('../../deploy/kubernetes/entrypoint.sh', import.meta.url));

/** The entrypoint under sh, as the container runs it, with `env` added to a bare environment. */
function entrypoint(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('sh', [ENTRYPOINT, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr }))));
}

describe.skipIf(!ENGINE_BUILT)('the shard entrypoint', () => {
  let server: TestServer;
  let dir: string;
  let shardFlag = false;
  beforeAll(async () => {
    server = await plain();
    dir = mkdtempSync(join(tmpdir(), 'ratetest-entrypoint-'));
    shardFlag = (await runCli(['--help'])).stdout.includes('--shard');
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('turns JOB_COMPLETION_INDEX, RATETEST_SHARDS and RATETEST_START_AT into --shard and --start-at, and puts the result in the log', async () => {
    const startAt = new Date(Date.now() + 1500).toISOString();
    const flags = ['-R', '200', '-d', '2s', '-c', '4', '-t', '1', server.url];
    const run = await entrypoint(flags, { JOB_COMPLETION_INDEX: '1', RATETEST_SHARDS: '2', RATETEST_START_AT: startAt, RATETEST_RESULTS: dir, RATETEST_BIN: BIN });
    const json = join(dir, 'shard-1.json');
    const hlog = join(dir, 'shard-1.hlog');
    expect(run.stderr.split('\n')[0]).toBe(`ratetest-shard: ${BIN} ${flags.join(' ')} --shard 1/2 --start-at ${startAt} --json ${json} --hdr-log ${hlog}`);
    if (!shardFlag) {
      // A CLI without --shard refuses the flag before any load: exit 2, and no result to print.
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--shard/);
      expect(server.stats.requests).toBe(0);
      expect(jsonDocuments(run.stdout).documents).toEqual([]);
      return;
    }
    expect(run.code, run.stderr).toBe(0);
    const [result] = jsonDocuments(run.stdout).documents as ResultJson[];
    expect(result!.shard).toMatchObject({ index: 1, count: 2 });
    expect(result!.sent).toBe(server.stats.requests);
    const merged = await runCli(['merge', json, '--expect-shards', '2']);
    expect([merged.code, merged.stderr]).toEqual([2, 'ratetest merge: shard 0/2 is missing\n']);
  }, 60_000);

  it('names the variable that is missing, and runs nothing', async () => {
    const before = server.stats.requests;
    const base = { JOB_COMPLETION_INDEX: '0', RATETEST_SHARDS: '2', RATETEST_START_AT: '2026-12-02T18:00:00Z', RATETEST_RESULTS: dir, RATETEST_BIN: BIN };
    for (const name of ['JOB_COMPLETION_INDEX', 'RATETEST_SHARDS', 'RATETEST_START_AT'] as const) {
      const { [name]: _, ...env } = base;
      const run = await entrypoint(['-R', '10', '-d', '1s', server.url], env);
      expect(run.code, name).not.toBe(0);
      expect(run.stderr, name).toMatch(new RegExp(`${name} is not set: `));
      expect(run.stderr.trim().split('\n'), name).toHaveLength(1);
    }
    expect(server.stats.requests).toBe(before);
  });
});
