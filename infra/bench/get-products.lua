-- GET a random product among ids FIRST_ID..LAST_ID (set by run.sh), so reads spread over the cache.
local first = tonumber(os.getenv("FIRST_ID"))
local last = tonumber(os.getenv("LAST_ID"))
local prefix = os.getenv("PATH_PREFIX") or ""

request = function()
  return wrk.format("GET", prefix .. "/products/" .. math.random(first, last))
end
