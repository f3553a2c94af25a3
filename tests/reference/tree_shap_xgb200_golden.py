"""Golden XGBoost `pred_contribs` of the 200-tree depth-6 benchmark model
(`models/xgb_200x6.json`, trained by `tree_shap_golden.py`) on the golden rows of
`golden/trees_features.json` (Adult features as `trees_golden.py` prepares them, NaNs and edge
rows included), for `crates/assay-explain/tests/tree_shap_xgb_f32.rs`: assay's
XGBoost-compatible float32 TreeSHAP must reproduce them exactly on a deep model too.

Writes golden/tree_shap_xgb_200x6.json (keys as tree_shap_golden.py's files: feature_names,
rows, margin, shap_values, base_values). Run from the repository root:

    /work/venv/bin/python tests/reference/tree_shap_xgb200_golden.py

Versions: python 3.11.7, xgboost 3.2.0, numpy 2.4.6 (written into the file).
"""

import json
import pathlib
import platform
import sys

import numpy as np
import xgboost as xgb

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import trees_golden as tg  # noqa: E402


def nested(a):
    a = np.asarray(a, dtype="float64")
    if a.ndim == 1:
        return [None if np.isnan(v) else float(v) for v in a]
    return [nested(r) for r in a]


def main():
    feat = json.loads((HERE / "golden" / "trees_features.json").read_text())
    assert feat["feature_names"] == tg.FEATURES
    rows = np.array([[np.nan if v is None else v for v in r] for r in feat["rows"]], dtype="float64")
    booster = xgb.Booster()
    booster.load_model(HERE / "models" / "xgb_200x6.json")
    booster.set_param({"nthread": 1})
    types = ["c" if c in tg.CODED and c == tg.CATEGORICAL else "float" for c in tg.FEATURES]
    d = xgb.DMatrix(rows, feature_names=tg.FEATURES, feature_types=types, enable_categorical=True)
    contribs = booster.predict(d, pred_contribs=True)
    margin = booster.predict(d, output_margin=True)
    out = {
        "versions": {"python": platform.python_version(), "xgboost": xgb.__version__,
                     "numpy": np.__version__},
        "model": "models/xgb_200x6.json",
        "feature_names": tg.FEATURES,
        "rows": nested(rows),
        "margin": nested(margin),
        "shap_values": nested(contribs[:, :-1]),
        "base_values": nested(contribs[:, -1]),
    }
    (HERE / "golden" / "tree_shap_xgb_200x6.json").write_text(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
