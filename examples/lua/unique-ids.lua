-- Unique request ids across threads, with no shared counter: setup() numbers the threads and
-- each thread numbers its own requests. The server sees /items/<thread>-<n>, every one distinct.
--   ratetest -t 2 -R 1k -d 10s -s examples/lua/unique-ids.lua http://127.0.0.1:8080/

local next_thread = 1

function setup(thread)
   thread:set("id", next_thread)
   next_thread = next_thread + 1
end

function init(args)
   n = 0
end

function request()
   local path = string.format("/items/%d-%d", id, n)
   n = n + 1
   return wrk.format("GET", path)
end
