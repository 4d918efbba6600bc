-- GET a random product among ids FIRST_ID..LAST_ID (set by run.sh and cache.sh), so reads spread over the cache,
-- or, when FIXED_PATH is set (gateway.sh), that one path every time.
-- Each run draws other ids (seeded from SEED, else the clock): repeated rounds over cold ids stay cold.
-- GATEWAY_SIGNATURE (from gateway-signature.py), when set, is sent as X-Gateway-Signature: instances serve only
-- requests signed as the gateway's.
-- Ends with one line for scripts: wrk-summary requests=… duration_us=… p50_us=… p99_us=… non2xx=… errors=…
local first = tonumber(os.getenv("FIRST_ID"))
local last = tonumber(os.getenv("LAST_ID"))
local prefix = os.getenv("PATH_PREFIX") or ""
local fixed = os.getenv("FIXED_PATH")
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  math.randomseed((tonumber(os.getenv("SEED")) or os.time()) * 1000 + thread_number)
  local signature = os.getenv("GATEWAY_SIGNATURE")
  if signature and signature ~= "" then
    wrk.headers["X-Gateway-Signature"] = signature
  end
end

request = function()
  if fixed then
    return wrk.format("GET", fixed)
  end
  return wrk.format("GET", prefix .. "/products/" .. math.random(first, last))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk-summary requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
