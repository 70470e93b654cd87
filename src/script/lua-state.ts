// lua-state.ts: one Lua state (wasmoon: Lua 5.4 compiled to WebAssembly) driven through the raw
// C API for the calls made per request, so request bytes leave Lua and response bodies enter it
// as bytes, binary-safe and without a UTF-8 round trip, and a whole batch costs one crossing.
import type { LuaEngine } from 'wasmoon';

/** The raw exports of wasmoon's Emscripten module that this file uses. */
interface RawLua {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  stringToNewUTF8(text: string): number;
  _lua_settop(L: number, index: number): void;
  _lua_gettop(L: number): number;
  _lua_getglobal(L: number, name: number): number;
  _lua_pushinteger(L: number, value: bigint): void;
  _lua_pushlstring(L: number, data: number, size: number): number;
  _lua_createtable(L: number, array: number, hash: number): void;
  _lua_settable(L: number, index: number): void;
  _lua_rawseti(L: number, index: number, n: bigint): void;
  _lua_pcallk(L: number, args: number, results: number, handler: number, context: number, continuation: number): number;
  _lua_tolstring(L: number, index: number, length: number): number;
  _luaL_loadbufferx(L: number, data: number, size: number, name: number, mode: number): number;
}

/** A Lua error: the message Lua gave, "file:line: what" for errors in a script. */
export class LuaError extends Error {}

export class LuaState {
  readonly engine: LuaEngine;
  private readonly raw: RawLua;
  private readonly L: number;
  private readonly lengthCell: number;
  private readonly names = new Map<string, number>();
  private scratch = 0;
  private scratchSize = 0;

  constructor(engine: LuaEngine) {
    this.engine = engine;
    this.raw = (engine.global.lua as unknown as { module: RawLua }).module;
    this.L = engine.global.address;
    this.lengthCell = this.raw._malloc(4);
  }

  /** Runs a chunk; `chunkName` "@file" makes Lua's messages say "file:line:". */
  run(code: string | Buffer, chunkName: string): void {
    const bytes = typeof code === 'string' ? Buffer.from(code) : code;
    const at = this.copyIn(bytes);
    this.raw._lua_settop(this.L, 0);
    const status = this.raw._luaL_loadbufferx(this.L, at, bytes.length, this.name(chunkName), 0);
    if (status !== 0) this.fail();
    this.pcall(0, 0);
  }

  /** Calls the global function `name` with the given arguments pushed by `push`; leaves `results` on the stack. */
  call(name: string, results: number, push: (state: LuaState) => number = () => 0): void {
    this.raw._lua_settop(this.L, 0);
    this.raw._lua_getglobal(this.L, this.name(name));
    this.pcall(push(this), results);
  }

  /** A string on the stack as bytes (index -1 = top). */
  bytes(index: number): Buffer {
    const at = this.raw._lua_tolstring(this.L, index, this.lengthCell);
    if (at === 0) return Buffer.alloc(0);
    const size = this.raw.HEAPU32[this.lengthCell >> 2]!;
    return Buffer.from(this.raw.HEAPU8.subarray(at, at + size));
  }

  clear(): void {
    this.raw._lua_settop(this.L, 0);
  }

  pushInteger(value: number): void {
    this.raw._lua_pushinteger(this.L, BigInt(value));
  }

  pushBytes(bytes: Buffer): void {
    this.raw._lua_pushlstring(this.L, this.copyIn(bytes), bytes.length);
  }

  /** Pushes a table of name -> value pairs. */
  pushPairs(pairs: [string, string][]): void {
    this.raw._lua_createtable(this.L, 0, pairs.length);
    for (const [name, value] of pairs) {
      this.pushBytes(Buffer.from(name, 'latin1'));
      this.pushBytes(Buffer.from(value, 'latin1'));
      this.raw._lua_settable(this.L, -3);
    }
  }

  private pcall(args: number, results: number): void {
    if (this.raw._lua_pcallk(this.L, args, results, 0, 0, 0) !== 0) this.fail();
  }

  private fail(): never {
    const at = this.raw._lua_tolstring(this.L, -1, this.lengthCell);
    const message = at === 0 ? '(a Lua error with a non-string value)' : this.bytes(-1).toString('utf8');
    this.raw._lua_settop(this.L, 0);
    throw new LuaError(message);
  }

  private name(text: string): number {
    let pointer = this.names.get(text);
    if (pointer === undefined) {
      pointer = this.raw.stringToNewUTF8(text);
      this.names.set(text, pointer);
    }
    return pointer;
  }

  /** Copies bytes into a scratch block of the Lua heap (grown as needed, reused after). */
  private copyIn(bytes: Buffer): number {
    if (bytes.length > this.scratchSize) {
      if (this.scratch !== 0) this.raw._free(this.scratch);
      this.scratchSize = Math.max(bytes.length, 2 * this.scratchSize, 4096);
      this.scratch = this.raw._malloc(this.scratchSize);
    }
    this.raw.HEAPU8.set(bytes, this.scratch);
    return this.scratch;
  }
}
