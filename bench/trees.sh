#!/usr/bin/env bash
# Tree-ensemble prediction: assay vs XGBoost's own predictor, on the same cores.
#
#   bench/trees.sh
#   PYTHON=/path/to/venv/bin/python THREADS=2 bench/trees.sh
#
# Generates (once) an XGBoost binary:logistic model, 200 trees of max_depth 6, trained on a seeded
# 1,000,000 x 20 float matrix with 5% NaN, saved as JSON, and the matrix as Parquet. Then times, on
# the 1M rows with THREADS threads (default 2), median of 3 runs, excluding training and reading:
# XGBoost's Booster.inplace_predict and DMatrix + predict, and assay-model's batched predict on the
# same matrix in memory (crates/assay-model/examples/predict_bench.rs). `assay predict` end to end
# on the Parquet file (reading and writing included) is timed for information. Checks that the
# tools' predictions agree. The xgboost Python package (3.2.0) and pyarrow are needed.
# Output: a Markdown table on stdout, for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/venv/bin/python}
THREADS=${THREADS:-2}
OUT=bench/out/trees
export RAYON_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS

cargo build --release -q -p assay-cli
cargo build --release -q -p assay-model --example predict_bench
ASSAY=target/release/assay
BENCH=target/release/examples/predict_bench

[ -f "$OUT/model.json" ] && [ -f "$OUT/x.parquet" ] || "$PYTHON" bench/xgb_predict.py gen --out "$OUT"

xgb=$("$PYTHON" bench/xgb_predict.py time --out "$OUT" --nthread "$THREADS" --repeat 3)
t_inplace=$(awk '/^inplace_predict/ {print $2}' <<<"$xgb")
t_dmatrix=$(awk '/^dmatrix_predict/ {print $2}' <<<"$xgb")
t_assay=$("$BENCH" "$OUT/model.json" "$OUT/x.parquet" 3 "$OUT/assay_pred.f64" 2>/dev/null | awk '/^predict/ {print $2}')

e2e() {
  local t0 t1
  t0=$(date +%s.%N)
  "$ASSAY" predict "$OUT/x.parquet" --model "$OUT/model.json" --out "$1"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}'
}
median3() { printf '%s\n%s\n%s\n' "$("$@")" "$("$@")" "$("$@")" | sort -n | sed -n 2p; }
t_e2e_pq=$(median3 e2e "$OUT/assay_pred.parquet")
t_e2e_csv=$(median3 e2e "$OUT/assay_pred.csv")
# The CSV output, converted back to f64, checks the end-to-end path against XGBoost too.
tail -n +2 "$OUT/assay_pred.csv" | "$PYTHON" -c 'import sys, numpy as np; np.loadtxt(sys.stdin, dtype="<f8").tofile(sys.argv[1])' "$OUT/assay_cli_pred.f64"
diff_mem=$("$PYTHON" bench/xgb_predict.py diff "$OUT/xgb_pred.f64" "$OUT/assay_pred.f64")
diff_cli=$("$PYTHON" bench/xgb_predict.py diff "$OUT/xgb_pred.f64" "$OUT/assay_cli_pred.f64")

rate() { awk -v t="$1" 'BEGIN{printf "%.1f", 1/t}'; }
echo "| what (1,000,000 rows x 20 features, 200 trees, depth 6, $THREADS threads) | seconds | M rows/s |"
echo "| --- | ---: | ---: |"
echo "| XGBoost 3.2.0 \`Booster.inplace_predict\` (numpy in memory) | $t_inplace | $(rate "$t_inplace") |"
echo "| XGBoost 3.2.0 \`DMatrix\` + \`Booster.predict\` (numpy in memory) | $t_dmatrix | $(rate "$t_dmatrix") |"
echo "| assay-model \`TreeEnsemble::predict\` (dense f64 in memory) | $t_assay | $(rate "$t_assay") |"
echo "| \`assay predict\` end to end, Parquet in, Parquet out | $t_e2e_pq | $(rate "$t_e2e_pq") |"
echo "| \`assay predict\` end to end, Parquet in, CSV out | $t_e2e_csv | $(rate "$t_e2e_csv") |"
echo
echo "Max |assay - XGBoost| over the 1M probabilities: $diff_mem in memory, $diff_cli through \`assay predict\` (CSV)."
