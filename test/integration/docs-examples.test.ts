// docs-examples: runs scripts/docs-check.mjs, which runs every example command in README.md and
// docs/*.md against local servers, so a renamed flag or a changed message fails here, not in a
// reader's terminal. Also shows the checker fails on a bad example, so a green run means something.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI_BUILT } from './run-cli.js';

const CHECKER = fileURLToPath(new URL('../../scripts/docs-check.mjs', import.meta.url));

function check(files: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHECKER, ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!CLI_BUILT)('docs examples', () => {
  // About 56 runs of the CLI, two at a time: ~45 s of CPU, so ~25 s on two idle cores; 3 min
  // was measured with the machine's load average at 17, hence the long timeout.
  it('every example in README.md and docs/ ends with its documented exit code and output', async () => {
    const run = await check([]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const runs = Number(/(\d+) example runs/.exec(run.stdout)?.[1]);
    // README.md and docs/ hold more than 50 example commands; far fewer means the extraction broke.
    expect(runs).toBeGreaterThan(50);
  }, 420_000);

  it('a bad flag, a wrong exit code, a wrong output line and a stale file block each fail the check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ratetest-docs-test-'));
    try {
      const md = join(dir, 'bad.md');
      writeFileSync(
        md,
        [
          '```sh',
          'ratetest -R 1k --no-such-flag http://127.0.0.1:8080/',
          'ratetest -R 1k -d 1s http://127.0.0.1:8080/   # [exit 1]',
          '```',
          '',
          '```console',
          '$ ratetest -R 1k -d 1s http://127.0.0.1:8080/',
          'Responses/sec:  1000.00',
          '```',
          '',
          '```yaml file=examples/requests.yaml',
          'requests: []',
          '```',
          '',
        ].join('\n'),
      );
      const run = await check([md]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/3 example runs in 2 blocks, 4 failing/);
      expect(run.stderr).toContain(`${md}:2: exit 2, expected 0`);
      expect(run.stderr).toContain("unknown option '--no-such-flag'");
      expect(run.stderr).toContain(`${md}:3: exit 0, expected 1`);
      expect(run.stderr).toContain(`${md}:7: output line not found (numbers masked): "Responses/sec: #"`);
      expect(run.stderr).toContain(`${md}:11: the block differs from examples/requests.yaml`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
