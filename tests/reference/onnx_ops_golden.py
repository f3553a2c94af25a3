"""Golden outputs of assay's ai.onnx.ml operators, computed by onnxruntime.

    /work/venv/bin/python tests/reference/onnx_ops_golden.py

Builds one small ONNX graph per case with onnx.helper (opsets ai.onnx 17 and ai.onnx.ml 3,
ir_version 8), saves it as models/onnx/ops_<case>.onnx, runs onnxruntime on seeded inputs and
writes golden/onnx_ops.json. Every graph has exactly one floating-point graph output, a float
tensor [N, K] computed from the operator under test (or a ZipMap whose input tensor assay reads);
assay's crates/assay-model/tests/onnx_ops.rs runs the same files on the same inputs.

Numeric inputs are multiples of 1/8 (or the trees' thresholds), exact in float32, since assay
reads every numeric column as float32 before feeding the graph. NaN is written as null.

Also writes models/onnx/ops_err_*.onnx, graphs assay must reject (see onnx_ops.rs).
"""

import json
import math
import pathlib
import platform

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

HERE = pathlib.Path(__file__).resolve().parent
MODELS = HERE / "models" / "onnx"
GOLDEN = HERE / "golden"
N = 24
SEED = 20240611

FLOAT, DOUBLE, INT64, STRING = TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.INT64, TensorProto.STRING
TYPE_NAME = {FLOAT: "float", DOUBLE: "double", INT64: "int64", STRING: "string"}
NP_TYPE = {FLOAT: np.float32, DOUBLE: np.float64, INT64: np.int64, STRING: object}

rng = np.random.default_rng(SEED)


def save(case, nodes, inputs, outputs, initializers=(), ml_opset=3):
    graph = helper.make_graph(nodes, case, inputs, outputs, initializer=list(initializers))
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", ml_opset)],
        ir_version=8,
        producer_name="assay onnx_ops_golden.py",
    )
    onnx.checker.check_model(model, full_check=True)
    path = MODELS / f"ops_{case}.onnx"
    path.write_bytes(model.SerializeToString())
    return path


def numbers(shape, nan=0.0, extra=()):
    """Seeded multiples of 1/8 in [-3, 3], some replaced by `extra` values or NaN."""
    v = rng.integers(-24, 25, size=shape).astype(np.float64) / 8.0
    if extra:
        mask = rng.random(shape) < 0.35
        v[mask] = rng.choice(np.asarray(extra, dtype=np.float64), size=int(mask.sum()))
    if nan:
        v[rng.random(shape) < nan] = np.nan
    return v.astype(np.float32).astype(np.float64)


def flat(a, ty):
    a = np.asarray(a)
    if ty == STRING:
        return [str(v) for v in a.ravel()]
    if ty == INT64:
        return [int(v) for v in a.ravel()]
    return [None if math.isnan(float(v)) else float(v) for v in a.ravel()]


CASES = []


def run(case, path, feeds, output, note=""):
    """Runs onnxruntime on `feeds` ({name: (type, array)}) and records the case."""
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    res = sess.run([output], {k: np.asarray(a, dtype=NP_TYPE[t]) for k, (t, a) in feeds.items()})[0]
    if isinstance(res, list):  # ZipMap: a list of {label: probability}
        keys = list(res[0].keys())
        res = np.array([[r[k] for k in keys] for r in res], dtype=np.float32)
    res = np.asarray(res)
    assert res.dtype == np.float32 and res.ndim == 2, (case, res.dtype, res.shape)
    CASES.append({
        "case": case,
        "file": f"models/onnx/{path.name}",
        "note": note,
        "inputs": [
            {"name": k, "type": TYPE_NAME[t], "shape": list(np.asarray(a).shape), "values": flat(a, t)}
            for k, (t, a) in feeds.items()
        ],
        "output": output,
        "width": int(res.shape[1]),
        "expected": flat(res, FLOAT),
    })


# ---------------------------------------------------------------- tree ensembles

