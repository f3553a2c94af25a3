#!/usr/bin/env bash
# Times assay and Fairlearn's MetricFrame on the same files, in one run.
#
#   bench/run.sh                       # 1M-row comparison + 10M-row bootstrap run
#   PYTHON=/path/to/venv/bin/python bench/run.sh
#   FAIRLEARN_BOOT=1 bench/run.sh      # also Fairlearn's bootstrap (100 resamples of 100k rows; several minutes)
#
# The Python side needs fairlearn 0.15 (see tests/reference/README.md).
# Output: a Markdown table on stdout, for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/venv/bin/python}
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -q -p assay-cli
ASSAY=target/release/assay

gen() { [ -f "$OUT/hiring_$1.csv" ] || "$ASSAY" example hiring --rows "$2" --seed 7 --out "$OUT/hiring_$1.csv" 2>/dev/null; }
gen 100k 100000
gen 1m 1000000
gen 10m 10000000

COLS=(--label qualified --prediction shortlisted --score score --sensitive gender,race)
# wall seconds and peak RSS (MiB) of a command
measure() {
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" >/dev/null
  read -r secs kb < "$OUT/time.txt"
  echo "$secs $((kb / 1024))"
}
median3() { # runs a command 3 times, prints the median wall time and the max RSS
  local a b c
  a=$(measure "$@"); b=$(measure "$@"); c=$(measure "$@")
  printf '%s\n%s\n%s\n' "$a" "$b" "$c" | sort -n | sed -n 2p
}

echo "| what | rows | tool | seconds | peak RSS MiB |"
echo "| --- | ---: | --- | ---: | ---: |"
read -r s m < <(median3 "$ASSAY" fairness "$OUT/hiring_1m.csv" "${COLS[@]}" --bootstrap 0 --no-scan --format json)
echo "| metrics by group, no intervals | 1,000,000 | assay | $s | $m |"
A1=$s
read -r s m < <(median3 "$ASSAY" fairness "$OUT/hiring_1m.csv" "${COLS[@]}" --format json)
echo "| full assessment (B=1000 bootstrap, scan) | 1,000,000 | assay | $s | $m |"
if [ -x "$PYTHON" ]; then
  read -r s m < <(measure "$PYTHON" bench/fairlearn_metricframe.py --csv "$OUT/hiring_1m.csv" "${COLS[@]}")
  echo "| metrics by group, no intervals | 1,000,000 | fairlearn MetricFrame | $s | $m |"
  echo "| speed-up (no intervals) | | | $(awk -v f="$s" -v a="$A1" 'BEGIN{printf "%.0fx", f/a}') | |"
fi
read -r s m < <(measure "$ASSAY" fairness "$OUT/hiring_10m.csv" "${COLS[@]}" --bootstrap 1000 --format json)
echo "| full assessment (B=1000 bootstrap, scan) | 10,000,000 | assay | $s | $m |"
read -r s m < <(measure "$ASSAY" fairness "$OUT/hiring_100k.csv" "${COLS[@]}" --bootstrap 100 --no-scan --format json)
echo "| B=100 bootstrap | 100,000 | assay | $s | $m |"
if [ -x "$PYTHON" ] && [ "${FAIRLEARN_BOOT:-0}" = 1 ]; then
  read -r s m < <(measure "$PYTHON" bench/fairlearn_metricframe.py --csv "$OUT/hiring_100k.csv" "${COLS[@]}" --n-boot 100)
  echo "| B=100 bootstrap | 100,000 | fairlearn MetricFrame | $s | $m |"
fi
