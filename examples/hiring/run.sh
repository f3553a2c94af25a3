#!/usr/bin/env bash
# The shipped example: audit a (deliberately biased) resume-screening model.
#
# 1. writes a seeded synthetic dataset, examples/hiring/hiring.csv;
# 2. runs `assay fairness` with the roles and policy beside this script,
#    printing the report and writing examples/hiring/report.html.
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
echo "HTML report: $here/report.html"
if [ "$code" = 1 ]; then
  echo "assay exited 1: the example model fails its fairness policy, as it was built to."
  [ "${STRICT:-0}" = 1 ] && exit 1
  exit 0
fi
exit "$code"
