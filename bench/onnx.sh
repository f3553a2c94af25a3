#!/usr/bin/env bash
# ONNX scikit-learn pipelines: `assay predict` (tract + assay's ai.onnx.ml operators) vs
# onnxruntime, on the same cores and the same file.
#
#   bench/onnx.sh
#   PYTHON=/path/to/venv/bin/python THREADS=2 REPEAT=10 bench/onnx.sh
#
# Writes (once) UCI Adult repeated REPEAT times (default 10: 325,610 rows) as a headerless CSV, then
# for each of the four skl2onnx pipelines of tests/reference/models/onnx (logistic regression,
# random forest, gradient boosting, histogram gradient boosting; ColumnTransformer with
# OneHotEncoder, SimpleImputer and StandardScaler in front) times, median of 3 runs, whole
# processes: `assay predict` reading the CSV and writing Parquet with every input column plus
# score and prediction, and bench/onnx_ort.py doing the same with pandas + onnxruntime + pyarrow.
# onnxruntime's session.run alone is reported too. Checks that both give the same probabilities
# (to 1e-5). Output: a Markdown table on stdout, for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/venv/bin/python}
THREADS=${THREADS:-2}
REPEAT=${REPEAT:-10}
OUT=bench/out/onnx
DATA=${ASSAY_DATA_DIR:-../shared/data}/adult.data
export RAYON_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS
COLUMNS="age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income"

cargo build --release -q -p assay-cli
ASSAY=target/release/assay
mkdir -p "$OUT"
CSV="$OUT/adult_x$REPEAT.csv"
if [ ! -f "$CSV" ]; then
  for _ in $(seq "$REPEAT"); do grep -v '^$' "$DATA"; done > "$CSV"
fi
ROWS=$(wc -l < "$CSV")

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

echo "| model | rows | assay predict (s) | pandas + onnxruntime (s) | onnxruntime session.run only (s) | max abs diff |"
echo "|---|---:|---:|---:|---:|---:|"
for m in lr rf gb hgb; do
  MODEL=tests/reference/models/onnx/adult_$m.onnx
  ta=()
  for _ in 1 2 3; do
    s=$(now)
    "$ASSAY" predict "$CSV" --no-header --columns "$COLUMNS" --model "$MODEL" --out "$OUT/assay_$m.parquet"
    e=$(now)
    ta+=("$(echo "$e - $s" | bc)")
  done
  tp=(); tr=()
  for _ in 1 2 3; do
    s=$(now)
    run=$("$PYTHON" bench/onnx_ort.py "$CSV" "$MODEL" "$OUT/ort_$m.parquet" "$THREADS")
    e=$(now)
    tp+=("$(echo "$e - $s" | bc)")
    tr+=("$run")
  done
  diff=$("$PYTHON" - "$OUT/assay_$m.parquet" "$OUT/ort_$m.parquet" <<'PY'
import sys
import numpy as np
import pyarrow.parquet as pq
a = pq.read_table(sys.argv[1]).column("score").to_numpy()
b = pq.read_table(sys.argv[2]).column("score").to_numpy()
d = float(np.max(np.abs(a - b)))
assert d <= 1e-5, d
print(f"{d:.1e}")
PY
)
  printf "| %s | %s | %.2f | %.2f | %.2f | %s |\n" "$m" "$ROWS" \
    "$(printf '%s\n' "${ta[@]}" | median)" "$(printf '%s\n' "${tp[@]}" | median)" \
    "$(printf '%s\n' "${tr[@]}" | median)" "$diff"
done
