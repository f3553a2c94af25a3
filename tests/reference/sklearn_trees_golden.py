"""Golden scikit-learn tree ensembles exported by skl2onnx, their onnxruntime predictions,
node covers and shap.TreeExplainer values, for `assay_model::onnx::to_ensemble` and TreeSHAP.

Data: UCI Adult (`/work/shared/data/adult.data`, 32,561 rows). Features, in this column order:
age, workclass, fnlwgt, education, education-num, marital-status, occupation, relationship,
race, sex, capital-gain, capital-loss, hours-per-week, native-country. String columns are
ordinal-coded (index in the sorted list of their distinct stripped values, "?" included), so
every feature is a number, there are no missing values and the ONNX graph is the tree
ensemble node alone. All values are integers below 2^24, exact in float32.

Models (trained on all rows, written to models/sklearn_trees/):
* rf_classifier.onnx: RandomForestClassifier(n_estimators=20, max_depth=6, random_state=0),
  target income > 50K.
* gb_classifier.onnx: GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0),
  same target.
* dt_regressor.onnx: DecisionTreeRegressor(max_depth=6, random_state=0), target
  hours-per-week, features the 13 others (hours-per-week dropped).
Exported with skl2onnx `to_onnx(model, X[:1].astype(float32), options={"zipmap": False}` for
the classifiers), float32 input named "X".

Per model, `<name>.covers.json`: {"trees": [[cover of ONNX node id 0, 1, ...], ...]}, the
scikit-learn `tree_.weighted_n_node_samples` (skl2onnx writes scikit-learn's node ids as
`nodes_nodeids`, tree by tree in estimator order; for GradientBoosting, estimators_[i, 0]).
Path-dependent TreeSHAP needs these covers (skl2onnx does not export them); interventional
TreeSHAP does not.

golden/sklearn_trees_shap.json, per model:
* "columns", "rows": 500 rows (rows 0, 65, 130, ... of the file: every 65th), float32-exact;
* "onnxruntime": onnxruntime's output on those rows: for the classifiers the probability of
  class 1 (column 1 of "probabilities"), for the regressor "variable";
* "sklearn": scikit-learn's predict_proba[:, 1] / predict on float32 rows;
* "margin_space": what shap's raw output is: "probability" (RandomForest: shap explains the
  averaged leaf probabilities of class 1, no link), "log_odds" (GradientBoosting: the decision
  function, onnxruntime's probability is its sigmoid), "value" (regressor);
* "path_dependent": shap.TreeExplainer(model) (feature_perturbation="tree_path_dependent",
  model_output="raw") values on the 500 rows ([row][feature]) and "expected_value" (class 1
  for the random forest);
* "interventional": shap.TreeExplainer(model, data=background, feature_perturbation=
  "interventional", model_output="raw") on the first 200 rows, background = 100 rows
  (Adult rows 1000..1099), with "background" and "expected_value".

Versions used (also written into the golden file): python 3.11.7, scikit-learn 1.9.1,
skl2onnx 1.20.0, onnxruntime 1.32.0, shap 0.51.0, numpy 2.4.6, pandas 3.1.1. skl2onnx writes the opset
imports in an order that varies between runs; they are sorted by domain so that the bytes are
reproducible. Run from the workspace root:

    /work/venv/bin/python tests/reference/sklearn_trees_golden.py
"""

import json
import pathlib
import platform

import numpy as np
import onnxruntime as ort
import pandas as pd
import shap
import sklearn
import skl2onnx
from skl2onnx import to_onnx
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.tree import DecisionTreeRegressor

HERE = pathlib.Path(__file__).resolve().parent
MODELS = HERE / "models" / "sklearn_trees"
GOLDEN = HERE / "golden"
DATA = pathlib.Path("/work/shared/data/adult.data")

COLUMNS = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
           "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
           "hours-per-week", "native-country", "income"]
FEATURES = COLUMNS[:-1]
STRINGS = ["workclass", "education", "marital-status", "occupation", "relationship", "race",
           "sex", "native-country"]
ROWS = slice(0, 500 * 65, 65)
N_INTERVENTIONAL = 200
BACKGROUND = slice(1000, 1100)


def load():
    df = pd.read_csv(DATA, header=None, names=COLUMNS, skipinitialspace=True)
    df = df.dropna(how="all")
    for c in STRINGS:
        codes = {v: i for i, v in enumerate(sorted(df[c].astype(str).str.strip().unique()))}
        df[c] = df[c].astype(str).str.strip().map(codes)
    y = (df["income"].astype(str).str.strip().str.rstrip(".") == ">50K").astype(int).to_numpy()
    return df[FEATURES].astype(np.float64), y


def covers(estimators):
    return {"trees": [e.tree_.weighted_n_node_samples.tolist() for e in estimators]}


