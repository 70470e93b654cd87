// `ratetest merge` over a fleet's results: two real runs against one local server stand for two
// shards (with --shard when the CLI has it; otherwise their results get the shard section by
// hand, the shape --shard writes). The merge reads them from one stream with their text reports
// in between, as `kubectl logs … | ratetest merge -` gives them; its counts are the server's; its
// histogram is the sum of the two; --threshold gates with exit 1; --expect-shards refuses a fleet
// with a shard missing, twice, or run with other settings; `compare` reads the merged result.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ENGINE_BUILT, runCli, startCli } from './run-cli.js';
import { plain, type TestServer } from './servers.js';
import type { ResultJson } from '../../src/report/json.js';
import { root, violations } from '../fixtures/schema.js';
import { parseCriterion } from '../../src/analysis/criteria.js';

function usageOf(parse: () => unknown): string {
  try {
    parse();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
}

const FLEET_RATE = 400;
const FINGERPRINT = '5eed5eed5eed5eed';

/** `ratetest merge …` with `input` on stdin. */
function mergeWithInput(args: string[], input: string) {
  const run = spawnSync(process.execPath, [BIN, 'merge', ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe.skipIf(!ENGINE_BUILT)('ratetest merge of a fleet', () => {
  let server: TestServer;
  let dir: string;
  let shardFlag = false;
  /** Each shard's stderr (its text report) and stdout (its --json - document), as a pod's log holds them. */
  const logs: string[] = [];
  const shards: ResultJson[] = [];

  /** Shard `index` of 2 at the fleet's rate (or `rate`), with its shard section, its JSON and its log written to dir. */
  async function runShard(index: number, name: string, rate = FLEET_RATE): Promise<{ json: ResultJson; log: string }> {
    const shardArgs = shardFlag ? ['-R', String(rate), '--shard', `${index}/2`] : ['-R', String(rate / 2)];
    const hlog = join(dir, `${name}.hlog`);
    const run = await startCli([...shardArgs, '-d', '2s', '-c', '4', '-t', '1', '--hdr-log', hlog, '--json', '-', server.url], 40_000).done;
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as ResultJson;
    if (!shardFlag) {
      // The section --shard writes: a fingerprint over the shared settings, so another -R gets another.
      json.shard = { index, count: 2, fingerprint: rate === FLEET_RATE ? FINGERPRINT : 'ffffffffffffffff' };
      const [first, ...rest] = readFileSync(hlog, 'utf8').split('\n');
      writeFileSync(hlog, [first, `#[Shard: ${index}/2 fingerprint=${json.shard.fingerprint} startAt=${json.startedAt}]`, ...rest].join('\n'));
    }
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(json, null, 2) + '\n');
    return { json, log: `${run.stderr}${JSON.stringify(json, null, 2)}\n` };
  }

  beforeAll(async () => {
    server = await plain();
    dir = mkdtempSync(join(tmpdir(), 'ratetest-merge-'));
    shardFlag = (await runCli(['--help'])).stdout.includes('--shard');
    // Side by side, as a fleet runs.
    const both = await Promise.all([runShard(0, 'shard0'), runShard(1, 'shard1')]);
    for (const { json, log } of both) {
      shards.push(json);
      logs.push(log);
    }
  }, 90_000);
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('merges the shards from one stream of logs: counts are the server\'s, histograms add exactly, the JSON is an ordinary result', () => {
    const mergedPath = join(dir, 'merged.json');
    const run = mergeWithInput(['-', '--expect-shards', '2', '--json', mergedPath], `starting pod ratetest-0\n${logs[1]}${logs[0]}`);
    expect(run.code, run.stderr).toBe(0);
    const merged = JSON.parse(readFileSync(mergedPath, 'utf8')) as ResultJson;
    expect(violations(merged, root)).toEqual([]);
    const total = (f: (j: ResultJson) => number) => f(shards[0]!) + f(shards[1]!);
    expect(merged.sent).toBe(server.stats.requests);
    expect(merged.completed).toBe(total((j) => j.completed));
    expect(merged.sent).toBe(total((j) => j.sent));
    expect(merged.scheduled).toBe(total((j) => j.scheduled));
    expect(merged.bytesRead).toBe(total((j) => j.bytesRead));
    expect(merged.status['200']).toBe(server.stats.status['200']);
    expect(merged.series!.reduce((t, i) => t + i.completed, 0)).toBe(merged.completed);
    // Bucket for bucket: the merged histogram is the two shards' added.
    const expected = decodeFromCompressedBase64(shards[0]!.latency.corrected.histogram, 64, false);
    expected.add(decodeFromCompressedBase64(shards[1]!.latency.corrected.histogram, 64, false));
    for (const key of ['50', '90', '99', '99.9', '100']) expect(merged.latency.corrected.percentilesNs[key]).toBe(expected.getValueAtPercentile(Number(key)));
    expect(merged.shards!.inputs.map((i) => [i.source, i.shard!.index, i.completed])).toEqual([
      ['stdin#1', 1, shards[1]!.completed],
      ['stdin#2', 0, shards[0]!.completed],
    ]);
    expect(run.stdout).toMatch(/^Merged 2 results \(shards 0-1 of 2, fingerprint [0-9a-f]{16}, start skew [\d.]+m?s\)\n/);
  });

  it('--threshold judges the merged result: exit 0 when it holds, 1 with the failure named when not', () => {
    const input = logs.join('');
    // Gates that hold, and one that cannot, whatever the machine let the shards send: on a busy one
    // requests left unsent count as errors, so no tighter errors gate holds by construction.
    const pass = mergeWithInput(['-', '--threshold', 'p99<1h', '--threshold', 'errors<=100%'], input);
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stdout).not.toContain('Thresholds failed');
    const fail = mergeWithInput(['-', '--threshold', 'p50<1ns', '--threshold', 'errors<=100%'], input);
    expect(fail.code, fail.stderr).toBe(1);
    expect(fail.stdout).toMatch(/Thresholds failed:\n {2}p50<1ns: measured [\d.]+ms\n$/);
    const usage = mergeWithInput(['-', '--threshold', 'p99 under 5ms'], input);
    expect(usage.code).toBe(2);
    // The run's own message, word for word: one grammar.
    expect(usage.stderr).toBe(`ratetest merge: ${usageOf(() => parseCriterion('p99 under 5ms', '--threshold'))}\n`);
  });

  it('writes --hgrm and --html of the merge, and compare reads its JSON', async () => {
    const run = await runCli(['merge', join(dir, 'shard0.json'), join(dir, 'shard1.json'), '--json', join(dir, 'm.json'), '--html', join(dir, 'm.html'), '--hgrm', join(dir, 'm.hgrm')]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(dir, 'm.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
    expect(readFileSync(join(dir, 'm.hgrm'), 'utf8')).toMatch(new RegExp(`Total count += +${shards[0]!.completed + shards[1]!.completed}\\]`));
    const compare = await runCli(['compare', join(dir, 'shard0.json'), join(dir, 'm.json')]);
    expect(compare.code, compare.stderr).toBe(0);
    expect(compare.stdout).toMatch(new RegExp(`completed\\s+${shards[0]!.completed}\\s+${shards[0]!.completed + shards[1]!.completed}`));
  });

  it('merges the shards\' interval logs, checking their shard comments; whole-result outputs need JSON', async () => {
    const logsRun = await runCli(['merge', join(dir, 'shard0.hlog'), join(dir, 'shard1.hlog'), '--expect-shards', '2']);
    expect(logsRun.code, logsRun.stderr).toBe(0);
    expect(logsRun.stdout).toContain(`Corrected latency: ${shards[0]!.completed + shards[1]!.completed} requests`);
    const missing = await runCli(['merge', join(dir, 'shard1.hlog'), '--expect-shards', '2']);
    expect([missing.code, missing.stderr]).toEqual([2, 'ratetest merge: shard 0/2 is missing\n']);
    const json = await runCli(['merge', join(dir, 'shard0.hlog'), join(dir, 'shard1.hlog'), '--json', join(dir, 'x.json')]);
    expect(json.code).toBe(2);
    expect(json.stderr).toBe(`ratetest merge: --json needs JSON results (--json) as inputs: ${join(dir, 'shard0.hlog')} is an interval log, which holds latencies but not counts or errors\n`);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  });

  it('--expect-shards refuses a shard missing, a shard twice, and a shard run with another -R', async () => {
    const a = join(dir, 'shard0.json');
    const b = join(dir, 'shard1.json');
    const missing = await runCli(['merge', a, '--expect-shards', '2']);
    expect([missing.code, missing.stderr]).toEqual([2, 'ratetest merge: shard 1/2 is missing\n']);
    const twice = await runCli(['merge', a, a, b, '--expect-shards', '2']);
    expect([twice.code, twice.stderr]).toEqual([2, `ratetest merge: shard 0/2 appears twice (${a}, ${a})\n`]);
    const other = await runShard(1, 'other-rate', FLEET_RATE * 2);
    const different = await runCli(['merge', a, join(dir, 'other-rate.json'), '--expect-shards', '2']);
    expect(different.code).toBe(2);
    expect(different.stderr).toBe(
      `ratetest merge: shard 1/2 (${join(dir, 'other-rate.json')}) has fingerprint ${other.json.shard!.fingerprint}, the others ${shards[0]!.shard!.fingerprint} (settings differ: check -R, --stages, --arrival, --seed, -d, -n, the URL and the request mix)\n`,
    );
    const bad = await runCli(['merge', a, '--expect-shards', 'four']);
    expect([bad.code, bad.stderr]).toEqual([2, 'ratetest merge: --expect-shards must be a whole number of shards, 1 or more, got "four"\n']);
  }, 40_000);

  it('says when a stream holds no result, and which document holds a damaged histogram', () => {
    const run = mergeWithInput(['-'], 'pod ratetest-0 was evicted\n');
    expect([run.code, run.stderr]).toEqual([2, 'ratetest merge: stdin: no ratetest result or interval histograms found (expected --json results, one or several, or an HdrHistogram log, as --hdr-log writes)\n']);
    const damaged = structuredClone(shards[1]!);
    damaged.latency.corrected.histogram = 'HISTFAAAAxyz';
    const bad = mergeWithInput(['-'], `${logs[0]}${JSON.stringify(damaged, null, 2)}\n`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ratetest merge: stdin \(document 2\): a histogram in it cannot be decoded \(.+\)\n$/);
  });
});
