// run-cli.ts: runs the real binary (node bin/ratetest.js) as a child process, with a hard
// deadline so a hang fails its test with the output so far instead of hanging the suite; and
// reads the figures back out of the text report and the JSON result.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { ResultJson } from '../../src/report/json.js';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** The binary under test; RATETEST_BIN runs the suite against another build or install of it. */
export const BIN = process.env.RATETEST_BIN ?? root('bin/ratetest.js');
/** The compiled CLI: enough for usage errors and --version. */
export const CLI_BUILT = existsSync(root('dist/cli/main.js'));
/** The CLI and the native addon (RATETEST_ADDON, as src/addon/native.ts loads it): needed for any real run. */
export const ENGINE_BUILT = CLI_BUILT && existsSync(process.env.RATETEST_ADDON ?? root('build/Release/ratetest.node'));
/** The addon under test is another build (the sanitizer pass's): several times slower. */
export const SANITIZED = process.env.RATETEST_ADDON !== undefined;
/**
 * The sanitizer runtimes, preloaded into the CLI's process alone (scripts/test-sanitized.sh): the
 * test process and its servers load no addon, and run at full speed without them.
 */
const CLI_PRELOAD = process.env.RATETEST_CLI_LD_PRELOAD;

/**
 * How long a run may take before it counts as hung and is killed: far beyond what any run here
 * needs on a quiet machine (a few seconds), since a busy one can stretch it tenfold.
 */
export const HANG_MS = 120_000;

export interface CliRun {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** performance.now() when the process was spawned and when it had exited. */
  startedAt: number;
  exitedAt: number;
  elapsedMs: number;
  /** True when the hard deadline killed it. */
  killed: boolean;
}

const live = new Set<ChildProcess>();
// If the test process goes away, take every run still going with it.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface StartedCli {
  child: ChildProcess;
  /** Resolves when the process has exited (SIGKILLed after killAfterMs). Never rejects. */
  done: Promise<CliRun>;
}

/** `launcher` runs the CLI through another command, e.g. ['ip', 'netns', 'exec', 'ns1'] (fleet.ts). */
export function startCli(args: string[], killAfterMs = HANG_MS, env?: Record<string, string>, launcher: string[] = []): StartedCli {
  const startedAt = performance.now();
  const [command, ...prefix] = [...launcher, process.execPath];
  const childEnv = env || CLI_PRELOAD ? { ...process.env, ...env, ...(CLI_PRELOAD && { LD_PRELOAD: CLI_PRELOAD }) } : undefined;
  const child = spawn(command!, [...prefix, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(childEnv && { env: childEnv }) });
  live.add(child);
  let stdout = '';
  let stderr = '';
  let killed = false;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, killAfterMs);
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      const exitedAt = performance.now();
      resolve({ args, code, signal, stdout, stderr, startedAt, exitedAt, elapsedMs: exitedAt - startedAt, killed });
    });
  });
  return { child, done };
}

/** Fails (throws, with the output so far) when the run had to be killed. */
export function mustHaveExited(run: CliRun): CliRun {
  if (run.killed) {
    throw new Error(
      `ratetest ${run.args.join(' ')} hung: killed after ${Math.round(run.elapsedMs)} ms\n` +
        `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`,
    );
  }
  return run;
}

export async function runCli(args: string[], killAfterMs = HANG_MS, env?: Record<string, string>): Promise<CliRun> {
  return mustHaveExited(await startCli(args, killAfterMs, env).done);
}

/** The JSON result on stdout of a `--json -` run; throws with the output when it is not JSON. */
export function parseJson(run: CliRun): ResultJson {
  try {
    return JSON.parse(run.stdout) as ResultJson;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}, signal ${run.signal}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** Runs with `--json -` appended: stdout is the JSON result, stderr the text report. */
export async function runJson(args: string[], killAfterMs = HANG_MS): Promise<CliRun & { json: ResultJson }> {
  const run = await runCli([...args, '--json', '-'], killAfterMs);
  return { ...run, json: parseJson(run) };
}

/** Nanoseconds to milliseconds. */
export const ms = (ns: number): number => ns / 1e6;

/** Percentile of a latency series in milliseconds, e.g. pct(json, 'corrected', '99'). */
export function pctMs(json: ResultJson, series: 'corrected' | 'uncorrected' | 'sendLag', percentile: string): number {
  const ns = json.latency[series].percentilesNs[percentile];
  if (ns === undefined) throw new Error(`no p${percentile} in latency.${series}: ${JSON.stringify(json.latency[series].percentilesNs)}`);
  return ms(ns);
}

/**
 * Every written request ends one way: answered, failed (read, write, timeout or parse error), or
 * still in flight when the run ended. Connect errors are not requests.
 */
export function accountedFor(json: ResultJson): number {
  const e = json.errors;
  return json.completed + e.read + e.write + e.timeout + e.parse + json.inFlight;
}

/** The figures of wrk2's summary lines, read back out of a text report. */
export interface TextFigures {
  requests: number;
  seconds: number;
  read: string;
  requestsPerSec: number;
  socketErrors?: { connect: number; read: number; write: number; timeout: number };
  non2xx3xx?: number;
}

export function textFigures(report: string): TextFigures {
  const summary = /^  (\d+) requests in ([\d.]+)s, (\S+) read$/m.exec(report);
  const rps = /^Requests\/sec: +([\d.]+)$/m.exec(report);
  if (!summary || !rps) throw new Error(`no wrk2 summary lines in the report:\n${report}`);
  const figures: TextFigures = {
    requests: Number(summary[1]),
    seconds: Number(summary[2]),
    read: summary[3]!,
    requestsPerSec: Number(rps[1]),
  };
  const socket = /^  Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)$/m.exec(report);
  if (socket) {
    figures.socketErrors = { connect: Number(socket[1]), read: Number(socket[2]), write: Number(socket[3]), timeout: Number(socket[4]) };
  }
  const non2xx = /^  Non-2xx or 3xx responses: (\d+)$/m.exec(report);
  if (non2xx) figures.non2xx3xx = Number(non2xx[1]);
  return figures;
}

/** A JavaScript stack frame line ("    at fn (file:1:2)"): the CLI must never print one. */
export const STACK_FRAME = /^\s+at .+(\(|:\d+:\d+)/m;

export const sleep = (delayMs: number) => new Promise<void>((resolve) => setTimeout(resolve, delayMs));

/** Waits until `condition` holds, polling; throws `what` after timeoutMs. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
