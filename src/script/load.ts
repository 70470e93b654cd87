// load.ts: -s <file> [args]: picks the language by extension, builds wrk's starting table from
// the run's config, loads the script for every thread and works out how the run must feed it.
import { extname } from 'node:path';
import type { RunConfig } from '../config/options.js';
import { splitRequests } from './http-messages.js';
import { JsScript } from './js-module.js';
import type { ScriptOptions } from '../config/request-spec.js';
import { ScriptLoadError, type LoadedScript, type ScriptRunError, type WrkContext } from './types.js';

export function wrkContext(config: RunConfig): WrkContext {
  return {
    scheme: config.url.protocol === 'https:' ? 'https' : 'http',
    host: config.host,
    port: config.url.port === '' ? undefined : config.url.port,
    method: config.method,
    path: config.pathAndQuery,
    headers: config.headers.map((h) => {
      const colon = h.indexOf(':');
      return [h.slice(0, colon).trim(), h.slice(colon + 1).trim()] as [string, string];
    }),
    body: config.body.length > 0 ? config.body.toString('utf8') : undefined,
    hostHeader: config.url.host,
    defaultPort: config.port,
  };
}

export async function loadScript(config: RunConfig, options: ScriptOptions): Promise<LoadedScript> {
  const args = [config.url.toString(), ...(options.args ?? [])];
  const context = wrkContext(config);
  const ext = extname(options.file).toLowerCase();
  if (ext === '.lua') {
    // wasmoon (~11 MB of RSS) loads only for a Lua script.
    const { LuaScript } = await import('./lua.js');
    return LuaScript.load({ file: options.file, args, context, threads: config.threads, output: options.output ?? ((t) => void process.stdout.write(t)) });
  }
  if (ext === '.mjs' || ext === '.js') return JsScript.load({ file: options.file, args, context, threads: config.threads });
  throw new ScriptLoadError(`-s takes a Lua script (.lua) or a JavaScript module (.mjs, .js), got "${options.file}"`);
}

/** How the run feeds a loaded script. */
export interface ScriptPlan {
  /** No request() and no response(): the run sends this one request natively, like any static run. */
  staticRequest?: Buffer;
  /** Requests per request() call (wrk's pipeline.lua returns several); 1 normally. */
  perCall: number;
  /** Thread 0's first request() result, taken to learn perCall (as wrk does), fed first. */
  probe?: Buffer;
  /** The largest request seen, for sizing buffers before the run. */
  maxRequestBytes: number;
}

/** A hook's error before the run (wrk.format() on a bad wrk.body, say) is the script's: exit 2 with its message. */
function beforeRun<T>(hook: string, work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof ScriptLoadError) throw err;
    throw new ScriptLoadError(`${hook}: ${(err as Error).message}`, (err as ScriptRunError).exitCode);
  }
}

export function planScript(script: LoadedScript): ScriptPlan {
  return beforeRun('request()', () => plan(script));
}

function plan(script: LoadedScript): ScriptPlan {
  const threads = script.threads;
  if (!threads.some((t) => t.hasRequest || t.hasResponse)) {
    const requests = threads.map((t) => t.staticRequest());
    if (requests.every((r) => r.equals(requests[0]!))) return { staticRequest: requests[0]!, perCall: 1, maxRequestBytes: requests[0]!.length };
  }
  const first = threads[0]!;
  if (!first.hasRequest) {
    const request = first.staticRequest();
    return { perCall: 1, maxRequestBytes: Math.max(...threads.map((t) => t.staticRequest().length), request.length) };
  }
  const probe = first.generate(1).bytes;
  const lengths = splitRequests(probe);
  if (!lengths) {
    throw new ScriptLoadError(`${script.file}: request() returned something that is not an HTTP request: ${JSON.stringify(probe.subarray(0, 60).toString('latin1'))}`);
  }
  return { perCall: lengths.length, probe, maxRequestBytes: Math.max(...lengths) };
}
