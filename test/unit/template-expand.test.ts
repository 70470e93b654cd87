// The native expansion itself (native/template_source.cc), without sockets: many requests
// expanded as pump 0 would, each checked against what its template says.
import { describe, expect, it } from 'vitest';
import { ENGINE_BUILT } from '../integration/run-cli.js';
import { loadTestAddon } from '../native-test-addon.js';
import { validate, type RunOptions } from '../../src/options.js';
import { compileRequests } from '../../src/requests/compile.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function expand(options: Partial<RunOptions>, count: number, first = 0) {
  const full = { url: 'http://127.0.0.1:8080/', rate: 1, seed: 7, ...options };
  const program = compileRequests(validate(full), full, { NAME: 'value' })!;
  const out = loadTestAddon().expandTemplatesForTest(program.native, first, 0, count);
  return { ...out, texts: out.requests.map((r) => r.toString('utf8')) };
}

const bodyOf = (text: string) => text.slice(text.indexOf('\r\n\r\n') + 4);

describe.skipIf(!ENGINE_BUILT)('native template expansion', () => {
  it('{{rand}} covers [low, high] evenly, negative bounds included', () => {
    const { texts } = expand({ body: '{{rand -2 2}}' }, 5000);
    const counts = new Map<string, number>();
    for (const t of texts) counts.set(bodyOf(t), (counts.get(bodyOf(t)) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['-1', '-2', '0', '1', '2']);
    // 1000 expected each; 5 standard deviations is about ±140.
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(150);
  });

  it('{{rand}} reaches both ends of a wide range', () => {
    const { texts } = expand({ body: '{{rand -9007199254740991 0}}' }, 2000);
    const values = texts.map((t) => Number(bodyOf(t)));
    expect(values.every((v) => Number.isInteger(v) && v <= 0 && v >= -9007199254740991)).toBe(true);
    expect(Math.min(...values)).toBeLessThan(-8e15);
  });

  it('{{uuid}} is a version 4 UUID, never repeated', () => {
    const { texts } = expand({ body: '{{uuid}}' }, 5000);
    const ids = texts.map(bodyOf);
    expect(ids.every((id) => UUID_V4.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(5000);
  });

  it('{{seq}} is the global request number + 1, Content-Length counts each body', () => {
    const { texts } = expand({ body: '{{pick "" "ab" "日本"}}{{seq}}' }, 50, 999);
    texts.forEach((t, i) => {
      const body = bodyOf(t);
      expect(body.endsWith(String(1000 + i))).toBe(true);
      expect(t).toContain(`\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
    });
  });

  it('{{now}}, {{now_ms}} and {{env}}', () => {
    const before = Date.now();
    const { texts } = expand({ body: '{{now}} {{now_ms}} {{env "NAME"}}' }, 3);
    const after = Date.now();
    for (const t of texts) {
      const [iso, ms, env] = bodyOf(t).split(' ');
      expect(Date.parse(iso!)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(iso!)).toBeLessThanOrEqual(after);
      expect(new Date(Number(ms)).toISOString()).toBe(iso);
      expect(env).toBe('value');
    }
  });

  it('a request list follows its mix and reports each request\'s name index', () => {
    const { names, texts } = expand({ requests: [{ name: 'a', weight: 2, path: '/a' }, { name: 'b', path: '/b', method: 'HEAD' }] }, 6);
    expect(names).toEqual([0, 1, 0, 0, 1, 0]);
    expect(texts.map((t) => t.split(' ')[1])).toEqual(['/a', '/b', '/a', '/a', '/b', '/a']);
    expect(texts[1]!.startsWith('HEAD /b HTTP/1.1\r\n')).toBe(true);
  });

  it('the same seed gives the same requests', () => {
    expect(expand({ body: '{{uuid}}{{rand 1 1000000}}' }, 20).texts).toEqual(expand({ body: '{{uuid}}{{rand 1 1000000}}' }, 20).texts);
  });
});