# Three trees over features 0..2, depth 2-3, every branch mode. Nodes: (id, feature, mode,
# threshold, true id, false id, missing_value_tracks_true); leaves: (id, "LEAF").
TREES = [
    [
        (0, 0, "BRANCH_LEQ", 0.5, 1, 2, 1),
        (1, 1, "BRANCH_LT", 0.0, 3, 4, 0),
        (2, 2, "BRANCH_GTE", 1.0, 5, 6, 0),
        (3, "LEAF"), (4, "LEAF"), (5, "LEAF"), (6, "LEAF"),
    ],
    [
        (0, 1, "BRANCH_GT", -0.5, 1, 2, 1),
        (1, 2, "BRANCH_EQ", 1.0, 3, 4, 0),
        (2, "LEAF"), (3, "LEAF"), (4, "LEAF"),
    ],
    [
        (0, 2, "BRANCH_NEQ", 0.0, 1, 2, 0),
        (1, 0, "BRANCH_LEQ", 1.0, 3, 4, 1),
        (2, "LEAF"),
        (3, 1, "BRANCH_GTE", 0.25, 5, 6, 1),
        (4, "LEAF"), (5, "LEAF"), (6, "LEAF"),
    ],
]
THRESHOLDS = (0.5, 0.0, 1.0, -0.5, 0.25)
LEAVES = [(t, n[0]) for t, tree in enumerate(TREES) for n in tree if n[1] == "LEAF"]  # 11 leaves


def tree_attrs():
    a = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes",
                         "nodes_values", "nodes_truenodeids", "nodes_falsenodeids",
                         "nodes_missing_value_tracks_true")}
    for t, tree in enumerate(TREES):
        for n in tree:
            leaf = n[1] == "LEAF"
            a["nodes_treeids"].append(t)
            a["nodes_nodeids"].append(n[0])
            a["nodes_featureids"].append(0 if leaf else n[1])
            a["nodes_modes"].append("LEAF" if leaf else n[2])
            a["nodes_values"].append(0.0 if leaf else n[3])
            a["nodes_truenodeids"].append(0 if leaf else n[4])
            a["nodes_falsenodeids"].append(0 if leaf else n[5])
            a["nodes_missing_value_tracks_true"].append(0 if leaf else n[6])
    return a


def leaf_weights(prefix, per_leaf):
    """per_leaf: for each leaf of LEAVES, a list of (class/target id, weight)."""
    a = {f"{prefix}_treeids": [], f"{prefix}_nodeids": [], f"{prefix}_ids": [], f"{prefix}_weights": []}
    for (t, n), ws in zip(LEAVES, per_leaf):
        for k, w in ws:
            a[f"{prefix}_treeids"].append(t)
            a[f"{prefix}_nodeids"].append(n)
            a[f"{prefix}_ids"].append(k)
            a[f"{prefix}_weights"].append(float(np.float32(w)))
    return a


def weights(n, positive):
    """n seeded weights per leaf: multiples of 1/32, in (0, 0.5] or in [-0.5, 0.5]."""
    lo = 1 if positive else -16
    return rng.integers(lo, 17, size=(len(LEAVES), n)) / 32.0


X_TREE = None


def tree_input():
    global X_TREE
    if X_TREE is None:
        X_TREE = numbers((N, 3), nan=0.15, extra=THRESHOLDS)
    return X_TREE


def classifier(case, labels, per_leaf, base=None, post="NONE", note=""):
    attrs = dict(tree_attrs(), **leaf_weights("class", per_leaf), post_transform=post)
    if isinstance(labels[0], str):
        attrs["classlabels_strings"] = labels
        label_type = STRING
    else:
        attrs["classlabels_int64s"] = labels
        label_type = INT64
    if base is not None:
        attrs["base_values"] = base
    node = helper.make_node("TreeEnsembleClassifier", ["x"], ["label", "probabilities"],
                            domain="ai.onnx.ml", name="trees", **attrs)
    path = save(case, [node], [helper.make_tensor_value_info("x", FLOAT, [None, 3])],
                [helper.make_tensor_value_info("label", label_type, [None]),
                 helper.make_tensor_value_info("probabilities", FLOAT, [None, len(labels)])])
    run(case, path, {"x": (FLOAT, tree_input())}, "probabilities", note)


def regressor(case, n_targets, per_leaf, aggregate="SUM", base=None, post="NONE", note=""):
    attrs = dict(tree_attrs(), **leaf_weights("target", per_leaf), n_targets=n_targets,
                 aggregate_function=aggregate, post_transform=post)
    if base is not None:
        attrs["base_values"] = base
    node = helper.make_node("TreeEnsembleRegressor", ["x"], ["y"], domain="ai.onnx.ml",
                            name="trees", **attrs)
    path = save(case, [node], [helper.make_tensor_value_info("x", FLOAT, [None, 3])],
                [helper.make_tensor_value_info("y", FLOAT, [None, n_targets])])
    run(case, path, {"x": (FLOAT, tree_input())}, "y", note)


