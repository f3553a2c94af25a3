"""Golden TreeSHAP values of the committed XGBoost and LightGBM models on UCI Adult.

References, per model (models/{xgb_binary.json, xgb_regression.json, lgb_binary.txt,
lgb_regression.txt}, trained by trees_golden.py on its feature preparation):

* path-dependent SHAP values (Lundberg et al. 2020, Algorithm 2) from the libraries themselves:
  XGBoost `predict(pred_contribs=True)` and `predict(pred_interactions=True)`, LightGBM
  `predict(pred_contrib=True)`, on 511 rows (the first 480 rows of golden/trees_features.json,
  with its injected NaNs, and every 10th of its edge rows: odd category codes, zeros around
  LightGBM's kZeroThreshold, values that round onto XGBoost thresholds in float32). LightGBM has
  no interaction output: shap's `TreeExplainer(...).shap_interaction_values` (tree_path_dependent,
  float64) is stored for the LightGBM models instead. shap evaluates LightGBM trees with its own
  parser, which does not follow LightGBM on these models' categorical and zero-as-missing splits
  (its interaction rows then do not sum to LightGBM's pred_contrib): the Rust test compares only
  the rows where they do, and compares all rows on the all-numerical models below.
* interventional SHAP values (`shap.TreeExplainer(model, data=background,
  feature_perturbation="interventional", model_output="raw")`) against 100 background rows, on
  200 rows. shap 0.51 refuses the committed models (XGBoost: "Categorical split is not yet
  supported"; LightGBM: its additivity check fails on the categorical/missing-value splits), so
  for them the reference is the definition itself, evaluated by brute force with the library's
  own predictor: v(S) = mean over background rows z of margin(x_S, z_not_S), for all 2^9
  coalitions S, and phi_j = sum_S |S|!(d-|S|-1)!/d! (v(S+j) - v(S)). In addition shap's own
  interventional TreeExplainer runs on two all-numerical models trained here
  (models/tree_shap_xgb_numeric.json, models/tree_shap_lgb_numeric.txt, the same data with
  `relationship` as a plain number), on the non-edge rows; for these models the file also holds
  the path-dependent values and interactions as above.

Also trains the benchmark model: 200 trees of depth 6, XGBoost binary:logistic on all 32,561
Adult rows (seeded, single thread), saved as models/xgb_200x6.json.

Versions used: python 3.11.7, shap 0.51.0, xgboost 3.2.0, lightgbm 4.7.0, numpy 2.4.6,
pandas 3.1.1 (written into every golden file). Run from the workspace root:

    /work/venv/bin/python tests/reference/tree_shap_golden.py
"""

import json
import math
import pathlib
import platform
import sys

import lightgbm as lgb
import numpy as np
import pandas as pd
import shap
import xgboost as xgb

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import trees_golden as tg  # noqa: E402  (feature preparation and training settings)

MODELS = HERE / "models"
GOLDEN = HERE / "golden"
N_FIRST = 480
N_INTERVENTIONAL_FIRST = 170
BACKGROUND = slice(1000, 1100)

VERSIONS = {
    "python": platform.python_version(), "shap": shap.__version__, "xgboost": xgb.__version__,
    "lightgbm": lgb.__version__, "numpy": np.__version__, "pandas": pd.__version__,
}


def nested(a):
    a = np.asarray(a, dtype="float64")
    if a.ndim == 1:
        return [None if math.isnan(v) else float(v) for v in a]
    return [nested(r) for r in a]


def golden_rows():
    feat = json.loads((GOLDEN / "trees_features.json").read_text())
    assert feat["feature_names"] == tg.FEATURES
    rows = np.array([[np.nan if v is None else v for v in r] for r in feat["rows"]], dtype="float64")
    n_golden = len(rows) - feat["n_edge_rows"]
    explained = np.vstack([rows[:N_FIRST], rows[n_golden::10]])
    interventional = np.vstack([rows[:N_INTERVENTIONAL_FIRST], rows[n_golden::10][:30]])
    background = rows[BACKGROUND]
    return explained, interventional, background


def xgb_dmatrix(x, categorical=True):
    types = ["c" if (c == tg.CATEGORICAL and categorical) else "float" for c in tg.FEATURES]
    return xgb.DMatrix(x, feature_names=tg.FEATURES, feature_types=types, enable_categorical=categorical)


class Margin:
    """Margin of a committed model with the library's own predictor."""

    def __init__(self, name):
        self.name = name
        if name.startswith("xgb"):
            self.xgb = xgb.Booster()
            self.xgb.load_model(str(MODELS / f"{name}.json"))
            self.xgb.set_param({"nthread": 2})
        else:
            self.lgb = lgb.Booster(model_file=str(MODELS / f"{name}.txt"))

    def __call__(self, x):
        if self.name.startswith("xgb"):
            return self.xgb.predict(xgb_dmatrix(x), output_margin=True).astype("float64")
        return self.lgb.predict(x, raw_score=True, num_threads=2)


def brute_force_interventional(margin, x, background):
    """Exact interventional SHAP values by enumerating all coalitions (see the module doc)."""
    n, d = x.shape
    masks = ((np.arange(1 << d)[:, None] >> np.arange(d)[None, :]) & 1).astype(bool)
    sizes = masks.sum(axis=1)
    fact = [math.factorial(k) for k in range(d + 1)]
    out = np.zeros((n, d))
    for i in range(n):
        hybrid = np.where(masks[:, None, :], x[i][None, None, :], background[None, :, :])
        v = margin(hybrid.reshape(-1, d)).reshape(len(masks), len(background)).mean(axis=1)
        for j in range(d):
            without = np.nonzero(~masks[:, j])[0]
            w = np.array([fact[s] * fact[d - s - 1] / fact[d] for s in sizes[without]])
            out[i, j] = np.sum(w * (v[without | (1 << j)] - v[without]))
    return out


