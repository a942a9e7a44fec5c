-- Files tickets through the JSON API with a token, each request with an
-- Idempotency-Key of its own, as an integration's error handler would.
-- Counts 201s (a ticket on disk) apart from any other answer.
-- wrk -s api.lua URL/api/v1/tickets -- TOKEN RUN_NUMBER

local threads = {}

function setup(thread)
  thread:set("number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  run = tonumber(args[2])
  sent, acked, other = 0, 0, 0
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  local id = string.format("%08d-%04d-4000-9000-%012d", run, number, sent)
  wrk.headers["Idempotency-Key"] = id
  local body = '{"error_code":429,"message":"HTTP GET failed: too many requests (429), run '
    .. id .. '","endpoint":"https://go.trackvia.com/openapi/views/12/records",'
    .. '"method":"GET","occurred_at":"2026-01-15T09:30:00Z","tool":"workato",'
    .. '"recent_changes":"Doubled the recipe\'s schedule.","environment":"production",'
    .. '"name":"Dana Developer","email":"dana@example.com","path":[]}'
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 201 then acked = acked + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local a, o = 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("acked")
    o = o + t:get("other")
  end
  io.write(string.format("ACKED %d OTHER %d\n", a, o))
end
