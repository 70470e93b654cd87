// -s: Lua (wrk/wrk2 API) and JavaScript module scripts against real local servers. Each test
// checks what the server received against what the script describes: unique sequence numbers,
// the login-then-token flow driven by response(), pipelined requests, per-thread addresses,
// thread:stop(), done()'s figures; and how script errors end a run (exit 2 before, 1 during).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultJson } from '../../src/report/json.js';
import { ENGINE_BUILT, HANG_MS, SANITIZED, STACK_FRAME, runCli, runJson } from './run-cli.js';
import { expectAccounted, skipIfBusy, untilPaced } from './pace.js';
import { httpServer, recording, refusedPort, type TestServer } from './servers.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/scripts/${name}`, import.meta.url));
const example = (path: string) => fileURLToPath(new URL(`../../examples/${path}`, import.meta.url));

describe.skipIf(!ENGINE_BUILT)('-s scripts', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await recording();
    dir = mkdtempSync(join(tmpdir(), 'ratetest-scripts-'));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const received = (from: number) => server.stats.received.slice(from);

  it('examples/lua/unique-ids.lua: every request unique, each thread numbered 0.. without gaps (-n 300, -t 2)', async () => {
    const before = server.stats.received.length;
    const run = await runJson(['-R', '600', '-n', '300', '-c', '4', '-t', '2', '-s', example('lua/unique-ids.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.completed).toBe(300);
    const paths = received(before).map((r) => r.url);
    expect(paths).toHaveLength(300);
    expect(new Set(paths).size).toBe(300);
    const byThread = new Map<string, number[]>();
    for (const path of paths) {
      const [, thread, n] = /^\/items\/(\d+)-(\d+)$/.exec(path)!;
      byThread.set(thread!, [...(byThread.get(thread!) ?? []), Number(n)]);
    }
    expect([...byThread.keys()].sort()).toEqual(['1', '2']);
    for (const numbers of byThread.values()) {
      expect([...numbers].sort((a, b) => a - b)).toEqual(numbers.map((_, i) => i));
    }
    expect(run.json.script).toMatchObject({ language: 'lua', requestsPerCall: 1, responsesDropped: 0 });
  });

  it('examples/lua/login-then-browse.lua: response() sees the login answer, later requests carry the token', async (ctx) => {
    const login = await httpServer(
      (req, res, _n, stats) => {
        const body = stats.received[stats.received.length - 1]!.body.toString();
        if (req.url === '/login') res.end(JSON.stringify({ token: `tok-${JSON.parse(body).user}` }));
        else res.end(req.headers.authorization === 'Bearer tok-alice' ? 'welcome' : 'who?');
      },
      { record: true },
    );
    try {
      const out = join(dir, 'login.json');
      const run = await runCli(['-R', '200', '-d', '2s', '-c', '2', '-t', '1', '-s', example('lua/login-then-browse.lua'), '--json', out, login.url, '--', 'alice']);
      expect(run.code, run.stderr).toBe(0);
      const json = JSON.parse(readFileSync(out, 'utf8')) as ResultJson;
      const requests = login.stats.received;
      expect(requests).toHaveLength(json.sent);
      const logins = requests.filter((r) => r.url === '/login');
      const browses = requests.filter((r) => r.url === '/browse');
      expect(logins.length).toBeGreaterThanOrEqual(1);
      expect(logins[0]!.method).toBe('POST');
      expect(JSON.parse(logins[0]!.body.toString())).toEqual({ user: 'alice' });
      // Requests are generated a little ahead, so a few logins go out before the token is known.
      expect(logins.length).toBeLessThan(60);
      expect(browses.length).toBeGreaterThan(0);
      expect(browses.every((r) => r.headers.authorization === 'Bearer tok-alice')).toBe(true);
      // Once the first browse went out, no login followed.
      const firstBrowse = requests.findIndex((r) => r.url === '/browse');
      expect(requests.slice(firstBrowse).every((r) => r.url === '/browse')).toBe(true);
      // Most of the 400 due go out as browses: pace, judged when the machine let the run keep it.
      skipIfBusy(ctx, { json });
      expect(browses.length).toBeGreaterThan(300);
    } finally {
      await login.close();
    }
  });

  it('a request() that returns three requests sends each one, pipelined and in order on a connection (as wrk does)', async () => {
    const before = server.stats.received.length;
    const run = await runJson(['-R', '300', '-n', '300', '-c', '1', '-t', '1', '-s', fixture('pipelined.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.completed).toBe(300);
    expect(run.json.config.pipeline).toBe(3);
    expect(run.json.script).toMatchObject({ requestsPerCall: 3 });
    const paths = received(before).map((r) => r.url);
    expect(paths).toHaveLength(300);
    expect(paths.slice(0, 6)).toEqual(['/p/a', '/p/b', '/p/c', '/p/a', '/p/b', '/p/c']);
    for (const p of ['/p/a', '/p/b', '/p/c']) expect(paths.filter((x) => x === p)).toHaveLength(100);
  });

  // Under the sanitizers, a static script's requests are a plain run's; the tests skipped there
  // below differ from those kept only on the script's side (figures, module state, a slow hook),
  // while their bytes cross the same rings.
  it.skipIf(SANITIZED)('a script with no hooks (wrk.method/body/headers set at the top, like wrk\'s post.lua) runs as a static request', async () => {
    const post = join(dir, 'post.lua');
    writeFileSync(post, 'wrk.method = "POST"\nwrk.body = "a=1&b=2"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n');
    const before = server.stats.received.length;
    const run = await runJson(['-R', '200', '-n', '100', '-c', '2', '-t', '2', '-s', post, server.url]);
    expect(run.code, run.stderr).toBe(0);
    const got = received(before);
    expect(got).toHaveLength(100);
    for (const r of got) {
      expect(r.method).toBe('POST');
      expect(r.body.toString()).toBe('a=1&b=2');
      expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    }
  });

  it('wrk.thread:stop() ends that thread early: 50 responses, then the run is over', async () => {
    const run = await runJson(['-R', '200', '-d', '10s', '-c', '2', '-t', '1', '-s', fixture('stop-after.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.completed).toBeGreaterThanOrEqual(50);
    expect(run.json.completed).toBeLessThan(70);
    // Stopped by the script, long before its 10 s.
    expect(run.json.durationNs).toBeLessThan(10e9);
    expect(run.json.interrupted).toBe(false);
  });

  it('setup() gives threads their own address (wrk.lookup/wrk.connect/thread.addr), whatever the URL says', async () => {
    const dead = await refusedPort();
    const before = server.stats.received.length;
    const run = await runCli(['-R', '100', '-n', '100', '-c', '2', '-t', '2', '-s', fixture('thread-addr.lua'), `http://127.0.0.1:${dead}/via-addr`], HANG_MS, { TARGET_PORT: String(server.port) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`thread addr 127.0.0.1:${server.port} connect true`);
    expect(received(before).map((r) => r.url)).toEqual(Array(100).fill('/via-addr'));
  });

  it.skipIf(SANITIZED)("done() gets wrk's figures: thread:get() of each thread's counters, summary and latency in microseconds", async (ctx) => {
    const slow = await httpServer((_req, res) => setTimeout(() => res.end('ok'), 20));
    try {
      const run = await runCli(['-R', '100', '-d', '2s', '-c', '8', '-t', '2', '-s', fixture('thread-counts.lua'), '--json', join(dir, 'counts.json'), slow.url]);
      expect(run.code, run.stderr).toBe(0);
      const json = JSON.parse(readFileSync(join(dir, 'counts.json'), 'utf8'));
      const threads = [...run.stdout.matchAll(/thread (\d) requests (\d+) responses (\d+)/g)].map((m) => ({ requests: Number(m[2]), responses: Number(m[3]) }));
      expect(threads).toHaveLength(2);
      expect(threads.reduce((s, t) => s + t.responses, 0)).toBe(json.completed);
      for (const t of threads) {
        // request() runs a little ahead of the schedule, never far.
        expect(t.requests).toBeGreaterThanOrEqual(t.responses);
        expect(t.requests - t.responses).toBeLessThanOrEqual(3);
      }
      const summary = /summary requests (\d+) bytes (\d+) non2xx (\d+) duration (\d+)/.exec(run.stdout)!;
      expect(Number(summary[1])).toBe(json.completed);
      expect(Number(summary[2])).toBe(json.bytesRead);
      expect(Math.abs(Number(summary[4]) - json.durationNs / 1e3)).toBeLessThan(2);
      const latency = /latency p50 (\d+) p99 (\d+) min (\d+) max (\d+)/.exec(run.stdout)!;
      expect(Number(latency[1])).toBeGreaterThanOrEqual(19_000);
      expect(Number(latency[1])).toBeCloseTo(json.latency.corrected.percentilesNs['50'] / 1e3, -2);
      // How little above the server's 20 ms is pace: judged when the machine let it.
      skipIfBusy(ctx, { json });
      expect(Number(latency[1])).toBeLessThan(60_000);
    } finally {
      await slow.close();
    }
  });

  it('response() gets binary and chunked bodies byte for byte, with their headers', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const binary = await httpServer((_req, res, n) => {
      res.setHeader('X-Kind', 'binary');
      if (n % 2 === 0) {
        res.write(bytes.subarray(0, 100));
        res.end(bytes.subarray(100));
      } else {
        res.setHeader('Content-Length', bytes.length);
        res.end(bytes);
      }
    });
    try {
      const run = await runCli(['-R', '200', '-n', '100', '-c', '2', '-t', '1', '-s', fixture('binary-body.lua'), binary.url]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('binary bodies checked: 100');
    } finally {
      await binary.close();
    }
  });

  it.skipIf(SANITIZED)('a script too slow for the rate shows as send lag and a lower achieved rate, not as a server problem', async () => {
    const run = await runJson(['-R', '1000', '-d', '2s', '-c', '4', '-t', '1', '-s', fixture('slow.lua'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.sent).toBeLessThan(1600);
    expect(run.json.latency.sendLag.percentilesNs['99']).toBeGreaterThan(100e6);
    expect(run.json.script!.starved).toBeGreaterThan(0);
    expect(run.json.selfCheck.verdict).toBe('script-fell-behind');
    expect(run.stderr).toContain('WARNING: the script fell behind the rate');
  });

  it.skipIf(SANITIZED)('examples/js/mixed-traffic.mjs: per-thread module state, about 90% reads and 10% orders', async () => {
    const before = server.stats.received.length;
    const run = await runCli(['-R', '1000', '-n', '1000', '-c', '4', '-t', '2', '-s', example('js/mixed-traffic.mjs'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    const got = received(before);
    expect(got).toHaveLength(1000);
    const orders = got.filter((r) => r.url === '/orders');
    expect(orders.length).toBeGreaterThan(60);
    expect(orders.length).toBeLessThan(140);
    expect(got.filter((r) => /^\/products\/\d+$/.test(r.url)).length).toBe(1000 - orders.length);
    // Each thread numbers its own requests: (thread, order) pairs are unique.
    const keys = orders.map((r) => JSON.parse(r.body.toString())).map((b: { thread: number; order: number }) => `${b.thread}-${b.order}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(orders.map((r) => JSON.parse(r.body.toString()).thread))).toEqual(new Set([1, 2]));
  });

  it.skipIf(SANITIZED)('examples/js/check-responses.mjs: response() and done() from a JavaScript module', async () => {
    const run = await runCli(['-R', '200', '-n', '200', '-c', '2', '-t', '2', '-s', example('js/check-responses.mjs'), server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/checked 200 responses: 0 bad; p99 \d+ us/);
  });

  it.skipIf(SANITIZED)('examples/lua/status-report.lua and bodies-from-file.lua run as documented', async () => {
    const bodies = join(dir, 'orders.jsonl');
    writeFileSync(bodies, '{"id":1}\n{"id":2}\n{"id":3}\n');
    const before = server.stats.received.length;
    // One connection: requests on two connections can reach the server in either order.
    const posted = await runCli(['-R', '300', '-n', '30', '-c', '1', '-t', '1', '-s', example('lua/bodies-from-file.lua'), `${server.url}orders`, '--', bodies]);
    expect(posted.code, posted.stderr).toBe(0);
    const got = received(before);
    expect(got.map((r) => r.body.toString())).toEqual(Array.from({ length: 30 }, (_, i) => `{"id":${(i % 3) + 1}}`));
    expect(got.every((r) => r.method === 'POST' && r.headers['content-type'] === 'application/json')).toBe(true);
    const report = await runCli(['-R', '200', '-n', '100', '-c', '2', '-t', '2', '-s', example('lua/status-report.lua'), server.url]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('status 200: 100');
    expect(report.stdout).toMatch(/p99: \d+ us/);
    expect(report.stdout).toContain('requests: 100, errors: 0');
  });

  describe('errors', () => {
    // Those that end before the engine starts are skipped in the sanitizer pass (skipIf SANITIZED).
    it.skipIf(SANITIZED)('a syntax error: file:line and the Lua message, exit 2, before any request', async () => {
      const before = server.stats.requests;
      const run = await runCli(['-R', '100', '-d', '1s', '-s', fixture('syntax-error.lua'), server.url]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/syntax-error\.lua:3: '\)' expected/);
      expect(run.stderr).not.toMatch(STACK_FRAME);
      expect(server.stats.requests).toBe(before);
    });

    it.skipIf(SANITIZED)('a JS module syntax error has its line too; a non-string body is an error of the script (exit 2), not an internal one', async () => {
      const syntax = await runCli(['-R', '100', '-d', '1s', '-s', fixture('syntax-error.mjs'), server.url]);
      expect(syntax.code).toBe(2);
      expect(syntax.stderr).toMatch(/syntax-error\.mjs:3: Unexpected token/);
      const body = await runCli(['-R', '100', '-d', '1s', '-s', fixture('number-body.lua'), server.url]);
      expect(body.code).toBe(2);
      expect(body.stderr).toContain('wrk.format(): the body (wrk.body or its 4th argument) must be a string, got number');
      expect(body.stderr).not.toContain('internal error');
    });

    it('requests larger than the ring was sized for: the script falls behind (send lag, starved), the run is not an error', async () => {
      const run = await runJson(['-R', '500', '-d', '1s', '-c', '10', '-t', '1', '-s', fixture('grows.lua'), server.url]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.script!.error).toBeUndefined();
      expect(run.json.completed).toBeGreaterThan(0);
      // Two 400 KB requests fit the ring at a time, against ~50 due in 0.1 s: it runs dry
      // (~100 times a second here). The sanitizer's instrumented pump copies 200 MB/s more slowly
      // than the script fills the ring, which then never runs dry: there this test is the ring's
      // memory safety, not its pace.
      if (!SANITIZED) expect(run.json.script!.starved).toBeGreaterThan(0);
    });

    // 200 MB/s of request bodies: under the sanitizer's instrumented copies that measures ASan.
    it.skipIf(SANITIZED)('requests that vary in size from the first one on: the ring is sized from the whole first queue, and the script keeps up', async (ctx) => {
      const run = await untilPaced(() => runJson(['-R', '500', '-d', '1s', '-c', '10', '-t', '1', '-s', fixture('varies.lua'), server.url]));
      expect(run.code, run.stderr).toBe(0);
      expectAccounted(run.json, 500);
      // Keeping up is pace: on a machine too busy to judge it the script falls behind whatever its ring.
      skipIfBusy(ctx, run);
      // Sized from the first request alone (100 bytes) it ran dry ~200 times a second here.
      expect(run.json.script!.starved).toBeLessThan(5);
    });

    it('a runtime error in request() during the run: the run stops, the report and JSON keep what was gathered, exit 1', async () => {
      for (const [file, message] of [
        ['runtime-error.lua', /runtime-error\.lua:6: attempt to index a nil value/],
        ['runtime-error.mjs', /runtime-error\.mjs:4: request 41 failed on purpose/],
      ] as const) {
        const out = join(dir, `${file}.json`);
        const run = await runCli(['-R', '200', '-d', '5s', '-c', '2', '-t', '1', '-s', fixture(file), '--json', out, server.url]);
        expect(run.code, run.stderr).toBe(1);
        expect(run.stdout).toMatch(message);
        expect(run.stdout).toContain('requests in');
        const json = JSON.parse(readFileSync(out, 'utf8'));
        expect(json.completed).toBeGreaterThan(0);
        expect(json.completed).toBeLessThanOrEqual(40);
        expect(json.script.error).toMatch(message);
        // Stopped at the error (request 41, ~0.2 s in), not at the end of its 5 s.
        expect(json.durationNs).toBeLessThan(4e9);
      }
    });

    it.skipIf(SANITIZED)('os.exit(n) in init() ends ratetest with n; a missing file or unknown kind is exit 2 with one line', async () => {
      const exit = await runCli(['-R', '100', '-d', '1s', '-s', fixture('exit-in-init.lua'), server.url]);
      expect(exit.stdout).toContain('usage: -- <name>');
      expect(exit.code).toBe(3);
      const missing = await runCli(['-R', '100', '-s', join(dir, 'nope.lua'), server.url]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/cannot read script .*nope\.lua: ENOENT/);
      const kind = await runCli(['-R', '100', '-s', join(dir, 'x.py'), server.url]);
      expect(kind.code).toBe(2);
      expect(kind.stderr).toContain('-s takes a Lua script (.lua) or a JavaScript module (.mjs, .js)');
      const stray = await runCli(['-R', '100', server.url, 'extra']);
      expect(stray.code).toBe(2);
      expect(stray.stderr).toContain('arguments after the URL go to a script');
    });
  });
});
