"""Golden file for assay's gradient-boosted trees (crates/assay-model/src/learners/gbdt.rs).

Trains LightGBM on UCI Adult with a fixed split (rows whose 0-based index is a multiple of 5 are
the test set) and records its test accuracy and log-loss in golden/gbdt_adult.json; the Rust test
crates/assay-model/tests/gbdt_reference.rs trains assay's learner with the same settings on the
same split and compares.

Features: the 6 numeric columns, then the integer codes (position in the sorted category list)
of workclass, marital-status, occupation, relationship, race and sex, as plain numeric features.
Label: income == ">50K".

Run from the repository root:
    /work/venv/bin/python tests/reference/gbdt_golden.py /work/shared/data/adult.data
"""

import json
import sys

import lightgbm
import numpy as np
import pandas as pd
import sklearn

COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]
NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CODED = ["workclass", "marital-status", "occupation", "relationship", "race", "sex"]
SETTINGS = {
    "n_trees": 100, "num_leaves": 31, "learning_rate": 0.1, "min_child_samples": 20,
    "lambda_l2": 0.0, "max_bin": 255, "min_sum_hessian_in_leaf": 1e-3,
}


def load(path):
    """Feature matrix, labels and the test mask of the fixed split."""
    df = pd.read_csv(path, header=None, names=COLUMNS, sep=",", skipinitialspace=True)
    parts = [df[NUMERIC].to_numpy(dtype=float)]
    for c in CODED:
        levels = sorted(df[c].unique())
        code = {v: i for i, v in enumerate(levels)}
        parts.append(df[c].map(code).to_numpy(dtype=float)[:, None])
    x = np.hstack(parts)
    y = (df["income"] == ">50K").to_numpy(dtype=float)
    test = np.arange(len(df)) % 5 == 0
    return x, y, test


def lightgbm_model(threads=2):
    return lightgbm.LGBMClassifier(
        n_estimators=SETTINGS["n_trees"], num_leaves=SETTINGS["num_leaves"],
        learning_rate=SETTINGS["learning_rate"], min_child_samples=SETTINGS["min_child_samples"],
        reg_lambda=SETTINGS["lambda_l2"], max_bin=SETTINGS["max_bin"],
        min_child_weight=SETTINGS["min_sum_hessian_in_leaf"], subsample=1.0,
        colsample_bytree=1.0, num_threads=threads, deterministic=True, verbose=-1,
    )


def scores(y, p):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    accuracy = float(np.mean((p > 0.5) == (y == 1)))
    logloss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    return accuracy, logloss


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/adult.data"
    x, y, test = load(path)
    m = lightgbm_model()
    m.fit(x[~test], y[~test])
    accuracy, logloss = scores(y[test], m.predict_proba(x[test])[:, 1])
    out = {
        "description": "LightGBM on UCI Adult, rows with index % 5 == 0 as test set",
        "versions": {
            "lightgbm": lightgbm.__version__, "numpy": np.__version__,
            "pandas": pd.__version__, "scikit-learn": sklearn.__version__,
        },
        "features": NUMERIC + CODED,
        "settings": SETTINGS,
        "n_train": int((~test).sum()),
        "n_test": int(test.sum()),
        "test_accuracy": accuracy,
        "test_logloss": logloss,
    }
    with open("tests/reference/golden/gbdt_adult.json", "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
