-- Log in once, then use the session token on every later request: response() sees the login's
-- answer and changes what request() builds from then on.
--   ratetest -R 500 -d 30s -s examples/lua/login-then-browse.lua http://127.0.0.1:8080/ -- alice

local token = nil

function init(args)
   user = args[1] or "demo"
end

function request()
   if token then
      return wrk.format("GET", "/browse", { ["Authorization"] = "Bearer " .. token })
   end
   return wrk.format("POST", "/login", { ["Content-Type"] = "application/json" },
                     string.format('{"user":"%s"}', user))
end

function response(status, headers, body)
   if not token and status == 200 then
      token = body:match('"token":"([^"]+)"')
   end
end