def tree_cases():
    # Binary: class ids x base_values x post_transform (27 files); the sign of the weights
    # alternates so every (class ids, post_transform) pair sees positive and mixed weights.
    class_sets = {"c0": [0], "c1": [1], "c01": [0, 1]}
    bases = {"b0": None, "b1": [0.25], "b2": [0.125, -0.375]}
    posts = {"none": "NONE", "logistic": "LOGISTIC", "softmax": "SOFTMAX"}
    for ci, (cn, classes) in enumerate(class_sets.items()):
        for bi, (bn, base) in enumerate(bases.items()):
            for pi, (pn, post) in enumerate(posts.items()):
                positive = (ci + bi + pi) % 2 == 0
                w = weights(len(classes), positive)
                per_leaf = [[(c, w[i, j]) for j, c in enumerate(classes)] for i in range(len(LEAVES))]
                sign = "pos" if positive else "mixed"
                classifier(f"tec2_{cn}_{bn}_{pn}_{sign}", [0, 1], per_leaf, base, post,
                           f"binary TreeEnsembleClassifier, class_ids {classes}, base_values {base}, "
                           f"{post}, {'positive' if positive else 'mixed-sign'} weights")
    # Three classes. Leaf 4 gives no weight to class 2, leaf 7 none to class 0.
    w = weights(3, False)
    per_leaf = [[(c, w[i, c]) for c in range(3) if not (i == 4 and c == 2) and not (i == 7 and c == 0)]
                for i in range(len(LEAVES))]
    classifier("tec3_softmax", [0, 1, 2], per_leaf, None, "SOFTMAX", "3 classes, SOFTMAX, no base_values")
    classifier("tec3_softmax_base", [0, 1, 2], per_leaf, [0.25, -0.5, 0.125], "SOFTMAX",
               "3 classes, SOFTMAX, base_values")
    classifier("tec3_none_base", [10, 20, 30], per_leaf, [0.25, -0.5, 0.125], "NONE",
               "3 classes (labels 10, 20, 30), NONE, base_values")
    classifier("tec3_strings_softmax_base", ["cat", "dog", "eel"], per_leaf, [0.25, -0.5, 0.125],
               "SOFTMAX", "3 string classes, SOFTMAX, base_values")
    classifier("tec3_strings_logistic", ["cat", "dog", "eel"], per_leaf, None, "LOGISTIC",
               "3 string classes, LOGISTIC, no base_values")
    w2 = weights(2, True)
    classifier("tec2_strings_c01_logistic", ["no", "yes"],
               [[(0, w2[i, 0]), (1, w2[i, 1])] for i in range(len(LEAVES))], [0.125, -0.375],
               "LOGISTIC", "binary with string classes, both classes, 2 base_values, LOGISTIC")

    # Regressors.
    w = weights(3, False)
    one = [[(0, w[i, 0])] for i in range(len(LEAVES))]
    for agg in ("SUM", "AVERAGE", "MIN", "MAX"):
        regressor(f"ter1_{agg.lower()}_base", 1, one, agg, [0.5],
                  note=f"TreeEnsembleRegressor, 1 target, {agg}, base_values [0.5]")
    regressor("ter1_sum", 1, one, "SUM", None, note="1 target, SUM, no base_values")
    # Two targets: leaf 2 gives nothing to target 1 (assay reads the second column only).
    two = [[(k, w[i, k]) for k in range(2) if not (i == 2 and k == 1)] for i in range(len(LEAVES))]
    regressor("ter2_sum_base", 2, two, "SUM", [0.5, -0.25], note="2 targets, SUM, base_values")
    regressor("ter2_max", 2, two, "MAX", None, note="2 targets, MAX, no base_values")
    three = [[(k, w[i, k]) for k in range(3) if not (i == 5 and k == 2)] for i in range(len(LEAVES))]
    regressor("ter3_average_base", 3, three, "AVERAGE", [0.5, -0.25, 1.0],
              note="3 targets, AVERAGE, base_values")
    regressor("ter3_min", 3, three, "MIN", None, note="3 targets, MIN, no base_values")


# ---------------------------------------------------------------- preprocessing operators

def vi(name, ty, shape):
    return helper.make_tensor_value_info(name, ty, shape)


