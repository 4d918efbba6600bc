#!/usr/bin/env bash
# Bulk import vs psql \copy, and the outbox relay, in interleaved rounds (A B A B ...) on one suite:
#   A: POST /api/catalog/imports through the gateway (NDJSON), polled until completed, while a GET
#      /api/catalog/events stream (Server-Sent Events) clocks the import's events as they arrive;
#   B: psql \copy of the same rows (as CSV) into the same products table.
# Skus are unique per run, round and side, so every side inserts new rows. Then C, the relay alone: RELAY_EVENTS
# events inserted behind the API's back with psql, timed until the relay has published them all. Prints the
# medians: rows/s of each side and their ratio, the lag of the import's last event on the stream after the import
# was seen completed (completed means relayed: the lag is at most the polling's), the events/s of the import's
# events on the stream (bounded by the import's own pace), and the relay's events/s alone.
#
#   infra/bench/import-compare.sh                          # run by cache.sh; also alone, on a running suite or not
#   IMPORT_ROWS=20000 IMPORT_ROUNDS=5 infra/bench/import-compare.sh
#
# Settings: IMPORT_ROWS (100000), IMPORT_ROUNDS (3), RELAY_EVENTS (100000), RELAY_TIMEOUT (seconds to wait for
# the import's last event after it completed, 300), and lib.sh's SUITE_PORT, KEEP_SUITE, PG_URL, API_KEY.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

IMPORT_ROWS=${IMPORT_ROWS:-100000}
IMPORT_ROUNDS=${IMPORT_ROUNDS:-3}
RELAY_EVENTS=${RELAY_EVENTS:-100000}
RELAY_TIMEOUT=${RELAY_TIMEOUT:-300}
RESULTS=$BENCH_TMP/imports.txt
STREAM_PID=""

trap 'bench_stop "$STREAM_PID"; bench_cleanup' EXIT

bench_connect
prefix() { echo "IMP-$BENCH_RUN-r$1-$2-"; }

echo "Generating $IMPORT_ROUNDS x 2 files of $IMPORT_ROWS products (NDJSON for the import, CSV for \\copy) ..."
for round in $(seq 1 "$IMPORT_ROUNDS"); do
  python3 - "$BENCH_TMP/import-$round.ndjson" "$(prefix "$round" api)" "$BENCH_TMP/copy-$round.csv" \
    "$(prefix "$round" copy)" "$IMPORT_ROWS" <<'PY'
import csv, json, sys
ndjson, api_prefix, csv_path, copy_prefix, rows = *sys.argv[1:5], int(sys.argv[5])
with open(ndjson, "w") as lines, open(csv_path, "w", newline="") as table:
    copy = csv.writer(table)
    for i in range(1, rows + 1):
        name, description = f"Imported product {i}", f"Generated for the import benchmark, line {i}."
        category, price, stock, attributes = f"bench-{i % 40}", i % 100000, i % 500, {"n": i}
        lines.write(json.dumps({"sku": api_prefix + str(i), "name": name, "description": description,
                                "category": category, "priceCents": price, "currency": "EUR", "stock": stock,
                                "attributes": attributes}, separators=(",", ":")) + "\n")
        copy.writerow([copy_prefix + str(i), name, description, category, price, "EUR", stock,
                       json.dumps(attributes, separators=(",", ":"))])
PY
done

# Reads GET $1 as Server-Sent Events, the way EventSource does: when the server ends the stream (it drops a
# client that falls 10,000 events behind), it reconnects with Last-Event-ID and goes on from there. For the
# events whose data names a sku starting with $2 it records the count and the arrival time of the first and the
# last; writes "count first last reconnects" to $4 once $3 arrived, or when stopped.
cat >"$BENCH_TMP/sse-clock.py" <<'PY'
import http.client, os, signal, sys, time, urllib.parse
url, prefix, expected, out = urllib.parse.urlsplit(sys.argv[1]), '"sku":"' + sys.argv[2], int(sys.argv[3]), sys.argv[4]
count, first, last, last_id, reconnects = 0, None, None, None, -1
def finish(*_):
    with open(out + ".tmp", "w") as f:
        f.write(f"{count} {first or 0} {last or 0} {max(reconnects, 0)}\n")
    os.rename(out + ".tmp", out)
    sys.exit(0)
signal.signal(signal.SIGTERM, finish)
while count < expected:
    reconnects += 1
    connection = http.client.HTTPConnection(url.hostname, url.port)
    connection.request("GET", url.path, headers={"Last-Event-ID": last_id} if last_id else {})
    response = connection.getresponse()
    if response.status != 200:
        time.sleep(0.1)
        continue
    for raw in response:
        line = raw.decode()
        if line.startswith("retry:"):
            open(out + ".ready", "w").close()
        elif line.startswith("id:"):
            last_id = line[3:].strip()
        elif line.startswith("data:") and prefix in line:
            last = time.time()
            first = first or last
            count += 1
            if count == expected:
                break
    connection.close()
finish()
PY

now() { date +%s.%N; }

