#!/usr/bin/env bash
# Governance server load (issue #8): authenticated reads and durable writes against
# `assay serve` on SQLite, with wrk on loopback.
#
# The server (release build) runs on a fresh SQLite file (WAL, synchronous=FULL: a write is
# answered 201 only after its transaction, audit entry included, is fsynced), with its default
# settings except `--rate-limit 0` (the default 50 requests/s per token would throttle a
# benchmark that sends everything with one token) and logs at the default level (one JSON line
# per request) to a file. Setup: a bootstrapped admin creates a viewer `reader` and a model owner
# `writer` (each with an API token); the writer registers model `credit` with one version.
#
# Reads:  GET /v1/models/credit with the reader's bearer token (authentication = token hash
#         lookup in the database, role check, the model query), READ_CONNS connections.
# Writes: POST /v1/models/credit/versions with a label unique to the request
#         (bench/govern/write.lua), the writer's token (authentication, ownership check, insert
#         and hash-chained audit append in one transaction), WRITE_CONNS connections; only 201
#         answers count.
# Each phase: WARMUP seconds (discarded), then DURATION seconds measured with wrk --latency.
# A phase with any error answer or socket error is invalid (the script exits 1). Afterwards it
# checks that the database holds every version answered 201 (plus at most one per connection
# whose answer wrk did not wait for when it stopped) and that the audit chain verifies
# (`assay log verify`).
#
#   bench/govern.sh
#   DURATION=30 READ_CONNS=32 WRITE_CONNS=16 WRK_THREADS=1 bench/govern.sh
#   ASSAY=path/to/assay bench/govern.sh     # that binary instead of building the release one
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-3}
READ_CONNS=${READ_CONNS:-64}
WRITE_CONNS=${WRITE_CONNS:-32}
WRK_THREADS=${WRK_THREADS:-2}
OUT=bench/out/govern
mkdir -p "$OUT"

if ! command -v wrk > /dev/null; then
  echo "wrk not found: installing it with apt-get (Debian package wrk)" >&2
  { apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; } > "$OUT/apt.log" 2>&1
fi

if [ -z "${ASSAY:-}" ]; then
  cargo build --release -q -p assay-cli
  ASSAY=target/release/assay
fi

TMP=$(mktemp -d)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2> /dev/null || true; wait "$SERVER" 2> /dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

DB=$TMP/govern.db
"$ASSAY" serve --db "$DB" --listen 127.0.0.1:0 --rate-limit 0 \
  --bootstrap-admin root --bootstrap-token-file "$TMP/admin.token" \
  > "$TMP/serve.out" 2> "$OUT/serve.log" &
SERVER=$!
for _ in $(seq 300); do grep -q '^listening on ' "$TMP/serve.out" && break; sleep 0.1; done
BASE=$(sed -n 's/^listening on //p' "$TMP/serve.out")
[ -n "$BASE" ] || { echo "assay serve did not start:" >&2; cat "$OUT/serve.log" >&2; exit 1; }
ADMIN=$(cat "$TMP/admin.token")

# api METHOD PATH TOKEN [JSON]: the response body; fails on an error status.
api() {
  curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $3" \
    -H 'Content-Type: application/json' ${4:+--data "$4"} "$BASE$2"
}
# token_for NAME ROLE: creates the user, prints a fresh API token.
token_for() {
  api POST /v1/users "$ADMIN" "{\"name\":\"$1\",\"kind\":\"user\",\"role\":\"$2\",\"teams\":[]}" > /dev/null
  api POST "/v1/users/$1/tokens" "$ADMIN" '{"label":"bench"}' | jq -r .token
}
READER=$(token_for reader viewer)
WRITER=$(token_for writer model_owner)
DIGEST=$(printf 'ab%.0s' $(seq 32))
api POST /v1/models "$WRITER" '{"name":"credit","purpose":"credit scoring","intended_use":"consumer loans","data_sources":["core-banking"],"risk":{"annex_iii_area":"essential_services","profiles_natural_persons":true}}' > /dev/null
api POST /v1/models/credit/versions "$WRITER" "{\"version\":\"0\",\"artifact_sha256\":\"$DIGEST\"}" > /dev/null
api GET /v1/models/credit "$READER" | jq -e '.name == "credit"' > /dev/null

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$2"; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# Reads.
wrk -t"$WRK_THREADS" -c"$READ_CONNS" -d"${WARMUP}s" -H "Authorization: Bearer $READER" \
  "$BASE/v1/models/credit" > /dev/null
