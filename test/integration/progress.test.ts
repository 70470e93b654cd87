// The live progress line: shown on a terminal (the run under a pseudo-terminal from util-linux's
// `script`), rewritten in place each second and wiped before the report; absent when stdout is
// not a terminal and with --quiet.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultJson } from '../../src/report/json.js';
import { BIN, ENGINE_BUILT, runCli } from './run-cli.js';
import { expectAccounted } from './pace.js';
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
  let dir: string;
  beforeAll(async () => {
    server = await plain();
    dir = mkdtempSync(join(tmpdir(), 'ratetest-progress-'));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const jsonOf = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as ResultJson;

  it('on a terminal: a line per second with elapsed/total, achieved vs target, p50/p99, errors and connections, wiped before the report', async () => {
    const file = join(dir, 'terminal.json');
    const { code, output } = await onTerminal(['-R', '200', '-d', '3s', '-c', '4', '-t', '1', '--json', file, server.url]);
    expect(code, output).toBe(0);
    const lines = [...output.matchAll(/\r\x1b\[K(\[[^\r\n]*)/g)].map((m) => m[1]!);
    expect(lines.length, output).toBeGreaterThanOrEqual(2);
    const first = /^\[\s+1s \/ 3s\]  \d+\/s of (\d+)\/s  p50 [\d.]+(us|ms)  p99 [\d.]+(us|ms)  errors 0  conns 4$/.exec(lines[0]!);
    expect(first, lines[0]).not.toBeNull();
    // The target is the schedule's due count over the second the line covers: 200, give or take
    // a request at each end of a window that a busy machine stretched or shortened.
    expect(Math.abs(Number(first![1]) - 200)).toBeLessThanOrEqual(3);
    expect(lines.at(-1)).toMatch(/^\[\s+[23]s \/ 3s\]/);
    // Wiped before the report: the report starts on a clean line.
    expect(output).toMatch(/\r\x1b\[K {2}Thread Stats/);
    // The report counts what the run did (on a busy machine a request can still be in flight).
    const json = jsonOf(file);
    expectAccounted(json, 600, false);
    expect(output).toContain(`${json.completed} requests in 3.00s`);
  });

  it('not on a terminal, or with --quiet: no progress line at all', async () => {
    const piped = await runCli(['-R', '200', '-d', '2s', '-c', '2', '-t', '1', server.url]);
    expect(piped.code).toBe(0);
    expect(piped.stdout + piped.stderr).not.toContain('\x1b[K');
    const file = join(dir, 'quiet.json');
    const quiet = await onTerminal(['-R', '200', '-d', '2s', '-c', '2', '-t', '1', '--quiet', '--json', file, server.url]);
    expect(quiet.code, quiet.output).toBe(0);
    expect(quiet.output).not.toContain('\x1b[K');
    const json = jsonOf(file);
    expectAccounted(json, 400, false);
    expect(quiet.output).toContain(`${json.completed} requests in 2.00s`);
  });
});
