#!/usr/bin/env bash
# The shipped example: audit a (deliberately biased) resume-screening model.
#
# Everything it writes goes to examples/hiring/out/ (ignored by git), with
# paths relative to the repository root in the reports:
# 1. a seeded synthetic dataset, out/hiring.csv;
# 2. `assay fairness` with the roles and policy beside this script, printing
#    the report and writing out/report.html and out/report.json;
# 3. mitigation: a new screening model trained on the historical hiring
#    decisions (`hired`, which held career gaps against applicants) inherits
#    their bias against women; `assay mitigate` fits it with exponentiated
#    gradient under demographic parity, evaluates both on a second seeded
#    sample (seed 7), and writes out/mitigation.html;
# 4. the gap explained: the same screening model, unmitigated (`assay train`),
#    and `assay explain` with permutation importance of the demographic-parity
#    difference by gender: which features drive the gap (career gaps, a proxy
#    for gender); writes out/explain.html.
#
# The example model violates the policy on purpose (that is what assay is
# here to find), so `assay fairness` exits with code 1; this script reports
# that and exits 0. Set STRICT=1 to get assay's own exit code instead.
#
# It builds assay with cargo first (the first build compiles about 540
# crates: 10 to 20 minutes on a 2-core machine, seconds afterwards). Set
# ASSAY=/path/to/assay to use a binary you already have.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
if [ -n "${ASSAY:-}" ]; then
  assay() { "$ASSAY" "$@"; }
else
  echo "Building assay with cargo (the first build takes 10 to 20 minutes; later runs start at once)..." >&2
  cargo build -p assay-cli
  assay() { cargo run --quiet -p assay-cli -- "$@"; }
fi
out=examples/hiring/out
ex=examples/hiring
mkdir -p "$out"
assay example hiring --rows 5000 --seed 42 --out "$out/hiring.csv"
set +e
assay fairness "$out/hiring.csv" \
  --roles "$ex/roles.toml" \
  --policy "$ex/policy.toml" \
  --html "$out/report.html" \
  --json "$out/report.json"
code=$?
set -e
echo
assay example hiring --rows 5000 --seed 7 --out "$out/hiring_test.csv"
assay mitigate "$out/hiring.csv" --test "$out/hiring_test.csv" \
  --method exponentiated-gradient --constraint demographic-parity \
  --label hired --positive 1 --sensitive gender \
  --features years_experience,career_gap_years,age --categorical education \
  --out "$out/mitigated_model.json" \
  --html "$out/mitigation.html" --json "$out/mitigation.json"
echo
assay train --learner logistic "$out/hiring.csv" \
  --label hired --positive 1 \
  --features years_experience,career_gap_years,age --categorical education \
  --standardize --out "$out/screening_model.json"
assay explain "$out/hiring_test.csv" --model "$out/screening_model.json" \
  --method permutation --scorer demographic-parity-difference --sensitive gender \
  --html "$out/explain.html" --json "$out/explain.json"
echo
echo "HTML reports: $out/report.html, $out/mitigation.html, $out/explain.html"
if [ "$code" = 1 ]; then
  echo "assay exited 1: the example model fails its fairness policy, as it was built to."
  [ "${STRICT:-0}" = 1 ] && exit 1
  exit 0
fi
exit "$code"
