// run-cli.ts: runs the real binary as a child process, with a hard deadline so a hang fails the
// test instead of the suite.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ResultJson } from '../../src/report/json.js';

export const BIN = fileURLToPath(new URL('../../bin/ratetest.js', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

export function startCli(args: string[]): { child: ChildProcess; done: (killAfterMs: number) => Promise<CliRun> } {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = (killAfterMs: number) =>
    new Promise<CliRun>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started });
      });
    });
  return { child, done };
}

export function runCli(args: string[], killAfterMs = 30_000): Promise<CliRun> {
  return startCli(args).done(killAfterMs);
}

/** Runs with --json - and returns the parsed result along with the run. */
export async function runJson(args: string[], killAfterMs = 30_000): Promise<CliRun & { json: ResultJson }> {
  const result = await runCli([...args, '--json', '-'], killAfterMs);
  let json: ResultJson;
  try {
    json = JSON.parse(result.stdout) as ResultJson;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  return { ...result, json };
}


export const ms = (ns: number) => ns / 1e6;
