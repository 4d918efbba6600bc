# Shared by cache.sh, gateway.sh and import-compare.sh (sourced, not run): the suite to measure, started here
# when none runs, its database, its API key (never printed), and the medians and ratios of interleaved rounds.
# Needs curl, psql and python3 (apt-get update && apt-get install -y wrk postgresql-client).

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
BENCH_STARTED_SUITE=""
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/catalog-bench.XXXXXX")
# A tag for this run's rows (skus), so that every run and every side inserts new rows.
BENCH_RUN=${BENCH_RUN:-$(date +%s)-$$}

# The wrk settings of the interleaved comparisons (cache.sh, gateway.sh): rounds, their length, wrk's threads
# and connections.
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-32}

bench_fail() {
  echo "bench: $*" >&2
  exit 1
}

bench_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null \
      || bench_fail "$tool is not installed (apt-get update && apt-get install -y wrk postgresql-client curl python3)"
  done
}

bench_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# curl with the API key in a header read from a file descriptor: never on a command line, never printed.
bench_curl_key() {
  curl -K <(printf 'header = "X-API-Key: %s"\n' "$API_KEY") "$@"
}

# Uses the running suite, or starts one (RATE_LIMITS=/api/catalog=off, on SUITE_PORT or a free port; the
# environment, NEAR_CACHE_* and PG_URL included, goes to every process it starts) and stops it on exit.
# Sets GATEWAY, DB_URL and API_KEY.
bench_connect() {
  bench_require curl psql python3 java
  local status
  if ! status=$(cd "$ROOT" && ./suite status 2>/dev/null); then
    local port=${SUITE_PORT:-$(bench_free_port)}
    echo "Starting the suite (./suite up -d --port $port; logs in .suite/logs) ..."
    (cd "$ROOT" && RATE_LIMITS="${RATE_LIMITS:-/api/catalog=off}" ./suite up -d --port "$port") \
      | grep -v '^ *API key' || bench_fail "the suite did not start; see .suite/logs/launcher.log"
    BENCH_STARTED_SUITE=yes
    status=$(cd "$ROOT" && ./suite status) || bench_fail "the suite is not running after ./suite up"
  fi
  BENCH_STATUS=$status
  GATEWAY=$(awk '$1 == "Gateway" { print $2 }' <<<"$status")
  if [[ -n "${PG_URL:-}" ]]; then
    DB_URL=$PG_URL
  else
    DB_URL=$(sed -nE 's/^ *Database +embedded Postgres at (postgresql:[^ ,]+).*/\1/p' <<<"$status")
    [[ -n "$DB_URL" ]] || bench_fail "the suite runs on an external database: set PG_URL to it"
  fi
  API_KEY=${API_KEY:-$(cat "$ROOT/.suite/dev-api-key" 2>/dev/null || true)}
  [[ -n "$API_KEY" ]] || bench_fail "set API_KEY to a key with the write and admin roles"
  curl -fsS "$GATEWAY/ready" >/dev/null || bench_fail "the suite is not ready at $GATEWAY"
  psql "$DB_URL" -qtAc 'SELECT 1' >/dev/null || bench_fail "psql cannot reach the suite's database"
}

# Stops what bench_connect started, and removes the temporary files.
bench_cleanup() {
  if [[ -n "$BENCH_STARTED_SUITE" && -z "${KEEP_SUITE:-}" ]]; then
    (cd "$ROOT" && ./suite down >/dev/null) || echo "bench: ./suite down failed; run it yourself" >&2
  fi
  rm -rf "$BENCH_TMP"
}

# The catalog-service instances as "instanceId http://host:port pid", in instanceId order.
bench_catalog_instances() {
  bench_curl_key -fsS "$GATEWAY/admin/services" | python3 -c '
import json, sys
pids = {}
for line in sys.argv[1].splitlines():
    fields = line.split()
    if len(fields) == 4 and fields[1].isdigit():
        pids[fields[0]] = fields[1]
instances = json.load(sys.stdin)["services"]["catalog-service"]["instances"]
for i in sorted(instances, key=lambda i: i["instanceId"]):
    print(i["instanceId"], "http://%s:%d" % (i["host"], i["port"]), pids.get(i["instanceId"], "-"))
' "$BENCH_STATUS"
}

# Stops the background process $1 (one this script started), if it still runs.
# The yardsticks' jar (infra/bench/baseline: BaselineServer, BareProxy), built when missing or older than its sources.
bench_yardsticks() {
  local jar=$ROOT/infra/bench/baseline/target/bench-baseline.jar
  if [[ ! -f "$jar" || -n "$(find "$ROOT/infra/bench/baseline" -path '*/src/main/*' -newer "$jar")" ]]; then
    echo "Building the yardsticks (infra/bench/baseline) ..." >&2
    (cd "$ROOT" && ./mvnw -q -B -DskipTests -pl infra/bench/baseline -am package) >&2
  fi
  echo "$jar"
}

# Waits up to 30 s for process $1 to print "<$3> listening on port <port>" in log $2; prints the port.
bench_await_port() {
  local pid=$1 log=$2 name=$3 port
  for _ in $(seq 1 300); do
    port=$(sed -nE "s/^$name listening on port ([0-9]+).*\$/\1/p" "$log")
    [[ -n "$port" ]] && { echo "$port"; return; }
    kill -0 "$pid" 2>/dev/null || bench_fail "the $name did not start: $(cat "$log")"
    sleep 0.1
  done
  bench_fail "the $name did not start within 30 s"
}

bench_stop() {
  if [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; then
    kill "$1"
    wait "$1" 2>/dev/null || true
  fi
}

# Polls GET /imports/$1 through the gateway every $2 seconds until the job has completed or was aborted; prints
# its last status (JSON).
bench_await_import() {
  local status state
  while true; do
    status=$(curl -fsS "$GATEWAY/api/catalog/imports/$1")
    state=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])' <<<"$status")
    [[ "$state" == completed || "$state" == aborted ]] && break
    sleep "$2"
  done
  echo "$status"
}

# Whether the outbox relay has published every event: two index lookups (a count with "position IS NULL OR
# position > ..." scans the whole table, a second per million events, on the cores being measured).
bench_relayed() {
  [[ "$(psql "$DB_URL" -qtAc "SELECT NOT EXISTS (SELECT 1 FROM product_events WHERE position IS NULL)
    AND coalesce((SELECT max(position) FROM product_events), 0) <= (SELECT published FROM outbox_relay)")" == t ]]
}

# Median of the numbers on stdin (one per line).
bench_median() {
  python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.stdin.read().split()))'
}
