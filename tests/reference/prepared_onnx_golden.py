"""Golden outputs of assay's raw-column ONNX export (`assay model export`), computed by
onnxruntime.

The models are trained by assay itself (this script trains nothing) on a small synthetic table
that `data` writes; every file lives under tests/reference/models/prepared/. Steps, from the
repository root, with `A=target/debug/assay` and `P=tests/reference/models/prepared`:

    /work/venv/bin/python tests/reference/prepared_onnx_golden.py data
    $A train --learner logistic $P/train.csv --label y --positive yes --features age,hours \
        --categorical edu,city --standardize --impute mean --handle-unknown ignore \
        --out $P/logistic.json
    $A train --learner logistic $P/train.csv --label edu --features age,hours \
        --categorical city --standardize --impute median --handle-unknown ignore \
        --out $P/logistic_multiclass.json
    $A train --learner gbdt $P/train.csv --label y --positive yes --features age,hours \
        --categorical edu,city --handle-unknown ignore --trees 20 --max-leaves 8 \
        --out $P/gbdt.json
    $A train --learner gbdt $P/train.csv --label hours --loss squared-error --features age \
        --categorical edu,city --handle-unknown ignore --trees 10 --max-leaves 4 \
        --out $P/gbdt_regression.json
    $A train --learner tree $P/train.csv --label y --positive yes --features hours \
        --categorical edu,city --max-depth 4 --out $P/tree.json
    $A mitigate $P/train.csv --method reweighing --label y --positive yes --sensitive sex \
        --features hours --categorical edu,city --bootstrap 0 --out $P/reweighing.json
    $A mitigate $P/train.csv --method correlation-remover --alpha 0.8 --label y --positive yes \
        --sensitive sex,region --features hours --categorical edu,city --bootstrap 0 \
        --out $P/decorrelated.json
    $A mitigate $P/train.csv --method threshold-optimizer --learner gbdt --trees 10 --label y \
        --positive yes --sensitive sex --features age,hours --categorical edu,city \
        --bootstrap 0 --out $P/thresholds_randomized.json
    /work/venv/bin/python tests/reference/prepared_onnx_golden.py derive
    for m in logistic logistic_multiclass gbdt gbdt_regression tree reweighing decorrelated thresholds mixture_one constant; do
        $A model export $P/$m.json --out $P/$m.onnx; done
    /work/venv/bin/python tests/reference/prepared_onnx_golden.py check

`data` writes train.csv (400 rows, seeded numpy: numeric age with 8% missing cells, hours;
categorical edu, city; sensitive sex and region; label y) and the scoring tables input.csv (40
rows with missing ages and categories not seen in training: edu 'Doctorate', city 'central'),
input_known.csv (its rows whose categories were all seen in training) and input_complete.csv
(its rows without missing cells: assay scores mitigated models without imputation and refuses
a missing cell, so the threshold model, whose gbdt reads age, is compared there). `derive` writes
thresholds.json: thresholds_randomized.json with every group's rule made deterministic (its
first threshold rule with probability 1: p0 = 1, p1 = 0), the threshold optimizer's form of a
deterministic rule; mixture_one.json: reweighing.json's predictor as a mixture with weights
[1, 0] (its 0/1 predictions, a collapsed reduction); constant.json: a single constant
predictor (0.25), as reductions keep when all relabelled rows agree. `check` runs onnx.checker.check_model (full_check) on every exported file,
scores the input table with onnxruntime (input_known.csv for the tree, whose unknown-category
rule is 'error'; the script also checks that onnxruntime refuses input.csv for it, and a sex
value not seen in training for the models that decide by group) and writes
the probabilities and labels to tests/reference/golden/prepared_onnx.json.

The Rust tests crates/assay-model/tests/onnx_prepared.rs and
crates/assay-mitigation/tests/onnx_export.rs re-export the committed assay models, require the
committed ONNX bytes, and compare assay's own scores and assay's ONNX runtime with these
probabilities. Versions are recorded in the golden file (onnx 1.x, onnxruntime 1.32, numpy).
"""

