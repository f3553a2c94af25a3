"""Helper of bench/treeshap.sh: the Adult feature matrix (trees_golden.py's preparation, all
32,561 rows) as raw little-endian float64, and the timings of XGBoost's own TreeSHAP
(`predict(pred_contribs=True)`, nthread 2) and of shap's TreeExplainer (tree_path_dependent,
which for XGBoost models calls the same XGBoost predictor) on it, median of `reps` runs.

    /work/venv/bin/python bench/treeshap_reference.py MODEL OUT_DIR REPS
"""

import json
import pathlib
import statistics
import sys
import time

import numpy as np
import shap
import xgboost as xgb

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "reference"))
import trees_golden as tg  # noqa: E402


def timed(f, reps):
    times, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def main():
    model, out_dir, reps = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3])
    out_dir.mkdir(parents=True, exist_ok=True)
    x, _ = tg.load()
    xa = x.to_numpy(dtype="float64")
    (out_dir / "x.f64").write_bytes(xa.astype("<f8").tobytes())
    booster = xgb.Booster()
    booster.load_model(model)
    booster.set_param({"nthread": 2})
    types = ["c" if c == tg.CATEGORICAL else "float" for c in tg.FEATURES]
    d = xgb.DMatrix(xa, feature_names=tg.FEATURES, feature_types=types, enable_categorical=True, nthread=2)
    xgb_med, xgb_times, contribs = timed(lambda: booster.predict(d, pred_contribs=True), reps)
    (out_dir / "xgb_contribs.f32").write_bytes(np.ascontiguousarray(contribs, dtype="<f4").tobytes())

    # shap's TreeExplainer, as users call it: explainer built once, then shap_values on the
    # numpy matrix (shap passes the booster's feature types, categorical included, to XGBoost).
    explainer = shap.TreeExplainer(booster)
    shap_med, shap_times, sv = timed(lambda: explainer.shap_values(xa), reps)
    out = {
        "rows": len(xa), "features": xa.shape[1], "xgboost": xgb.__version__, "shap": shap.__version__,
        "xgb_pred_contribs_s": xgb_med, "xgb_times": xgb_times,
        "shap_tree_explainer_s": shap_med, "shap_times": shap_times,
        "shap_vs_xgb_max_abs": float(np.max(np.abs(np.asarray(sv) - contribs[:, :-1]))),
    }
    (out_dir / "reference.json").write_text(json.dumps(out))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
