-- wrk script for bench/govern.sh, reads: the request is fixed on the command line
-- (GET /v1/models/NAME with the reader's bearer token in -H); this only prints one
-- machine-readable summary line. No response() callback, so wrk does not inspect bodies.

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, summary.requests / summary.duration * 1e6,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
