#!/usr/bin/env bash
# The outputs of assay's main commands on the seeded hiring example, for checking that a
# refactoring (issue #16) changes no number: run it with the binary before and after, then
# compare the two folders with tests/regression/compare_outputs.py.
#
#   tests/regression/hiring_outputs.sh OUT_DIR [ASSAY_BINARY]    (default: target/debug/assay)
#
# Reports are JSON with a fixed time (SOURCE_DATE_EPOCH), so two runs of the same binary give
# identical files but for their timings; the comparison leaves out `provenance` (the report's
# own file paths and digests, issue #15) and the wall-clock `seconds` fields, nothing else.
set -euo pipefail
out=$1
bin=${2:-target/debug/assay}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
mkdir -p "$out"
cd "$out"
export SOURCE_DATE_EPOCH=1700000000
a() { "$bin" "$@"; }
model=(--label hired --positive 1 --features years_experience,career_gap_years,age --categorical education)

a example hiring --rows 3000 --seed 1 --out train.csv >/dev/null
a example hiring --rows 2000 --seed 2 --out test.csv >/dev/null
roles=(--label qualified --prediction shortlisted --score score --sensitive gender,race)
a fairness train.csv "${roles[@]}" --format json --bootstrap 200 > fairness.json
a train --learner logistic train.csv --standardize --out logistic.json "${model[@]}" >/dev/null
a train --learner gbdt train.csv --out gbdt.json "${model[@]}" >/dev/null
a predict --model logistic.json test.csv --id applicant_id --out predict-logistic.csv >/dev/null
a predict --model gbdt.json test.csv --id applicant_id --out predict-gbdt.csv >/dev/null
a fairness test.csv --model gbdt.json --label hired --sensitive gender --format json --bootstrap 200 > fairness-model.json
for m in reweighing exponentiated-gradient threshold-optimizer; do
  a mitigate train.csv --test test.csv --method "$m" "${model[@]}" --sensitive gender \
    --out "mitigated-$m.json" --json "mitigate-$m.json" >/dev/null
  a predict --model "mitigated-$m.json" test.csv --id applicant_id --out "predict-mitigated-$m.csv" >/dev/null
done
a explain test.csv --model logistic.json --method permutation --label hired --sensitive gender --json explain-permutation.json >/dev/null
a explain test.csv --model gbdt.json --method tree-shap --json explain-shap-tree.json >/dev/null
a explain test.csv --model logistic.json --method linear-shap --json explain-shap-linear.json >/dev/null
a mia --train train.csv --holdout test.csv --learner logistic --attack loss,confidence "${model[@]}" --format json > mia.json
a dp epsilon --sampling-rate 0.01 --noise-multiplier 1.1 --steps 1000 --delta 1e-5 --format json > dp-epsilon.json
a risk --data train.csv --quasi-identifiers age,gender,race --sensitive education --format json > risk.json
a anonymize train.csv --quasi-identifiers age,gender,race --sensitive education --k 5 --drop applicant_id --out anonymized.csv --format json > anonymize.json
echo "wrote $(ls | wc -l) files to $out"
