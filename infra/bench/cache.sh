#!/usr/bin/env bash
# Issue 8's benchmark ("Reads at memory speed"), every comparison in one interleaved run on one machine:
#   reads:   GET /products/{id} on a minimal baseline server (Vert.x + the pipelined PG client, no cache, no
#            framework: infra/bench/baseline) vs one catalog-service instance, on cached hot ids and on cold ids;
#   imports: POST /imports through the gateway vs psql \copy of the same rows, and the outbox relay's events/s
#            and lag (import-compare.sh, run at the end; IMPORT_ROWS=0 skips it).
# It prints medians of interleaved rounds and their ratios: on a shared 2-core machine only ratios mean much.
#
#   apt-get update && apt-get install -y wrk postgresql-client
#   infra/bench/cache.sh                                   # starts the suite if none runs, and stops it after
#   NEAR_CACHE_MAX_ENTRIES=0 infra/bench/cache.sh          # catalog settings reach the suite this starts
#   ROUNDS=5 DURATION=10s PROFILE=/tmp/catalog.jfr infra/bench/cache.sh
#
# Settings (environment): ROUNDS (3), DURATION (5s), WARMUP (15s), THREADS (1), CONNECTIONS (32), HOT (1000
# products made through the API), COLD (200000 rows inserted with psql, kept for later runs), PROFILE (a .jfr
# path: profile the measured catalog instance under cached reads for PROFILE_SECONDS, 30, and print its top
# frames), SUITE_PORT (the gateway port of a suite this starts; default a free one), KEEP_SUITE (leave that
# suite running), PG_URL (the suite's database, when it is not the embedded one), API_KEY (else the dev key).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

WARMUP=${WARMUP:-15s}
HOT=${HOT:-1000}
COLD=${COLD:-200000}
PROFILE=${PROFILE:-}
PROFILE_SECONDS=${PROFILE_SECONDS:-30}
RESULTS=$BENCH_TMP/reads.txt
BASELINE_PID=""

trap 'bench_stop "$BASELINE_PID"; bench_cleanup' EXIT

bench_require wrk
bench_connect
instances=$(bench_catalog_instances)
read -r CATALOG_NAME CATALOG_URL CATALOG_PID <<<"$instances" # the first one
[[ -n "${CATALOG_URL:-}" ]] || bench_fail "the gateway knows no catalog-service instance"

# --- the baseline server, on a free port, against the suite's database
BASELINE_JAR=$(bench_yardsticks)
PG_URL=$DB_URL HTTP_PORT=0 java -Xmx256m -jar "$BASELINE_JAR" >"$BENCH_TMP/baseline.log" 2>&1 &
BASELINE_PID=$!
BASELINE_PORT=$(bench_await_port "$BASELINE_PID" "$BENCH_TMP/baseline.log" baseline)
BASELINE_URL=http://127.0.0.1:$BASELINE_PORT

# --- products: HOT through the API (with their events and versions), COLD straight into the table
# The id range of the products whose skus start with $1, checked to be contiguous.
id_range() {
  local range
  range=$(psql "$DB_URL" -qtAF ' ' -c "SELECT min(id), max(id), count(*) FROM products WHERE sku LIKE '$1%'")
  read -r FIRST LAST COUNT <<<"$range"
  [[ "$COUNT" -gt 0 && $((LAST - FIRST + 1)) -eq "$COUNT" ]] \
    || bench_fail "the products $1* have no contiguous ids ($range)"
}

echo "Seeding $HOT products through the gateway ..."
( umask 077  # the file names the API key
  API_KEY=$API_KEY python3 - "$BENCH_TMP/seed.curl" "$GATEWAY" "HOT-$BENCH_RUN-" "$HOT" <<'PY'
import json, os, sys
path, gateway, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
key = os.environ["API_KEY"]
with open(path, "w") as out:
    for i in range(1, count + 1):
        body = json.dumps({"sku": f"{prefix}{i}", "name": f"Bench product {i}",
                           "description": f"A product of the read benchmark, number {i}.",
                           "category": f"bench-{i % 20}", "priceCents": 100 + i, "currency": "EUR",
                           "stock": 100, "attributes": {"n": i}}, separators=(",", ":"))
        if i > 1:
            out.write("next\n")
        out.write(f'url = "{gateway}/api/catalog/products"\nheader = "X-API-Key: {key}"\n'
                  'header = "Content-Type: application/json"\n'
                  f'data = {json.dumps(body)}\noutput = "/dev/null"\nwrite-out = "%{{http_code}}\\n"\n')
PY
)
created=$(curl --no-progress-meter --parallel --parallel-max 8 -K "$BENCH_TMP/seed.curl" | grep -c '^201$' || true)
rm -f "$BENCH_TMP/seed.curl"
[[ "$created" -eq "$HOT" ]] || bench_fail "only $created of $HOT products were created"
id_range "HOT-$BENCH_RUN-"
HOT_FIRST=$FIRST HOT_LAST=$LAST

