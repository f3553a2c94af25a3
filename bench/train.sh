#!/usr/bin/env bash
# Training: assay's learners vs LightGBM and scikit-learn on UCI Adult, on the same cores.
#
#   bench/train.sh [adult.data]
#   PYTHON=/path/to/venv/bin/python THREADS=2 bench/train.sh
#
# Train split: rows whose 0-based index is not a multiple of 5 (26,048 rows); test: the rest.
# Fit seconds are the median of 3 fits (data already in memory, reading excluded); accuracy is on
# the test split. assay: crates/assay-model/examples/train_bench.rs (release build); references:
# bench/train_reference.py (lightgbm, scikit-learn). Output: a Markdown table for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/venv/bin/python}
THREADS=${THREADS:-2}
DATA=${1:-${ASSAY_DATA_DIR:-../shared/data}/adult.data}
export RAYON_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS

cargo build --release -q -p assay-model --example train_bench
assay=$(target/release/examples/train_bench "$DATA" 3)
ref=$("$PYTHON" bench/train_reference.py "$DATA" "$THREADS" 3)

row() { awk -v k="$1" -v label="$2" '$1 ~ "^"k {printf "| %s | %.3f | %.4f |\n", label, $2, $3}'; }
echo "| learner (Adult train split, 26,048 rows, $THREADS threads) | fit seconds (median of 3) | test accuracy |"
echo "| --- | ---: | ---: |"
row gbdt "**assay gbdt** (100 trees, 31 leaves, lr 0.1, 255 bins)" <<<"$assay"
row lightgbm "LightGBM $(awk '/^lightgbm/ {sub("lightgbm-", "", $1); print $1}' <<<"$ref") (same settings, num_threads=$THREADS)" <<<"$ref"
row sklearn-hgb "scikit-learn $(awk '/^sklearn-hgb/ {sub("sklearn-hgb-", "", $1); print $1}' <<<"$ref") HistGradientBoostingClassifier (same settings)" <<<"$ref"
row logistic "**assay logistic** (C = 1, Newton, tol 1e-10)" <<<"$assay"
row sklearn-logistic "scikit-learn LogisticRegression(lbfgs, C = 1)" <<<"$ref"
