#!/usr/bin/env bash
# Mondrian on UCI Adult (issue #7): assay anonymize --algorithm mondrian on all 32,561 rows for
# k = 5, 10 and 50, quasi-identifiers age, education-num, sex, race, marital-status, sensitive
# income. Release build; median of RUNS runs (default 5) of the Mondrian time (encoding the
# quasi-identifiers, the partitioning and the generalized values, as the command reports it)
# and of the whole command (reading the CSV, anonymizing, writing the output, re-measuring k, l
# and t on it). Each output is re-measured with `assay risk`. Output: a Markdown table.
#
#   bench/anonymize.sh
#   ASSAY_DATA_DIR=/path/to/data RUNS=9 bench/anonymize.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DATA=${ASSAY_DATA_DIR:-../shared/data}/adult.data
OUT=bench/out/anonymize
mkdir -p "$OUT"
COLS=age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income
QI=age,education-num,sex,race,marital-status

cargo build --release -q -p assay-cli
ASSAY=target/release/assay

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "| k | classes | re-measured k | discernibility | C_avg | NCP | Mondrian s (median of $RUNS) | whole command s (median of $RUNS) |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for k in 5 10 50; do
  : > "$OUT/alg-$k.txt"
  : > "$OUT/wall-$k.txt"
  for _ in $(seq "$RUNS"); do
    t0=$(date +%s.%N)
    "$ASSAY" anonymize "$DATA" --no-header --columns "$COLS" --quasi-identifiers "$QI" \
      --sensitive income --k "$k" --algorithm mondrian --out "$OUT/adult-k$k.csv" --format json \
      > "$OUT/report-$k.json"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l >> "$OUT/wall-$k.txt"
    jq .seconds.algorithm "$OUT/report-$k.json" >> "$OUT/alg-$k.txt"
  done
  measured=$("$ASSAY" risk "$OUT/adult-k$k.csv" --quasi-identifiers "$QI" --sensitive income --format json | jq .k)
  if [ "$measured" -lt "$k" ]; then echo "k = $k: re-measured k = $measured" >&2; exit 1; fi
  r="$OUT/report-$k.json"
  printf '| %s | %s | %s | %s | %.4f | %.4f | %.4f | %.3f |\n' "$k" "$(jq .loss.classes "$r")" "$measured" \
    "$(jq .loss.discernibility "$r")" "$(jq .loss.average_class_size "$r")" "$(jq .loss.ncp "$r")" \
    "$(median < "$OUT/alg-$k.txt")" "$(median < "$OUT/wall-$k.txt")"
done
