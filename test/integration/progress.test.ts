// The live progress line: shown on a terminal (the run under a pseudo-terminal from util-linux's
// `script`), rewritten in place each second and wiped before the report; absent when stdout is
// not a terminal and with --quiet.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ENGINE_BUILT, runCli } from './run-cli.js';
import { plain, type TestServer } from './servers.js';

const SCRIPT = '/usr/bin/script';
const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** Runs ratetest with a pseudo-terminal as its stdout and stderr; returns everything written there. */
function onTerminal(args: string[]): Promise<{ code: number; output: string }> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return new Promise((resolve) => {
    execFile(SCRIPT, ['-qec', command, '/dev/null'], { timeout: 30_000, env: { ...process.env, COLUMNS: '200' } }, (err, stdout) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout });
    });
  });
}

describe.skipIf(!ENGINE_BUILT || !existsSync(SCRIPT))('live progress', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await plain();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('on a terminal: a line per second with elapsed/total, achieved vs target, p50/p99, errors and connections, wiped before the report', async () => {
    const { code, output } = await onTerminal(['-R', '200', '-d', '3s', '-c', '4', '-t', '1', server.url]);
    expect(code, output).toBe(0);
    const lines = [...output.matchAll(/\r\x1b\[K(\[[^\r\n]*)/g)].map((m) => m[1]!);
    expect(lines.length, output).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^\[\s+1s \/ 3s\]  \d+\/s of 200\/s  p50 [\d.]+(us|ms)  p99 [\d.]+(us|ms)  errors 0  conns 4$/);
    expect(lines.at(-1)).toMatch(/^\[\s+[23]s \/ 3s\]/);
    // Wiped before the report: the report starts on a clean line.
    expect(output).toMatch(/\r\x1b\[K {2}Thread Stats/);
    expect(output).toContain('600 requests in 3.00s');
  });

  it('not on a terminal, or with --quiet: no progress line at all', async () => {
    const piped = await runCli(['-R', '200', '-d', '2s', '-c', '2', '-t', '1', server.url]);
    expect(piped.code).toBe(0);
    expect(piped.stdout + piped.stderr).not.toContain('\x1b[K');
    const quiet = await onTerminal(['-R', '200', '-d', '2s', '-c', '2', '-t', '1', '--quiet', server.url]);
    expect(quiet.code, quiet.output).toBe(0);
    expect(quiet.output).not.toContain('\x1b[K');
    expect(quiet.output).toContain('400 requests in 2.00s');
  });
});
