// lua.ts: wrk/wrk2 Lua scripts (-s file.lua), run as wrk runs them: one Lua state for setup()
// and done(), and one per thread for init(), request() and response(), each loading the script.
// The VM is wasmoon (Lua 5.4 in WebAssembly): 8x faster per request() than fengari (pure-JS
// Lua) here, and Lua 5.4 runs wrk's LuaJIT-era scripts with the few shims in lua-prelude.ts.
import type { ScriptOutput } from '../config/request-spec.js';
import { readFileSync } from 'node:fs';
import { LuaFactory, type LuaEngine } from 'wasmoon';
import { connectSync, lookupSync, servicePort } from './addresses.js';
import { LUA_PRELUDE, LUA_THREAD_PRELUDE } from './lua-prelude.js';
import { LuaError, LuaState } from './lua-state.js';
import {
  ScriptLoadError,
  ScriptRunError,
  DELAY_NOTE,
  type DoneStats,
  type DoneSummary,
  type LoadedScript,
  type ScriptAddress,
  type ScriptThread,
  type WrkContext,
} from './types.js';

/** What the script's print() and io.write() write to. */

interface Shared {
  file: string;
  context: WrkContext;
  output: ScriptOutput;
  threads: LuaThread[];
  /** Set by os.exit(code) just before it raises the error that unwinds the script. */
  exitCode: number | undefined;
  notes: string[];
  /** done()'s latency and requests objects, by id, for :percentile(). */
  stats: Map<string, DoneStats>;
  running: boolean;
}

class LuaThread implements ScriptThread {
  hasRequest = false;
  hasResponse = false;
  stopRequested = false;
  address: ScriptAddress | undefined;

  constructor(
    readonly state: LuaState,
    private readonly shared: Shared,
  ) {}

  generate(n: number): { bytes: Buffer; lengths: Uint32Array } {
    try {
      this.state.call('__rt_batch', 2, (s) => {
        s.pushInteger(n);
        return 1;
      });
      const bytes = this.state.bytes(-2);
      const packed = this.state.bytes(-1);
      this.state.clear();
      const lengths = new Uint32Array(n);
      for (let i = 0; i < n; ++i) lengths[i] = packed.readUInt32LE(i * 4);
      return { bytes, lengths };
    } catch (err) {
      throw runError(err, this.shared, 'request()');
    }
  }

  staticRequest(): Buffer {
    this.state.call('__rt_static', 1);
    const bytes = this.state.bytes(-1);
    this.state.clear();
    return bytes;
  }

  response(status: number, headers: [string, string][], body: Buffer): void {
    try {
      this.state.call('response', 0, (s) => {
        s.pushInteger(status);
        s.pushPairs(headers);
        s.pushBytes(body);
        return 3;
      });
    } catch (err) {
      throw runError(err, this.shared, 'response()');
    }
  }
}

function runError(err: unknown, shared: Shared, hook: string): ScriptRunError {
  if (shared.exitCode !== undefined) return new ScriptRunError(`${shared.file}: os.exit(${shared.exitCode}) in ${hook}`, shared.exitCode);
  return new ScriptRunError(err instanceof LuaError ? err.message : `${hook}: ${(err as Error).message}`);
}

function loadError(err: unknown, shared: Shared, stage: string): ScriptLoadError {
  if (shared.exitCode !== undefined) return new ScriptLoadError(`${shared.file}: the script called os.exit(${shared.exitCode}) in ${stage}`, shared.exitCode);
  const message = err instanceof LuaError ? err.message : (err as Error).message;
  return new ScriptLoadError(`${stage}: ${message}`);
}