def main():
    MODELS.mkdir(parents=True, exist_ok=True)
    X, y = load()
    out = {"versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                        "skl2onnx": skl2onnx.__version__, "onnxruntime": ort.__version__,
                        "shap": shap.__version__, "numpy": np.__version__,
                        "pandas": pd.__version__},
           "models": {}}
    specs = [
        ("rf_classifier", RandomForestClassifier(n_estimators=20, max_depth=6, random_state=0),
         FEATURES, y, "probability"),
        ("gb_classifier", GradientBoostingClassifier(n_estimators=30, max_depth=3,
                                                     random_state=0), FEATURES, y, "log_odds"),
        ("dt_regressor", DecisionTreeRegressor(max_depth=6, random_state=0),
         [f for f in FEATURES if f != "hours-per-week"], X["hours-per-week"].to_numpy(), "value"),
    ]
    for name, model, cols, target, space in specs:
        Xm = X[cols].to_numpy(dtype=np.float32)
        assert np.array_equal(Xm.astype(np.float64), X[cols].to_numpy())  # float32-exact
        model.fit(Xm, target)
        classifier = hasattr(model, "predict_proba")
        options = {id(model): {"zipmap": False}} if classifier else None
        onx = to_onnx(model, Xm[:1], options=options, target_opset={"": 17, "ai.onnx.ml": 3})
        opsets = sorted(onx.opset_import, key=lambda o: (o.domain, o.version))
        del onx.opset_import[:]
        onx.opset_import.extend(opsets)
        path = MODELS / f"{name}.onnx"
        path.write_bytes(onx.SerializeToString())
        assert path.stat().st_size < 1_000_000, path
        if isinstance(model, GradientBoostingClassifier):
            ests = [e[0] for e in model.estimators_]
        elif isinstance(model, RandomForestClassifier):
            ests = list(model.estimators_)
        else:
            ests = [model]
        (MODELS / f"{name}.covers.json").write_text(json.dumps(covers(ests)) + "\n")

        rows = Xm[ROWS]
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        res = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {"X": rows})))
        if classifier:
            onnx_pred = res["probabilities"][:, 1].astype(np.float64)
            sk_pred = model.predict_proba(rows)[:, 1]
        else:
            onnx_pred = res["variable"][:, 0].astype(np.float64)
            sk_pred = model.predict(rows)
        gap = float(np.max(np.abs(onnx_pred - sk_pred)))
        assert gap < 1e-5, (name, gap)

        pd_exp = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent",
                                    model_output="raw")
        pd_vals = pd_exp.shap_values(rows, check_additivity=True)
        pd_ev = pd_exp.expected_value
        if isinstance(pd_vals, list):
            pd_vals = pd_vals[1]
        pd_vals = np.asarray(pd_vals)
        if pd_vals.ndim == 3:  # (rows, features, classes)
            pd_vals = pd_vals[:, :, 1]
        pd_ev = np.atleast_1d(pd_ev)
        pd_ev = float(pd_ev[1] if len(pd_ev) == 2 else pd_ev[0])

        background = X[cols].to_numpy(dtype=np.float32)[BACKGROUND]
        iv_exp = shap.TreeExplainer(model, data=background,
                                    feature_perturbation="interventional", model_output="raw")
        iv_rows = rows[:N_INTERVENTIONAL]
        iv_vals = np.asarray(iv_exp.shap_values(iv_rows, check_additivity=True))
        if iv_vals.ndim == 3:
            iv_vals = iv_vals[:, :, 1]
        iv_ev = np.atleast_1d(iv_exp.expected_value)
        iv_ev = float(iv_ev[1] if len(iv_ev) == 2 else iv_ev[0])

        out["models"][name] = {
            "onnx": f"models/sklearn_trees/{name}.onnx",
            "covers": f"models/sklearn_trees/{name}.covers.json",
            "estimator": repr(model),
            "n_trees": len(ests),
            "n_leaves": [int(e.tree_.n_leaves) for e in ests],
            "n_nodes": [int(e.tree_.node_count) for e in ests],
            "columns": cols,
            "rows": rows.astype(np.float64).tolist(),
            "onnxruntime": onnx_pred.tolist(),
            "sklearn": np.asarray(sk_pred, dtype=np.float64).tolist(),
            "margin_space": space,
            "path_dependent": {"values": pd_vals.tolist(), "expected_value": pd_ev},
            "interventional": {"values": iv_vals.tolist(), "expected_value": iv_ev,
                               "background": background.astype(np.float64).tolist(),
                               "n_rows": N_INTERVENTIONAL},
        }
        print(name, "onnx-vs-sklearn", gap, "size", path.stat().st_size)
    (GOLDEN / "sklearn_trees_shap.json").write_text(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
