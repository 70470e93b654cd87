// Templates: a local HTTP server records every request, and each test checks that what arrived is
// exactly what the template describes: unique sequence numbers with no gaps across threads, values
// within their ranges, CSV rows in order, Content-Length right for bodies of varying length.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root, violations } from '../fixtures/schema.js';
import { ENGINE_BUILT, SANITIZED, runCli, runJson, STACK_FRAME } from './run-cli.js';
import { httpServer, recording, type ReceivedRequest, type TestServer } from './servers.js';

const servers: TestServer[] = [];
const dir = mkdtempSync(join(tmpdir(), 'ratetest-templates-'));
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Runs `count` requests (rate 200/s) against a recording server; returns what the server received. */
async function received(args: string[], options: { count?: number; path?: string; threads?: number; connections?: number } = {}) {
  const count = options.count ?? 200;
  const server = await recording();
  servers.push(server);
  // -n, not -d: all `count` go out however busy the machine.
  const run = await runJson(['-R', '200', '-n', String(count), '-t', String(options.threads ?? 2), '-c', String(options.connections ?? 4), ...args, `${server.url}${options.path ?? ''}`]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.json.completed).toBe(count);
  expect(server.stats.received).toHaveLength(count);
  return { json: run.json, requests: server.stats.received };
}

const bodies = (requests: ReceivedRequest[]) => requests.map((r) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>);

