// lua-vms.mjs: the two maintained-enough Lua VMs for Node compared on wrk's own kind of script:
// wasmoon (Lua 5.4 in WebAssembly, what ratetest uses) and fengari (Lua 5.3 written in
// JavaScript). Each runs the same request() (counter.lua's: a path and a header per request,
// then wrk.format) in batches of 500, as ratetest's feeder calls it. Not part of npm test.
//
//   cd bench && npm install && node lua-vms.mjs [--requests 200000]
import fengari from 'fengari';
import { LuaFactory } from 'wasmoon';

const at = process.argv.indexOf('--requests');
const requests = at >= 0 ? Number(process.argv[at + 1]) : 200_000;
const BATCH = 500;

const SCRIPT = `
wrk = { headers = {}, method = "GET", path = "/", host = "127.0.0.1:8080" }
function wrk.format(method, path, headers, body)
  method = method or wrk.method; path = path or wrk.path; headers = headers or wrk.headers; body = body or wrk.body
  local s = { method .. " " .. path .. " HTTP/1.1", "Host: " .. wrk.host }
  for k, v in pairs(headers) do s[#s + 1] = k .. ": " .. tostring(v) end
  if body then s[#s + 1] = "Content-Length: " .. #body end
  s[#s + 1] = ""; s[#s + 1] = body or ""
  return table.concat(s, "\\r\\n")
end
counter = 0
request = function()
  path = "/" .. counter
  wrk.headers["X-Counter"] = counter
  counter = counter + 1
  return wrk.format(nil, path)
end
local parts = {}
function batch(n)
  for i = 1, n do parts[i] = request() end
  return table.concat(parts, "", 1, n)
end`;

function time(label, run) {
  run(BATCH); // warm up
  const start = process.hrtime.bigint();
  let bytes = 0;
  for (let done = 0; done < requests; done += BATCH) bytes += run(BATCH);
  const ns = Number(process.hrtime.bigint() - start);
  console.log(`${label}: ${(ns / requests / 1000).toFixed(2)} µs per request() (${requests} requests, ${(bytes / requests).toFixed(0)} bytes each)`);
  return ns / requests;
}

// wasmoon through its raw C API, as src/script/lua-state.ts does (bytes, no UTF-8 round trip).
const engine = await new LuaFactory().createEngine();
engine.doStringSync(SCRIPT);
const raw = engine.global.lua.module;
const L = engine.global.address;
const name = raw.stringToNewUTF8('batch');
const lengthCell = raw._malloc(4);
const wasmoon = time('wasmoon 1.16 (Lua 5.4, WebAssembly)', (n) => {
  raw._lua_settop(L, 0);
  raw._lua_getglobal(L, name);
  raw._lua_pushinteger(L, BigInt(n));
  if (raw._lua_pcallk(L, 1, 1, 0, 0, 0) !== 0) throw new Error('wasmoon: batch failed');
  raw._lua_tolstring(L, -1, lengthCell);
  return raw.HEAPU32[lengthCell >> 2];
});

const { lua, lauxlib, lualib, to_luastring } = fengari;
const F = lauxlib.luaL_newstate();
lualib.luaL_openlibs(F);
if (lauxlib.luaL_dostring(F, to_luastring(SCRIPT)) !== 0) throw new Error('fengari: script failed');
const batchName = to_luastring('batch');
const fengariNs = time('fengari 0.1.5 (Lua 5.3, JavaScript)', (n) => {
  lua.lua_getglobal(F, batchName);
  lua.lua_pushinteger(F, n);
  lua.lua_call(F, 1, 1);
  const length = lua.lua_tolstring(F, -1).length;
  lua.lua_pop(F, 1);
  return length;
});
console.log(`wasmoon is ${(fengariNs / wasmoon).toFixed(1)}x faster per request()`);
