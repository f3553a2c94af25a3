"""Golden onnxruntime predictions of scikit-learn pipelines exported with skl2onnx, on UCI Adult.

Fits four pipelines (one-hot encoding of the 8 categorical columns, median imputation and
standard scaling of the 6 numeric ones, then LogisticRegression, RandomForestClassifier,
GradientBoostingClassifier or HistGradientBoostingClassifier) on all 32,561 rows of
/work/shared/data/adult.data, exports them with skl2onnx (one graph input per column, default
ZipMap probability output) to models/onnx/adult_{lr,rf,gb,hgb}.onnx, runs onnxruntime's CPU
provider on every row and writes golden/sklearn_onnx_adult.parquet (row, {m}_p1, {m}_label)
and golden/sklearn_onnx_adult.json (versions, inputs, outputs, operators per model).

Versions: Python 3.11.7, scikit-learn 1.9.1, skl2onnx 1.20.0, onnx 1.23.2, onnxruntime 1.32.0,
numpy 2.4.6, pandas 3.1.1, pyarrow 26.0.1 (also stored in the JSON file).

    /work/venv/bin/python tests/reference/sklearn_onnx_golden.py
"""

import json
import pathlib
import platform
import re

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sklearn
import skl2onnx
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = pathlib.Path(__file__).resolve().parent
DATA = pathlib.Path("/work/shared/data/adult.data")
MODELS = HERE / "models" / "onnx"
GOLDEN = HERE / "golden"

COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]
NUM = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CAT = ["workclass", "education", "marital-status", "occupation", "relationship", "race", "sex",
       "native-country"]
# Graph inputs, in this order: categorical columns first, then numeric (ColumnTransformer order).
INPUTS = CAT + NUM
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}

# skl2onnx 1.20.0 writes HistGradientBoosting's `nodes_missing_value_tracks_true` as a list that
# mixes numpy uint8 (split nodes) and Python `False` (leaves); onnx 1.23's make_attribute infers
# INTS but protobuf refuses the bools. Turn bools in int lists into 0/1 (same attribute values).
_make_attribute = onnx.helper.make_attribute


def _make_attribute_ints(key, value, *args, **kwargs):
    if isinstance(value, list) and any(isinstance(v, (bool, np.bool_)) for v in value):
        value = [int(v) for v in value]
    return _make_attribute(key, value, *args, **kwargs)


onnx.helper.make_attribute = _make_attribute_ints


def load():
    df = pd.read_csv(DATA, header=None, names=COLUMNS, sep=", ", engine="python")
    x = pd.DataFrame({c: df[c].astype(str).astype(object) for c in CAT})
    for c in NUM:
        x[c] = df[c].astype("float32")
    y = (df["income"] == ">50K").astype("int64").to_numpy()
    return x[INPUTS], y


def pipeline(clf):
    pre = ColumnTransformer([
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CAT),
        ("num", Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler())]), NUM),
    ])
    return Pipeline([("pre", pre), ("clf", clf)])


MODELS_SPEC = {
    "lr": lambda: LogisticRegression(max_iter=2000),
    "rf": lambda: RandomForestClassifier(n_estimators=30, max_depth=8, random_state=0),
    "gb": lambda: GradientBoostingClassifier(n_estimators=50, max_depth=3, random_state=0),
    "hgb": lambda: HistGradientBoostingClassifier(max_iter=50, random_state=0),
}


def initial_types():
    return [(c, StringTensorType([None, 1])) if c in CAT else (c, FloatTensorType([None, 1]))
            for c in INPUTS]


def feeds(x):
    out = {}
    for c in INPUTS:
        if c in CAT:
            out[c] = x[c].to_numpy(dtype=object).reshape(-1, 1)
        else:
            out[c] = x[c].to_numpy(dtype=np.float32).reshape(-1, 1)
    return out


def rename_inputs(model):
    """skl2onnx turns characters other than [A-Za-z0-9_+] into "_" ("marital-status" becomes
    "marital_status"); give the graph inputs the column names back."""
    names = {re.sub(r"[^\w+]", "_", c): c for c in INPUTS}
    existing = {v for n in model.graph.node for v in list(n.input) + list(n.output)}
    for vi in model.graph.input:
        new = names[vi.name]
        if new == vi.name:
            continue
        assert new not in existing
        for node in model.graph.node:
            node.input[:] = [new if v == vi.name else v for v in node.input]
        vi.name = new
    assert [vi.name for vi in model.graph.input] == INPUTS
    onnx.checker.check_model(model, full_check=True)
    return model


