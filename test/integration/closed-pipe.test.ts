// Output piped into a reader that has already gone (`ratetest ... | head -1`): no EPIPE stack
// trace, the usual exit code, and the run's files still written.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultJson } from '../../src/report/json.js';
import { expectAccounted } from './pace.js';
import { ENGINE_BUILT, STACK_FRAME, mustHaveExited, startCli } from './run-cli.js';
import { plain, type TestServer } from './servers.js';

/** Runs the CLI with its stdout's reader closed before it writes anything. */
async function withClosedStdout(args: string[]) {
  const started = startCli(args);
  started.child.stdout!.destroy();
  return mustHaveExited(await started.done);
}

describe('a closed stdout', () => {
  it('--help: exit 0, nothing on stderr', async () => {
    const run = await withClosedStdout(['--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });

  describe.skipIf(!ENGINE_BUILT)('a run', () => {
    let server: TestServer;
    let dir: string;
    beforeAll(async () => {
      server = await plain();
      dir = mkdtempSync(join(tmpdir(), 'ratetest-pipe-'));
    });
    afterAll(async () => {
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('completes, exits 0 and writes its JSON', async () => {
      const json = join(dir, 'run.json');
      const run = await withClosedStdout(['-R', '200', '-d', '1s', '-c', '2', '-t', '1', '--json', json, server.url]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/EPIPE|Unhandled/);
      expect(run.stderr).not.toMatch(STACK_FRAME);
      const result = JSON.parse(readFileSync(json, 'utf8')) as ResultJson;
      expectAccounted(result, 200);
    });
  });
});