import csv
import json
import math
import pathlib
import platform
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
MODELS = HERE / "models" / "prepared"
GOLDEN = HERE / "golden" / "prepared_onnx.json"

# name -> scoring table
CASES = {
    "logistic": "input.csv",
    "logistic_multiclass": "input.csv",
    "gbdt": "input.csv",
    "gbdt_regression": "input.csv",
    "tree": "input_known.csv",
    "reweighing": "input.csv",
    "decorrelated": "input.csv",
    "thresholds": "input_complete.csv",
    "mixture_one": "input.csv",
    "constant": "input.csv",
}
# Models whose unseen categories are an error: onnxruntime must refuse input.csv.
REFUSE_UNSEEN = ["tree"]
# Models that decide by group: onnxruntime must refuse a group not seen in training.
REFUSE_GROUP = ["decorrelated", "thresholds"]

EDU = ["Bachelor", "HS", "Master", "PhD"]
CITY = ["east", "north", "south", "west"]


def rows(rng, n, unseen):
    out = []
    for i in range(n):
        sex = "F" if rng.random() < 0.45 else "M"
        region = "A" if rng.random() < 0.6 else "B"
        edu = EDU[rng.integers(len(EDU))]
        city = CITY[rng.integers(len(CITY))]
        if unseen and i % 7 == 3:
            edu = "Doctorate"
        if unseen and i % 9 == 5:
            city = "central"
        age = round(float(rng.normal(40, 12)), 1)
        hours = round(float(rng.uniform(20, 60)) * 2) / 2
        z = (0.04 * (age - 40) + 0.05 * (hours - 40) + 0.8 * (edu in ("Master", "PhD"))
             - 0.5 * (city == "south") + 0.6 * (sex == "M") + 0.3 * (region == "A")
             + rng.normal(0, 0.7))
        y = "yes" if z > 0.3 else "no"
        age_cell = "" if rng.random() < 0.08 else f"{age}"
        out.append([age_cell, f"{hours}", edu, city, sex, region, y])
    return out


