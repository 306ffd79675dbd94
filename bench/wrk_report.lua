-- wrk script of bench/side_by_side.py: counts responses by status and prints one line of figures.
--
--   wrk ... -s bench/wrk_report.lua URL -- get
--   wrk ... -s bench/wrk_report.lua URL -- sign RUN_TAG ORIGIN
--
-- "sign" POSTs the petition form with an email unique to the run, the thread and the request.
-- wrk runs one Lua state per thread: the counters below are per thread, summed in done().

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  mode = args[1]
  run_tag = args[2]
  sent = 0
  statuses = {}
  if mode == "sign" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["Origin"] = args[3]
  end
end

function request()
  sent = sent + 1
  if mode ~= "sign" then
    return wrk.format()
  end
  local body = "first_name=Bench&last_name=Signer&zip_code=54301&county=&website=&comment="
    .. string.format("&email=bench-%s-%d-%d%%40example.org", run_tag, thread_number, sent)
  -- Every other signer also asks for updates: both consent paths are taken.
  if sent % 2 == 0 then
    body = body .. "&email_updates=y"
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total_sent = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
  end
  local errors = summary.errors
  local line = string.format(
    "bench-result requests=%d duration_us=%d sent=%d connect_errors=%d read_errors=%d write_errors=%d"
      .. " timeouts=%d p50_us=%d p90_us=%d p95_us=%d p99_us=%d",
    summary.requests, summary.duration, total_sent, errors.connect, errors.read, errors.write,
    errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99)
  )
  for status, count in pairs(by_status) do
    line = line .. string.format(" status_%d=%d", status, count)
  end
  print(line)
end
