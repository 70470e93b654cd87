// A plain run keeps V8's optimizing compiler off (its code and zones cost ~5 MB of RSS, and a
// run's JavaScript never runs per request); a script run, whose hooks do, keeps it on.
// Read from V8's own --trace-opt lines, so the check does not depend on the machine's memory.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ENGINE_BUILT, HANG_MS, SANITIZED } from './run-cli.js';
import { plain, type TestServer } from './servers.js';

/** Runs the CLI under `node --trace-opt`; returns how many functions V8 marked for optimization. */
function markedForOptimization(args: string[]): Promise<{ code: number; marked: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--trace-opt', BIN, ...args], { timeout: HANG_MS, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, marked: output.split('\n').filter((line) => line.startsWith('[marking ')).length, output });
    });
  });
}

// One plain run and one script run: the addon does nothing here that other files do not cover.
describe.skipIf(!ENGINE_BUILT || SANITIZED)("V8's optimizing compiler", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await plain();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('stays off for a plain run', async () => {
    const run = await markedForOptimization(['-R', '500', '-n', '500', '-c', '4', '-t', '2', server.url]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/^  500 requests in /m);
    expect(run.marked, run.output).toBe(0);
  });

  it('is on for a script run, whose request() runs per request', async () => {
    const script = fileURLToPath(new URL('../../examples/js/mixed-traffic.mjs', import.meta.url));
    const run = await markedForOptimization(['-R', '1000', '-n', '1000', '-c', '4', '-t', '2', '-s', script, server.url]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/^  1000 requests in /m);
    expect(run.marked, run.output).toBeGreaterThan(0);
  });
});
