// Which addon file the loader (src/addon/native.ts) takes, in a package laid out as npm installs
// it: a prebuild when nothing was compiled, never a test-only addon beside a missing production
// one, and one ERR_ADDON line when there is nothing to load.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINE_BUILT } from './run-cli.js';

const ROOT = new URL('../../', import.meta.url);
const BUILT_ADDON = new URL('build/Release/ratetest.node', ROOT);
let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** An installed package: package.json, dist/ and node_modules, plus `addons` (path in the package -> copy of the built addon). */
function installedPackage(addons: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ratetest-loader-'));
  dirs.push(dir);
  cpSync(new URL('package.json', ROOT), join(dir, 'package.json'));
  cpSync(new URL('dist', ROOT), join(dir, 'dist'), { recursive: true });
  symlinkSync(new URL('node_modules', ROOT).pathname, join(dir, 'node_modules'));
  for (const addon of addons) {
    mkdirSync(join(dir, addon, '..'), { recursive: true });
    cpSync(BUILT_ADDON, join(dir, addon));
  }
  return dir;
}

/** What loadAddon() gives in that package, with no RATETEST_ADDON. */
function load(dir: string): string {
  const env = { ...process.env };
  delete env.RATETEST_ADDON;
  const script = `import('./dist/addon/native.js').then((m) => {
    try { console.log('start: ' + typeof m.loadAddon().start); } catch (e) { console.log(e.code + ': ' + e.message); }
  });`;
  return execFileSync(process.execPath, ['-e', script], { cwd: dir, env, encoding: 'utf8' }).trim();
}

describe.skipIf(!ENGINE_BUILT)('addon loader', () => {
  const tuple = `${process.platform}-${process.arch}`;
  const notFound = `the native addon is not built (No native build was found for platform=${process.platform} arch=${process.arch} runtime=node abi=${process.versions.modules}`;

  it("takes this platform's prebuild when nothing was compiled", () => {
    expect(load(installedPackage([`prebuilds/${tuple}/ratetest.glibc.node`]))).toBe('start: function');
  });

  it('takes a compiled build/Release/ratetest.node', () => {
    expect(load(installedPackage(['build/Release/ratetest.node']))).toBe('start: function');
  });

  it('never takes a test-only addon, even the only one built', () => {
    const dir = installedPackage(['build/Release/ratetest_test.node']);
    expect(load(dir)).toBe(
      `ERR_ADDON: the native addon is not built (${join(dir, 'build/Release/ratetest_test.node')} is not the ratetest addon); run "npm install"`,
    );
  });

  it('says in one line that there is nothing to load', () => {
    const out = load(installedPackage([]));
    expect(out.split('\n')).toHaveLength(1);
    expect(out.startsWith(`ERR_ADDON: ${notFound}`)).toBe(true);
    expect(out.endsWith('); run "npm install"')).toBe(true);
  });
});
