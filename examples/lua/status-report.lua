-- Count responses by status in each thread and print the totals and a few percentiles at the end.
--   ratetest -R 1k -d 10s -s examples/lua/status-report.lua http://127.0.0.1:8080/

local threads = {}

function setup(thread)
   threads[#threads + 1] = thread
end

function init(args)
   by_status = {}
end

function response(status, headers, body)
   by_status[status] = (by_status[status] or 0) + 1
end

function done(summary, latency, requests)
   local totals = {}
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("by_status")) do
         totals[status] = (totals[status] or 0) + count
      end
   end
   for status, count in pairs(totals) do
      io.write(string.format("status %s: %d\n", tostring(status), count))
   end
   for _, p in ipairs({ 50, 99, 99.9 }) do
      io.write(string.format("p%g: %d us\n", p, latency:percentile(p)))
   end
   io.write(string.format("requests: %d, errors: %d\n", summary.requests,
                          summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
