#!/usr/bin/env bash
# Issue 9's comparison ("A gateway at least as fast as nginx, with everything on"), in one interleaved run:
#   direct:  GET /health on one catalog-service instance, no proxy;
#   nginx:   nginx from the distribution's package, 1 worker, round-robin over every catalog-service instance the
#            gateway discovered, upstream keepalive 64, no access log;
#   bare:    the least reverse proxy on Vert.x (infra/bench/baseline's BareProxy: vertx-http-proxy on the gateway's
#            HTTP server, client and transport, round-robin over the same instances, nothing else): the floor of
#            the gateway's HTTP stack, so that the ratios tell the stack's cost from the features';
#   gateway: GET /api/catalog/health through the gateway, round-robin over the same instances, with everything a
#            production deployment runs (metrics, the JSON access log, access rules, health checks, retries, the
#            breaker) and a rate limit too high to trip.
# Prints medians of the rounds, the ratios gateway/nginx, bare/nginx and gateway/bare, and the CPU time per 10,000
# requests of nginx (master and worker), of the bare proxy's JVM and of the gateway's JVM, from /proc/<pid>/stat.
#
#   apt-get update && apt-get install -y wrk nginx postgresql-client
#   infra/bench/gateway.sh                   # starts the suite if none runs (and stops it after), and nginx
#   ROUNDS=5 DURATION=10s infra/bench/gateway.sh
#
# Settings (environment): ROUNDS (3), DURATION (5s), WARMUP (60s per target: on 2 cores a freshly started
# gateway under this load still compiles for about a minute, rising from 2,000 to 5,000 req/s meanwhile),
# THREADS (1), CONNECTIONS (32), and lib.sh's SUITE_PORT, KEEP_SUITE, PG_URL, API_KEY. A suite this script
# starts gets RATE_LIMITS=/api/catalog=1000000/s (on, never tripped); a running suite is measured as it was.
set -euo pipefail
export RATE_LIMITS=${RATE_LIMITS:-/api/catalog=1000000/s:1000000}
source "$(dirname "$0")/lib.sh"

WARMUP=${WARMUP:-60s}
RESULTS=$BENCH_TMP/gateway.txt
NGINX_PID=""
BARE_PID=""
CLK_TCK=$(getconf CLK_TCK)

trap 'bench_stop "$NGINX_PID"; bench_stop "$BARE_PID"; bench_cleanup' EXIT

