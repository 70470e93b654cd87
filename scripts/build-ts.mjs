#!/usr/bin/env node
// build-ts.mjs: compiles src/ into dist/ (tsc -p tsconfig.json) unless dist/ already is the build
// of the sources as they are: a stamp, dated when its build began, newer than every file in src/
// and tsconfig.json. On a clean clone npm install builds (prepare), then npm test (pretest) and the
// sanitizer pass would compile the same files again, ~9 s of CPU each. `rm -rf dist` (npm pack's
// prepack) takes the stamp with the build.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(ROOT, 'dist/.build-stamp');

/** The latest modification time (ms) of a file, or of any file under a folder. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function stampMs() {
  try {
    return statSync(STAMP).mtimeMs;
  } catch {
    return -Infinity;
  }
}

if (stampMs() > Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'tsconfig.json')))) process.exit(0);
// Dated from before tsc reads the sources: a file saved during the build is newer than the stamp.
const began = new Date();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);
mkdirSync(dirname(STAMP), { recursive: true });
writeFileSync(STAMP, '');
utimesSync(STAMP, began, began);
