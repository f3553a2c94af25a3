"""Golden file for assay's CART decision tree (crates/assay-model/src/learners/tree.rs).

Fits scikit-learn's DecisionTreeClassifier(max_depth=6, min_samples_leaf=20, random_state=0)
on UCI Adult, numeric features only (age, fnlwgt, education-num, capital-gain, capital-loss,
hours-per-week; every value an integer, so scikit-learn's float32 cast of X is exact), label
income == ">50K", all rows, twice: unweighted and with sample_weight = fnlwgt / mean(fnlwgt).
For each fit golden/tree_adult.json records the node count, depth, number of leaves, the root
split (feature index and threshold) and predict_proba[:, 1] of the first 3000 rows (all 32561
rows would make a ~1 MB file), rounded to 12 significant digits. The Rust test crates/assay-model/tests/tree_reference.rs fits assay's tree
with the same settings and compares.

Run from the repository root:
    /work/venv/bin/python tests/reference/tree_golden.py /work/shared/data/adult.data
"""

import json
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.tree import DecisionTreeClassifier

COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]
NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
N_STORED = 3000
SETTINGS = {"criterion": "gini", "max_depth": 6, "min_samples_leaf": 20, "random_state": 0}


def fit(x, y, w):
    model = DecisionTreeClassifier(**SETTINGS).fit(x, y, sample_weight=w)
    t = model.tree_
    proba = model.predict_proba(x[:N_STORED])[:, 1]
    return {
        "node_count": int(t.node_count),
        "depth": int(model.get_depth()),
        "n_leaves": int(model.get_n_leaves()),
        "root_feature": int(t.feature[0]),
        "root_threshold": float(t.threshold[0]),
        "proba": [float(f"{p:.12g}") for p in proba],
    }


def main(path):
    df = pd.read_csv(path, header=None, names=COLUMNS, sep=",", skipinitialspace=True)
    x = df[NUMERIC].to_numpy(dtype=float)
    y = (df["income"] == ">50K").to_numpy(dtype=int)
    fnlwgt = df["fnlwgt"].to_numpy(dtype=float)
    out = {
        "settings": SETTINGS,
        "features": NUMERIC,
        "n_rows": int(len(df)),
        "n_stored": N_STORED,
        "unweighted": fit(x, y, None),
        "weighted": fit(x, y, fnlwgt / fnlwgt.mean()),
        "versions": {
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
    }
    with open("tests/reference/golden/tree_adult.json", "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/adult.data")
