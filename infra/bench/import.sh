#!/usr/bin/env bash
# Import throughput: a generated NDJSON file of SIZE_MB megabytes posted to one catalog-service instance, then
# GET /imports/{id} until the import has completed.
#
#   ./suite up -d
#   infra/bench/import.sh                          # 100 MB (about 430,000 products)
#   SIZE_MB=20 infra/bench/import.sh
#
# Needs curl and python3. The file goes straight to an instance: today's gateway reads a body whole, up to
# GATEWAY_MAX_BODY_BYTES (10 MiB). Every instance writes batches of the import (the event bus spreads them).
# Finds the instance through the gateway's /admin/services, with the API key in API_KEY (else ./suite's
# development key). Results depend on the machine: compare runs on the same one.
set -euo pipefail
GATEWAY=${GATEWAY:-http://127.0.0.1:8080}
SIZE_MB=${SIZE_MB:-100}
here=$(cd "$(dirname "$0")" && pwd)

curl -fsS "$GATEWAY/ready" >/dev/null || { echo "the suite is not ready at $GATEWAY (./suite up -d)" >&2; exit 1; }
API_KEY=${API_KEY:-$(cat "$here/../../.suite/dev-api-key" 2>/dev/null || true)}
[[ -n "$API_KEY" ]] || { echo "set API_KEY to a key with the admin role" >&2; exit 1; }
instance=$(curl -fsS -H "X-API-Key: $API_KEY" "$GATEWAY/admin/services" | python3 -c '
import json, sys
i = json.load(sys.stdin)["services"]["catalog-service"]["instances"][0]
print("http://%s:%d" % (i["host"], i["port"]))')

file=$(mktemp --suffix .ndjson)
trap 'rm -f "$file"' EXIT
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

echo "Importing $lines lines into $instance ..."
start=$(date +%s.%N)
id=$(curl -fsS -X POST "$instance/imports" -H 'Content-Type: application/x-ndjson' -T "$file" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
received=$(date +%s.%N)
while true; do
  status=$(curl -fsS "$instance/imports/$id")
  state=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])' <<<"$status")
  [[ "$state" == completed || "$state" == aborted ]] && break
  sleep 0.5
done
end=$(date +%s.%N)
python3 - "$status" "$start" "$received" "$end" "$lines" <<'PY'
import json, sys
status, start, received, end, lines = json.loads(sys.argv[1]), *map(float, sys.argv[2:5]), int(sys.argv[5])
print(json.dumps({k: status[k] for k in ("state", "linesReceived", "batches", "rowsDone", "rowsFailed", "rowsPerSecond")}))
print(f"upload stored (202) after {received - start:.1f} s; completed after {end - start:.1f} s: "
      f"{lines / (end - start):,.0f} rows/s end to end")
PY