cold_prefix="COLD$COLD-"
if [[ "$(psql "$DB_URL" -qtAc "SELECT count(*) FROM products WHERE sku LIKE '$cold_prefix%'")" -ne "$COLD" ]]; then
  echo "Inserting $COLD cold products with psql (kept for later runs) ..."
  psql "$DB_URL" -q -v ON_ERROR_STOP=1 <<SQL
DELETE FROM products WHERE sku LIKE '$cold_prefix%';
INSERT INTO products (sku, name, description, category, price_cents, currency, stock, attributes)
SELECT '$cold_prefix' || g, 'Cold product ' || g, 'A product of the read benchmark, number ' || g || '.',
       'bench-' || (g % 20), 100 + g, 'EUR', 100, jsonb_build_object('n', g)
  FROM generate_series(1, $COLD) g;
ANALYZE products;
SQL
fi
id_range "$cold_prefix"
COLD_FIRST=$FIRST COLD_LAST=$LAST

# Waits until the outbox relay has published every event, so that no relay work overlaps a round.
await_relay() {
  for _ in $(seq 1 1200); do
    bench_relayed && return
    sleep 0.25
  done
  bench_fail "the relay has not published every event after 5 minutes"
}
await_relay

# --- rounds
# The catalog instance's reads that reached Postgres so far (its database loads after a miss, and its reads while
# the shared cache was unusable), and its near-cache hits, from its /metrics.
lookups() {
  curl -fsS "$CATALOG_URL/metrics" | awk '
    /^cache_loads_seconds_count[{]/ || /^cache_lookups_total[{].*result="bypassed"/ { postgres += $NF }
    /^cache_lookups_total[{].*cache="products-near".*result="hit"/ { near += $NF }
    END { printf "%d %d\n", postgres, near }'
}

# wrk against $2 over ids $3..$4 for $5. With a label $1, appends to $RESULTS "label req/s p50_ms p99_ms non2xx
# errors hits near" (hits: the share of the requests meanwhile that no database read answered, in %; near: the
# share answered by the near cache; - for the baseline).
load() {
  local label=$1 url=$2 first=$3 last=$4 duration=$5 summary before="- -" after="- -"
  if [[ "$url" == "$CATALOG_URL" ]]; then before=$(lookups); fi
  summary=$(FIRST_ID=$first LAST_ID=$last PATH_PREFIX="" GATEWAY_SIGNATURE=$("$BENCH_DIR/gateway-signature.py") \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency -s "$BENCH_DIR/get-products.lua" "$url" \
    | grep '^wrk-summary ')
  if [[ "$url" == "$CATALOG_URL" ]]; then after=$(lookups); fi
  [[ -z "$label" ]] && return
  python3 - "$label" "$summary" "$before" "$after" >>"$RESULTS" <<'PY'
import sys
label, fields = sys.argv[1], dict(f.split("=") for f in sys.argv[2].split()[1:])
(postgres0, near0), (postgres1, near1) = sys.argv[3].split(), sys.argv[4].split()
requests = int(fields["requests"])
if postgres0 == "-" or requests == 0:
    hits = near = "-"
else:
    hits = f"{100 * max(0, 1 - (int(postgres1) - int(postgres0)) / requests):.1f}"
    near = f"{100 * (int(near1) - int(near0)) / requests:.1f}"
seconds = int(fields["duration_us"]) / 1e6
print(label, round(requests / seconds), int(fields["p50_us"]) / 1000, int(fields["p99_us"]) / 1000,
      fields["non2xx"], fields["errors"], hits, near)
PY
  tail -1 "$RESULTS" | awk '{ printf "  %-16s %8d req/s  p50 %7.2f ms  p99 %7.2f ms  from a cache %5s %% (near %5s %%)  non-2xx %s  errors %s\n", $1, $2, $3, $4, $7, $8, $5, $6 }'
}

# Reads every hot id once on the catalog instance, so that a cold round before does not leave them evicted.
rewarm() {
  local found
  found=$(curl -sS -o /dev/null -w '%{http_code}\n' -H "X-Gateway-Signature: $("$BENCH_DIR/gateway-signature.py")" \
    "$CATALOG_URL/products/[$HOT_FIRST-$HOT_LAST]" | grep -c '^200$' || true)
  [[ "$found" -eq "$HOT" ]] || bench_fail "only $found of the $HOT hot products were found on $CATALOG_NAME"
}

echo
echo "Baseline $BASELINE_URL; catalog $CATALOG_NAME $CATALOG_URL (pid $CATALOG_PID)"
echo "Hot ids $HOT_FIRST-$HOT_LAST, cold ids $COLD_FIRST-$COLD_LAST; wrk -t$THREADS -c$CONNECTIONS, $ROUNDS rounds of $DURATION"
echo "Catalog settings: NEAR_CACHE_MAX_ENTRIES=${NEAR_CACHE_MAX_ENTRIES-(unset)} NEAR_CACHE_MAX_BYTES=${NEAR_CACHE_MAX_BYTES-(unset)}$([[ -z "$BENCH_STARTED_SUITE" ]] && echo ' (as the running suite was started, not as set here)')"
echo "Warming up ($WARMUP each) ..."
load "" "$BASELINE_URL" "$HOT_FIRST" "$HOT_LAST" "$WARMUP"
rewarm
load "" "$CATALOG_URL" "$HOT_FIRST" "$HOT_LAST" "$WARMUP"
load "" "$CATALOG_URL" "$COLD_FIRST" "$COLD_LAST" "$WARMUP"
for round in $(seq 1 "$ROUNDS"); do
  echo "Round $round of $ROUNDS"
  load baseline "$BASELINE_URL" "$HOT_FIRST" "$HOT_LAST" "$DURATION"
  rewarm
  load catalog-cached "$CATALOG_URL" "$HOT_FIRST" "$HOT_LAST" "$DURATION"
  load catalog-cold "$CATALOG_URL" "$COLD_FIRST" "$COLD_LAST" "$DURATION"
done

echo
echo "GET /products/{id}: medians of $ROUNDS interleaved rounds, $(date -u +%Y-%m-%d), $(nproc) cores"
python3 - "$RESULTS" "$HOT" "$COLD" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
hot, cold = int(sys.argv[2]), int(sys.argv[3])
def median(target, column):
    return statistics.median(float(r[column]) for r in rows if r[0] == target)
def bad(target):
    return sum(int(r[4]) + int(r[5]) for r in rows if r[0] == target)
base_rps, base_p99 = median("baseline", 1), median("baseline", 3)
names = {"baseline": f"baseline (Postgres, no cache), {hot:,} hot ids",
         "catalog-cached": f"one catalog instance, cached, {hot:,} hot ids",
         "catalog-cold": f"one catalog instance, {cold:,} cold ids"}
def hits(target, column):
    values = [float(r[column]) for r in rows if r[0] == target and r[column] != "-"]
    return f"{statistics.median(values):.1f} %" if values else "-"
print("| target | req/s | p50 | p99 | from a cache (near) | req/s vs baseline | p99 vs baseline | goal |")
print("|---|---|---|---|---|---|---|---|")
for target in ("baseline", "catalog-cached", "catalog-cold"):
    rps, p50, p99 = median(target, 1), median(target, 2), median(target, 3)
    if target == "baseline":
        goal = "(yardstick)"
    elif target == "catalog-cached":
        met = rps >= 1.5 * base_rps and p99 <= base_p99
        goal = ">= 1.5x req/s, p99 <= 1.0x: " + ("met" if met else "NOT met")
    else:
        goal = ">= 0.8x req/s: " + ("met" if rps >= 0.8 * base_rps else "NOT met")
    note = f" ({bad(target)} non-2xx or errors)" if bad(target) else ""
    print(f"| {names[target]}{note} | {rps:,.0f} | {p50:.2f} ms | {p99:.2f} ms | {hits(target, 6)} ({hits(target, 7)}) | {rps / base_rps:.2f}x "
          f"| {p99 / base_p99:.2f}x | {goal} |")
PY

# --- optional profile of the catalog instance under cached reads
if [[ -n "$PROFILE" ]]; then
  echo
  echo "Profiling $CATALOG_NAME (pid $CATALOG_PID) under cached reads for ${PROFILE_SECONDS}s into $PROFILE ..."
  rewarm
  jcmd "$CATALOG_PID" JFR.start name=bench settings=profile "duration=$((PROFILE_SECONDS + 30))s" >/dev/null
  load "" "$CATALOG_URL" "$HOT_FIRST" "$HOT_LAST" "${PROFILE_SECONDS}s"
  jcmd "$CATALOG_PID" JFR.stop name=bench "filename=$PROFILE" >/dev/null
  jfr print --events jdk.ExecutionSample --stack-depth 64 "$PROFILE" | python3 "$BENCH_DIR/jfr-top.py"
fi

if [[ "${IMPORT_ROWS:-100000}" -gt 0 ]]; then
  echo
  "$BENCH_DIR/import-compare.sh"
fi
