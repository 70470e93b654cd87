// The type check of src/, test/ and vitest.config.ts (tsconfig.test.json: strict, no emit), as a
// test, so that `npm test` runs it beside the other files rather than before them all (~12 s of one
// core on a clean clone). Vitest itself strips types without checking them.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

describe('type check (tsc -p tsconfig.test.json)', () => {
  it('finds no type error in src/, test/ or vitest.config.ts', () => {
    const run = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.test.json', '--pretty', 'false'], { cwd: ROOT, encoding: 'utf8' });
    // The diagnostics themselves are the message: file(line,col): error TSxxxx: ...
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 300_000);
});
