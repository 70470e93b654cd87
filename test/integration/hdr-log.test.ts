// --hdr-log and `ratetest merge`: the interval log decodes (with hdr-histogram-js, as any HdrHistogram
// tool would) to the run's own counts, and merging two runs' logs gives exactly the histogram of
// both runs' requests: the sum of the two JSON results' histograms, percentile for percentile. The
// log is written during the run, and a Ctrl-C still leaves it whole.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistogramLogReader, decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, mustHaveExited, runCli, startCli, waitFor } from './run-cli.js';
import { delayed, type TestServer } from './servers.js';

interface RunJson {
  scheduled: number;
  sent: number;
  notSent: number;
  completed: number;
  latency: { corrected: { histogram: string }; uncorrected: { histogram: string } };
  series: { completed: number }[];
}

function logTotals(path: string): Record<string, number> {
  const reader = new HistogramLogReader(readFileSync(path, 'utf8'), 64, false);
  const totals: Record<string, number> = {};
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    totals[h.tag!] = (totals[h.tag!] ?? 0) + h.totalCount;
  }
  return totals;
}

describe.skipIf(!ENGINE_BUILT)('--hdr-log and merge', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await delayed(2);
    dir = mkdtempSync(join(tmpdir(), 'ratetest-hlog-'));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes per-second intervals that add up to the run, and merges two runs exactly', async () => {
    const runs: RunJson[] = [];
    for (const [name, rate, duration] of [['a', '300', '3s'], ['b', '150', '2s']] as const) {
      const run = await runCli(['-R', rate, '-d', duration, '-c', '4', '-t', '1', '--hdr-log', join(dir, `${name}.hlog`), '--json', join(dir, `${name}.json`), server.url]);
      expect(run.code, run.stderr).toBe(0);
      const json = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as RunJson;
      runs.push(json);
      const log = readFileSync(join(dir, `${name}.hlog`), 'utf8');
      expect(log).toContain('#[Histogram log format version 1.3]');
      expect(log).toMatch(/#\[StartTime: [\d.]+ \(seconds since epoch\)/);
      expect(log).toContain('"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"');
      // One interval per second or so, each with both tags; together exactly the run's responses.
      expect(logTotals(join(dir, `${name}.hlog`))).toEqual({ corrected: json.completed, uncorrected: json.completed });
      expect(json.series.length).toBeGreaterThanOrEqual(Number(duration[0]));
      expect(json.series.reduce((sum, s) => sum + s.completed, 0)).toBe(json.completed);
    }
    // Every request accounted for; how many went out on time is the machine's business.
    for (const [run, scheduled] of [[runs[0]!, 900], [runs[1]!, 300]] as const) {
      expect(run.scheduled).toBe(scheduled);
      expect(run.sent + run.notSent).toBe(scheduled);
      expect(run.completed).toBe(run.sent);
    }

    const both = (tag: 'corrected' | 'uncorrected'): Histogram => {
      const sum = decodeFromCompressedBase64(runs[0]!.latency[tag].histogram, 64, false);
      sum.add(decodeFromCompressedBase64(runs[1]!.latency[tag].histogram, 64, false));
      return sum;
    };
    const hgrm = join(dir, 'merged.hgrm');
    const merged = await runCli(['merge', join(dir, 'a.hlog'), join(dir, 'b.hlog'), '--hgrm', hgrm]);
    expect(merged.code, merged.stderr).toBe(0);
    const expected = both('corrected');
    const us = (ns: number) => ns / 1e3;
    // Both runs' responses: 1200 when every request went out, fewer when a busy machine left some unsent.
    const responses = runs[0]!.completed + runs[1]!.completed;
    expect(merged.stdout).toContain(`Corrected latency: ${responses} requests`);
    expect(merged.stdout).toContain(`Uncorrected latency: ${responses} requests`);
    const p99 = /p99 ([\d.]+)(us|ms)/.exec(merged.stdout)!;
    const p99Us = Number(p99[1]) * (p99[2] === 'ms' ? 1000 : 1);
    expect(p99Us).toBeCloseTo(us(expected.getValueAtPercentile(99)), -1);
    // The .hgrm of the merge is the summed histogram's own distribution, byte for byte.
    expect(readFileSync(hgrm, 'utf8')).toBe(expected.outputPercentileDistribution(5, 1e6));

    // A JSON result merges the same way as its log.
    const mixed = await runCli(['merge', join(dir, 'a.json'), join(dir, 'b.hlog')]);
    expect(mixed.code, mixed.stderr).toBe(0);
    expect(mixed.stdout.split('\n').slice(1, 3)).toEqual(merged.stdout.split('\n').slice(1, 3));
  });

  it('writes the log as the run goes (a temporary file beside it, renamed at the end), whole after a Ctrl-C', async () => {
    const log = join(dir, 'live.hlog');
    const cli = startCli(['-R', '200', '-d', '30s', '-c', '2', '-t', '1', '--hdr-log', log, '--json', join(dir, 'live.json'), server.url]);
    const temporary = () => readdirSync(dir).find((f) => f.startsWith('.live.hlog.') && f.endsWith('.tmp'));
    // Two intervals' lines on disk while the run goes on: nothing waits in memory for the end.
    await waitFor(() => {
      const name = temporary();
      return name !== undefined && (readFileSync(join(dir, name), 'utf8').match(/,HIST/g) ?? []).length >= 4;
    }, 'two intervals in the streamed log', 20_000);
    expect(existsSync(log)).toBe(false);
    cli.child.kill('SIGINT');
    const run = mustHaveExited(await cli.done);
    expect(run.code, run.stderr).toBe(130);
    expect(temporary()).toBeUndefined();
    const json = JSON.parse(readFileSync(join(dir, 'live.json'), 'utf8')) as RunJson;
    expect(logTotals(log)).toEqual({ corrected: json.completed, uncorrected: json.completed });
  });

  it('rejects a file that is neither a log nor a result, with one line and exit 2', async () => {
    const bad = await runCli(['merge', join(dir, 'missing.hlog')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('cannot read');
  });
});
