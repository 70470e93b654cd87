// js-module.ts: wrk's hooks from a JavaScript module (-s file.mjs / file.js), for Node users:
//
//   export function setup(thread) {}                        // main instance, once per thread
//   export function init(args, wrk) {}                      // the thread's own instance
//   export function request(wrk) { return wrk.format('GET', '/x') }
//   export function response(status, headers, body, wrk) {} // only called when exported
//   export function done(summary, latency, requests) {}     // main instance, after the run
//
// Each thread imports its own instance of the module (a distinct URL query), so module-level
// variables are per thread, as Lua globals are per thread in wrk.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connectSync, lookupSync, servicePort } from './addresses.js';
import { DELAY_NOTE, ScriptLoadError, ScriptRunError, type DoneStats, type DoneSummary, type LoadedScript, type ScriptAddress, type ScriptThread, type WrkContext } from './types.js';

type Hook = (...args: unknown[]) => unknown;
interface ScriptModule {
  setup?: Hook;
  init?: Hook;
  request?: Hook;
  response?: Hook;
  done?: Hook;
  delay?: Hook;
}

/** The thread handle setup() gets and wrk.thread is: get/set values, stop, addr. */
export interface JsThreadHandle {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  stop(): void;
  addr: ScriptAddress | undefined;
}

/** The `wrk` object each hook gets as its last argument. */
export interface JsWrk {
  scheme: string;
  host: string;
  port: string | undefined;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  thread: JsThreadHandle;
  format(method?: string, path?: string, headers?: Record<string, string>, body?: string | Buffer): string | Buffer;
  request(): string | Buffer;
  lookup(host: string, service?: string): ScriptAddress[];
  connect(addr: ScriptAddress): boolean;
}

function where(err: unknown, file: string): string {
  const error = err as Error;
  // The first stack frame inside the script gives its line; frames name it by file URL, and a
  // SyntaxError's first stack line names it with a line but no column.
  const url = pathToFileURL(resolve(file)).href;
  const frame = error.stack?.split('\n').find((line) => line.includes(url) || line.includes(resolve(file)));
  const at = frame ? /:(\d+)(?::\d+)?\)?$/.exec(frame) : null;
  return `${file}${at ? `:${at[1]}` : ''}: ${error.message ?? String(err)}`;
}

