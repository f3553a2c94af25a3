-- wrk script for bench/govern.sh, durable writes: every request registers a new version of one
-- model, POST /v1/models/MODEL/versions {"version": "RUN-THREAD-N", ...}, with a label unique
-- to the run, the wrk thread and the request. response() counts 201 Created and everything
-- else; done() sums the threads and prints one machine-readable line. A run with any
-- non-201 answer or socket error is invalid.
--
--   wrk -t2 -c32 -d20s --latency -s bench/govern/write.lua URL -- MODEL TOKEN RUN

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  model, token, run = args[1], args[2], args[3]
  path = "/v1/models/" .. model .. "/versions"
  headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
  digest = string.rep("ab", 32)
  n = 0
  created = 0
  other = 0
  first_other = ""
end

function request()
  n = n + 1
  local body = string.format('{"version":"%s-%d-%d","artifact_sha256":"%s"}', run, id, n, digest)
  return wrk.format("POST", path, headers, body)
end

function response(status, hdrs, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
    if first_other == "" then first_other = status .. " " .. body:sub(1, 200) end
  end
end

function done(summary, latency, requests)
  local c, o, first = 0, 0, ""
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
    local f = t:get("first_other")
    if first == "" and f ~= nil then first = f end
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d created=%d non201=%d duration_us=%d wps=%.1f p50_us=%d p90_us=%d " ..
    "p99_us=%d max_us=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, c, o, summary.duration, c / summary.duration * 1e6,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout))
  if o > 0 then io.write("FIRST_NON201 " .. first:gsub("\n", " ") .. "\n") end
end
