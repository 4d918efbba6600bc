#!/usr/bin/env bash
# Read throughput of the catalog, directly against one catalog-service instance and through the gateway.
#
#   RATE_LIMITS=/api/catalog=off ./suite up -d     # one wrk client would otherwise meet the per-client limit
#   infra/bench/run.sh                             # defaults: 1000 products, 15 s, 2 threads, 64 connections
#   DURATION=30s CONNECTIONS=128 infra/bench/run.sh
#
# Needs wrk (apt-get install wrk) and curl. Seeds products through the gateway (with the API key in API_KEY,
# else ./suite's development key), warms the cache, then measures GET /products/{id} over those ids. Results
# depend on the machine: compare runs on the same one.
set -euo pipefail
GATEWAY=${GATEWAY:-http://127.0.0.1:8080}
PRODUCTS=${PRODUCTS:-1000}
DURATION=${DURATION:-15s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
here=$(cd "$(dirname "$0")" && pwd)

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
curl -fsS "$GATEWAY/ready" >/dev/null || { echo "the suite is not ready at $GATEWAY (./suite up -d)" >&2; exit 1; }
API_KEY=${API_KEY:-$(cat "$here/../../.suite/dev-api-key" 2>/dev/null || true)}
[[ -n "$API_KEY" ]] || { echo "set API_KEY to a key with the write and admin roles" >&2; exit 1; }
if curl -fsS -D - -o /dev/null "$GATEWAY/api/catalog/products?limit=1" | grep -qi '^RateLimit-Limit'; then
  echo "the gateway rate-limits /api/catalog: start the suite with RATE_LIMITS=/api/catalog=off" >&2
  exit 1
fi

echo "Seeding $PRODUCTS products through $GATEWAY ..."
run=$(date +%s)
first=""
for i in $(seq 1 "$PRODUCTS"); do
  id=$(curl -fsS -X POST "$GATEWAY/api/catalog/products" -H 'Content-Type: application/json' -H "X-API-Key: $API_KEY" \
    -d "{\"sku\":\"BENCH-$run-$i\",\"name\":\"Bench product $i\",\"category\":\"bench\",\"priceCents\":$i,\"currency\":\"EUR\",\"stock\":100}" \
    | sed -E 's/.*"id":([0-9]+).*/\1/')
  first=${first:-$id}
done
last=$id
export FIRST_ID=$first LAST_ID=$last

# One catalog instance, as the gateway sees it.
instance=$(curl -fsS -H "X-API-Key: $API_KEY" "$GATEWAY/admin/services" | python3 -c '
import json, sys
i = json.load(sys.stdin)["services"]["catalog-service"]["instances"][0]
print("http://%s:%d" % (i["host"], i["port"]))')

echo "Warming the cache ..."
PATH_PREFIX="/api/catalog" wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$here/get-products.lua" "$GATEWAY" >/dev/null

echo
echo "== Direct: GET /products/{id} on one catalog-service instance ($instance)"
PATH_PREFIX="" GATEWAY_SIGNATURE=$("$here/gateway-signature.py") wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$here/get-products.lua" "$instance"
echo
echo "== Through the gateway: GET /api/catalog/products/{id}, round-robin over every catalog-service instance"
PATH_PREFIX="/api/catalog" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$here/get-products.lua" "$GATEWAY"
