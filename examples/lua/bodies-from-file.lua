-- POST a different JSON body per request, read from a file of one body per line (the file is
-- read once, in init(); request() only picks the next line).
--   ratetest -R 200 -d 30s -s examples/lua/bodies-from-file.lua http://127.0.0.1:8080/orders -- orders.jsonl

local bodies = {}
local next_body = 1

function init(args)
   for line in io.lines(args[1]) do
      if line ~= "" then bodies[#bodies + 1] = line end
   end
   if #bodies == 0 then error("no bodies in " .. tostring(args[1])) end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   local body = bodies[next_body]
   next_body = next_body % #bodies + 1
   return wrk.format(nil, nil, nil, body)
end