def ml(op, inputs, outputs, **attrs):
    return helper.make_node(op, inputs, outputs, domain="ai.onnx.ml", name=op.lower(), **attrs)


def one_hot_cases():
    shape = numpy_helper.from_array(np.array([-1, 4], dtype=np.int64), "shape4")
    s = rng.choice(["a", "b", "c", "d", "zz", ""], size=(N, 1))
    nodes = [ml("OneHotEncoder", ["s"], ["onehot"], cats_strings=["a", "b", "c", "d"], zeros=1),
             helper.make_node("Reshape", ["onehot", "shape4"], ["y"])]
    p = save("ohe_strings", nodes, [vi("s", STRING, [None, 1])], [vi("y", FLOAT, [None, 4])], [shape])
    run("ohe_strings", p, {"s": (STRING, s)}, "y", "OneHotEncoder cats_strings, zeros=1, unknown 'zz' and ''")

    shape5 = numpy_helper.from_array(np.array([-1, 5], dtype=np.int64), "shape5")
    k = rng.choice([1, 3, 5, 7, 9, 2, -4, 0], size=(N, 1)).astype(np.int64)
    nodes = [ml("OneHotEncoder", ["k"], ["onehot"], cats_int64s=[1, 3, 5, 7, 9], zeros=1),
             helper.make_node("Reshape", ["onehot", "shape5"], ["y"])]
    p = save("ohe_int64", nodes, [vi("k", INT64, [None, 1])], [vi("y", FLOAT, [None, 5])], [shape5])
    run("ohe_int64", p, {"k": (INT64, k)}, "y", "OneHotEncoder cats_int64s, zeros=1, unknown 2, -4, 0")

    # Two string inputs of width 1 -> [N, 2, 3] -> Flatten -> [N, 6].
    s2 = rng.choice(["x", "y", "z", "w"], size=(N, 2))
    nodes = [ml("OneHotEncoder", ["t"], ["onehot"], cats_strings=["x", "y", "z"], zeros=1),
             helper.make_node("Flatten", ["onehot"], ["y"], axis=1)]
    p = save("ohe_strings_flatten", nodes, [vi("t", STRING, [None, 2])], [vi("y", FLOAT, [None, 6])])
    run("ohe_strings_flatten", p, {"t": (STRING, s2)}, "y",
        "OneHotEncoder on a [N, 2] string input, Flatten to [N, 6], unknown 'w'")

    # Error model: zeros=0 (an unknown category fails).
    nodes = [ml("OneHotEncoder", ["s"], ["onehot"], cats_strings=["a", "b", "c"], zeros=0),
             helper.make_node("Reshape", ["onehot", "shape3"], ["y"])]
    shape3 = numpy_helper.from_array(np.array([-1, 3], dtype=np.int64), "shape3")
    p = save("err_ohe_zeros0", nodes, [vi("s", STRING, [None, 1])], [vi("y", FLOAT, [None, 3])], [shape3])
    sess = ort.InferenceSession(str(p), providers=["CPUExecutionProvider"])
    try:
        sess.run(None, {"s": np.array([["a"], ["zz"]], dtype=object)})
        raise SystemExit("onnxruntime accepted an unknown category with zeros=0")
    except Exception as e:  # noqa: BLE001 -- onnxruntime raises its own exception types
        print("err_ohe_zeros0: onnxruntime fails too:", str(e).splitlines()[0][:120])


def scaler_cases():
    for ty, tn in ((FLOAT, "float"), (DOUBLE, "double")):
        x = numbers((N, 3), nan=0.1)
        node = ml("Scaler", ["x"], ["y"], offset=[0.5, -1.0, 2.0], scale=[2.0, 0.5, -1.5])
        p = save(f"scaler_{tn}_columns", [node], [vi("x", ty, [None, 3])], [vi("y", FLOAT, [None, 3])])
        run(f"scaler_{tn}_columns", p, {"x": (ty, x)}, "y", f"Scaler on {tn}, per-column offset and scale, NaN")
        node = ml("Scaler", ["x"], ["y"], offset=[1.0], scale=[0.3])
        p = save(f"scaler_{tn}_single", [node], [vi("x", ty, [None, 3])], [vi("y", FLOAT, [None, 3])])
        run(f"scaler_{tn}_single", p, {"x": (ty, x)}, "y", f"Scaler on {tn}, one offset 1.0 and scale 0.3")