import_round() {
  local round=$1 stream=$BENCH_TMP/stream-$round.txt start id status completed
  # The stream first, so that it sees every event of the import.
  python3 "$BENCH_TMP/sse-clock.py" "$GATEWAY/api/catalog/events" "$(prefix "$round" api)" "$IMPORT_ROWS" "$stream" &
  STREAM_PID=$!
  for _ in $(seq 1 100); do [[ -e "$stream.ready" ]] && break; sleep 0.1; done
  [[ -e "$stream.ready" ]] || bench_fail "the event stream did not open"

  start=$(now)
  id=$(bench_curl_key -fsS -X POST "$GATEWAY/api/catalog/imports" -H 'Content-Type: application/x-ndjson' \
         -T "$BENCH_TMP/import-$round.ndjson" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  status=$(bench_await_import "$id" 0.1)
  completed=$(now)
  for _ in $(seq 1 $((RELAY_TIMEOUT * 10))); do [[ -e "$stream" ]] && break; sleep 0.1; done
  bench_stop "$STREAM_PID" # the clock writes what it has when its stream ends
  STREAM_PID=""
  for _ in $(seq 1 50); do [[ -e "$stream" ]] && break; sleep 0.1; done
  python3 - "$status" "$start" "$(cat "$stream")" "$IMPORT_ROWS" "$completed" >>"$RESULTS" <<'PY'
import datetime, json, sys
status, start, (count, first, last, reconnects), rows = json.loads(sys.argv[1]), float(sys.argv[2]), sys.argv[3].split(), int(sys.argv[4])
count, first, last, completed = int(count), float(first), float(last), float(sys.argv[5])
finished = datetime.datetime.fromisoformat(status["finishedAt"].replace("Z", "+00:00")).timestamp()
events_per_s = count / (last - first) if last > first else 0
lag = max(0.0, last - completed) if count == rows else float("inf")
print("import", round(status["rowsDone"] / (finished - start)), status["rowsDone"], status["rowsFailed"],
      count, round(events_per_s), f"{lag:.3f}", reconnects)
PY
  tail -1 "$RESULTS" | awk '{ printf "  %-8s %8d rows/s  (%d rows, %d failed)  relay %d events, %d events/s, last %s s after completion, %d reconnects\n", "import", $2, $3, $4, $5, $6, $7, $8 }'
}

copy_round() {
  local round=$1 start end
  start=$(now)
  psql "$DB_URL" -q -v ON_ERROR_STOP=1 -c "\\copy products (sku, name, description, category, price_cents, currency, stock, attributes) FROM '$BENCH_TMP/copy-$round.csv' WITH (FORMAT csv)"
  end=$(now)
  python3 -c 'import sys; print("copy", round(int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))' \
    "$IMPORT_ROWS" "$start" "$end" >>"$RESULTS"
  tail -1 "$RESULTS" | awk '{ printf "  %-8s %8d rows/s\n", "\\copy", $2 }'
}

# Events of products that do not exist (negative ids), as a change made in SQL writes them: the relay alone.
relay_round() {
  local round=$1 start end
  psql "$DB_URL" -q -v ON_ERROR_STOP=1 -c "INSERT INTO product_events (type, product_id, sku, version)
    SELECT 'product.imported', -g, 'RELAY-$BENCH_RUN-$round-' || g, 1 FROM generate_series(1, $RELAY_EVENTS) g"
  start=$(now) # the relay sees them from their commit on
  for _ in $(seq 1 $((RELAY_TIMEOUT * 20))); do
    bench_relayed && break
    sleep 0.05
  done
  end=$(now)
  python3 -c 'import sys; print("relay", round(int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))' \
    "$RELAY_EVENTS" "$start" "$end" >>"$RESULTS"
  tail -1 "$RESULTS" | awk '{ printf "  %-8s %8d events/s (inserted and published)\n", "relay", $2 }'
}

echo "Import through $GATEWAY vs psql \\copy, $IMPORT_ROUNDS interleaved rounds of $IMPORT_ROWS rows each"
for round in $(seq 1 "$IMPORT_ROUNDS"); do
  echo "Round $round of $IMPORT_ROUNDS"
  import_round "$round"
  copy_round "$round"
  relay_round "$round"
  rm -f "$BENCH_TMP/import-$round.ndjson" "$BENCH_TMP/copy-$round.csv"
done

echo
echo "Bulk import and relay: medians of $IMPORT_ROUNDS interleaved rounds, $(date -u +%Y-%m-%d), $(nproc) cores"
python3 - "$RESULTS" "$IMPORT_ROWS" "$RELAY_TIMEOUT" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
count, timeout = int(sys.argv[2]), sys.argv[3]
imports = [r for r in rows if r[0] == "import"]
median = lambda values: statistics.median(float(v) for v in values)
api, copy = median(r[1] for r in imports), median(r[1] for r in rows if r[0] == "copy")
events, lag = median(r[5] for r in imports), median(r[6] for r in imports)
relay = median(r[1] for r in rows if r[0] == "relay")
failed = sum(int(r[3]) for r in imports)
met = lambda ok: "met" if ok else "NOT met"
print("| comparison | median | goal |")
print("|---|---|---|")
print(f"| bulk import through the gateway, {count:,} rows{f' ({failed} failed)' if failed else ''} | {api:,.0f} rows/s | |")
print(f"| psql `\\copy` of the same rows | {copy:,.0f} rows/s | |")
print(f"| import vs `\\copy` | {api / copy:.2f}x | >= 0.5x: {met(api >= 0.5 * copy)} |")
print(f"| the import's events on `GET /events`, as the import wrote them | {events:,.0f} events/s | |")
print(f"| relay alone: events inserted in SQL, published | {relay:,.0f} events/s | >= 20,000: {met(relay >= 20000)} |")
lag_text = f"{lag:.2f} s" if lag != float("inf") else f"> {timeout} s (events missing)"
print(f"| the import's last event on the stream, after it was seen completed | {lag_text} | <= 1 s: {met(lag <= 1)} |")
PY
