// The example scripts that ship with wrk (and, but for delay.lua, with wrk2), run unmodified:
// each is checked for the meaning it has in wrk, by what the server received and what the
// script printed. They come from Debian's wrk package (.ci/run installs it), or WRK_SCRIPTS.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipIfBusy } from './pace.js';
import { ENGINE_BUILT, runCli, runJson } from './run-cli.js';
import { httpServer, type TestServer } from './servers.js';

const SCRIPTS = process.env.WRK_SCRIPTS ?? '/usr/share/doc/wrk/examples/scripts';
const HAVE_SCRIPTS = existsSync(join(SCRIPTS, 'counter.lua'));
const script = (name: string) => join(SCRIPTS, name);

describe.skipIf(!ENGINE_BUILT || !HAVE_SCRIPTS)(`wrk's example scripts (${SCRIPTS})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    // Hands out a token at /authenticate (auth.lua) and answers the rest after 2 ms.
    server = await httpServer(
      (req, res) => {
        if (req.url === '/authenticate') res.setHeader('X-Token', 'tok-1');
        setTimeout(() => res.end('ok'), 2);
      },
      { record: true },
    );
  });
  afterAll(async () => {
    await server?.close();
  });
  const since = (from: number) => server.stats.received.slice(from);

  it('counter.lua: each thread counts its own paths /0, /1, ... with X-Counter', async () => {
    const before = server.stats.received.length;
    const run = await runCli(['-R', '400', '-n', '200', '-c', '2', '-t', '2', '-s', script('counter.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    const got = since(before);
    expect(got).toHaveLength(200);
    for (const r of got) expect(r.url).toBe(`/${r.headers['x-counter']}`);
    const counts = new Map<string, number>();
    for (const r of got) counts.set(r.url, (counts.get(r.url) ?? 0) + 1);
    // Two threads, two counters: every number up to the last appears once per thread.
    expect(counts.get('/0')).toBe(2);
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
  });

  it('auth.lua: /authenticate until the token arrives, then /resource with X-Token', async (ctx) => {
    const before = server.stats.received.length;
    const run = await runJson(['-R', '200', '-d', '2s', '-c', '2', '-t', '1', '-s', script('auth.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    const got = since(before);
    expect(got).toHaveLength(run.json.sent);
    const firstResource = got.findIndex((r) => r.url === '/resource');
    expect(firstResource).toBeGreaterThan(0);
    expect(got.slice(0, firstResource).every((r) => r.url === '/authenticate')).toBe(true);
    expect(got.slice(firstResource).every((r) => r.url === '/resource' && r.headers['x-token'] === 'tok-1')).toBe(true);
    // Most of the 400 due go out once the token is in: pace, judged when the machine let the run keep it.
    skipIfBusy(ctx, run);
    expect(got.length - firstResource).toBeGreaterThan(300);
  });

  it('pipeline.lua: /?foo /?bar /?baz, pipelined three at a time', async () => {
    const before = server.stats.received.length;
    const run = await runJson(['-R', '300', '-n', '300', '-c', '1', '-t', '1', '-s', script('pipeline.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.config.pipeline).toBe(3);
    const urls = since(before).map((r) => r.url);
    expect(urls).toHaveLength(300);
    expect(urls.slice(0, 3)).toEqual(['/?foo', '/?bar', '/?baz']);
    for (const u of ['/?foo', '/?bar', '/?baz']) expect(urls.filter((x) => x === u)).toHaveLength(100);
  });

  it('post.lua: every request a form POST', async () => {
    const before = server.stats.received.length;
    const run = await runCli(['-R', '200', '-n', '100', '-c', '2', '-t', '2', '-s', script('post.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    const got = since(before);
    expect(got).toHaveLength(100);
    expect(got.every((r) => r.method === 'POST' && r.body.toString() === 'foo=bar&baz=quux' && r.headers['content-type'] === 'application/x-www-form-urlencoded')).toBe(true);
  });

  it('report.lua: done() prints the percentiles as CSV, in microseconds', async (ctx) => {
    const run = await runJson(['-R', '200', '-d', '1s', '-c', '2', '-t', '1', '-s', script('report.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    // print() goes with the text report: stderr when stdout carries the JSON.
    const p50 = /^50%,(\d+)$/m.exec(run.stderr);
    expect(p50, run.stderr).not.toBeNull();
    expect(run.stderr).toMatch(/^99\.999%,\d+$/m);
    // The run's own p50, in microseconds; the server answers after 2 ms.
    expect(Number(p50![1])).toBeCloseTo(run.json.latency.corrected.percentilesNs['50']! / 1e3, -2);
    expect(Number(p50![1])).toBeGreaterThanOrEqual(1900);
    // How little above the server's 2 ms is pace: judged when the machine let the run keep it.
    skipIfBusy(ctx, run);
    expect(Number(p50![1])).toBeLessThan(50_000);
  });

  it('setup.lua: threads numbered in setup(), their counters read back in done()', async () => {
    const run = await runJson(['-R', '200', '-d', '1s', '-c', '2', '-t', '2', '-s', script('setup.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    // print() goes with the text report: stderr when stdout carries the JSON.
    expect(run.stderr).toContain('thread 1 created');
    expect(run.stderr).toContain('thread 2 created');
    const lines = [...run.stderr.matchAll(/thread (\d) made (\d+) requests and got (\d+) responses/g)];
    expect(lines.map((m) => m[1])).toEqual(['1', '2']);
    expect(lines.reduce((sum, m) => sum + Number(m[3]), 0)).toBe(run.json.completed);
  });

  it('stop.lua: each thread stops itself after 100 responses', async () => {
    const run = await runJson(['-R', '400', '-d', '10s', '-c', '4', '-t', '2', '-s', script('stop.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.completed).toBeGreaterThanOrEqual(200);
    expect(run.json.completed).toBeLessThan(240);
    // Stopped by the script, long before its 10 s (at 200/s a thread's 100 take ~0.5 s, more on a busy machine).
    expect(run.json.durationNs).toBeLessThan(10e9);
  });

  it('addr.lua: setup() picks each thread an address that accepts connections, init() prints it', async () => {
    const run = await runCli(['-R', '100', '-n', '50', '-c', '2', '-t', '2', '-s', script('addr.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.match(new RegExp(`thread addr: 127\\.0\\.0\\.1:${server.port}`, 'g'))).toHaveLength(2);
  });

  it.skipIf(!existsSync(script('delay.lua')))('delay.lua: runs, and says delay() has no place under a fixed rate (as in wrk2)', async () => {
    const run = await runCli(['-R', '200', '-n', '100', '-c', '2', '-t', '1', '-s', script('delay.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('delay() is not called');
    expect(run.stdout).toContain('100 requests in');
  });
});
