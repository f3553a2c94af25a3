"""Golden files for assay's L2-regularised logistic regression (crates/assay-model/src/learners).

Fits scikit-learn's LogisticRegression(penalty="l2", solver="lbfgs") on UCI Adult and writes the
standardisation parameters, the one-hot category lists, the coefficients, intercepts and the
predict_proba of the first 100 rows to golden/logistic_<case>.json. The same fit with
solver="newton-cholesky" is stored alongside (it reaches the exact optimum more tightly than
lbfgs), with the largest difference between the two.

Run from the repository root:
    /work/venv/bin/python tests/reference/logistic_golden.py /work/shared/data/adult.data
"""

import json
import sys
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression

COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]
NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CATEGORICAL = ["sex", "race", "relationship"]


def design(df, categorical):
    mean = df[NUMERIC].mean(axis=0).to_numpy()
    std = df[NUMERIC].std(axis=0, ddof=0).to_numpy()
    parts = [(df[NUMERIC].to_numpy(dtype=float) - mean) / std]
    names = list(NUMERIC)
    cats = {}
    for c in categorical:
        levels = sorted(df[c].unique())
        cats[c] = levels
        parts.append(np.stack([(df[c] == v).to_numpy(dtype=float) for v in levels], axis=1))
        names += [f"{c}={v}" for v in levels]
    return np.hstack(parts), names, mean, std, cats


def fit(x, y, c, solver, sw):
    m = LogisticRegression(penalty="l2", C=c, solver=solver, tol=1e-12, max_iter=10000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        m.fit(x, y, sample_weight=sw)
    return m


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/adult.data"
    df = pd.read_csv(path, header=None, names=COLUMNS, sep=",", skipinitialspace=True)
    cases = [
        ("binary", CATEGORICAL, "income", 1.0, False),
        ("binary_weighted", CATEGORICAL, "income", 1.0, True),
        ("binary_c001", CATEGORICAL, "income", 0.01, False),
        ("multinomial_race", [], "race", 1.0, False),
    ]
    for name, categorical, label, c, weighted in cases:
        x, names, mean, std, cats = design(df, categorical)
        if label == "income":
            y = (df["income"] == ">50K").to_numpy(dtype=float)
            classes = ["<=50K", ">50K"]
        else:
            classes = sorted(df[label].unique())
            y = df[label].map({v: i for i, v in enumerate(classes)}).to_numpy(dtype=float)
        sw = (df["fnlwgt"] / df["fnlwgt"].mean()).to_numpy() if weighted else None
        lb = fit(x, y, c, "lbfgs", sw)
        nc = fit(x, y, c, "newton-cholesky", sw)
        out = {
            "sklearn_version": sklearn.__version__,
            "numpy_version": np.__version__,
            "pandas_version": pd.__version__,
            "case": name,
            "C": c,
            "label": label,
            "label_classes": classes,
            "weight": "fnlwgt / mean(fnlwgt)" if weighted else None,
            "numeric": NUMERIC,
            "mean": mean.tolist(),
            "std": std.tolist(),
            "categorical": [{"column": k, "categories": v} for k, v in cats.items()],
            "feature_names": names,
            "n_rows": int(x.shape[0]),
            "lbfgs": {
                "n_iter": int(lb.n_iter_.max()),
                "coef": lb.coef_.tolist(),
                "intercept": lb.intercept_.tolist(),
                "proba_first100": lb.predict_proba(x[:100]).tolist(),
            },
            "newton_cholesky": {
                "n_iter": int(nc.n_iter_.max()),
                "coef": nc.coef_.tolist(),
                "intercept": nc.intercept_.tolist(),
                "proba_first100": nc.predict_proba(x[:100]).tolist(),
            },
            "max_abs_diff_coef_lbfgs_vs_newton": float(
                max(np.abs(lb.coef_ - nc.coef_).max(), np.abs(lb.intercept_ - nc.intercept_).max())
            ),
        }
        with open(f"tests/reference/golden/logistic_{name}.json", "w") as f:
            json.dump(out, f, indent=1)
        print(name, "lbfgs iters", out["lbfgs"]["n_iter"], "newton iters",
              out["newton_cholesky"]["n_iter"], "max |lbfgs-newton|",
              out["max_abs_diff_coef_lbfgs_vs_newton"])


if __name__ == "__main__":
    main()
