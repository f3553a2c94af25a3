"""Golden outputs of assay's ONNX export, computed by onnxruntime.

Two stages:

    /work/venv/bin/python tests/reference/onnx_golden.py train
    cargo run -p assay-model --example export_onnx
    /work/venv/bin/python tests/reference/onnx_golden.py check

`train` fits two small tree ensembles without categorical splits (the committed models of
trees_golden.py split on a categorical feature, which ONNX-ML's TreeEnsembleRegressor cannot
express): XGBoost and LightGBM binary logistic on the same UCI Adult features, every feature
numerical, saved under models/onnx/, and a LightGBM regression (of hours-per-week / 10 plus
the label). The Rust example then writes the ONNX files (and the
logistic models it fits on seeded synthetic data, with their rows) under models/onnx/. `check`
runs onnx.checker.check_model on every ONNX file, evaluates it with onnxruntime on the golden
rows (golden/trees_features.json for the trees, golden/onnx_logistic_rows.json for the logistic
models) and writes the outputs to golden/onnx_<model>.json. The Rust test
crates/assay-model/tests/onnx_export.rs checks that assay writes the same bytes and predicts the
same probabilities.
"""

import json
import math
import pathlib
import platform
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
MODELS = HERE / "models" / "onnx"
GOLDEN = HERE / "golden"


def train():
    import lightgbm as lgb
    import xgboost as xgb

    sys.path.insert(0, str(HERE))
    import trees_golden as tg

    x, y = tg.load()
    MODELS.mkdir(parents=True, exist_ok=True)
    dtrain = xgb.DMatrix(x.to_numpy(), label=y, feature_names=tg.FEATURES)
    params = {
        "objective": "binary:logistic", "max_depth": 4, "eta": 0.3, "tree_method": "hist",
        "seed": 0, "nthread": 1,
    }
    xgb.train(params, dtrain, num_boost_round=20).save_model(str(MODELS / "xgb_binary_numeric.json"))
    params = {
        "objective": "binary", "num_leaves": 15, "learning_rate": 0.1, "seed": 0,
        "num_threads": 1, "verbose": -1, "deterministic": True,
    }
    ds = lgb.Dataset(x, label=y, categorical_feature=[], free_raw_data=False)
    lgb.train(params, ds, num_boost_round=20).save_model(str(MODELS / "lgb_binary_numeric.txt"))
    params = dict(params, objective="regression")
    ds = lgb.Dataset(x, label=x["hours-per-week"].fillna(40.0).to_numpy() / 10.0 + y,
                     categorical_feature=[], free_raw_data=False)
    lgb.train(params, ds, num_boost_round=20).save_model(str(MODELS / "lgb_regression_numeric.txt"))
    print("trained", sorted(p.name for p in MODELS.iterdir()))


def rows_of(path):
    v = json.loads(path.read_text())
    return np.array([[math.nan if c is None else c for c in r] for r in v["rows"]], dtype="float64")


def floats(a):
    return [float(v) for v in np.asarray(a, dtype="float64").ravel()]


def check():
    import onnx
    import onnxruntime as ort

    versions = {
        "python": platform.python_version(), "onnx": onnx.__version__,
        "onnxruntime": ort.__version__, "numpy": np.__version__,
    }
    tree_rows = rows_of(GOLDEN / "trees_features.json")
    logistic_rows = rows_of(GOLDEN / "onnx_logistic_rows.json")
    for path in sorted(MODELS.glob("*.onnx")):
        model = onnx.load(str(path))
        onnx.checker.check_model(model, full_check=True)
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        inp = sess.get_inputs()[0]
        x = logistic_rows if path.stem.startswith("logistic") else tree_rows
        x = x.astype("float64" if inp.type == "tensor(double)" else "float32")
        names = [o.name for o in sess.get_outputs()]
        outs = dict(zip(names, sess.run(None, {inp.name: x})))
        result = {"versions": versions, "model": path.name, "input_type": inp.type, "n_rows": len(x)}
        for name, value in outs.items():
            result[name] = [int(v) for v in value.ravel()] if value.dtype.kind == "i" else floats(value)
        (GOLDEN / f"onnx_{path.stem}.json").write_text(json.dumps(result, separators=(",", ":")))
        print(path.name, inp.type, {k: v.shape for k, v in outs.items()})


if __name__ == "__main__":
    {"train": train, "check": check}[sys.argv[1]]()