def imputer_cases():
    x = numbers((N, 3), nan=0.25, extra=(0.0,))
    node = ml("Imputer", ["x"], ["y"], imputed_value_floats=[1.5, -2.0, 0.25], replaced_value_float=math.nan)
    p = save("imputer_nan_columns", [node], [vi("x", FLOAT, [None, 3])], [vi("y", FLOAT, [None, 3])])
    run("imputer_nan_columns", p, {"x": (FLOAT, x)}, "y", "Imputer, NaN replaced per column")
    node = ml("Imputer", ["x"], ["y"], imputed_value_floats=[7.0], replaced_value_float=math.nan)
    p = save("imputer_nan_single", [node], [vi("x", FLOAT, [None, 3])], [vi("y", FLOAT, [None, 3])])
    run("imputer_nan_single", p, {"x": (FLOAT, x)}, "y", "Imputer, NaN replaced by one value")
    node = ml("Imputer", ["x"], ["y"], imputed_value_floats=[1.5, -2.0, 0.25], replaced_value_float=0.0)
    p = save("imputer_zero_columns", [node], [vi("x", FLOAT, [None, 3])], [vi("y", FLOAT, [None, 3])])
    run("imputer_zero_columns", p, {"x": (FLOAT, x)}, "y", "Imputer, 0 replaced per column (NaN stays)")
    node = ml("Imputer", ["x"], ["y"], imputed_value_floats=[7.0], replaced_value_float=0.0)
    p = save("imputer_zero_single", [node], [vi("x", FLOAT, [None, 3])], [vi("y", FLOAT, [None, 3])])
    run("imputer_zero_single", p, {"x": (FLOAT, x)}, "y", "Imputer, 0 replaced by one value (NaN stays)")


def binarizer_cases():
    # onnxruntime rejects NaN in a Binarizer's input ("Input data with index: 3 is NaN"), so
    # the golden rows have none; assay's own rule (NaN gives 0) is tested in onnx_ops.rs.
    x = numbers((N, 3), nan=0.0, extra=(0.5,))
    node = ml("Binarizer", ["x"], ["y"], threshold=0.5)
    p = save("binarizer", [node], [vi("x", FLOAT, [None, 3])], [vi("y", FLOAT, [None, 3])])
    run("binarizer", p, {"x": (FLOAT, x)}, "y", "Binarizer threshold 0.5, values at 0.5 (no NaN: onnxruntime rejects it)")
    sess = ort.InferenceSession(str(p), providers=["CPUExecutionProvider"])
    try:
        sess.run(None, {"x": np.array([[0.0, math.nan, 1.0]], dtype=np.float32)})
        print("binarizer: onnxruntime accepts NaN")
    except Exception as e:  # noqa: BLE001
        print("binarizer: onnxruntime rejects NaN:", str(e).splitlines()[0][-60:])


def afe_cases():
    x = numbers((N, 4), nan=0.1)
    for case, idx in (("afe_2_0", [2, 0]), ("afe_3_1_1", [3, 1, 1])):
        init = numpy_helper.from_array(np.array(idx, dtype=np.int64), "idx")
        node = ml("ArrayFeatureExtractor", ["x", "idx"], ["y"])
        p = save(case, [node], [vi("x", FLOAT, [None, 4])], [vi("y", FLOAT, [None, len(idx)])], [init])
        run(case, p, {"x": (FLOAT, x)}, "y", f"ArrayFeatureExtractor, columns {idx} of [N, 4]")


