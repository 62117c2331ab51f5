#!/usr/bin/env bash
# Compares the allow path of two builds (docs/performance.md): both servers run at once, each on a
# fresh data folder; after a warm-up, wrk (a separate process, -t2 -c32) takes turns between them
# in 5 s slices, GET /healthz and then POST /v1/actions, so that both see the same load from
# whatever else runs on the machine. Prints each slice and the sums.
#   countersign-bench/wrk/allow-path-compare.sh /tmp/before-cli.jar countersign-server/target/countersign-server-*-cli.jar [slices=6]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jars=("$1" "$2") slices=${3:-6} ports=(18981 18982) keys=() servers=()
trap 'for s in "${servers[@]}"; do kill "$s"; wait "$s" 2>/dev/null || true; done' EXIT
for i in 0 1; do
  data=$(mktemp -d "/tmp/countersign-compare-$i.XXXXXX")
  keys[i]=$(java --enable-native-access=ALL-UNNAMED -jar "${jars[i]}" agents create load --data "$data" 2>/dev/null | tail -n 1)
  java --enable-native-access=ALL-UNNAMED -jar "${jars[i]}" serve --data "$data" --port "${ports[i]}" >"$data/serve.log" 2>&1 &
  servers[i]=$!
done
for i in 0 1; do
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:${ports[i]}/healthz" >/dev/null && break; sleep 0.5; done
done
slice() { # build url [script] -> "req/s p50 p99"
  local out
  out=$(COUNTERSIGN_API_KEY=${keys[$1]} wrk -t2 -c32 -d5s --latency ${3:+-s "$here/$3"} "http://127.0.0.1:${ports[$1]}$2")
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from build $1 on $2" >&2; exit 1; fi
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "50%" {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out")"
}
for i in 0 1; do slice "$i" /healthz >/dev/null; slice "$i" /v1/actions allow-path.lua >/dev/null; done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A sum
for s in $(seq 1 "$slices"); do
  for path in healthz actions; do
    for i in 0 1; do
      if [ $path = healthz ]; then r=$(slice "$i" /healthz); else r=$(slice "$i" /v1/actions allow-path.lua); fi
      echo "slice $s build $i $path: $r"
      sum[$i$path]=$(awk -v a="${sum[$i$path]:-0}" -v b="${r%% *}" 'BEGIN {print a + b}')
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in 0 1; do
  awk -v n="$slices" -v h="${sum[${i}healthz]}" -v a="${sum[${i}actions]}" -v b="$i" \
    'BEGIN {printf "build %d: /healthz %.0f req/s, allow path %.0f req/s, ratio %.3f\n", b, h / n, a / n, a / h}'
done
