#!/usr/bin/env bash
# TreeSHAP benchmark: assay's exact path-dependent TreeSHAP vs XGBoost's own
# `predict(pred_contribs=True)` and shap's TreeExplainer, on all 32,561 UCI Adult rows with the
# 200-tree depth-6 XGBoost model (tests/reference/models/xgb_200x6.json, trained by
# tests/reference/tree_shap_golden.py), 2 threads each, median of 3 runs. Prints a Markdown table.
#
#   bench/treeshap.sh            (from the workspace root; needs /work/venv and adult.data)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/work/venv/bin/python}
REPS=${REPS:-3}
THREADS=2
MODEL=tests/reference/models/xgb_200x6.json
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

cargo build --release -q -p assay-explain --example treeshap_bench
BIN=target/release/examples/treeshap_bench
[ -x "$BIN" ] || BIN=$(cargo metadata --format-version 1 --no-deps | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/examples/treeshap_bench

"$PY" bench/treeshap_reference.py "$MODEL" "$OUT" "$REPS" > "$OUT/ref.log" 2> "$OUT/ref.err" || { cat "$OUT/ref.err"; exit 1; }
"$BIN" "$MODEL" "$OUT/x.f64" 9 "$THREADS" "$REPS" "$OUT/xgb_contribs.f32" > "$OUT/assay.json"

"$PY" - "$OUT/reference.json" "$OUT/assay.json" <<'PYEOF'
import json, sys
ref = json.load(open(sys.argv[1])); a = json.load(open(sys.argv[2]))
fmt = lambda ts: ", ".join(f"{t:.2f}" for t in ts)
print(f"TreeSHAP (path-dependent), {a['rows']:,} Adult rows x {a['features']} features, "
      f"{a['trees']} trees of depth 6, {a['threads']} threads, median of {len(a['times_s'])}\n")
print("| implementation | median (s) | runs (s) | vs assay |")
print("|---|---:|---:|---:|")
print(f"| assay `tree_shap` (f64) | {a['median_s']:.3f} | {fmt(a['times_s'])} | 1.0x |")
print(f"| XGBoost {ref['xgboost']} `pred_contribs` (f32, nthread 2) | {ref['xgb_pred_contribs_s']:.3f} | "
      f"{fmt(ref['xgb_times'])} | {ref['xgb_pred_contribs_s'] / a['median_s']:.1f}x slower |")
print(f"| shap {ref['shap']} `TreeExplainer.shap_values` | {ref['shap_tree_explainer_s']:.3f} | "
      f"{fmt(ref['shap_times'])} | {ref['shap_tree_explainer_s'] / a['median_s']:.1f}x slower |")
c = a["comparison"]
print(f"\nmax |assay - XGBoost| over all values: {c['max_abs_diff_vs_xgb']:.2e} "
      f"(base value {c['max_abs_base_diff_vs_xgb']:.2e}); XGBoost computes in float32. "
      f"max |shap - XGBoost|: {ref['shap_vs_xgb_max_abs']:.2e}")
PYEOF
