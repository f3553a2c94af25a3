#!/usr/bin/env bash
# The shipped example: audit a (deliberately biased) resume-screening model.
#
# 1. writes a seeded synthetic dataset, examples/hiring/hiring.csv;
# 2. runs `assay fairness` with the roles and policy beside this script,
#    printing the report and writing examples/hiring/report.html;
# 3. mitigates: a new screening model trained on the historical hiring
#    decisions (`hired`, which held career gaps against applicants) inherits
#    their bias against women; `assay mitigate` fits it with exponentiated
#    gradient under demographic parity, evaluates both on a second seeded
#    sample (seed 7), and writes examples/hiring/mitigation.html;
# 4. explains the gap: the same screening model, unmitigated (`assay train`),
#    and `assay explain` with permutation importance of the demographic-parity
#    difference by gender: which features drive the gap (career gaps, a proxy
#    for gender); writes examples/hiring/explain.html.
#
# The example model violates the policy on purpose (that is what assay is
# here to find), so `assay fairness` exits with code 1; this script reports
# that and exits 0. Set STRICT=1 to get assay's own exit code instead.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
assay() { cargo run --quiet -p assay-cli -- "$@"; }
assay example hiring --rows 5000 --seed 42 --out "$here/hiring.csv"
set +e
assay fairness "$here/hiring.csv" \
  --roles "$here/roles.toml" \
  --policy "$here/policy.toml" \
  --html "$here/report.html" \
  --json "$here/report.json"
code=$?
set -e
echo
assay example hiring --rows 5000 --seed 7 --out "$here/hiring_test.csv"
assay mitigate "$here/hiring.csv" --test "$here/hiring_test.csv" \
  --method exponentiated-gradient --constraint demographic-parity \
  --label hired --positive 1 --sensitive gender \
  --features years_experience,career_gap_years,age --categorical education \
  --out "$here/mitigated_model.json" \
  --html "$here/mitigation.html" --json "$here/mitigation.json"
echo
assay train --learner logistic "$here/hiring.csv" \
  --label hired --positive 1 \
  --features years_experience,career_gap_years,age --categorical education \
  --standardize --out "$here/screening_model.json"
assay explain "$here/hiring_test.csv" --model "$here/screening_model.json" \
  --method permutation --scorer demographic-parity-difference --sensitive gender \
  --html "$here/explain.html" --json "$here/explain.json"
echo
echo "HTML reports: $here/report.html, $here/mitigation.html, $here/explain.html"
if [ "$code" = 1 ]; then
  echo "assay exited 1: the example model fails its fairness policy, as it was built to."
  [ "${STRICT:-0}" = 1 ] && exit 1
  exit 0
fi
exit "$code"
