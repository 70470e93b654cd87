// The npm tarball holds what a user needs to run or compile ratetest and nothing else (no tests,
// bench, fuzzers, build output or source maps). Lists `npm pack --dry-run` without its scripts
// (fast, no compile), or a packed tarball's entries when RATETEST_TARBALL names one
// (scripts/test-install.sh), which must then hold this platform's prebuild too.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url);
const TARBALL = process.env.RATETEST_TARBALL;

/** Top-level files a user gets besides the code. */
const DOCS = ['package.json', 'README.md', 'CHANGELOG.md'];
const ALLOWED: RegExp[] = [
  /^bin\/ratetest\.js$/,
  /^dist\/.+\.(js|d\.ts)$/,
  /^native\/[a-z0-9_]+\.(cc|h)$/, // not native/fuzz/ or other subfolders
  /^binding\.gyp$/,
  /^schema\/[a-z0-9.-]+\.json$/,
  /^prebuilds\/[a-z0-9]+-[a-z0-9+]+\/ratetest(\.[a-z0-9]+)*\.node$/,
];

function packedFiles(): string[] {
  if (TARBALL) {
    const entries = execFileSync('tar', ['-tzf', TARBALL], { encoding: 'utf8' }).trim().split('\n');
    return entries.map((entry) => entry.replace(/^package\//, '')).sort();
  }
  // npm's own variables (npm test sets them) would change what a nested npm does.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, env, encoding: 'utf8' });
  return (JSON.parse(json) as { files: { path: string }[] }[])[0]!.files.map((file) => file.path).sort();
}

function sourceModules(dir: URL, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return sourceModules(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [`${prefix}${entry.name.slice(0, -3)}`] : [];
  });
}

describe('npm package contents', () => {
  const files = packedFiles();

  it('holds only the runtime, the sources a compile needs, the prebuilds and the docs', () => {
    const stray = files.filter((file) => !DOCS.includes(file) && !ALLOWED.some((pattern) => pattern.test(file)));
    expect(stray).toEqual([]);
    for (const doc of DOCS) expect(files).toContain(doc);
  });

  it('holds every compiled module of src/ and no stale output without a source', () => {
    const modules = sourceModules(new URL('src/', ROOT)).sort();
    const expected = modules.flatMap((module) => [`dist/${module}.d.ts`, `dist/${module}.js`]).sort();
    expect(files.filter((file) => file.startsWith('dist/'))).toEqual(expected);
  });

  it("holds every native source binding.gyp's production target compiles and every header they include, and not the test addon's", () => {
    const gyp = readFileSync(new URL('binding.gyp', ROOT), 'utf8');
    // The production target's block: the test addon's target comes after it, built only in a checkout.
    const production = gyp.slice(gyp.indexOf('"target_name": "ratetest"'), gyp.indexOf('"target_name": "ratetest_test"'));
    const sources = [...production.matchAll(/"(native\/[^"]+\.cc)"/g)].map((match) => match[1]!);
    expect(files).not.toContain('native/test_binding.cc');
    expect(sources.length).toBeGreaterThan(5);
    const included = files
      .filter((file) => /^native\/.+\.(cc|h)$/.test(file))
      .flatMap((file) => [...readFileSync(new URL(file, ROOT), 'utf8').matchAll(/^#include "([^"]+)"/gm)].map((match) => `native/${match[1]!}`));
    const missing = [...new Set([...sources, ...included, 'binding.gyp', 'bin/ratetest.js'])].filter((file) => !files.includes(file));
    expect(missing).toEqual([]);
  });

  it.runIf(TARBALL)("holds this platform's prebuilt addon", () => {
    const folder = `prebuilds/${process.platform}-${process.arch}/`;
    const prebuilds = files.filter((file) => file.startsWith(folder));
    expect(prebuilds).toHaveLength(1);
    expect(prebuilds[0]).toMatch(/\/ratetest\.(glibc|musl)\.node$/);
  });

  it.skipIf(TARBALL)('packs the prebuilds folder that prepack builds', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { files: string[]; scripts: Record<string, string> };
    expect(pkg.files).toContain('prebuilds');
    expect(pkg.scripts.prepack).toContain('scripts/prebuild.sh');
  });
});
