#!/usr/bin/env bash
# Bulk import against psql's \copy: the same ROWS products, as NDJSON for POST /imports and as CSV for
#   psql -c "\copy products(sku, name, ...) FROM 'file.csv' CSV"
# into the same products table, interleaved (import, copy, import, copy, ...) ROUNDS times, each run once the
# outbox relay has published every event of the run before (so that neither shares the machine with the relay's
# work for the other). Every round and every side gets skus of its own, so both always insert new rows. Prints
# rows/s of each run and the ratio import / copy of each round, then the median ratio.
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
#
# With ./suite's processes (from .suite/state), each run also reports the CPU seconds they used meanwhile:
# Postgres (every backend, the one serving \copy too) and every service JVM. On a shared machine that figure,
# unlike rows/s, hardly depends on what else runs.
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
PG_URL_GIVEN=${PG_URL:-}
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

# CPU seconds used so far by ./suite's processes and Postgres' backends (ended ones too: the postmaster's
# children time); empty without .suite/state.
cpu() {
  [[ -r "$root/.suite/state" && -z "${PG_URL_GIVEN:-}" ]] || { echo 0; return; }
  local pids postmaster
  pids=$(awk '$1 == "process" { print $3 }' "$root/.suite/state")
  postmaster=$(awk '$1 == "process" && $2 == "postgres" { print $3 }' "$root/.suite/state")
  # A backend may end between pgrep and cat: what cat could read still counts.
  # shellcheck disable=SC2046
  { cat $(for pid in $pids $(pgrep -P "$postmaster"); do echo "/proc/$pid/stat"; done) 2>/dev/null || true; } \
    | awk -v ticks="$(getconf CLK_TCK)" '{ sum += $14 + $15 + $16 + $17 } END { printf "%.2f\n", sum / ticks }'
}

# A field of a flat JSON answer, without starting an interpreter inside a timed section.
field() { # name json
  sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$2"
}

# Instances serve only requests signed as the gateway's; the gateway itself ignores the header.
signature() {
  "$here/gateway-signature.py"
}

run_import() { # ndjson -> seconds
  local start end answer id status
  start=$(now)
  answer=$(curl -fsS -X POST "$imports" -H "X-API-Key: $API_KEY" -H "X-Gateway-Signature: $(signature)" \
    -H 'Content-Type: application/x-ndjson' -T "$1")
  id=$(field id "$answer")
  while true; do
    status=$(curl -fsS -H "X-Gateway-Signature: $(signature)" "$imports/$id")
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

# Waits until the outbox relay has published every event (the import's product.imported ones), so that no run
# shares the machine with the relay's work for the one before; prints how long that took.
drained() {
  local start
  start=$(now)
  until [[ $(psql -X -At "$PG_URL" -c "SELECT NOT EXISTS (SELECT FROM product_events WHERE position IS NULL)
      AND (SELECT published FROM outbox_relay) >= coalesce((SELECT max(position) FROM product_events), 0)") == t ]]; do
    sleep 0.5
  done
  python3 -c "print(f'{$(now) - $start:.1f}')"
}

run=$(date +%s)
echo "$ROWS rows per run, $ROUNDS rounds, import to $imports, \\copy into products"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  generate "IMP-$run-$round" "$work/import.ndjson" "$work/import.csv"
  generate "CPY-$run-$round" "$work/copy.ndjson" "$work/copy.csv"
  drained >/dev/null
  cpu0=$(cpu)
  import_s=$(run_import "$work/import.ndjson")
  cpu1=$(cpu)
  relay_s=$(drained)
  cpu2=$(cpu)
  copy_s=$(run_copy "$work/copy.csv")
  cpu3=$(cpu)
  line=$(python3 -c "
rows, i, c = $ROWS, $import_s, $copy_s
ic, rc, cc = $cpu1 - $cpu0, $cpu2 - $cpu1, $cpu3 - $cpu2
print(f'round $round: import {rows / i:>7,.0f} rows/s ({i:.2f} s, cpu {ic:.1f} s; relay done {$relay_s} s later,'
      f' cpu {rc:.1f} s)   copy {rows / c:>7,.0f} rows/s ({c:.2f} s, cpu {cc:.1f} s)   import/copy {c / i:.2f}')")
  echo "$line"
  ratios+=("$(python3 -c "print($copy_s / $import_s)")")
done
python3 -c "
import statistics
r = [$(IFS=,; echo "${ratios[*]}")]
print(f'median import/copy over {len(r)} rounds: {statistics.median(r):.2f}')"
