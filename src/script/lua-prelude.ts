// lua-prelude.ts: the Lua side of wrk's scripting API, run in every Lua state before the user's
// script: the `wrk` table (scheme, host, port, method, path, headers, body, format, request,
// lookup, connect, thread), thread objects for setup()/done(), the batch entry points the
// JavaScript side calls, and the few Lua 5.1 names (LuaJIT's, which wrk embeds) that Lua 5.4
// dropped, so wrk scripts run unmodified. __rt_* functions are provided by lua.ts.
export const LUA_PRELUDE = String.raw`
unpack = unpack or table.unpack
loadstring = loadstring or load
table.getn = table.getn or function(t) return #t end
math.pow = math.pow or function(x, y) return x ^ y end

local addr_meta = {
  __tostring = function(a)
    if a.host:find(":", 1, true) then return "[" .. a.host .. "]:" .. a.port end
    return a.host .. ":" .. a.port
  end,
  __eq = function(a, b) return a.host == b.host and a.port == b.port end,
}
function __rt_addr(host, port) return setmetatable({ host = host, port = math.tointeger(port) or port }, addr_meta) end

local function make_thread(index)
  local methods = {
    get = function(_, name) return __rt_thread_get(index, name) end,
    set = function(_, name, value) __rt_thread_set(index, name, value) end,
    stop = function(_) __rt_thread_stop(index) end,
  }
  return setmetatable({}, {
    __index = function(_, key)
      if key == "addr" then
        local a = __rt_thread_addr(index)
        if a == nil then return nil end
        return __rt_addr(a.host, a.port)
      end
      return methods[key]
    end,
    __newindex = function(_, key, value)
      if key == "addr" then
        if getmetatable(value) ~= addr_meta then error("thread.addr must be an address from wrk.lookup()", 2) end
        __rt_thread_set_addr(index, value.host, value.port)
      else
        error("a thread has no field '" .. tostring(key) .. "' to set (use thread:set(name, value))", 2)
      end
    end,
    __tostring = function() return "thread " .. index end,
  })
end
function __rt_make_thread(index) return make_thread(index) end

local host_header = __rt_wrk.host_header
wrk = {
  scheme = __rt_wrk.scheme,
  host = __rt_wrk.host,
  port = __rt_wrk.port,
  method = __rt_wrk.method,
  path = __rt_wrk.path,
  headers = {},
  body = __rt_wrk.body,
}
for i = 1, #__rt_wrk.header_names do wrk.headers[__rt_wrk.header_names[i]] = __rt_wrk.header_values[i] end
__rt_wrk = nil

-- The request as wrk builds it: request line, every header, Content-Length when there is a body.
function wrk.format(method, path, headers, body)
  method = method or wrk.method
  path = path or wrk.path
  headers = headers or wrk.headers
  body = body or wrk.body
  if body ~= nil and type(body) ~= "string" then
    error("wrk.format(): the body (wrk.body or its 4th argument) must be a string, got " .. type(body), 0)
  end
  local lines = { method .. " " .. path .. " HTTP/1.1" }
  if headers["Host"] == nil and headers["host"] == nil then lines[#lines + 1] = "Host: " .. host_header end
  for name, value in pairs(headers) do
    local lower = string.lower(name)
    if lower ~= "content-length" then lines[#lines + 1] = name .. ": " .. tostring(value) end
  end
  if body then lines[#lines + 1] = "Content-Length: " .. #body end
  lines[#lines + 1] = ""
  lines[#lines + 1] = body or ""
  return table.concat(lines, "\r\n")
end

function wrk.request() return wrk.format() end

function wrk.lookup(host, service)
  local list = __rt_lookup(tostring(host), tostring(service or "http"))
  local out = {}
  for i = 1, #list, 2 do out[#out + 1] = __rt_addr(list[i], list[i + 1]) end
  return out
end

function wrk.connect(addr)
  if getmetatable(addr) ~= addr_meta then error("wrk.connect() takes an address from wrk.lookup()", 2) end
  return __rt_connect(addr.host, addr.port)
end

-- print and io.write go where the JavaScript side says (stderr when stdout carries JSON).
function print(...)
  local parts = table.pack(...)
  for i = 1, parts.n do parts[i] = tostring(parts[i]) end
  __rt_write(table.concat(parts, "\t", 1, parts.n) .. "\n")
end
local stdout_write = io.write
io.write = function(...)
  local parts = table.pack(...)
  for i = 1, parts.n do parts[i] = tostring(parts[i]) end
  __rt_write(table.concat(parts, "", 1, parts.n))
  return io.stdout
end
os.exit = function(code)
  __rt_exit(code == nil and 0 or code == true and 0 or code == false and 1 or tonumber(code) or 1)
  error("os.exit", 0)
end

-- Reading files works on the real file system (the Lua VM's own is in memory).
local raw_open = io.open
io.open = function(path, mode)
  mode = mode or "r"
  if not mode:find("[wa+]") then
    local err = __rt_mount(path)
    if err ~= "" then return nil, path .. ": " .. err end
  end
  return raw_open(path, mode)
end
local raw_lines = io.lines
io.lines = function(path, ...)
  if path ~= nil then
    local err = __rt_mount(path)
    if err ~= "" then error(path .. ": " .. err, 2) end
  end
  return raw_lines(path, ...)
end

-- Called by the JavaScript side around the user's hooks.
function __rt_call_setup(index) if type(setup) == "function" then setup(make_thread(index)) end end
function __rt_call_init(list)
  local args = {}
  for i = 1, #list do args[i - 1] = list[i] end
  if type(init) == "function" then init(args) end
end
function __rt_hooks()
  return { request = type(request) == "function", response = type(response) == "function",
           done = type(done) == "function", setup = type(setup) == "function", delay = type(delay) == "function" }
end
function __rt_static() return wrk.format() end

-- done(summary, latency, requests): latency and requests answer :percentile(p) as wrk's do.
local stats_meta = { __index = { percentile = function(self, p) return __rt_percentile(self.__id, p) end } }
function __rt_call_done(summary, latency, requests)
  setmetatable(latency, stats_meta)
  setmetatable(requests, stats_meta)
  if type(done) == "function" then done(summary, latency, requests) end
end

-- Called by the JavaScript side: n requests, back to back, and their lengths as uint32s.
local parts, lengths = {}, {}
local pack = string.pack
function __rt_batch(n)
  for i = 1, n do
    local r = request()
    if type(r) ~= "string" then
      local info = debug.getinfo(request, "S")
      error(info.short_src .. ":" .. info.linedefined .. ": request() must return a string, got " .. type(r), 0)
    end
    parts[i] = r
    lengths[i] = pack("<I4", #r)
  end
  for i = n + 1, #parts do parts[i] = nil; lengths[i] = nil end
  return table.concat(parts), table.concat(lengths)
end
`;

/** Run in each thread's state before init(): what the thread's own `wrk.thread` is. */
export const LUA_THREAD_PRELUDE = String.raw`
wrk.thread = __rt_make_thread(__rt_self)
`;