def op_list(model):
    return sorted({(n.domain or "ai.onnx", n.op_type) for n in model.graph.node})


def tensor_type(vi):
    t = vi.type.tensor_type if vi.type.HasField("tensor_type") else None
    if t is None:
        return str(vi.type).replace("\n", " ").strip()
    dims = [d.dim_param or (d.dim_value if d.HasField("dim_value") else None) for d in t.shape.dim]
    return {"elem_type": onnx.TensorProto.DataType.Name(t.elem_type), "shape": dims}


def main():
    MODELS.mkdir(parents=True, exist_ok=True)
    GOLDEN.mkdir(exist_ok=True)
    x, y = load()
    n = len(x)
    inputs = feeds(x)
    table = {"row": pa.array(np.arange(n, dtype=np.int64))}
    meta_models = {}
    for name, make in MODELS_SPEC.items():
        pipe = pipeline(make()).fit(x, y)
        onx = convert_sklearn(pipe, initial_types=initial_types(), target_opset=TARGET_OPSET)
        onx = rename_inputs(onx)
        path = MODELS / f"adult_{name}.onnx"
        path.write_bytes(onx.SerializeToString())
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        out_names = [o.name for o in sess.get_outputs()]
        label, probs = sess.run(None, inputs)
        label = np.asarray(label).astype(np.int64).reshape(-1)
        p1 = np.array([d[1] for d in probs], dtype=np.float32)
        assert len(label) == n and len(p1) == n
        table[f"{name}_p1"] = pa.array(p1, type=pa.float32())
        table[f"{name}_label"] = pa.array(label, type=pa.int64())
        sk_p1 = pipe.predict_proba(x)[:, 1]
        sk_label = pipe.predict(x)
        ops = op_list(onx)
        model = onnx.load(str(path))
        print(f"{name}: {path.name} {path.stat().st_size} bytes, "
              f"max |ort p1 - sklearn p1| = {np.max(np.abs(p1.astype(np.float64) - sk_p1)):.3e}, "
              f"rows > 1e-5: {int(np.sum(np.abs(p1 - sk_p1) > 1e-5))}, "
              f"label mismatches vs sklearn = {int(np.sum(label != sk_label))}, "
              f"mean p1 = {float(p1.mean()):.6f}")
        print(f"  ops: {ops}")
        meta_models[name] = {
            "file": f"models/onnx/{path.name}",
            "estimator": repr(pipe.named_steps["clf"]),
            "ops": [list(o) for o in ops],
            "opset_import": {(o.domain or "ai.onnx"): o.version for o in model.opset_import},
            "outputs": [{"name": o.name, "type": tensor_type(o)} for o in model.graph.output],
            "ort_outputs": out_names,
            "max_abs_diff_p1_vs_sklearn": float(np.max(np.abs(p1.astype(np.float64) - sk_p1))),
            "rows_p1_diff_over_1e-5_vs_sklearn": int(np.sum(np.abs(p1 - sk_p1) > 1e-5)),
            "label_mismatches_vs_sklearn": int(np.sum(label != sk_label)),
        }

    out = GOLDEN / "sklearn_onnx_adult.parquet"
    pq.write_table(pa.table(table), out, compression="zstd")
    print(f"{out.name}: {out.stat().st_size} bytes, {n} rows")

    meta = {
        "versions": {
            "python": platform.python_version(), "sklearn": sklearn.__version__,
            "skl2onnx": skl2onnx.__version__, "onnxruntime": ort.__version__,
            "onnx": onnx.__version__, "numpy": np.__version__, "pandas": pd.__version__,
            "pyarrow": pa.__version__,
        },
        "data": "adult.data (all 32,561 rows, sep=', ')",
        "target_opset": TARGET_OPSET,
        "inputs": [{"name": c, "type": "string" if c in CAT else "float", "shape": [None, 1]}
                   for c in INPUTS],
        "golden": "golden/sklearn_onnx_adult.parquet",
        "columns": list(table),
        "models": meta_models,
    }
    (GOLDEN / "sklearn_onnx_adult.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
