// --html: the real binary writes the report of a run against a local server, and headless
// Chromium (Debian's `chromium`, installed by .ci/run) opens it offline: every chart must have
// drawn the run's data (the page's script records series and point counts in data-* attributes
// after uPlot draws), and a screenshot must show the charts' colours.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultJson } from '../../src/report/json.js';
import { countColour, decodePng } from '../fixtures/png.js';
import { CLI_BUILT, ENGINE_BUILT, runCli, STACK_FRAME } from './run-cli.js';
import { MIXED_STATUS, mixedStatus, type TestServer } from './servers.js';
import { attributes, chromium, CHROMIUM } from './chromium.js';

if (!CHROMIUM) console.warn('html-report: skipping the browser checks: no chromium on PATH (apt-get install chromium, or set CHROMIUM)');

/** Points per series as the page recorded them. */
const points = (attrs: Record<string, string>) => attrs['data-points']!.split(',').map(Number);

describe.skipIf(!ENGINE_BUILT)('--html', () => {
  let server: TestServer;
  let dir: string;
  let html: string;
  let json: ResultJson;
  beforeAll(async () => {
    // 404 on two requests in ten, so its line is not hidden under 204's, 302's and 503's
    // (one in ten each, 503 drawn last): orange must show whatever the run's latencies and pace.
    server = await mixedStatus({ ...MIXED_STATUS, 5: 404 });
    dir = mkdtempSync(join(tmpdir(), 'ratetest-html-'));
    const file = join(dir, 'report.html');
    const run = await runCli(['-R', '200', '-d', '3s', '-c', '4', '-t', '1', '-H', 'X-Note: </script><b>bold</b>', '--html', file, '--json', join(dir, 'run.json'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    html = readFileSync(file, 'utf8');
    json = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as ResultJson;
  });
  afterAll(async () => {
    await server?.close();
    // RATETEST_KEEP_HTML=1 keeps the page and its screenshot to look at.
    if (dir && !process.env.RATETEST_KEEP_HTML) rmSync(dir, { recursive: true, force: true });
  });

  it('writes one self-contained page with the run in its JSON block', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/\s(src|href)\s*=|<link\b|url\(|@import/i);
    expect(html).toContain('X-Note: &lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;');
    const block = /<script type="application\/json" id="ratetest-data">([^<]*)<\/script>/.exec(html);
    const data = JSON.parse(block![1]!) as { timeline: { t: number[]; completed: number[] }; spectrum: { x: number[] } };
    expect(data.timeline.t).toHaveLength(json.series!.length);
    expect(data.spectrum.x.at(-1)).toBe(json.completed);
    expect(json.completed).toBe(server.stats.requests);
  });

  describe.skipIf(!CHROMIUM)('in headless Chromium', () => {
    let dom: string;
    beforeAll(async () => {
      dom = await chromium(['--dump-dom', pathToFileURL(join(dir, 'report.html')).href], join(dir, 'profile-dom'));
    });

    it('draws all four charts', () => {
      expect(/<body[^>]*data-charts-rendered="(\d+)"/.exec(dom)?.[1]).toBe('4');
    });

    it('draws the spectrum with corrected and uncorrected curves to the last request', () => {
      const spectrum = attributes(dom, 'chart-spectrum');
      expect(spectrum['data-rendered']).toBe('true');
      expect(spectrum['data-series']).toBe('corrected,uncorrected');
      // 600 requests: x = 1/(1-p) from 1 to 600 at 20 points a decade, 56 points, each curve on all of them.
      const x = Number(spectrum['data-x']);
      expect(x).toBe(Math.floor(Math.log10(json.completed) * 20 + 1e-9) + 2);
      expect(points(spectrum)).toEqual([x, x]);
    });

    it('draws one point per interval in each time chart', () => {
      const intervals = json.series!.length;
      const answered = json.series!.filter((s) => s.completed > 0).length;
      const latency = attributes(dom, 'chart-latency');
      expect(latency['data-series']).toBe('p50,p99,max');
      expect(Number(latency['data-x'])).toBe(intervals);
      expect(points(latency)).toEqual([answered, answered, answered]);
      const rate = attributes(dom, 'chart-rate');
      expect(rate['data-series']).toBe('target (due),sent,completed');
      expect(points(rate)).toEqual([intervals, intervals, intervals]);
      const outcomes = attributes(dom, 'chart-outcomes');
      // mixedStatus answers 200, 204, 302, 404 and 503.
      expect(outcomes['data-series']).toBe('errors,200,204,302,404,503');
      expect(Object.keys(json.status).sort()).toEqual(['200', '204', '302', '404', '503']);
      expect(points(outcomes)).toEqual(Array(6).fill(intervals));
    });

    it('saves a screenshot showing the charts\' lines', async () => {
      const shoot = async (page: string, png: string) => {
        await chromium([`--screenshot=${png}`, '--window-size=1280,2600', pathToFileURL(page).href], join(dir, 'profile-shot'));
        return decodePng(readFileSync(png));
      };
      const shot = join(dir, 'report.png');
      const image = await shoot(join(dir, 'report.html'), shot);
      expect([image.width, image.height]).toEqual([1280, 2600]);
      expect(statSync(shot).size).toBeGreaterThan(30_000);
      // The same page with uPlot disabled: its text and tables, no charts. Its red warning text
      // (when the self-check warns) shares pixels with the red series, hence the comparison.
      const withoutCharts = join(dir, 'no-charts.html');
      writeFileSync(withoutCharts, html.replace('var uPlot=', 'var uPlotDisabled='));
      const blank = await shoot(withoutCharts, join(dir, 'no-charts.png'));
      // Each series colour is drawn: corrected/max/503 red, uncorrected/p50/302 blue, completed/200 green, p99/sent/404 orange.
      const drawn = Object.fromEntries(['#c23030', '#2b7bb9', '#2a8a3e', '#d9822b'].map((colour) => [colour, countColour(image, colour) - countColour(blank, colour)]));
      for (const pixels of Object.values(drawn)) expect(pixels, JSON.stringify(drawn)).toBeGreaterThan(500);
      console.log(`html-report screenshot: ${shot}, ${statSync(shot).size} bytes, pixels drawn per colour ${JSON.stringify(drawn)}`);
    });
  });
});

describe.skipIf(!CLI_BUILT)('--html usage', () => {
  it('an unwritable --html path stops the run before it starts: one line, exit 2', async () => {
    const run = await runCli(['-R', '10', '-d', '1s', '--html', '/nonexistent-dir/report.html', 'http://127.0.0.1:9/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ratetest: --html cannot write "/nonexistent-dir/report.html": ENOENT\n');
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });
});
