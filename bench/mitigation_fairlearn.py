"""Times Fairlearn 0.15's ExponentiatedGradient(DemographicParity) on the Adult split that
`bench/mitigation.sh` gives assay (rows 1-20,000 train, the rest test; features as in
tests/reference/mitigation_adult_golden.py), with scikit-learn's LogisticRegression(C=1) as the
base learner, at two solver settings:
  * "optimum": lbfgs, tol 1e-10, max_iter 10000 (the optimum assay's Newton solver reaches);
  * "defaults": lbfgs with scikit-learn's defaults (tol 1e-4) and max_iter 1000.
Prints one line per setting: name, fit seconds (median of REPEAT runs for "defaults"; one run
for "optimum", which takes minutes), oracle calls, test accuracy and demographic-parity difference
of the expected decisions.

    /work/venv/bin/python bench/mitigation_fairlearn.py adult.data REPEAT
"""

import sys
import time
import warnings

import numpy as np
import pandas as pd
from fairlearn.reductions import DemographicParity, ExponentiatedGradient
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder, StandardScaler

COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]
NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CATEGORICAL = ["workclass", "education", "marital-status", "occupation", "relationship", "race",
               "native-country"]


def main():
    path, repeat = sys.argv[1], int(sys.argv[2])
    df = pd.read_csv(path, header=None, names=COLUMNS, skipinitialspace=True)
    y = (df["income"] == ">50K").to_numpy(dtype=float)
    train, test = df.iloc[:20000], df.iloc[20000:]
    ct = ColumnTransformer([
        ("num", StandardScaler(), NUMERIC),
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL),
    ])
    x_tr, x_te = ct.fit_transform(train), None
    x_te = ct.transform(test)
    s_tr, s_te = train["sex"].to_numpy(), test["sex"].to_numpy()
    warnings.simplefilter("ignore")
    for name, kw in [("optimum", dict(tol=1e-10, max_iter=10000)), ("defaults", dict(max_iter=1000))]:
        times = []
        for _ in range(repeat if name == "defaults" else 1):
            eg = ExponentiatedGradient(LogisticRegression(C=1.0, **kw), constraints=DemographicParity(),
                                       eps=0.01)
            t = time.perf_counter()
            eg.fit(x_tr, y[:20000], sensitive_features=s_tr)
            times.append(time.perf_counter() - t)
        p = eg._pmf_predict(x_te)[:, 1]
        yt = y[20000:]
        acc = float(np.mean(np.where(yt == 1, p, 1 - p)))
        rates = [p[s_te == g].mean() for g in sorted(set(s_te))]
        print(f"{name} {sorted(times)[len(times) // 2]:.3f} {eg.n_oracle_calls_} {acc:.4f} "
              f"{max(rates) - min(rates):.4f}")


if __name__ == "__main__":
    main()
