// --interval and the heatmap: a run against a server that stalls for 300 ms, cut into 10 ms
// intervals. The intervals are the pumps' own, so they add up exactly to the run (and to the
// server's count), the --hdr-log has one interval per series entry with the same counts, and the
// HTML page's heatmap, drawn by headless Chromium without a console message, is coloured high up
// in the stall's column and not in a quiet one. compare --html draws two such runs.
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultJson } from '../../src/report/json.js';
import { readHdrLog } from '../../src/report/hdr-log.js';
import { decodePng, type Image } from '../fixtures/png.js';
import { attributes, CHROMIUM, chromium, chromiumRun } from './chromium.js';
import { CLI_BUILT, ENGINE_BUILT, runCli, STACK_FRAME } from './run-cli.js';
import { stalling, type TestServer } from './servers.js';

const INTERVAL_NS = 10e6;
const STALL_MS = 300;

/**
 * Pixels in one column of the image, from y0 to y1, in the heatmap's colours: yellow to dark red,
 * red well above blue. The lines over it (blue p50, purple p99, grey target) are not.
 */
function heat(image: Image, x: number, y0: number, y1: number): number {
  let count = 0;
  for (let y = y0; y < y1; y++) {
    const at = (y * image.width + x) * 4;
    const [r, g, b] = [image.rgba[at]!, image.rgba[at + 1]!, image.rgba[at + 2]!];
    if (r - b > 60 && !(r > 240 && g > 240 && b > 240)) count++;
  }
  return count;
}