/** The JavaScript functions the prelude calls (__rt_*), for one state (`self`: its thread, or -1 for the main state). */
function installRuntime(engine: LuaEngine, shared: Shared, self: number): void {
  const g = engine.global;
  const thread = (index: number): LuaThread => {
    const t = shared.threads[index];
    if (!t) throw new Error(`no thread ${index}`);
    return t;
  };
  const c = shared.context;
  g.set('__rt_wrk', {
    scheme: c.scheme,
    host: c.host,
    port: c.port,
    method: c.method,
    path: c.path,
    body: c.body,
    host_header: c.hostHeader,
    header_names: c.headers.map(([name]) => name),
    header_values: c.headers.map(([, value]) => value),
  });
  g.set('__rt_self', self);
  g.set('__rt_write', (text: string) => shared.output(text));
  g.set('__rt_exit', (code: number) => {
    shared.exitCode = code;
  });
  // io.open/io.lines read the real file: it is copied into the VM's in-memory file system first.
  // Returns "" or why not.
  g.set('__rt_mount', (path: string) => {
    try {
      const content = readFileSync(path);
      const fs = (engine.global.lua as unknown as { module: { FS: { mkdir(p: string): void; writeFile(p: string, d: Uint8Array): void } } }).module.FS;
      const parts = path.split('/').slice(0, -1);
      for (let i = 1; i <= parts.length; ++i) {
        const dir = parts.slice(0, i).join('/');
        if (dir === '') continue;
        try {
          fs.mkdir(dir);
        } catch {
          // already there
        }
      }
      fs.writeFile(path, content);
      return '';
    } catch (err) {
      return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    }
  });
  g.set('__rt_lookup', (host: string, service: string) => lookupSync(host, servicePort(service, c.defaultPort)));
  g.set('__rt_connect', (host: string, port: number) => connectSync(host, port));
  g.set('__rt_thread_get', (index: number, name: string) => thread(index).state.engine.global.get(name) ?? undefined);
  g.set('__rt_thread_set', (index: number, name: string, value: unknown) => thread(index).state.engine.global.set(name, value));
  g.set('__rt_thread_stop', (index: number) => {
    thread(index).stopRequested = true;
  });
  g.set('__rt_thread_addr', (index: number) => thread(index).address ?? undefined);
  g.set('__rt_thread_set_addr', (index: number, host: string, port: number) => {
    if (shared.running) {
      const note = `thread.addr was changed during the run (to ${host}:${port}); each thread keeps the address it had when the run started`;
      if (!shared.notes.includes(note)) shared.notes.push(note);
      return;
    }
    thread(index).address = { host, port };
  });
  g.set('__rt_percentile', (id: string, p: number) => shared.stats.get(id)?.percentile(p) ?? 0);
}

async function newState(factory: LuaFactory, shared: Shared, self: number, code: Buffer): Promise<LuaState> {
  const engine = await factory.createEngine({ enableProxy: false, injectObjects: false });
  installRuntime(engine, shared, self);
  const state = new LuaState(engine);
  state.run(LUA_PRELUDE, '=ratetest prelude');
  if (self >= 0) state.run(LUA_THREAD_PRELUDE, '=ratetest thread prelude');
  try {
    state.run(code, `@${shared.file}`);
  } catch (err) {
    throw loadError(err, shared, 'the script did not load');
  }
  return state;
}

interface Hooks {
  request: boolean;
  response: boolean;
  done: boolean;
  delay: boolean;
}

function hooks(state: LuaState): Hooks {
  return (state.engine.global.get('__rt_hooks') as () => Hooks)();
}

export interface LuaScriptOptions {
  file: string;
  args: string[];
  context: WrkContext;
  threads: number;
  output: ScriptOutput;
}

export class LuaScript implements LoadedScript {
  readonly threads: LuaThread[];
  readonly hasDone: boolean;

  private constructor(
    private readonly main: LuaState,
    private readonly shared: Shared,
  ) {
    this.threads = shared.threads;
    this.hasDone = hooks(main).done;
  }

  get file(): string {
    return this.shared.file;
  }

  get notes(): string[] {
    return this.shared.notes;
  }

  /** Loads the script in the main state and one state per thread, then setup() and init() per thread, as wrk does. */
  static async load(options: LuaScriptOptions): Promise<LuaScript> {
    let code: Buffer;
    try {
      code = readFileSync(options.file);
    } catch (err) {
      throw new ScriptLoadError(`cannot read script ${options.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const shared: Shared = { file: options.file, context: options.context, output: options.output, threads: [], exitCode: undefined, notes: [], stats: new Map(), running: false };
    // os.getenv() sees the environment, as in wrk.
    const factory = new LuaFactory(undefined, process.env as Record<string, string>);
    const main = await newState(factory, shared, -1, code);
    for (let i = 0; i < options.threads; ++i) {
      const state = await newState(factory, shared, i, code);
      const thread = new LuaThread(state, shared);
      shared.threads.push(thread);
      try {
        main.call('__rt_call_setup', 0, (s) => {
          s.pushInteger(i);
          return 1;
        });
      } catch (err) {
        throw loadError(err, shared, 'setup()');
      }
      try {
        state.engine.global.get('__rt_call_init')(options.args);
      } catch (err) {
        throw loadError(err, shared, 'init()');
      }
      const h = hooks(state);
      thread.hasRequest = h.request;
      thread.hasResponse = h.response;
      if (h.delay && !shared.notes.includes(DELAY_NOTE)) shared.notes.push(DELAY_NOTE);
    }
    shared.running = true;
    return new LuaScript(main, shared);
  }

  done(summary: DoneSummary, latency: DoneStats, requests: DoneStats): void {
    this.shared.stats.set('latency', latency);
    this.shared.stats.set('requests', requests);
    const plain = (s: DoneStats, id: string) => ({ __id: id, min: s.min, max: s.max, mean: s.mean, stdev: s.stdev });
    try {
      (this.main.engine.global.get('__rt_call_done') as (...args: unknown[]) => void)(summary, plain(latency, 'latency'), plain(requests, 'requests'));
    } catch (err) {
      throw runError(err, this.shared, 'done()');
    }
  }
}