describe.skipIf(!ENGINE_BUILT)('templates', () => {
  it('{{seq}} numbers the run\'s requests 1..N across threads, no gaps, no duplicates', async () => {
    const { requests, json } = await received(['-H', 'X-Seq: {{seq}}', '-b', '{"seq": {{seq}}}'], { path: 'item/{{seq}}' });
    expect(json.config.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/item\/\{\{seq\}\}$/);
    const fromBody = bodies(requests).map((b) => b.seq as number);
    expect([...fromBody].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (const [i, r] of requests.entries()) {
      expect(r.url).toBe(`/item/${fromBody[i]}`);
      expect(r.headers['x-seq']).toBe(String(fromBody[i]));
    }
  });

  // Under the sanitizers, {{seq}}, the varying bodies, --csv and the request file drive the pump's
  // expansion; what each placeholder writes is template-expand's test and the native unit tests'.
  it.skipIf(SANITIZED)('{{rand}} stays within its bounds and covers them; {{uuid}} is a valid, unique v4 UUID; {{pick}} only picks from its list', async () => {
    const { requests } = await received(['-H', 'X-Request-Id: {{uuid}}', '-b', '{"r": {{rand -3 3}}, "big": {{rand 1 100000}}, "p": "{{pick "red" "green" "blue"}}"}']);
    const values = bodies(requests);
    const small = new Set(values.map((v) => v.r));
    expect([...small].sort()).toEqual([-1, -2, -3, 0, 1, 2, 3].sort());
    expect(values.every((v) => Number.isInteger(v.big) && (v.big as number) >= 1 && (v.big as number) <= 100000)).toBe(true);
    expect(new Set(values.map((v) => v.big)).size).toBeGreaterThan(190);
    expect(new Set(values.map((v) => v.p))).toEqual(new Set(['red', 'green', 'blue']));
    const ids = requests.map((r) => r.headers['x-request-id'] as string);
    expect(ids.every((id) => UUID_V4.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(200);
  });

  it.skipIf(SANITIZED)('{{now}} and {{now_ms}} give the wall-clock time of each request; {{env}} the variable\'s value', async () => {
    const before = Date.now();
    process.env.RATETEST_TEST_TOKEN = 's3cret';
    const { requests } = await received(['-H', 'Authorization: Bearer {{env "RATETEST_TEST_TOKEN"}}', '-b', '{"iso": "{{now}}", "ms": {{now_ms}}}'], { count: 40 });
    const after = Date.now();
    for (const r of requests) {
      expect(r.headers.authorization).toBe('Bearer s3cret');
      const { iso, ms } = JSON.parse(r.body.toString()) as { iso: string; ms: number };
      expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(iso)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(iso)).toBeLessThanOrEqual(after);
      expect(Math.abs(Date.parse(iso) - ms)).toBeLessThanOrEqual(1);
    }
  });

  it('sends a Content-Length equal to each body\'s byte length, as the bodies vary', async () => {
    const { requests } = await received(['-b', '{{pick "" "é" "0123456789abcdef0123456789"}}:{{rand 1 1000000000}}:{{seq}}']);
    const lengths = new Set<number>();
    for (const r of requests) {
      expect(r.method).toBe('POST');
      expect(Number(r.headers['content-length'])).toBe(r.body.length);
      lengths.add(r.body.length);
    }
    expect(lengths.size).toBeGreaterThan(5);
  });

  it('--csv: one row per request, in file order; the path percent-encodes a cell, the body keeps it', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => [`user ${i}`, `u${i}@example.com`]);
    const csv = join(dir, 'users.csv');
    writeFileSync(csv, `name,email\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const { requests } = await received(['--csv', csv, '-b', '{"name": "{{csv.name}}", "email": "{{csv "email"}}", "seq": {{seq}}}'], { count: 30, threads: 1, connections: 1, path: 'u/{{csv.name}}' });
    bodies(requests).forEach((b, i) => {
      const row = rows[i % rows.length]!;
      expect(b).toEqual({ name: row[0], email: row[1], seq: i + 1 });
      expect(requests[i]!.url).toBe(`/u/${row[0]!.replace(' ', '%20')}`);
    });
  });

  it.skipIf(SANITIZED)('--csv-order random: every request gets a whole row from the file', async () => {
    const csv = join(dir, 'pairs.csv');
    writeFileSync(csv, 'a,b\n1,one\n2,two\n3,three\n');
    const { requests } = await received(['--csv', csv, '--csv-order', 'random', '-b', '{{csv.a}}={{csv.b}}']);
    const seen = new Set(requests.map((r) => r.body.toString()));
    expect(seen).toEqual(new Set(['1=one', '2=two', '3=three']));
  });

  it.skipIf(SANITIZED)('--seed repeats the same random values', async () => {
    const args = ['--seed', '12345', '-b', '{{rand 1 1000000000}}-{{uuid}}'];
    const first = (await received(args, { count: 20, threads: 1, connections: 1 })).requests.map((r) => r.body.toString());
    const second = (await received(args, { count: 20, threads: 1, connections: 1 })).requests.map((r) => r.body.toString());
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(20);
  });

  it.skipIf(SANITIZED)('a plain run with braces in its body is sent as it is', async () => {
    const { requests } = await received(['-b', '{"a": {"b": 1}}'], { count: 20 });
    expect(requests.every((r) => r.body.toString() === '{"a": {"b": 1}}')).toBe(true);
  });
});

describe.skipIf(!ENGINE_BUILT)('--requests-file: a weighted mix of named requests', () => {
  it('sends each request its share, and reports latency and status codes per name and in total', async () => {
    const server = await httpServer((req, res) => {
      res.statusCode = req.url === '/orders' ? 201 : 200;
      res.end('ok');
    }, { record: true });
    servers.push(server);
    const file = join(dir, 'mix.yaml');
    writeFileSync(
      file,
      [
        'requests:',
        '  - name: products',
        '    weight: 90',
        '    path: /products/{{rand 1 1000}}',
        '  - name: orders',
        '    weight: 10',
        '    method: POST',
        '    path: /orders',
        '    headers: { Content-Type: application/json }',
        '    body: \'{"n": {{seq}}}\'',
      ].join('\n'),
    );
    const run = await runJson(['-R', '200', '-n', '400', '-t', '2', '-c', '4', '-H', 'X-Run: mix', '--requests-file', file, server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.completed).toBe(400);
    const got = server.stats.received;
    const products = got.filter((r) => r.method === 'GET' && /^\/products\/\d+$/.test(r.url));
    const orders = got.filter((r) => r.method === 'POST' && r.url === '/orders');
    expect(products.length + orders.length).toBe(400);
    // The mix is deterministic: 9 of every 10 request numbers are products, whatever the threads.
    expect(products.length).toBe(360);
    expect(orders.length).toBe(40);
    expect(products.every((r) => Number(r.url.split('/')[2]) >= 1 && Number(r.url.split('/')[2]) <= 1000)).toBe(true);
    expect(got.every((r) => r.headers['x-run'] === 'mix')).toBe(true);
    expect(orders.every((r) => r.headers['content-type'] === 'application/json' && Number(r.headers['content-length']) === r.body.length)).toBe(true);

    const byName = run.json.requests!;
    expect(byName.map((r) => [r.name, r.weight, r.sent, r.completed, r.errors, r.status])).toEqual([
      ['products', 90, 360, 360, 0, { '200': 360 }],
      ['orders', 10, 40, 40, 0, { '201': 40 }],
    ]);
    expect(byName[0]!.latency.corrected.count).toBe(360);
    expect(byName[1]!.latency.corrected.count).toBe(40);
    expect(run.json.status).toEqual({ '200': 360, '201': 40 });
    expect(violations(run.json, root)).toEqual([]);
    expect(run.stderr).toMatch(/^ {2}By request \(corrected latency\):$/m);
    expect(run.stderr).toMatch(/^ {4}products +90 +360 +360 +0 .* 200: 360$/m);
    expect(run.stderr).toMatch(/^ {4}orders +10 +40 +40 +0 .* 201: 40$/m);
  });

  it.skipIf(SANITIZED)('a run without a request file has no per-name breakdown', async () => {
    const { json } = await received(['-b', '{{seq}}'], { count: 20 });
    expect(json.requests).toBeUndefined();
  });
});

describe.skipIf(!ENGINE_BUILT)('bad templates stop before the run: one line, exit 2, nothing sent', () => {
  const cases: [string, (server: string) => string[], RegExp][] = [
    ['an unknown placeholder', (url) => ['-b', '{"id": {{sequence}}}', url], /^ratetest: --body 1:10: unknown placeholder "sequence": expected seq, /],
    ['unbalanced braces', (url) => ['-H', 'X-Id: {{seq', url], /^ratetest: --header "X-Id" 1:1: unclosed "\{\{": expected "\}\}" to end the placeholder$/],
    ['a bad rand', (url) => ['-b', '{{rand 10 1}}', url], /^ratetest: --body 1:8: rand's low bound 10 is above its high bound 1: /],
    ['a missing CSV file', (url) => ['--csv', '/nonexistent/users.csv', '-b', '{{csv.id}}', url], /^ratetest: --csv cannot read "\/nonexistent\/users\.csv": ENOENT$/],
    ['a missing CSV column', (url) => ['--csv', join(dir, 'cols.csv'), '-b', 'x={{csv.nope}}', url], /^ratetest: --body 1:3: column "nope" is not in .*cols\.csv; expected one of: id, name$/],
    ['a bad placeholder in the URL', (url) => [`${url}p/{{uuid 1}}`], /^ratetest: URL 1:\d+: \{\{uuid\}\} takes no arguments$/],
    ['a bad placeholder in a request file', () => ['--requests-file', join(dir, 'bad.yaml'), 'http://127.0.0.1:1/'], /^ratetest: .*bad\.yaml:3:16: requests\[0\]\.path: unknown placeholder "bad": /],
  ];
  // These end before the engine starts: nothing native for the sanitizer pass to check.
  for (const [what, args, message] of cases) {
    it.skipIf(SANITIZED)(what, async () => {
      writeFileSync(join(dir, 'cols.csv'), 'id,name\n1,a\n');
      writeFileSync(join(dir, 'bad.yaml'), 'requests:\n  - name: a\n    path: /x/{{bad}}\n');
      const server = await recording();
      servers.push(server);
      const run = await runCli(['-R', '100', '-d', '1s', ...args(server.url)]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).not.toMatch(STACK_FRAME);
      expect(run.stdout).toBe('');
      expect(server.stats.connections).toBe(0);
    });
  }
});