def numeric_models(x, y):
    xn = x.copy()
    params = {"objective": "binary:logistic", "max_depth": 4, "eta": 0.3, "tree_method": "hist",
              "seed": 0, "nthread": 1}
    bx = xgb.train(params, xgb.DMatrix(xn, label=y), num_boost_round=30)
    bx.save_model(str(MODELS / "tree_shap_xgb_numeric.json"))
    lparams = {"objective": "binary", "num_leaves": 15, "learning_rate": 0.1, "seed": 0,
               "num_threads": 1, "verbose": -1, "deterministic": True}
    bl = lgb.train(lparams, lgb.Dataset(xn, label=y, categorical_feature=[]), num_boost_round=30)
    bl.save_model(str(MODELS / "tree_shap_lgb_numeric.txt"))
    return {"xgb_numeric": bx, "lgb_numeric": bl}


def main():
    explained, interventional, background = golden_rows()
    x_all, y_all = tg.load()
    for name in ["xgb_binary", "xgb_regression", "lgb_binary", "lgb_regression"]:
        margin = Margin(name)
        out = {"versions": VERSIONS, "model": name, "feature_names": tg.FEATURES,
               "rows": nested(explained), "margin": nested(margin(explained))}
        if name.startswith("xgb"):
            d = xgb_dmatrix(explained)
            contribs = margin.xgb.predict(d, pred_contribs=True)
            inter = margin.xgb.predict(d, pred_interactions=True)
            out["interaction_source"] = "xgboost pred_interactions (float32)"
            out["interactions"] = nested(inter[:, :-1, :-1].reshape(len(explained), -1))
        else:
            contribs = margin.lgb.predict(explained, pred_contrib=True)
            e = shap.TreeExplainer(margin.lgb, feature_perturbation="tree_path_dependent")
            inter = e.shap_interaction_values(explained)
            out["interaction_source"] = "shap TreeExplainer.shap_interaction_values (float64)"
            out["interactions"] = nested(np.asarray(inter).reshape(len(explained), -1))
        out["shap_values"] = nested(contribs[:, :-1])
        out["base_values"] = nested(contribs[:, -1])
        # Interventional, brute force with the library's predictor.
        out["interventional_rows"] = nested(interventional)
        out["background"] = nested(background)
        out["interventional_source"] = "brute force over all coalitions, library predictor"
        out["interventional_values"] = nested(brute_force_interventional(margin, interventional, background))
        out["interventional_base"] = float(np.mean(margin(background)))
        (GOLDEN / f"tree_shap_{name}.json").write_text(json.dumps(out, separators=(",", ":")))
        print(name, "written")

    # shap's own interventional TreeExplainer, on all-numerical models (non-edge rows).
    rows = interventional[:N_INTERVENTIONAL_FIRST]
    for name, booster in numeric_models(x_all, y_all).items():
        e = shap.TreeExplainer(booster, data=background, feature_perturbation="interventional",
                               model_output="raw")
        vals = e.shap_values(pd.DataFrame(rows, columns=tg.FEATURES))
        out = {"versions": VERSIONS, "model": name, "feature_names": tg.FEATURES,
               "rows": nested(explained)}
        if name.startswith("xgb"):
            d = xgb.DMatrix(explained, feature_names=tg.FEATURES)
            out["margin"] = nested(booster.predict(d, output_margin=True))
            contribs = booster.predict(d, pred_contribs=True)
            inter = booster.predict(d, pred_interactions=True)[:, :-1, :-1]
            out["interaction_source"] = "xgboost pred_interactions (float32)"
        else:
            out["margin"] = nested(booster.predict(explained, raw_score=True))
            contribs = booster.predict(explained, pred_contrib=True)
            inter = shap.TreeExplainer(booster).shap_interaction_values(explained)
            out["interaction_source"] = "shap TreeExplainer.shap_interaction_values (float64)"
        out["shap_values"] = nested(contribs[:, :-1])
        out["base_values"] = nested(contribs[:, -1])
        out["interactions"] = nested(np.asarray(inter).reshape(len(explained), -1))
        out.update({
               "interventional_source": "shap.TreeExplainer(model, data=background, "
                                        "feature_perturbation='interventional', model_output='raw')",
               "interventional_rows": nested(rows), "background": nested(background),
               "interventional_values": nested(vals),
               "interventional_base": float(np.ravel(e.expected_value)[0])})
        (GOLDEN / f"tree_shap_{name}.json").write_text(json.dumps(out, separators=(",", ":")))
        print(name, "written")

    # The benchmark model.
    k = int(np.nanmax(x_all[tg.CATEGORICAL].to_numpy())) + 1
    xc = x_all.copy()
    xc[tg.CATEGORICAL] = pd.Categorical(x_all[tg.CATEGORICAL], categories=list(range(k)))
    params = {"objective": "binary:logistic", "max_depth": 6, "eta": 0.1, "tree_method": "hist",
              "seed": 0, "nthread": 1, "max_cat_to_onehot": 1}
    big = xgb.train(params, xgb.DMatrix(xc, label=y_all, enable_categorical=True), num_boost_round=200)
    path = MODELS / "xgb_200x6.json"
    big.save_model(str(path))
    print("xgb_200x6", path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
