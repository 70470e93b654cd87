// types.ts: what a loaded script (Lua or JavaScript module) offers the run, whatever its language.
// The run only ever talks to these; lua.ts and js-module.ts implement them.
import { RatetestError } from '../common/errors.js';

/** What wrk's `wrk` table starts as: the URL's parts, the method, -H headers and body. */
export interface WrkContext {
  scheme: 'http' | 'https';
  host: string;
  /** The URL's port as written, or undefined when it has none (wrk.port is nil then). */
  port: string | undefined;
  method: string;
  path: string;
  /** The user's -H headers, in order. */
  headers: [string, string][];
  body: string | undefined;
  /** Host header value when the script sets none: the URL's host[:port]. */
  hostHeader: string;
  /** Port to use for wrk.lookup(host) when the service is "http"/"https" or absent. */
  defaultPort: number;
}

/** A numeric address a thread connects to (thread.addr). */
export interface ScriptAddress {
  host: string;
  port: number;
}

/** One thread's script state: wrk gives each thread its own. */
export interface ScriptThread {
  readonly hasRequest: boolean;
  readonly hasResponse: boolean;
  /** n requests from request(), back to back, with each one's length. Throws ScriptRunError. */
  generate(n: number): { bytes: Buffer; lengths: Uint32Array };
  /** The request when the script has no request(): wrk.format() with the script's settings. */
  staticRequest(): Buffer;
  /** Throws ScriptRunError. */
  response(status: number, headers: [string, string][], body: Buffer): void;
  /** wrk.thread:stop() was called. */
  readonly stopRequested: boolean;
  /** thread.addr as setup() or init() left it; undefined = the run's address. */
  readonly address: ScriptAddress | undefined;
}

/** done()'s arguments, as wrk passes them (times in microseconds). */
export interface DoneSummary {
  duration: number;
  requests: number;
  bytes: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
}
export interface DoneStats {
  min: number;
  max: number;
  mean: number;
  stdev: number;
  percentile(p: number): number;
}

export interface LoadedScript {
  readonly file: string;
  readonly threads: ScriptThread[];
  readonly hasDone: boolean;
  done(summary: DoneSummary, latency: DoneStats, requests: DoneStats): void;
  /** Address changes the run could not follow (set during the run), reported once. */
  readonly notes: string[];
}

/** wrk's delay() is think time between a connection's requests; with a rate there is none (as in wrk2). */
export const DELAY_NOTE = 'delay() is not called: the rate (-R) decides when each request goes out, as in wrk2';

/** A script that cannot be used (bad file, syntax, an error in setup/init): before the run, exit 2. */
export class ScriptLoadError extends RatetestError {
  /** os.exit(code) in setup() or init(): the process exits with the script's code. */
  readonly exitCode: number | undefined;
  constructor(message: string, exitCode?: number) {
    super('ERR_SCRIPT', message);
    this.exitCode = exitCode;
  }
}

/** An error in a hook during the run (or in done()): the run stops, results are kept, exit 1. */
export class ScriptRunError extends Error {
  /** os.exit(code) from the script, when that is what ended it. */
  readonly exitCode: number | undefined;
  constructor(message: string, exitCode?: number) {
    super(message);
    this.exitCode = exitCode;
  }
}
