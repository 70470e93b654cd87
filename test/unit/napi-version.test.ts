// The addon asks for one N-API version, declared in binding.gyp (NAPI_VERSION, which hides newer
// calls from the compile) and in package.json (binary.napi_versions, read by prebuild tooling);
// they must agree, and the Node running the tests must offer it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url);
const gyp = readFileSync(new URL('binding.gyp', ROOT), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { binary: { napi_versions: number[] } };

describe('N-API version', () => {
  const defined = [...gyp.matchAll(/"NAPI_VERSION=(\d+)"/g)].map((match) => Number(match[1]));

  it('binding.gyp defines one NAPI_VERSION, the one package.json declares', () => {
    expect(new Set(defined).size).toBe(1);
    expect(pkg.binary.napi_versions).toEqual([defined[0]]);
  });

  it('is at most 8, what Node 20.0.0 offers (engines: node >=20), and this Node offers it', () => {
    expect(defined[0]).toBeLessThanOrEqual(8);
    expect(Number(process.versions.napi)).toBeGreaterThanOrEqual(defined[0]!);
  });
});