function makeWrk(context: WrkContext, thread: JsThreadHandle): JsWrk {
  const wrk: JsWrk = {
    scheme: context.scheme,
    host: context.host,
    port: context.port,
    method: context.method,
    path: context.path,
    headers: Object.fromEntries(context.headers),
    body: context.body,
    thread,
    format(method, path, headers, body) {
      const h = headers ?? wrk.headers;
      const b = body ?? wrk.body;
      const lines = [`${method ?? wrk.method} ${path ?? wrk.path} HTTP/1.1`];
      const names = Object.keys(h).map((n) => n.toLowerCase());
      if (!names.includes('host')) lines.push(`Host: ${context.hostHeader}`);
      for (const [name, value] of Object.entries(h)) if (name.toLowerCase() !== 'content-length') lines.push(`${name}: ${value}`);
      if (b !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(b)}`);
      const head = lines.join('\r\n') + '\r\n\r\n';
      return b === undefined ? head : typeof b === 'string' ? head + b : Buffer.concat([Buffer.from(head), b]);
    },
    request: () => wrk.format(),
    lookup(host, service = 'http') {
      const list = lookupSync(host, servicePort(service, context.defaultPort));
      const out: ScriptAddress[] = [];
      for (let i = 0; i + 1 < list.length; i += 2) out.push({ host: String(list[i]), port: Number(list[i + 1]) });
      return out;
    },
    connect: (addr) => connectSync(addr.host, addr.port),
  };
  return wrk;
}

class JsThread implements ScriptThread {
  readonly values = new Map<string, unknown>();
  stopRequested = false;
  address: ScriptAddress | undefined;
  running = false;
  readonly handle: JsThreadHandle;
  readonly wrk: JsWrk;
  module!: ScriptModule;

  constructor(
    private readonly file: string,
    context: WrkContext,
    private readonly notes: string[],
  ) {
    const self = this;
    this.handle = {
      get: (name) => self.values.get(name),
      set: (name, value) => void self.values.set(name, value),
      stop: () => void (self.stopRequested = true),
      get addr() {
        return self.address;
      },
      set addr(value) {
        if (self.running) {
          const note = 'thread.addr was changed during the run; each thread keeps the address it had when the run started';
          if (!self.notes.includes(note)) self.notes.push(note);
          return;
        }
        self.address = value;
      },
    };
    this.wrk = makeWrk(context, this.handle);
  }

  get hasRequest(): boolean {
    return typeof this.module.request === 'function';
  }
  get hasResponse(): boolean {
    return typeof this.module.response === 'function';
  }

  generate(n: number): { bytes: Buffer; lengths: Uint32Array } {
    const parts: Buffer[] = [];
    const lengths = new Uint32Array(n);
    try {
      for (let i = 0; i < n; ++i) {
        const r = this.module.request!(this.wrk);
        if (typeof r !== 'string' && !Buffer.isBuffer(r)) throw new TypeError(`request() must return a string or Buffer, got ${r === null ? 'null' : typeof r}`);
        const bytes = typeof r === 'string' ? Buffer.from(r) : r;
        parts.push(bytes);
        lengths[i] = bytes.length;
      }
    } catch (err) {
      throw new ScriptRunError(where(err, this.file));
    }
    return { bytes: Buffer.concat(parts), lengths };
  }

  staticRequest(): Buffer {
    const r = this.wrk.format();
    return typeof r === 'string' ? Buffer.from(r) : r;
  }

  response(status: number, headers: [string, string][], body: Buffer): void {
    try {
      this.module.response!(status, Object.fromEntries(headers), body, this.wrk);
    } catch (err) {
      throw new ScriptRunError(where(err, this.file));
    }
  }
}

/**
 * The line of a syntax error: Node's ESM loader leaves it out of the error it throws (it is only
 * in the arrow message it prints), so ask `node --check`, which prints "file:line" first. Only
 * for a script that failed to load.
 */
function syntaxErrorLine(file: string): string | undefined {
  const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  return /^.*:(\d+)$/m.exec(check.stderr ?? '')?.[1];
}

async function importModule(file: string, instance: string): Promise<ScriptModule> {
  try {
    return (await import(`${pathToFileURL(file).href}?${instance}`)) as ScriptModule;
  } catch (err) {
    const line = err instanceof SyntaxError ? syntaxErrorLine(file) : undefined;
    throw new ScriptLoadError(`the script did not load: ${line ? `${file}:${line}: ${(err as Error).message}` : where(err, file)}`);
  }
}

export interface JsScriptOptions {
  file: string;
  args: string[];
  context: WrkContext;
  threads: number;
}

export class JsScript implements LoadedScript {
  readonly notes: string[] = [];
  readonly threads: JsThread[] = [];
  private main!: ScriptModule;

  private constructor(readonly file: string) {}

  get hasDone(): boolean {
    return typeof this.main.done === 'function';
  }

  static async load(options: JsScriptOptions): Promise<JsScript> {
    const file = resolve(options.file);
    if (!existsSync(file)) throw new ScriptLoadError(`cannot read script ${options.file}: ENOENT`);
    const script = new JsScript(options.file);
    // One load for every instance: the query string keeps them apart.
    const load = `ratetest=${process.pid}-${Date.now()}`;
    script.main = await importModule(file, `${load}&main`);
    for (let i = 0; i < options.threads; ++i) {
      const thread = new JsThread(options.file, options.context, script.notes);
      thread.module = await importModule(file, `${load}&thread=${i}`);
      script.threads.push(thread);
      if (typeof thread.module.delay === 'function' && !script.notes.includes(DELAY_NOTE)) script.notes.push(DELAY_NOTE);
      try {
        script.main.setup?.(thread.handle);
        thread.module.init?.(options.args, thread.wrk);
      } catch (err) {
        throw new ScriptLoadError(`setup()/init(): ${where(err, options.file)}`);
      }
    }
    for (const thread of script.threads) thread.running = true;
    return script;
  }

  done(summary: DoneSummary, latency: DoneStats, requests: DoneStats): void {
    try {
      this.main.done?.(summary, latency, requests);
    } catch (err) {
      throw new ScriptRunError(where(err, this.file));
    }
  }
}
