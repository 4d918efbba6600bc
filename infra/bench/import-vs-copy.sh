#!/usr/bin/env bash
# Bulk import against psql's \copy: the same ROWS products, as NDJSON for POST /imports and as CSV for
#   psql -c "\copy products(sku, name, ...) FROM 'file.csv' CSV"
# into the same products table, interleaved (import, copy, import, copy, ...) ROUNDS times. Every round and
# every side gets skus of its own, so both always insert new rows. Prints rows/s of each run and the ratio
# import / copy of each round, then the median ratio.
#
#   ./suite up -d --port 9090
#   GATEWAY=http://127.0.0.1:9090 infra/bench/import-vs-copy.sh            # 100,000 rows, 3 rounds
#   ROWS=20000 ROUNDS=4 GATEWAY=http://127.0.0.1:9090 infra/bench/import-vs-copy.sh
#
# The upload goes to one catalog-service instance directly (TARGET=catalog, the default) or through the gateway
# (TARGET=gateway, which streams NDJSON). The import is timed from the first byte sent until GET /imports/{id}
# says completed: every row and its outbox event committed. \copy is timed from psql's start to its end (one
# transaction, no outbox event). Postgres is PG_URL if set, else the embedded one ./suite started (found in
# .suite/state). Needs curl, python3 and psql. Results depend on the machine: compare ratios, not runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
GATEWAY=${GATEWAY:-$(awk '$1 == "gateway" { print $2 }' "$root/.suite/state" 2>/dev/null || echo http://127.0.0.1:8080)}
ROWS=${ROWS:-100000}
ROUNDS=${ROUNDS:-3}
TARGET=${TARGET:-catalog}

curl -fsS "$GATEWAY/ready" >/dev/null || { echo "the suite is not ready at $GATEWAY (./suite up -d)" >&2; exit 1; }
API_KEY=${API_KEY:-$(cat "$root/.suite/dev-api-key" 2>/dev/null || true)}
[[ -n "$API_KEY" ]] || { echo "set API_KEY to a key with the admin and write roles" >&2; exit 1; }
if [[ -z "${PG_URL:-}" ]]; then
  pg_port=$(awk '$1 == "process" && $2 == "postgres" { print $5 }' "$root/.suite/state")
  PG_URL="postgresql://postgres@127.0.0.1:$pg_port/catalog"
fi
if [[ "$TARGET" == gateway ]]; then
  imports="$GATEWAY/api/catalog/imports"
else
  instance=$(curl -fsS -H "X-API-Key: $API_KEY" "$GATEWAY/admin/services" | python3 -c '
import json, sys
i = json.load(sys.stdin)["services"]["catalog-service"]["instances"][0]
print("http://%s:%d" % (i["host"], i["port"]))')
  imports="$instance/imports"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The same rows as NDJSON (for the import) and CSV (for \copy); only the sku prefix differs.
generate() { # prefix ndjson csv
  python3 - "$1" "$2" "$3" "$ROWS" <<'PY'
import csv, json, sys
prefix, ndjson, csv_path, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(ndjson, "w") as nd, open(csv_path, "w", newline="") as c:
    out = csv.writer(c)
    for i in range(1, rows + 1):
        p = {"sku": f"{prefix}-{i}", "name": f"Imported product {i}",
             "description": f"Generated for the import benchmark, line {i}.",
             "category": f"bench-{i % 40}", "priceCents": i % 100000, "currency": "EUR",
             "stock": i % 500, "attributes": {"n": i}}
        nd.write(json.dumps(p, separators=(",", ":")) + "\n")
        out.writerow([p["sku"], p["name"], p["description"], p["category"], p["priceCents"], p["currency"],
                      p["stock"], json.dumps(p["attributes"], separators=(",", ":"))])
PY
}

now() { date +%s.%N; }

# A field of a flat JSON answer, without starting an interpreter inside a timed section.
field() { # name json
  sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$2"
}

run_import() { # ndjson -> seconds
  local start end answer id status
  start=$(now)
  answer=$(curl -fsS -X POST "$imports" -H "X-API-Key: $API_KEY" -H 'Content-Type: application/x-ndjson' -T "$1")
  id=$(field id "$answer")
  while true; do
    status=$(curl -fsS "$imports/$id")
    case $(field state "$status") in completed | aborted) break ;; esac
    sleep 0.1
  done
  end=$(now)
  [[ "$(field state "$status") $(field rowsDone "$status") $(field rowsFailed "$status")" == "completed $ROWS 0" ]] \
    || { echo "import $id ended as: $status" >&2; exit 1; }
  python3 -c "print(f'{$end - $start:.3f}')"
}

run_copy() { # csv -> seconds
  local start end
  start=$(now)
  psql -X -q -v ON_ERROR_STOP=1 "$PG_URL" \
    -c "\\copy products(sku, name, description, category, price_cents, currency, stock, attributes) FROM '$1' CSV"
  end=$(now)
  python3 -c "print(f'{$end - $start:.3f}')"
}

run=$(date +%s)
echo "$ROWS rows per run, $ROUNDS rounds, import to $imports, \\copy into products"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  generate "IMP-$run-$round" "$work/import.ndjson" "$work/import.csv"
  generate "CPY-$run-$round" "$work/copy.ndjson" "$work/copy.csv"
  import_s=$(run_import "$work/import.ndjson")
  copy_s=$(run_copy "$work/copy.csv")
  line=$(python3 -c "
rows, i, c = $ROWS, $import_s, $copy_s
print(f'round $round: import {rows / i:>9,.0f} rows/s ({i:.2f} s)   copy {rows / c:>9,.0f} rows/s ({c:.2f} s)'
      f'   import/copy {c / i:.2f}')")
  echo "$line"
  ratios+=("$(python3 -c "print($copy_s / $import_s)")")
done
python3 -c "
import statistics
r = [$(IFS=,; echo "${ratios[*]}")]
print(f'median import/copy over {len(r)} rounds: {statistics.median(r):.2f}')"
