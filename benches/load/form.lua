-- Files tickets through the real form, as a browser sends it (multipart,
-- the CSRF token as the first part), each request with a submission id of
-- its own so none is taken for a second submit of another. Counts 303s
-- (a ticket on disk) apart from any other answer.
-- wrk -s form.lua URL/tickets -- CSRF_COOKIE CSRF_TOKEN RUN_NUMBER

local threads = {}
local boundary = "----apideskLoadBench7MA4YWxk"

function setup(thread)
  thread:set("number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  token = args[2]
  run = tonumber(args[3])
  sent, acked, other = 0, 0, 0
  wrk.method = "POST"
  wrk.headers["Cookie"] = "apidesk_csrf=" .. args[1]
  wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
end

local function part(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name
    .. "\"\r\n\r\n" .. value .. "\r\n"
end

function request()
  sent = sent + 1
  local id = string.format("%08d-%04d-4000-8000-%012d", run, number, sent)
  local body = part("csrf_token", token)
    .. part("reviewed", "1")
    .. part("submission_id", id)
    .. part("path", "")
    .. part("error_code", "401")
    .. part("message", "HTTP GET failed: unauthorized (401), run " .. id)
    .. part("endpoint", "https://go.trackvia.com/openapi/views/12/records")
    .. part("method", "GET")
    .. part("occurred_at", "2026-01-15T09:30")
    .. part("utc_offset", "+01:00")
    .. part("tool", "workato")
    .. part("tool_other", "")
    .. part("recent_changes", "Rotated the API user's token on Monday.")
    .. part("environment", "production")
    .. part("name", "Dana Developer")
    .. part("email", "dana@example.com")
    .. "--" .. boundary .. "--\r\n"
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 303 then acked = acked + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local a, o = 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("acked")
    o = o + t:get("other")
  end
  io.write(string.format("ACKED %d OTHER %d\n", a, o))
end