def label_encoder_cases():
    s = rng.choice(["a", "b", "c", "d", ""], size=(N, 3))
    node = ml("LabelEncoder", ["s"], ["y"], keys_strings=["a", "b", "c"], values_floats=[0.5, 1.5, -2.0],
              default_float=9.0)
    p = save("le_str_float", [node], [vi("s", STRING, [None, 3])], [vi("y", FLOAT, [None, 3])])
    run("le_str_float", p, {"s": (STRING, s)}, "y", "LabelEncoder string -> float, default 9")

    k = rng.choice([1, 2, 3, 4, -1], size=(N, 3)).astype(np.int64)
    node = ml("LabelEncoder", ["k"], ["y"], keys_int64s=[1, 2, 3], values_floats=[0.25, -0.75, 4.0],
              default_float=-1.5)
    p = save("le_int_float", [node], [vi("k", INT64, [None, 3])], [vi("y", FLOAT, [None, 3])])
    run("le_int_float", p, {"k": (INT64, k)}, "y", "LabelEncoder int64 -> float, default -1.5")

    nodes = [ml("LabelEncoder", ["s"], ["codes"], keys_strings=["a", "b", "c"], values_int64s=[10, 20, 30],
                default_int64=-7),
             helper.make_node("Cast", ["codes"], ["y"], to=FLOAT)]
    p = save("le_str_int_cast", nodes, [vi("s", STRING, [None, 3])], [vi("y", FLOAT, [None, 3])])
    run("le_str_int_cast", p, {"s": (STRING, s)}, "y", "LabelEncoder string -> int64 (default -7), Cast to float")

    nodes = [helper.make_node("LabelEncoder", ["k"], ["names"], domain="ai.onnx.ml", name="le1",
                              keys_int64s=[1, 2, 3], values_strings=["one", "two", "three"],
                              default_string="none"),
             helper.make_node("LabelEncoder", ["names"], ["y"], domain="ai.onnx.ml", name="le2",
                              keys_strings=["one", "two", "none"], values_floats=[1.0, 2.0, -1.0],
                              default_float=99.0)]
    p = save("le_int_str_float", nodes, [vi("k", INT64, [None, 3])], [vi("y", FLOAT, [None, 3])])
    run("le_int_str_float", p, {"k": (INT64, k)}, "y",
        "LabelEncoder int64 -> string (default 'none'), then string -> float (default 99)")


def zipmap_cases():
    x = numbers((N, 3), nan=0.0)
    coef = [0.5, -1.0, 0.25, -0.5, 0.75, 1.0, 0.125, 0.25, -1.5]
    nodes = [ml("LinearClassifier", ["x"], ["label", "probabilities"], coefficients=coef,
                intercepts=[0.1, -0.2, 0.3], classlabels_ints=[0, 1, 2], post_transform="SOFTMAX"),
             ml("ZipMap", ["probabilities"], ["output_probability"], classlabels_int64s=[0, 1, 2])]
    out_zip = helper.make_value_info(
        "output_probability",
        helper.make_sequence_type_proto(helper.make_map_type_proto(INT64, helper.make_tensor_type_proto(FLOAT, []))))
    p = save("zipmap_linear3", nodes, [vi("x", FLOAT, [None, 3])], [vi("label", INT64, [None]), out_zip])
    run("zipmap_linear3", p, {"x": (FLOAT, x)}, "output_probability",
        "LinearClassifier (3 classes, SOFTMAX) -> ZipMap; assay reads the ZipMap's input tensor")


def error_models():
    # An operator assay does not implement.
    node = ml("SVMClassifier", ["x"], ["label", "probabilities"], classlabels_ints=[0, 1],
              coefficients=[1.0, -1.0], support_vectors=[0.0, 1.0, 1.0, 0.0], vectors_per_class=[1, 1],
              rho=[0.0], kernel_type="LINEAR")
    save("err_svm", [node], [vi("x", FLOAT, [None, 2])], [vi("label", INT64, [None]), vi("probabilities", FLOAT, [None, 2])])
    # ai.onnx.ml opset 4.
    node = ml("Binarizer", ["x"], ["y"], threshold=0.5)
    save("err_ml_opset4", [node], [vi("x", FLOAT, [None, 3])], [vi("y", FLOAT, [None, 3])], ml_opset=4)


def main():
    MODELS.mkdir(parents=True, exist_ok=True)
    tree_cases()
    one_hot_cases()
    scaler_cases()
    imputer_cases()
    binarizer_cases()
    afe_cases()
    label_encoder_cases()
    zipmap_cases()
    error_models()
    out = {
        "versions": {"python": platform.python_version(), "onnx": onnx.__version__,
                     "onnxruntime": ort.__version__, "numpy": np.__version__},
        "rows": N,
        "seed": SEED,
        "cases": CASES,
    }
    # One case per line keeps the file small and its diffs readable.
    text = json.dumps({k: v for k, v in out.items() if k != "cases"})[:-1]
    text += ', "cases": [\n' + ",\n".join(json.dumps(c) for c in CASES) + "\n]}\n"
    json.loads(text)
    (GOLDEN / "onnx_ops.json").write_text(text)
    total = sum((HERE / c["file"]).stat().st_size for c in CASES)
    print(f"{len(CASES)} cases, {total} bytes of models, golden/onnx_ops.json "
          f"{(GOLDEN / 'onnx_ops.json').stat().st_size} bytes")


if __name__ == "__main__":
    main()
