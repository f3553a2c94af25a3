#!/usr/bin/env bash
# `assay anonymize` on a table with many header columns (issue #15, finding 16): reading every
# column used to look each one up by a scan of all the names (quadratic in the number of
# columns). Generates CSV files of 20 rows and COLS columns (default 25,000, 50,000, 100,000 and
# 200,000), anonymizes one quasi-identifier for k = 2 and prints the wall seconds per width.
#
#   bench/anonymize_wide.sh                         # release build
#   ASSAY=target/debug/assay bench/anonymize_wide.sh
#   COLS="1000 2000" bench/anonymize_wide.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out/anonymize_wide
mkdir -p "$OUT"
if [ -z "${ASSAY:-}" ]; then
  cargo build --release -q -p assay-cli
  ASSAY=target/release/assay
fi
echo "| header columns | rows | seconds |"
echo "| ---: | ---: | ---: |"
for n in ${COLS:-25000 50000 100000 200000}; do
  f="$OUT/wide-$n.csv"
  awk -v n="$n" 'BEGIN {
    for (j = 0; j < n; j++) printf "%sc%d", (j ? "," : ""), j; print "";
    for (i = 0; i < 20; i++) { for (j = 0; j < n; j++) printf "%s%d", (j ? "," : ""), (i + j) % 5; print "" }
  }' > "$f"
  t0=$(date +%s.%N)
  "$ASSAY" anonymize "$f" --quasi-identifiers c0 --k 2 --out "$OUT/out-$n.csv" --format json > /dev/null
  t1=$(date +%s.%N)
  printf '| %s | 20 | %.2f |\n' "$n" "$(echo "$t1 - $t0" | bc -l)"
done