def data():
    rng = np.random.default_rng(20261126)
    MODELS.mkdir(parents=True, exist_ok=True)
    header = ["age", "hours", "edu", "city", "sex", "region", "y"]
    train = rows(rng, 400, unseen=False)
    table = rows(rng, 40, unseen=True)
    # A few exact training-like values on split candidates: ages with one decimal.
    for name, body in [("train.csv", train), ("input.csv", table),
                       ("input_known.csv", [r for r in table
                                            if r[2] in EDU and r[3] in CITY]),
                       ("input_complete.csv", [r for r in table if r[0] != ""])]:
        with open(MODELS / name, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(body)
    print("wrote", MODELS / "train.csv", MODELS / "input.csv", MODELS / "input_known.csv")


def derive():
    m = json.loads((MODELS / "thresholds_randomized.json").read_text())
    for r in m["decision"]["thresholds"]["interpolation"]:
        r["p0"], r["p1"] = 1.0, 0.0
        r.pop("p_ignore", None)
        r.pop("prediction_constant", None)
    (MODELS / "thresholds.json").write_text(json.dumps(m, indent=2) + "\n")
    r = json.loads((MODELS / "reweighing.json").read_text())
    logistic = r["decision"]["predictor"]
    one = dict(r, method="mixture of one predictor (hand-made from reweighing.json)",
               decision={"kind": "mixture", "weights": [1.0, 0.0],
                         "predictors": [logistic, {"predictor": "constant", "value": 1.0}]})
    (MODELS / "mixture_one.json").write_text(json.dumps(one, indent=2) + "\n")
    const = dict(r, method="constant predictor (hand-made from reweighing.json)",
                 decision={"kind": "single",
                           "predictor": {"predictor": "constant", "value": 0.25}})
    (MODELS / "constant.json").write_text(json.dumps(const, indent=2) + "\n")
    print("wrote thresholds.json, mixture_one.json, constant.json")


def feeds(sess, table):
    with open(MODELS / table, newline="") as f:
        body = list(csv.DictReader(f))
    out = {}
    for i in sess.get_inputs():
        col = [r[i.name] for r in body]
        if i.type == "tensor(string)":
            out[i.name] = np.array(col, dtype=object).reshape(-1, 1)
        elif i.type == "tensor(double)":
            out[i.name] = np.array([float(v) if v.strip() else math.nan for v in col],
                                   dtype=np.float64).reshape(-1, 1)
        else:
            raise SystemExit(f"unexpected input type {i.type} of {i.name}")
    return out


def check():
    import onnx
    import onnxruntime as ort

    golden = {
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": ort.__version__,
        },
        "cases": {},
    }
    for name, table in CASES.items():
        path = MODELS / f"{name}.onnx"
        model = onnx.load(str(path))
        onnx.checker.check_model(model, full_check=True)
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        outputs = [o.name for o in sess.get_outputs()]
        if outputs == ["variable"]:
            (pred,) = sess.run(None, feeds(sess, table))
            assert pred.dtype == np.float64 and pred.shape[1] == 1, (pred.dtype, pred.shape)
            golden["cases"][name] = {
                "table": table,
                "inputs": [i.name for i in sess.get_inputs()],
                "variable": pred[:, 0].tolist(),
            }
            print(f"{name}: {pred.shape[0]} rows (regression)")
            continue
        assert outputs == ["label", "probabilities"], outputs
        label, proba = sess.run(None, feeds(sess, table))
        classes = json.loads({p.key: p.value for p in model.metadata_props}["class_names"])
        assert proba.dtype == np.float64 and proba.shape[1] == len(classes), (proba.dtype,
                                                                            proba.shape)
        assert np.all(np.isfinite(proba)), name
        assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-12), name
        want = [classes[int(k)] for k in np.argmax(proba, axis=1)]
        assert list(label) == want, (name, list(label), want)
        golden["cases"][name] = {
            "table": table,
            "inputs": [i.name for i in sess.get_inputs()],
            "probabilities": proba.tolist(),
            "label": [str(v) for v in label],
        }
        print(f"{name}: {proba.shape[0]} rows, inputs {[i.name for i in sess.get_inputs()]}")
    for name in REFUSE_UNSEEN:
        sess = ort.InferenceSession(str(MODELS / f"{name}.onnx"),
                                    providers=["CPUExecutionProvider"])
        try:
            sess.run(None, feeds(sess, "input.csv"))
        except Exception as e:  # onnxruntime raises its own Fail/RuntimeException types
            golden["cases"][name]["refuses_unseen"] = str(e).splitlines()[0][:200]
            print(f"{name}: refuses unseen categories: {golden['cases'][name]['refuses_unseen']}")
        else:
            raise SystemExit(f"{name}: onnxruntime scored unseen categories of an 'error' model")
    for name in REFUSE_GROUP:
        sess = ort.InferenceSession(str(MODELS / f"{name}.onnx"),
                                    providers=["CPUExecutionProvider"])
        f = feeds(sess, CASES[name])
        f["sex"] = f["sex"].copy()
        f["sex"][0, 0] = "X"
        try:
            sess.run(None, f)
        except Exception as e:
            golden["cases"][name]["refuses_unseen_group"] = str(e).splitlines()[0][:200]
            print(f"{name}: refuses an unseen group: {golden['cases'][name]['refuses_unseen_group']}")
        else:
            raise SystemExit(f"{name}: onnxruntime scored a group not seen in training")
    GOLDEN.write_text(json.dumps(golden, indent=1) + "\n")
    print("wrote", GOLDEN)


if __name__ == "__main__":
    {"data": data, "derive": derive, "check": check}[sys.argv[1]]()
