-- The bench's 3-placeholder template as a Lua request(): a random item, a sequence number and
-- a random request id, in the same places and of the same shape.
local seq = 0
local hex = "0123456789abcdef"
local function id()
   local t = {}
   for i = 1, 32 do
      local r = math.random(1, 16)
      t[i] = hex:sub(r, r)
   end
   local s = table.concat(t)
   return s:sub(1, 8) .. "-" .. s:sub(9, 12) .. "-" .. s:sub(13, 16) .. "-" .. s:sub(17, 20) .. "-" .. s:sub(21, 32)
end
function request()
   seq = seq + 1
   return wrk.format("GET", "/items/" .. math.random(1, 100000) .. "?seq=" .. seq, { ["X-Request-Id"] = id() })
end
