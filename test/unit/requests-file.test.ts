import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRequestFile, readRequestFile } from '../../src/requests/request-file.js';

const dir = mkdtempSync(join(tmpdir(), 'ratetest-reqfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errorOf = (text: string, path = 'reqs.yaml') => {
  try {
    parseRequestFile(text, path);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('parsed without an error');
};

describe('request files', () => {
  it('reads YAML with weights, methods, header maps and bodies', () => {
    const specs = parseRequestFile(
      ['requests:', '  - name: products', '    weight: 90', '    path: /products/{{rand 1 1000}}', '  - name: order', '    weight: 10', '    method: POST', '    path: /orders', '    headers: { Content-Type: application/json }', "    body: '{\"n\": {{seq}}}'"].join('\n'),
      'reqs.yaml',
    );
    expect(specs.map(({ name, weight, method, path, headers, body }) => ({ name, weight, method, path, headers, body }))).toEqual([
      { name: 'products', weight: 90, method: undefined, path: '/products/{{rand 1 1000}}', headers: undefined, body: undefined },
      { name: 'order', weight: 10, method: 'POST', path: '/orders', headers: ['Content-Type: application/json'], body: '{"n": {{seq}}}' },
    ]);
    expect(specs[0]!.origins!.path).toEqual({ path: 'reqs.yaml', line: 4, column: 11, indent: 0 });
    expect(specs[1]!.origins!.body).toEqual({ path: 'reqs.yaml', line: 10, column: 12, indent: 0 });
  });

  it('reads JSON, a bare list, and header lists', () => {
    const specs = parseRequestFile('[{"name": "a", "path": "/a", "headers": ["X-A: 1"]}]', 'reqs.json');
    expect(specs).toHaveLength(1);
    expect(specs[0]!.headers).toEqual(['X-A: 1']);
    expect(specs[0]!.origins!.path).toEqual({ path: 'reqs.json', line: 1, column: 25, indent: 0 });
  });

  it('reads bodyFile next to the request file, and places its templates in that file', () => {
    writeFileSync(join(dir, 'order.json'), '{"n": {{seq}}}');
    writeFileSync(join(dir, 'reqs.yaml'), 'requests:\n  - name: order\n    bodyFile: order.json\n');
    const [spec] = readRequestFile(join(dir, 'reqs.yaml'));
    expect(spec!.body!.toString()).toBe('{"n": {{seq}}}');
    expect(spec!.origins!.body).toEqual({ path: join(dir, 'order.json'), line: 1, column: 1, indent: 0 });
  });

  it('finds where a block scalar body starts', () => {
    const [spec] = parseRequestFile('- name: a\n  body: |\n    {"a": 1,\n     "b": 2}\n', 'r.yaml');
    expect(spec!.origins!.body).toEqual({ path: 'r.yaml', line: 3, column: 5, indent: 4 });
  });

  it('names the file position and the accepted form of every mistake', () => {
    expect(errorOf('requests:\n  - name: a\n    paht: /x\n')).toBe('reqs.yaml:3:5: requests[0]: unknown key "paht"; expected name, weight, method, path, headers, body, bodyFile');
    expect(errorOf('requests:\n  - path: /x\n')).toBe('reqs.yaml:2:5: requests[0] needs a name, e.g. name: products');
    expect(errorOf('requests:\n  - name: a\n    weight: -1\n')).toBe('reqs.yaml:3:13: requests[0].weight must be a number > 0, e.g. weight: 90');
    expect(errorOf('other: 1\n')).toBe('reqs.yaml:1:1: unknown key "other": expected a list of requests, or an object with "requests:" holding one');
    expect(errorOf('requests: []\n')).toBe('reqs.yaml:1:11: expected a list of requests, or an object with "requests:" holding one');
    expect(errorOf('requests:\n  - name: a\n   path: /x\n')).toMatch(/^reqs\.yaml:3:\d+: not valid YAML or JSON: /);
    expect(errorOf('- name: a\n  body: x\n  bodyFile: y\n')).toBe('reqs.yaml:1:3: requests[0]: give body or bodyFile, not both');
    expect(() => readRequestFile(join(dir, 'none.yaml'))).toThrow(`--requests-file cannot read "${join(dir, 'none.yaml')}": ENOENT`);
  });
});
