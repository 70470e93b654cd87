// -v / --version: the package's version on stdout, exit 0, no load.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_BUILT, runCli } from './run-cli.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe.skipIf(!CLI_BUILT)('version', () => {
  it.each([['-v'], ['--version']])('%s prints the package version and exits 0', async (flag) => {
    const run = await runCli([flag]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
    expect(run.stderr).toBe('');
  });
});