describe.skipIf(!ENGINE_BUILT)(`--interval 10ms against a server that stalls for ${STALL_MS} ms`, () => {
  let server: TestServer;
  let quietServer: TestServer;
  let dir: string;
  let json: ResultJson;
  beforeAll(async () => {
    // One stall, 800 ms into a 2 s run.
    server = await stalling({ firstStallAfterMs: 800, periodMs: 10_000, stallMs: STALL_MS });
    quietServer = await stalling({ firstStallAfterMs: 60_000, periodMs: 60_000, stallMs: 1 });
    dir = mkdtempSync(join(tmpdir(), 'ratetest-heatmap-'));
    const run = await runCli(['-R', '500', '-d', '2s', '-c', '40', '-t', '2', '--interval', '10ms', '--html', join(dir, 'stall.html'), '--json', join(dir, 'stall.json'), '--hdr-log', join(dir, 'stall.hlog'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    json = JSON.parse(readFileSync(join(dir, 'stall.json'), 'utf8')) as ResultJson;
  });
  afterAll(async () => {
    await server?.close();
    await quietServer?.close();
    if (dir && !process.env.RATETEST_KEEP_HTML) rmSync(dir, { recursive: true, force: true });
  });

  it('cuts the run into 10 ms intervals that add up exactly to its totals and to the server count', () => {
    const series = json.series!;
    expect(json.config.intervalNs).toBe(INTERVAL_NS);
    // Every interval but the last (which ends with the drain) is 10 ms, back to back.
    for (const [i, interval] of series.entries()) {
      expect(interval.startNs).toBe(i * INTERVAL_NS);
      if (i < series.length - 1) expect(interval.endNs).toBe((i + 1) * INTERVAL_NS);
    }
    const sum = (key: 'completed' | 'sent' | 'due' | 'errors') => series.reduce((total, i) => total + i[key], 0);
    expect(sum('completed')).toBe(json.completed);
    expect(sum('completed')).toBe(server.stats.requests);
    expect(sum('sent')).toBe(json.sent);
    expect(sum('due')).toBe(json.scheduled);
    expect(json.sent + json.notSent).toBe(json.scheduled);
    const status = series.reduce((total, i) => total + (i.status['200'] ?? 0), 0);
    expect(status).toBe(json.status['200']);
    for (const tag of ['corrected', 'uncorrected'] as const) {
      const counts = series.map((i) => decodeFromCompressedBase64(i.histograms![tag], 64, false).totalCount);
      expect(counts).toEqual(series.map((i) => i.completed));
    }
  });

  it('writes the same intervals to --hdr-log', () => {
    const counts: Record<string, number[]> = { corrected: [], uncorrected: [] };
    const lines = readHdrLog(readFileSync(join(dir, 'stall.hlog'), 'utf8'), (tag, h) => counts[tag!]!.push(h.totalCount));
    expect(lines).toBe(2 * json.series!.length);
    expect(counts.corrected).toEqual(json.series!.map((i) => i.completed));
    expect(counts.uncorrected).toEqual(json.series!.map((i) => i.completed));
  });

  it('rejects an interval under 10 ms: one line, exit 2', async () => {
    const run = await runCli(['-R', '10', '-d', '1s', '--interval', '5ms', server.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ratetest: --interval must be 10ms or more, got 5ms\n');
    const bad = await runCli(['-R', '10', '-d', '1s', '--interval', 'soon', server.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('ratetest: --interval must be a duration like 30s, 2m or 500ms, got "soon"\n');
    expect(bad.stderr).not.toMatch(STACK_FRAME);
  });

  describe.skipIf(!CHROMIUM)('in headless Chromium', () => {
    it('draws the heatmap without a console message, coloured high in the stall and not in a quiet interval', async () => {
      const page = pathToFileURL(join(dir, 'stall.html')).href;
      const { stdout: dom, console } = await chromiumRun(['--window-size=1280,3000', '--dump-dom', page], join(dir, 'profile-dom'));
      expect(console).toEqual([]);
      expect(/<body[^>]*data-heatmaps-rendered="(\d+)"/.exec(dom)?.[1]).toBe('1');
      const drawn = attributes(dom, 'chart-heatmap');
      expect(drawn['data-columns']).toBe(String(json.series!.length));
      expect(Number(drawn['data-rows'])).toBeGreaterThan(20);
      const [left, top, width, height] = drawn['data-plot']!.split(',').map(Number) as [number, number, number, number];
      const tMax = Number(drawn['data-t-max']);
      await chromium(['--window-size=1280,3000', `--screenshot=${join(dir, 'stall.png')}`, page], join(dir, 'profile-shot'));
      const image = decodePng(readFileSync(join(dir, 'stall.png')));
      const answered = json.series!.filter((i) => i.completed > 0);
      // The stall's intervals: where the held requests were answered, most of them late. On a
      // busy machine their answers spread over several 10 ms intervals, each then thinner.
      const stall = answered.filter((i) => i.p50Ns > 50e6);
      const quiet = answered.reduce((a, b) => (b.maxNs < a.maxNs ? b : a));
      expect(stall.length).toBeGreaterThan(0);
      const x = (ns: number) => left + (ns / 1e9 / tMax) * width;
      // The top half of the plot (on the log scale, latencies far above a quiet interval's), over
      // the interval's pixel columns: the p50/p99 lines cross at its centre.
      const upper = (i: (typeof answered)[number]) => {
        let count = 0;
        for (let px = Math.ceil(x(i.startNs)); px < Math.floor(x(i.endNs)); px++) count += heat(image, px, top + 2, top + Math.round(height / 2));
        return count;
      };
      const stallHeat = stall.reduce((sum, i) => sum + upper(i), 0);
      expect(stallHeat, `the stall's intervals: ${stall.map((i) => `${(i.startNs / 1e6).toFixed(0)} ms, ${i.completed} answered, ${upper(i)} px`).join('; ')}`).toBeGreaterThan(4);
      expect(upper(quiet)).toBe(0);
    });

    it('compare --html draws both runs: four percentile curves, two heatmaps', async () => {
      const quiet = await runCli(['-R', '500', '-d', '1s', '-c', '10', '-t', '1', '--json', join(dir, 'quiet.json'), quietServer.url]);
      expect(quiet.code, quiet.stderr).toBe(0);
      const compare = await runCli(['compare', join(dir, 'quiet.json'), join(dir, 'stall.json'), '--html', join(dir, 'diff.html')]);
      expect(compare.code, compare.stderr).toBe(0);
      expect(compare.stdout).toContain('quiet.json');
      const { stdout: dom, console } = await chromiumRun(['--window-size=1280,2000', '--dump-dom', pathToFileURL(join(dir, 'diff.html')).href], join(dir, 'profile-diff'));
      expect(console).toEqual([]);
      expect(/<body[^>]*data-heatmaps-rendered="(\d+)"/.exec(dom)?.[1]).toBe('2');
      expect(attributes(dom, 'chart-spectrum')['data-series']).toBe('4');
      expect(attributes(dom, 'heatmap-0')['data-rows']).toBe(attributes(dom, 'heatmap-1')['data-rows']);
    });
  });
});

describe.skipIf(!CLI_BUILT)('compare --html usage', () => {
  it('an unwritable --html path: one line, exit 2', async () => {
    const run = await runCli(['compare', 'a.json', 'b.json', '--html', '/nonexistent-dir/diff.html']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ratetest compare: --html cannot write "/nonexistent-dir/diff.html": ENOENT\n');
  });
});
