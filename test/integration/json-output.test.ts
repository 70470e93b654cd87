// --json: with "-", stdout is one JSON document (schema ratetest/result/v1) and nothing else,
// the text report goes to stderr; with a path, the JSON goes to the file and the text to stdout.
// Both carry the same figures.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultJson } from '../../src/report/json.js';
import { expectAccounted } from './pace.js';
import { ENGINE_BUILT, parseJson, runCli, textFigures, type CliRun } from './run-cli.js';
import { plain, type TestServer } from './servers.js';
import { root, violations } from '../fixtures/schema.js';


const ARGS = ['-R', '100', '-d', '1s', '-c', '4', '-t', '2'];

describe.skipIf(!ENGINE_BUILT)('--json output', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await plain();
    dir = mkdtempSync(join(tmpdir(), 'ratetest-json-'));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('--json -', () => {
    let run: CliRun;
    let json: ResultJson;
    beforeAll(async () => {
      run = await runCli([...ARGS, '--json', '-', server.url]);
      json = parseJson(run);
    });

    it('writes exactly one JSON document to stdout, and the text report to stderr', () => {
      expect(run.code, run.stderr).toBe(0);
      expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
      expect(run.stdout.trimStart().startsWith('{')).toBe(true);
      expect(run.stdout.trimEnd().endsWith('}')).toBe(true);
      expect(run.stdout).not.toContain('Requests/sec');
      expect(run.stderr).toMatch(/^Running 1s test @ /);
      expect(run.stderr).toMatch(/^Requests\/sec: +\d+\.\d\d$/m);
    });

    it('conforms to schema/result.schema.json', () => {
      expect(json.schema).toBe('ratetest/result/v1');
      expect(violations(json, root)).toEqual([]);
    });

    it('echoes the configuration the run used', () => {
      expect(json.config).toEqual({
        url: server.url,
        method: 'GET',
        rate: 100,
        threads: 2,
        connections: 4,
        durationNs: 1e9,
        timeoutNs: 2e9,
        batchNs: json.config.batchNs,
        intervalNs: 1e9,
        connectTimeoutNs: 2e9,
        pipeline: 1,
      });
      expect(Number.isNaN(Date.parse(json.startedAt))).toBe(false);
    });

    it('carries the same figures as the text report', () => {
      const text = textFigures(run.stderr);
      expect(text.requests).toBe(json.completed);
      expect(text.seconds).toBe(json.durationNs / 1e9);
      expect(text.requestsPerSec).toBeCloseTo(json.achievedRate, 2);
      expect(json.completed).toBe(server.stats.status['200']);
    });

    it('encodes full histograms that decode to the summary it prints', () => {
      for (const series of ['corrected', 'uncorrected', 'sendLag'] as const) {
        const latency = json.latency[series];
        const histogram = decodeFromCompressedBase64(latency.histogram);
        expect(histogram.totalCount, series).toBe(latency.count);
        expect(histogram.getValueAtPercentile(99), series).toBe(latency.percentilesNs['99']);
        // Same bucket (3 significant digits); a decoded max reads as the bucket's top.
        expect(Math.abs(histogram.maxValue - latency.maxNs), series).toBeLessThanOrEqual(latency.maxNs / 1000);
        const ordered = ['50', '75', '90', '99', '99.9', '99.99', '99.999', '100'].map((p) => latency.percentilesNs[p]!);
        expect(ordered, series).toEqual([...ordered].sort((a, b) => a - b));
      }
    });
  });

  it('--json <file>: JSON to the file, the text report to stdout', async () => {
    const file = join(dir, 'result.json');
    const run = await runCli([...ARGS, '--json', file, server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Running 1s test @ /);
    const json = JSON.parse(readFileSync(file, 'utf8')) as ResultJson;
    expect(violations(json, root)).toEqual([]);
    expect(textFigures(run.stdout).requests).toBe(json.completed);
    expect(json.completed).toBeGreaterThan(0);
  });

  it('an output that cannot be written after the run: one line, the other outputs and the thresholds still done, exit 2', async () => {
    const file = join(dir, 'kept.json');
    const run = await runCli(['-R', '100', '-d', '1s', '-c', '2', '-t', '1', '--html', '/dev/full', '--threshold', 'p99<1ns', '--json', file, server.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ratetest: --html cannot write "/dev/full": ENOSPC');
    expect(run.stdout).toContain('Thresholds failed:');
    expectAccounted(JSON.parse(readFileSync(file, 'utf8')) as ResultJson, 100);
  });

  it('a run that fails before it starts leaves no output file behind; "-" is stdout for --json only', async () => {
    const file = join(dir, 'never.json');
    const failed = await runCli(['-R', '100', '-d', '1s', '--json', file, '--monitor-pid', '999999999', server.url]);
    expect(failed.code).toBe(2);
    expect(existsSync(file)).toBe(false);
    const dash = await runCli(['-R', '100', '-d', '1s', '--html', '-', server.url]);
    expect(dash.code).toBe(2);
    expect(dash.stderr).toContain('--html takes a file name ("-" for stdout is only for --json)');
  });
});