bench_require wrk nginx
bench_connect
mapfile -t instances < <(bench_catalog_instances)
((${#instances[@]} > 0)) || bench_fail "the gateway knows no catalog-service instance"
read -r _ DIRECT_URL _ <<<"${instances[0]}"
GATEWAY_PID=$(awk '$1 == "gateway-1" { print $2 }' <<<"$BENCH_STATUS")
[[ "$GATEWAY_PID" =~ ^[0-9]+$ ]] || bench_fail "no pid of gateway-1 in ./suite status"

# --- nginx, on a free port, over the same instances, in a directory of its own
NGINX_PORT=$(bench_free_port)
mkdir -p "$BENCH_TMP/nginx/logs"
{
  echo "worker_processes 1; daemon off; pid $BENCH_TMP/nginx/nginx.pid; error_log $BENCH_TMP/nginx/logs/error.log;"
  echo "events { worker_connections 1024; }"
  echo "http {"
  echo "  access_log off;"
  echo "  upstream catalog {"
  for instance in "${instances[@]}"; do
    read -r _ url _ <<<"$instance"
    echo "    server ${url#http://};"
  done
  echo "    keepalive 64;"
  echo "  }"
  echo "  server {"
  echo "    listen 127.0.0.1:$NGINX_PORT;"
  echo "    location / { proxy_pass http://catalog; proxy_http_version 1.1; proxy_set_header Connection \"\"; }"
  echo "  }"
  echo "}"
} >"$BENCH_TMP/nginx/nginx.conf"
nginx -p "$BENCH_TMP/nginx" -c "$BENCH_TMP/nginx/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/health" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/health" || bench_fail "nginx did not start: $(cat "$BENCH_TMP/nginx/logs/error.log")"

# --- the bare Vert.x proxy, on a free port, over the same instances
origins=()
for instance in "${instances[@]}"; do
  read -r _ url _ <<<"$instance"
  origins+=("${url#http://}")
done
YARDSTICKS=$(bench_yardsticks)
ORIGINS=$(IFS=,; echo "${origins[*]}") HTTP_PORT=0 java -Xmx256m -cp "$YARDSTICKS" io.catalogsuite.bench.BareProxy \
  >"$BENCH_TMP/bare.log" 2>&1 &
BARE_PID=$!
BARE_URL=http://127.0.0.1:$(bench_await_port "$BARE_PID" "$BENCH_TMP/bare.log" "bare proxy")

# The CPU ticks (user + system) used so far by the processes $@ and their children (nginx's worker).
ticks() {
  local pid child total=0
  for pid in "$@"; do
    for child in "$pid" $(pgrep -P "$pid" || true); do
      total=$((total + $(awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null || echo 0)))
    done
  done
  echo "$total"
}

# wrk against $2$3 for $4; with a label $1, appends "label req/s p50_ms p99_ms non2xx errors cpu_s_per_10k" to
# $RESULTS, the CPU of the processes $5 (the proxy; "-" for none).
load() {
  local label=$1 url=$2 path=$3 duration=$4 pids=$5 summary before=0 after=0
  [[ "$pids" != - ]] && before=$(ticks $pids)
  summary=$(FIXED_PATH=$path wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency \
    -s "$BENCH_DIR/get-products.lua" "$url" | grep '^wrk-summary ')
  [[ "$pids" != - ]] && after=$(ticks $pids)
  [[ -z "$label" ]] && return
  python3 - "$label" "$summary" "$((after - before))" "$CLK_TCK" "$pids" >>"$RESULTS" <<'PY'
import sys
label, fields, ticks, hz, pids = sys.argv[1], dict(f.split("=") for f in sys.argv[2].split()[1:]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
requests, seconds = int(fields["requests"]), int(fields["duration_us"]) / 1e6
cpu = "-" if pids == "-" or requests == 0 else f"{ticks / hz / requests * 10000:.3f}"
print(label, round(requests / seconds), int(fields["p50_us"]) / 1000, int(fields["p99_us"]) / 1000,
      fields["non2xx"], fields["errors"], cpu)
PY
  tail -1 "$RESULTS" | awk '{ printf "  %-8s %8d req/s  p50 %7.2f ms  p99 %7.2f ms  non-2xx %s  errors %s  CPU %s s per 10,000\n", $1, $2, $3, $4, $5, $6, $7 }'
}

echo
echo "direct $DIRECT_URL/health; nginx http://127.0.0.1:$NGINX_PORT/health (pid $NGINX_PID), the bare proxy" \
  "$BARE_URL/health (pid $BARE_PID) and the gateway" \
  "$GATEWAY/api/catalog/health (pid $GATEWAY_PID) over ${#instances[@]} instances; wrk -t$THREADS -c$CONNECTIONS," \
  "$ROUNDS rounds of $DURATION"
echo "Warming up ($WARMUP each) ..."
load "" "$DIRECT_URL" /health "$WARMUP" -
load "" "http://127.0.0.1:$NGINX_PORT" /health "$WARMUP" -
load "" "$BARE_URL" /health "$WARMUP" -
load "" "$GATEWAY" /api/catalog/health "$WARMUP" -
for round in $(seq 1 "$ROUNDS"); do
  echo "Round $round of $ROUNDS"
  load direct "$DIRECT_URL" /health "$DURATION" -
  load nginx "http://127.0.0.1:$NGINX_PORT" /health "$DURATION" "$NGINX_PID"
  load bare "$BARE_URL" /health "$DURATION" "$BARE_PID"
  load gateway "$GATEWAY" /api/catalog/health "$DURATION" "$GATEWAY_PID"
done

echo
echo "GET /health: medians of $ROUNDS interleaved rounds, $(date -u +%Y-%m-%d), $(nproc) cores"
python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def median(label, column, cast=float):
    values = [cast(r[column]) for r in rows if r[0] == label and r[column] != "-"]
    return statistics.median(values) if values else float("nan")
stats = {label: {"rps": median(label, 1), "p50": median(label, 2), "p99": median(label, 3), "cpu": median(label, 6)}
         for label in ("direct", "nginx", "bare", "gateway")}
nginx, bare, gateway = stats["nginx"], stats["bare"], stats["gateway"]
print("| target | req/s | p50 | p99 | CPU s per 10,000 requests (the proxy) |")
print("|---|---|---|---|---|")
for label, name in (("direct", "one catalog instance, direct"), ("nginx", "nginx, round-robin"),
                    ("bare", "the bare Vert.x proxy, round-robin, nothing on"),
                    ("gateway", "the gateway, round-robin, everything on")):
    s = stats[label]
    cpu = "-" if s["cpu"] != s["cpu"] else f'{s["cpu"]:.3f}'
    print(f'| {name} | {s["rps"]:,.0f} | {s["p50"]:.2f} ms | {s["p99"]:.2f} ms | {cpu} |')
met = lambda ok: "met" if ok else "NOT met"
print()
print(f'gateway / nginx: {gateway["rps"] / nginx["rps"]:.2f}x req/s (goal >= 1.0x: {met(gateway["rps"] >= nginx["rps"])}), '
      f'p99 {gateway["p99"] / nginx["p99"]:.2f}x (goal <= 1.0x: {met(gateway["p99"] <= nginx["p99"])}), '
      f'CPU per request {gateway["cpu"] / nginx["cpu"]:.2f}x')
print(f'bare / nginx: {bare["rps"] / nginx["rps"]:.2f}x req/s, p99 {bare["p99"] / nginx["p99"]:.2f}x, '
      f'CPU per request {bare["cpu"] / nginx["cpu"]:.2f}x (the HTTP stack\'s floor)')
print(f'gateway / bare: {gateway["rps"] / bare["rps"]:.2f}x req/s, p99 {gateway["p99"] / bare["p99"]:.2f}x, '
      f'CPU per request {gateway["cpu"] / bare["cpu"]:.2f}x (what the features cost)')
PY
