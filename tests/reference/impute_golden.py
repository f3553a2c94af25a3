"""Golden file for assay's feature preparation (`assay train --impute ... --standardize
--handle-unknown ignore`): scikit-learn's Pipeline(ColumnTransformer([SimpleImputer +
StandardScaler on the numeric columns, OneHotEncoder(handle_unknown="ignore") on relationship]),
LogisticRegression) on UCI Adult with missing numeric cells.

The missing cells follow a rule both sides can apply without sharing data: in 0-based row i of
adult.data, numeric column j (in NUMERIC order) is blanked when (7*i + 13*j) % 20 == 0. The
Rust test (crates/assay-cli/tests/train_prepare.rs) writes the same blanked CSV from adult.data
and compares the imputed values, the scaler's mean and scale, the coefficients and intercept,
and predict_proba of the first 200 rows, plus one row whose relationship is a category never
seen in training.

Run from the repository root (versions are written into the golden file):
    /work/venv/bin/python tests/reference/impute_golden.py /work/shared/data/adult.data
"""

import json
import pathlib
import platform
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = pathlib.Path(__file__).resolve().parent
COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]
NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]


def load(path):
    df = pd.read_csv(path, header=None, names=COLUMNS, sep=", ", engine="python")
    x = df[NUMERIC].astype("float64").copy()
    i = np.arange(len(df))
    for j, c in enumerate(NUMERIC):
        x.loc[(7 * i + 13 * j) % 20 == 0, c] = np.nan
    x["relationship"] = df["relationship"]
    y = (df["income"] == ">50K").astype(int).to_numpy()
    return x, y


def main():
    x, y = load(sys.argv[1])
    out = {
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "numeric": NUMERIC,
        "rows": len(x),
    }
    for strategy in ["median", "mean"]:
        pipe = Pipeline([
            ("prep", ColumnTransformer([
                ("num", Pipeline([
                    ("imp", SimpleImputer(strategy=strategy)),
                    ("sc", StandardScaler()),
                ]), NUMERIC),
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["relationship"]),
            ])),
            ("lr", LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-12, max_iter=1000)),
        ])
        pipe.fit(x, y)
        prep = pipe.named_steps["prep"]
        num = prep.named_transformers_["num"]
        cat = prep.named_transformers_["cat"]
        lr = pipe.named_steps["lr"]
        probe = x.iloc[:200].copy()
        unseen = x.iloc[[0]].copy()
        unseen["relationship"] = "Cousin"
        out[strategy] = {
            "impute": num.named_steps["imp"].statistics_.tolist(),
            "mean": num.named_steps["sc"].mean_.tolist(),
            "scale": num.named_steps["sc"].scale_.tolist(),
            "categories": [str(c) for c in cat.categories_[0]],
            "coef": lr.coef_[0].tolist(),
            "intercept": float(lr.intercept_[0]),
            "proba_first_200": pipe.predict_proba(probe)[:, 1].tolist(),
            "proba_unseen_row0": float(pipe.predict_proba(unseen)[0, 1]),
        }
    path = HERE / "golden" / "impute_adult.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
