#!/usr/bin/env bash
# KernelSHAP: assay vs shap 0.51.0's KernelExplainer on the same model, data, background and
# number of model evaluations, and their errors against exact Shapley values.
#
#   bench/kernelshap.sh
#   PYTHON=/path/to/venv/bin/python BUDGETS="500 2072" bench/kernelshap.sh
#
# Model: the logistic of a quadratic in 12 features (closed form, the same in numpy and Rust);
# 100 background rows, 200 rows explained (seeded, bench/kernelshap_shap.py gen). For every
# budget N (coalitions per row; 2072 is shap's "auto", 2M + 2048) shap runs
# `shap_values(X, nsamples=N, l1_reg=False)` once (single-threaded Python/numpy) and assay
# (crates/assay-explain/examples/kernelshap_bench.rs) the same budget, median of 3 runs, with 1
# thread and with THREADS threads (default 2). Model evaluations are counted as shap counts
# them: N coalitions x 100 background rows x 200 rows. Errors: mean absolute difference from the
# exact Shapley values (all 4094 coalitions). Both on the 100 background rows and on shap's
# recommended summary, shap.kmeans(background, 10). Also: the fastest assay budget that is at
# least as accurate as shap at its budget (equal accuracy), and the model's own cost on the
# Rust side (the floor of any implementation). Output: a Markdown table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/venv/bin/python}
THREADS=${THREADS:-2}
BUDGETS=${BUDGETS:-"500 2072"}
OUT=bench/out/kernelshap
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

cargo build --release -q -p assay-explain --example kernelshap_bench
BENCH=target/release/examples/kernelshap_bench

"$PYTHON" bench/kernelshap_shap.py gen --out "$OUT"
for bg in full kmeans10; do
  for n in $BUDGETS; do
    "$PYTHON" bench/kernelshap_shap.py time --out "$OUT" --nsamples "$n" --background "$bg" >/dev/null
  done
done

echo "| background | comparison | coalitions per row | assay threads | model evaluations (shap's count) | rows assay scored | shap s | assay s | speed-up | shap MAE vs exact | assay MAE vs exact |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for bg in full kmeans10; do
  # shellcheck disable=SC2086
  RAYON_NUM_THREADS=1 "$BENCH" "$OUT" "$bg" $BUDGETS
  # shellcheck disable=SC2086
  RAYON_NUM_THREADS=$THREADS "$BENCH" "$OUT" "$bg" $BUDGETS
done
echo
echo "12 features, 200 rows explained; background: the 100 rows (full) or shap.kmeans(background, 10) (kmeans10, weighted)."
echo "shap 0.51.0 KernelExplainer, l1_reg=False, single-threaded (numpy with 1 BLAS thread), one run; assay median of 3."
echo "Equal accuracy: the fastest assay budget (on a ladder of 50 to 2072 coalitions) whose error vs exact is at most shap's at its budget."
KS_MODEL_FLOOR=1 RAYON_NUM_THREADS=1 "$BENCH" "$OUT" full 2>&1 >/dev/null | sed 's/^model alone: /Model alone (the Rust closure, 1 thread, 2072 x 100 x 200 rows, the floor of any implementation): /'

DATA_DIR=${ASSAY_DATA_DIR:-../shared/data}
if [ ! -f "$DATA_DIR/adult.data" ]; then
  echo "Adult case skipped: $DATA_DIR/adult.data not found"
  exit 0
fi
OUT=bench/out/kernelshap_adult
ASSAY_DATA_DIR=$DATA_DIR "$PYTHON" bench/kernelshap_shap.py gen-adult --out "$OUT"
for bg in full kmeans10; do
  for n in $BUDGETS; do
    "$PYTHON" bench/kernelshap_shap.py time --out "$OUT" --nsamples "$n" --background "$bg" >/dev/null
  done
done
echo
echo "UCI Adult, XGBoost (100 trees, depth 4) margin, 12 features, 100 rows explained:"
echo
echo "| background | comparison | coalitions per row | assay threads | model evaluations (shap's count) | rows assay scored | shap s | assay s | speed-up | shap MAE vs exact | assay MAE vs exact |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for bg in full kmeans10; do
  # shellcheck disable=SC2086
  RAYON_NUM_THREADS=$THREADS "$BENCH" "$OUT" "$bg" $BUDGETS
done
echo
echo "The same, the model a black box to assay (hybrids scored row by row):"
echo
for bg in full kmeans10; do
  # shellcheck disable=SC2086
  KS_BLACK_BOX=1 RAYON_NUM_THREADS=$THREADS "$BENCH" "$OUT" "$bg" $BUDGETS
done
