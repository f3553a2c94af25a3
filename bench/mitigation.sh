#!/usr/bin/env bash
# Exponentiated gradient (demographic parity, eps 0.01) on UCI Adult: assay vs Fairlearn 0.15,
# same machine, same split (rows 1-20,000 train, the rest test), same features and base learner
# (L2 logistic regression, C = 1).
#
#   bench/mitigation.sh [path/to/adult.data]
#   PYTHON=/path/to/venv/bin/python REPEAT=3 bench/mitigation.sh
#
# Times, median of REPEAT (default 3; Fairlearn at tol 1e-10 once, it takes minutes): Fairlearn's ExponentiatedGradient.fit with scikit-learn's
# LogisticRegression (lbfgs at tol 1e-10, the optimum; and at scikit-learn's default tol),
# excluding data loading and encoding (bench/mitigation_fairlearn.py); assay's fit of the same
# reduction (the `fit_seconds` that `assay mitigate` reports: the unmitigated fit excluded, data
# loading excluded), and `assay mitigate` end to end (CSV reading, encoding, both fits, both
# test assessments, what drives the gap, saving) against the same whole job in Python
# (bench/mitigation_whole_fairlearn.py), both as whole processes, alternated.
# Output: Markdown tables for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/venv/bin/python}
REPEAT=${REPEAT:-3}
ADULT=${1:-${ASSAY_DATA_DIR:-../shared/data}/adult.data}
OUT=bench/out/mitigation
mkdir -p "$OUT"
cargo build --release -q -p assay-cli
ASSAY=target/release/assay

header="age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income"
# Cells trimmed, blank lines dropped; rows 1-20,000 train, the rest test (awk reads the whole file,
# so no pipe is cut short under pipefail).
split_rows() { sed -e 's/, /,/g' -e '/^[[:space:]]*$/d' "$ADULT" | awk -v h="$header" -v from="$1" -v to="$2" 'BEGIN{print h} NR>=from && NR<=to'; }
split_rows 1 20000 >"$OUT/train.csv"
split_rows 20001 999999999 >"$OUT/test.csv"

run_assay() {
  "$ASSAY" mitigate "$OUT/train.csv" --test "$OUT/test.csv" --method exponentiated-gradient \
    --label income --positive '>50K' --sensitive sex \
    --features age,fnlwgt,education-num,capital-gain,capital-loss,hours-per-week \
    --categorical workclass,education,marital-status,occupation,relationship,race,native-country \
    --out "$OUT/model.json" --format json --bootstrap 0 >"$OUT/report.json"
}
# The whole job in Python (bench/mitigation_whole_fairlearn.py), timed as a process like
# `assay mitigate`, alternating with assay's runs so that both see the same machine load.
run_python_whole() {
  "$PYTHON" bench/mitigation_whole_fairlearn.py "$OUT/train.csv" "$OUT/test.csv" >/dev/null
}
seconds_of() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}'
}
fits=() walls=() py_walls=()
for _ in $(seq "$REPEAT"); do
  walls+=("$(seconds_of run_assay)")
  fits+=("$("$PYTHON" -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["fit_seconds"])' "$OUT/report.json")")
  py_walls+=("$(seconds_of run_python_whole)")
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
fit=$(median "${fits[@]}")
wall=$(median "${walls[@]}")
py_wall=$(median "${py_walls[@]}")
read -r calls acc dp < <("$PYTHON" -c '
import json, sys
r = json.load(open(sys.argv[1]))
e = r["summary"]["after_expected"]
print(r["details"]["oracle_calls"], "%.4f" % e["accuracy"], "%.4f" % e["demographic_parity_difference"])' "$OUT/report.json")

fl=$("$PYTHON" bench/mitigation_fairlearn.py "$ADULT" "$REPEAT")
read -r _ fl_opt fl_opt_calls fl_opt_acc fl_opt_dp <<<"$(grep '^optimum' <<<"$fl")"
read -r _ fl_def fl_def_calls fl_def_acc fl_def_dp <<<"$(grep '^defaults' <<<"$fl")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f", a/b}'; }
echo "| ExponentiatedGradient(DemographicParity, eps 0.01), Adult 20,000 train rows, 106 features | fit seconds | base-learner fits | test accuracy | test DP difference | assay faster by |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
echo "| Fairlearn 0.15 + scikit-learn LogisticRegression (lbfgs, tol 1e-10: the optimum) | $fl_opt | $fl_opt_calls | $fl_opt_acc | $fl_opt_dp | $(ratio "$fl_opt" "$fit")× |"
echo "| Fairlearn 0.15 + scikit-learn LogisticRegression (lbfgs, default tol 1e-4) | $fl_def | $fl_def_calls | $fl_def_acc | $fl_def_dp | $(ratio "$fl_def" "$fit")× |"
echo "| assay (Newton logistic regression to the optimum) | $fit | $calls | $acc | $dp | |"
echo "| \`assay mitigate\` end to end (read, encode, fit before and after, assess, what drives the gap, save) | $wall | | | | $(ratio "$fl_def" "$wall")× (vs defaults) |"
echo
echo "| the whole job, one process each (read, encode, fit unmitigated and mitigated, predict, metrics) | seconds | assay faster by |"
echo "| --- | ---: | ---: |"
echo "| Fairlearn 0.15 + scikit-learn (default tol), pandas, MetricFrame: bench/mitigation_whole_fairlearn.py | $py_wall | |"
echo "| \`assay mitigate\` (also: bootstrap-free assessment of both, permutation importance of the gap) | $wall | $(ratio "$py_wall" "$wall")× |"
echo
echo "Accuracy and DP difference are of the expected decisions P(ŷ=1) on the 12,561 test rows. Median of $REPEAT runs (Fairlearn at tol 1e-10: one run)."
