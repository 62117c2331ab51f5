-- The allow path under wrk (a separate process, so the load tool does not share the gateway's JVM):
--   AGENT=$(./countersign agents create load | tail -n 1); ./countersign serve &
--   COUNTERSIGN_API_KEY=$AGENT wrk -t2 -c32 -d10s --latency -s countersign-bench/wrk/allow-path.lua http://127.0.0.1:8080/v1/actions
--   wrk -t2 -c32 -d10s --latency http://127.0.0.1:8080/healthz      # the baseline, same server, same run
-- The bundled example policy allows db.query with statement_kind "select".
wrk.method = "POST"
wrk.body = '{"action":"db.query","resource":"db/prod/customers","params":{"statement_kind":"select"},"reason":"load test"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("COUNTERSIGN_API_KEY") or "missing-COUNTERSIGN_API_KEY")
