import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NativeTemplates } from '../../src/addon/native.js';
import { validate, type RunOptions } from '../../src/config/options.js';
import { compileRequests, rawTarget } from '../../src/requests/compile.js';

const dir = mkdtempSync(join(tmpdir(), 'ratetest-compile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const csvPath = join(dir, 'users.csv');
writeFileSync(csvPath, 'user,note\nann,"line\nbreak"\nbob,ok\n');

const compile = (options: RunOptions, env: NodeJS.ProcessEnv = {}) => compileRequests(validate(options), options, env);
const errorOf = (options: RunOptions, env: NodeJS.ProcessEnv = {}) => {
  try {
    compile(options, env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('compiled without an error');
};

/**
 * A reference expander for the deterministic steps (literal, seq, csv in order, pick's first
 * choice), as native/template_source.cc expands them: request `k` of the run, as bytes.
 */
function expand(native: NativeTemplates, k: number): string {
  const request = native.requests[native.mix[k % native.mix.length]!]!;
  const run = (first: number, count: number) => {
    let out = '';
    for (let s = first; s < first + count; s++) {
      const [op, , a, b] = native.steps.subarray(s * 4, s * 4 + 4) as unknown as number[];
      if (op === 0) out += native.pool.subarray(a, a! + b!).toString('latin1');
      else if (op === 1) out += String(k + a!);
      else if (op === 4) out += native.pool.subarray(native.choices[a! * 2], native.choices[a! * 2]! + native.choices[a! * 2 + 1]!).toString('latin1');
      else if (op === 7) {
        const csv = native.csv!;
        const cell = (k % ((csv.offsets.length - 1) / csv.columns)) * csv.columns + a!;
        out += csv.bytes.subarray(csv.offsets[cell], csv.offsets[cell + 1]).toString('latin1');
      } else throw new Error(`op ${op} is not deterministic`);
    }
    return out;
  };
  const head = run(request.headFirst, request.headCount);
  const body = run(request.bodyFirst, request.bodyCount);
  return request.hasBody ? `${head}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}` : `${head}\r\n${body}`;
}

describe('compileRequests', () => {
  it('compiles nothing for a run without placeholders: the plain request is sent as it is', () => {
    expect(compile({ url: 'http://127.0.0.1:8080/a', rate: 1, body: '{"a": {"b": 1}}' })).toBeUndefined();
  });

  it('expands to exactly the bytes the static builder makes for the same values', () => {
    const options: RunOptions = { url: 'http://127.0.0.1:8080/items/{{seq}}?x=1', rate: 1, headers: ['X-Id: id-{{seq}}'], body: '{"id": {{seq}}, "s": "{{pick "abc"}}"}' };
    const program = compile(options)!;
    for (const k of [0, 1, 41]) {
      const n = k + 1;
      const fixed = validate({ url: `http://127.0.0.1:8080/items/${n}?x=1`, rate: 1, headers: [`X-Id: id-${n}`], body: `{"id": ${n}, "s": "abc"}` });
      expect(expand(program.native, k)).toBe(fixed.request.toString('latin1'));
    }
  });

  it('percent-encodes what a request target cannot hold, in text and in picks', () => {
    const program = compile({ url: 'http://127.0.0.1/a b/{{seq}}?q={{pick "x y"}}', rate: 1 })!;
    expect(expand(program.native, 0)).toMatch(/^GET \/a%20b\/1\?q=x%20y HTTP\/1\.1\r\n/);
  });

  it('marks CSV cells in the target for percent-encoding, and not in the body', () => {
    const program = compile({ url: 'http://127.0.0.1/u/{{csv.user}}', rate: 1, body: '{{csv.note}}', csvFile: csvPath })!;
    const steps = Array.from(program.native.steps);
    const csvSteps = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => steps.slice(i * 4, i * 4 + 4)).filter((s) => s[0] === 7);
    expect(csvSteps).toEqual([[7, 1, 0, 0], [7, 0, 1, 0]]);
    expect(expand(program.native, 0)).toMatch(/^POST \/u\/ann HTTP\/1\.1\r\n[^]*Content-Length: 10\r\n\r\nline\nbreak$/);
    expect(expand(program.native, 1)).toMatch(/^POST \/u\/bob [^]*\r\n\r\nok$/);
    expect(program.native.csv!.columns).toBe(2);
    expect(program.native.csv!.random).toBe(false);
  });

  it('names a CSV problem at its placeholder', () => {
    expect(errorOf({ url: 'http://127.0.0.1/', rate: 1, body: 'x{{csv.user}}' })).toBe('--body 1:2: {{csv.user}} needs a CSV file: give one with --csv <file>');
    expect(errorOf({ url: 'http://127.0.0.1/', rate: 1, body: '{{csv.usr}}', csvFile: csvPath })).toBe(`--body 1:1: column "usr" is not in ${csvPath}; expected one of: user, note`);
    expect(errorOf({ url: 'http://127.0.0.1/', rate: 1, headers: ['X-Note: {{csv.note}}'], csvFile: csvPath })).toBe(
      `--header "X-Note" 1:1: column "note" of ${csvPath} holds a line break or NUL in data row 1, which a header value cannot`,
    );
    expect(errorOf({ url: 'http://127.0.0.1/', rate: 1, csvFile: csvPath })).toBe(`--csv ${csvPath} is given but no template reads it: use {{csv.column}} with one of: user, note`);
    expect(errorOf({ url: 'http://127.0.0.1/{{csv.user}}', rate: 1, csvFile: join(dir, 'missing.csv') })).toBe(`--csv cannot read "${join(dir, 'missing.csv')}": ENOENT`);
  });

  it('names the URL column of a bad placeholder in the path', () => {
    expect(errorOf({ url: 'http://127.0.0.1:8080/p/{{nope}}', rate: 1 })).toMatch(/^URL 1:27: unknown placeholder "nope"/);
    expect(errorOf({ url: 'http://{{seq}}.example/', rate: 1 })).toBe('URL: placeholders may stand in the path and query only, not in "http://{{seq}}.example"');
  });

  it('refuses a user Content-Length with a templated body, and a line break from env in a header', () => {
    expect(errorOf({ url: 'http://127.0.0.1/', rate: 1, headers: ['Content-Length: 3'], body: '{{seq}}' })).toBe(
      '--header "Content-Length": a templated body gets its Content-Length per request; remove this header',
    );
    expect(errorOf({ url: 'http://127.0.0.1/', rate: 1, headers: ['X-A: {{env "V"}}'] }, { V: 'a\r\nb' })).toBe('--header "X-A": a header value cannot hold a line break or NUL, got "a\\r\\nb"');
  });

  it('compiles a weighted request list with names, methods and merged headers', () => {
    const program = compile({
      url: 'http://127.0.0.1/',
      rate: 1,
      headers: ['Authorization: Bearer t', 'Accept: */*'],
      requests: [
        { name: 'products', weight: 3, path: '/products/{{seq}}' },
        { name: 'order', weight: 1, path: '/orders', headers: ['Accept: application/json'], body: '{"n": {{seq}}}' },
      ],
    })!;
    expect(program.names).toEqual(['products', 'order']);
    expect(program.native.named).toBe(true);
    expect(Array.from(program.native.mix)).toEqual([0, 0, 1, 0]);
    expect(expand(program.native, 0)).toMatch(/^GET \/products\/1 HTTP\/1\.1\r\nHost: 127\.0\.0\.1\r\nAuthorization: Bearer t\r\nAccept: \*\/\*\r\n/);
    const order = expand(program.native, 2);
    expect(order).toMatch(/^POST \/orders HTTP\/1\.1\r\n/);
    expect(order).toContain('Authorization: Bearer t\r\nAccept: application/json\r\n');
    expect(order).not.toContain('Accept: */*');
    expect(order.endsWith('Content-Length: 8\r\n\r\n{"n": 3}')).toBe(true);
  });

  it('refuses duplicate names, bad weights and paths without a slash', () => {
    const url = 'http://127.0.0.1/';
    expect(errorOf({ url, rate: 1, requests: [{ name: 'a' }, { name: 'a' }] })).toBe('request name "a" is used twice; each request needs its own name');
    expect(errorOf({ url, rate: 1, requests: [{ name: 'a', weight: 0 }] })).toBe('requests[0]: weight must be a number > 0, got 0');
    expect(errorOf({ url, rate: 1, requests: [{ name: 'a', path: 'x' }] })).toBe('requests[0].path must start with "/", got "x"');
    expect(errorOf({ url, rate: 1, requests: [] })).toBe('the request list is empty: give at least one request');
    expect(errorOf({ url, rate: 1, headers: ['X-Run: {{bad}}'], requests: [{ name: 'a', where: 'r.yaml:2:5 requests[0]' }] })).toMatch(/^--header "X-Run" 1:3: unknown placeholder "bad"/);
    expect(errorOf({ url, rate: 1, requests: [{ name: 'a', headers: ['X-Own: {{bad}}'] }] })).toMatch(/^requests\[0\]\.headers "X-Own" 1:3: unknown placeholder "bad"/);
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `r${i}` }));
    expect(errorOf({ url, rate: 1, requests: many })).toBe('the request list holds 101 requests; at most 100 are allowed');
  });

  it('uses the given seed, and a random one otherwise', () => {
    expect(compile({ url: 'http://127.0.0.1/{{uuid}}', rate: 1, seed: 42 })!.native.seed).toBe(42);
    const seeds = new Set([1, 2, 3].map(() => compile({ url: 'http://127.0.0.1/{{uuid}}', rate: 1 })!.native.seed));
    expect(seeds.size).toBeGreaterThan(1);
  });
});

describe('rawTarget', () => {
  it('keeps the path and query as typed, without the fragment', () => {
    expect(rawTarget('http://h:1/a/{{seq}}?x={{uuid}}#frag')).toEqual({ target: '/a/{{seq}}?x={{uuid}}', columnOffset: 10 });
    expect(rawTarget('http://h')).toEqual({ target: '/', columnOffset: 7 });
    expect(rawTarget('http://h?q={{seq}}').target).toBe('/?q={{seq}}');
  });
});
