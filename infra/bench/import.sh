#!/usr/bin/env bash
# Import throughput: a generated NDJSON file of SIZE_MB megabytes posted through the gateway (which streams it
# to one catalog-service instance), then GET /imports/{id} until the import has completed, then the catalog
# instances' /metrics until the outbox relay has published an event for every row.
#
#   ./suite up -d
#   infra/bench/import.sh                          # 100 MB (about 430,000 products)
#   SIZE_MB=20 infra/bench/import.sh
#
# Needs curl and python3. Every instance writes batches of the import (the event bus spreads them). The API key
# (write and admin roles) is API_KEY, else ./suite's development key; the catalog instances are found through
# the gateway's /admin/services. Results depend on the machine: compare runs on the same one.
set -euo pipefail
GATEWAY=${GATEWAY:-http://127.0.0.1:8080}
SIZE_MB=${SIZE_MB:-100}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

curl -fsS "$GATEWAY/ready" >/dev/null || { echo "the suite is not ready at $GATEWAY (./suite up -d)" >&2; exit 1; }
API_KEY=${API_KEY:-$(cat "$here/../../.suite/dev-api-key" 2>/dev/null || true)}
[[ -n "$API_KEY" ]] || { echo "set API_KEY to a key with the admin role" >&2; exit 1; }
instances=$(curl -fsS -H "X-API-Key: $API_KEY" "$GATEWAY/admin/services" | python3 -c '
import json, sys
for i in json.load(sys.stdin)["services"]["catalog-service"]["instances"]:
    print("http://%s:%d" % (i["host"], i["port"]))')
# Events the relays have published so far, summed over the catalog instances.
published() {
  for instance in $instances; do curl -fsS "$instance/metrics"; done \
    | awk '/^outbox_events_published_total/ { sum += $NF } END { printf "%d\n", sum }'
}

file=$(mktemp --suffix .ndjson)
trap 'rm -f "$file"; bench_cleanup' EXIT
echo "Generating $SIZE_MB MB of NDJSON ..."
python3 - "$file" "$SIZE_MB" <<'PY'
import json, sys, time
path, size = sys.argv[1], int(sys.argv[2]) * 1000 * 1000
run, i, written = int(time.time()), 0, 0
with open(path, "w") as out:
    while written < size:
        i += 1
        line = json.dumps({"sku": f"IMP-{run}-{i}", "name": f"Imported product {i}",
                           "description": f"Generated for the import benchmark, line {i}.",
                           "category": f"bench-{i % 40}", "priceCents": i % 100000, "currency": "EUR",
                           "stock": i % 500, "attributes": {"n": i}}, separators=(",", ":")) + "\n"
        out.write(line)
        written += len(line)
PY
lines=$(wc -l < "$file")

events_before=$(published)
echo "Importing $lines lines through $GATEWAY ..."
start=$(date +%s.%N)
id=$(curl -fsS -X POST "$GATEWAY/api/catalog/imports" -H "X-API-Key: $API_KEY" \
       -H 'Content-Type: application/x-ndjson' -T "$file" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
received=$(date +%s.%N)
status=$(bench_await_import "$id" 0.5)
end=$(date +%s.%N)
rows=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["rowsDone"])' <<<"$status")
while (( $(published) - events_before < rows )); do sleep 0.5; done
relayed=$(date +%s.%N)
python3 - "$status" "$start" "$received" "$end" "$relayed" "$lines" <<'PY'
import json, sys
status, start, received, end, relayed, lines = json.loads(sys.argv[1]), *map(float, sys.argv[2:6]), int(sys.argv[6])
print(json.dumps({k: status[k] for k in ("state", "linesReceived", "batches", "rowsDone", "rowsFailed", "rowsPerSecond")}))
print(f"upload stored (202) after {received - start:.1f} s; completed after {end - start:.1f} s: "
      f"{lines / (end - start):,.0f} rows/s end to end; every event relayed after {relayed - start:.1f} s")
PY
