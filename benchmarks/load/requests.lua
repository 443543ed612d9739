-- wrk script of Amity's load test (README.md): each request is a line of the requests file (REQUESTS, made by
-- prepare.py: "<kind>\t<header>\t<path>"), drawn at random, sent as the proxy in front of Amity would send it
-- (X-Forwarded-Proto: https). At the end: latency percentiles, throughput and answers by status class, as JSON
-- on the last line (run.sh keeps it). With THINK_MS, each connection is a user who waits that long (±50 %, at
-- random) after an answer before asking again; without it, connections ask again at once (the capacity run).

local lines = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(os.getenv("REQUESTS") or "var/load/requests.tsv", "r"))
  for line in file:lines() do
    local kind, header, path = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    if path then
      local name, value = header:match("^([^:]+):%s*(.*)$")
      table.insert(lines, { path = path, name = name, value = value })
    end
  end
  file:close()
  math.randomseed(os.time() + tonumber(tostring(lines):match("0x(%x+)") or "0", 16) % 100000)
  statuses = { ["2xx"] = 0, ["3xx"] = 0, ["4xx"] = 0, ["5xx"] = 0 }
end

local think_ms = tonumber(os.getenv("THINK_MS") or "0")

function delay()
  if think_ms <= 0 then
    return 0
  end
  return math.floor(think_ms * (0.5 + math.random()))
end

function request()
  local chosen = lines[math.random(#lines)]
  local headers = { ["X-Forwarded-Proto"] = "https", ["Accept-Language"] = "vi" }
  if chosen.name then
    headers[chosen.name] = chosen.value
  end
  return wrk.format("GET", chosen.path, headers)
end

function response(status, headers, body)
  local class = tostring(math.floor(status / 100)) .. "xx"
  statuses[class] = (statuses[class] or 0) + 1
end

function done(summary, latency, requests)
  local counts = { ["2xx"] = 0, ["3xx"] = 0, ["4xx"] = 0, ["5xx"] = 0 }
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses")
    for class, count in pairs(seen) do
      counts[class] = (counts[class] or 0) + count
    end
  end
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.1f, "per_second": %.2f, "p50_ms": %.1f, "p90_ms": %.1f, "p95_ms": %.1f, '
      .. '"p99_ms": %.1f, "max_ms": %.1f, "status": {"2xx": %d, "3xx": %d, "4xx": %d, "5xx": %d}, '
      .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    counts["2xx"], counts["3xx"], counts["4xx"], counts["5xx"],
    errors.connect, errors.read, errors.write, errors.timeout))
end