wrk -t"$WRK_THREADS" -c"$READ_CONNS" -d"${DURATION}s" --latency -H "Authorization: Bearer $READER" \
  -s bench/govern/read.lua "$BASE/v1/models/credit" > "$OUT/read.txt"
R=$(grep '^RESULT ' "$OUT/read.txt")
LOAD_READS=$(cut -d' ' -f1-3 /proc/loadavg)

# Writes (the warm-up's writes are real versions too, tallied below).
wrk -t"$WRK_THREADS" -c"$WRITE_CONNS" -d"${WARMUP}s" \
  -s bench/govern/write.lua "$BASE" -- credit "$WRITER" warmup > "$OUT/write-warmup.txt"
wrk -t"$WRK_THREADS" -c"$WRITE_CONNS" -d"${DURATION}s" --latency \
  -s bench/govern/write.lua "$BASE" -- credit "$WRITER" run > "$OUT/write.txt"
W=$(grep '^RESULT ' "$OUT/write.txt")
WU=$(grep '^RESULT ' "$OUT/write-warmup.txt")
LOAD_WRITES=$(cut -d' ' -f1-3 /proc/loadavg)

# Checks: no errors; the versions stored are exactly the 201s (+ the setup's one); the chain verifies.
INVALID=0
for k in non2xx connect read write timeout; do
  [ "$(field "$k" "$R")" = 0 ] || { echo "INVALID reads: $k=$(field "$k" "$R")" >&2; INVALID=1; }
done
for r in "$W" "$WU"; do
  for k in non201 connect read write timeout; do
    [ "$(field "$k" "$r")" = 0 ] || { echo "INVALID writes: $k=$(field "$k" "$r")" >&2; INVALID=1; }
  done
done
grep '^FIRST_NON201' "$OUT"/write*.txt >&2 || true
CREATED=$(( $(field created "$W") + $(field created "$WU") ))
STORED=$(api GET /v1/models/credit/versions "$READER" | jq length)
# wrk stops with requests in flight (at most one per connection per phase): those may have
# committed without their 201 being counted, so up to 2 * WRITE_CONNS extra versions are fine.
EXTRA=$((STORED - CREATED - 1))
if [ "$EXTRA" -lt 0 ] || [ "$EXTRA" -gt $((2 * WRITE_CONNS)) ]; then
  echo "INVALID: $STORED versions stored, $CREATED answered 201 (+1 from the setup)" >&2
  INVALID=1
fi
kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=
VERIFY=$("$ASSAY" log verify --db "$DB") || { echo "INVALID: $VERIFY" >&2; INVALID=1; }

ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
echo "assay serve on SQLite (WAL, synchronous=FULL), --rate-limit 0; wrk -t$WRK_THREADS, ${DURATION} s per phase after ${WARMUP} s of warm-up; $(nproc) cores"
echo "load average (1/5/15 min): before $LOAD_BEFORE, after reads $LOAD_READS, after writes $LOAD_WRITES"
echo
echo "| workload | connections | requests | per second | p50 ms | p90 ms | p99 ms | max ms | errors |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf "| authenticated reads, GET /v1/models/credit | %d | %d | %.0f | %s | %s | %s | %s | %d |\n" \
  "$READ_CONNS" "$(field requests "$R")" "$(field rps "$R")" "$(ms "$(field p50_us "$R")")" \
  "$(ms "$(field p90_us "$R")")" "$(ms "$(field p99_us "$R")")" "$(ms "$(field max_us "$R")")" \
  "$(field non2xx "$R")"
printf "| durable writes (201), POST /v1/models/credit/versions | %d | %d | %.0f | %s | %s | %s | %s | %d |\n" \
  "$WRITE_CONNS" "$(field created "$W")" "$(field wps "$W")" "$(ms "$(field p50_us "$W")")" \
  "$(ms "$(field p90_us "$W")")" "$(ms "$(field p99_us "$W")")" "$(ms "$(field max_us "$W")")" \
  "$(field non201 "$W")"
echo
echo "versions stored: $STORED ($CREATED answered 201 in warm-up and run, 1 from the setup, $EXTRA cut off in flight when wrk stopped)"
echo "$VERIFY"
exit "$INVALID"
