"""Reference figures for `assay mitigate` on UCI Adult (issue #4's acceptance test).

Fairlearn 0.15's ExponentiatedGradient and ThresholdOptimizer, with scikit-learn's
LogisticRegression as the base learner, on a fixed split of adult.data: rows 1-20,000 train,
rows 20,001-32,561 test. Sensitive feature: sex (not a model feature). Model features: the six
numeric columns standardised (StandardScaler on the training rows), and workclass, education,
marital-status, occupation, relationship, race, native-country one-hot encoded over the sorted
training categories (unseen categories in test rows: all zeros). LogisticRegression(C=1,
lbfgs, tol=1e-10, max_iter=10000), so that it sits at the optimum assay's Newton solver reaches.

Writes golden/mitigation_adult.json: for every method, test accuracy, selection rate by group,
demographic-parity difference, equalized-odds difference (Fairlearn's definitions), both of the
sampled predictions (random_state=0) and of the expected predictions (P(y_hat=1)), and the
fit time. Also the AIF360 reweighing weights (Kamiran & Calders 2012 formula) of every training
row (the formula, W_g W_y / (W W_gy), computed with pandas).

Run from the repository root:
    /work/venv/bin/python tests/reference/mitigation_adult_golden.py /work/shared/data/adult.data
Versions: Python 3.11.7, fairlearn 0.15.0, scikit-learn 1.9.1, pandas 3.1.1, numpy 2.4.6.
"""

import json
import sys
import time
import warnings

import fairlearn
import numpy as np
import pandas as pd
import sklearn
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.reductions import DemographicParity, EqualizedOdds, ExponentiatedGradient
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
N_TRAIN = 20000


def lr():
    return LogisticRegression(C=1.0, solver="lbfgs", tol=1e-10, max_iter=10000)


def summary(y, pred, expected, sex, seconds, extra=None):
    out = {
        "seconds": seconds,
        "sampled": metrics(y, pred, sex),
        "expected": metrics(y, expected, sex),
    }
    out.update(extra or {})
    return out


def metrics(y, pred, sex):
    groups = {}
    for g in sorted(set(sex)):
        m = sex == g
        groups[g] = {
            "selection_rate": float(pred[m].mean()),
            "accuracy": float((1 - np.abs(pred[m] - y[m])).mean()),
        }
    acc = float((1 - np.abs(pred - y)).mean())
    # Fairlearn's metric functions take hard labels; for expected predictions compute the
    # same quantities from the probabilities directly.
    sr = [v["selection_rate"] for v in groups.values()]
    tpr, fpr = [], []
    for g in sorted(set(sex)):
        m = sex == g
        tpr.append(float(pred[m & (y == 1)].mean()))
        fpr.append(float(pred[m & (y == 0)].mean()))
    return {
        "accuracy": acc,
        "groups": groups,
        "demographic_parity_difference": max(sr) - min(sr),
        "equalized_odds_difference": max(max(tpr) - min(tpr), max(fpr) - min(fpr)),
        "tpr": tpr,
        "fpr": fpr,
    }


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/adult.data"
    df = pd.read_csv(path, header=None, names=COLUMNS, sep=",", skipinitialspace=True)
    y_all = (df["income"] == ">50K").to_numpy(dtype=float)
    train, test = df.iloc[:N_TRAIN], df.iloc[N_TRAIN:]
    y_tr, y_te = y_all[:N_TRAIN], y_all[N_TRAIN:]
    s_tr, s_te = train["sex"].to_numpy(), test["sex"].to_numpy()
    ct = ColumnTransformer([
        ("num", StandardScaler(), NUMERIC),
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL),
    ])
    x_tr = ct.fit_transform(train)
    x_te = ct.transform(test)
    out = {
        "versions": {
            "fairlearn": fairlearn.__version__, "sklearn": sklearn.__version__,
            "numpy": np.__version__, "pandas": pd.__version__,
        },
        "n_train": N_TRAIN, "n_test": len(test), "n_features": int(x_tr.shape[1]),
    }
    warnings.simplefilter("ignore")

    t = time.perf_counter()
    base = lr().fit(x_tr, y_tr)
    secs = time.perf_counter() - t
    p = base.predict(x_te).astype(float)
    out["unmitigated"] = summary(y_te, p, p, s_te, secs)

    for name, constraint in [("dp", DemographicParity), ("eo", EqualizedOdds)]:
        t = time.perf_counter()
        eg = ExponentiatedGradient(lr(), constraints=constraint(), eps=0.01)
        eg.fit(x_tr, y_tr, sensitive_features=s_tr)
        secs = time.perf_counter() - t
        pred = eg.predict(x_te, random_state=0).astype(float)
        pmf = eg._pmf_predict(x_te)[:, 1]
        out[f"exponentiated_gradient_{name}"] = summary(y_te, pred, pmf, s_te, secs, {
            "n_oracle_calls": int(eg.n_oracle_calls_), "last_iter": int(eg.last_iter_),
            "best_gap": float(eg.best_gap_),
            "n_predictors_in_support": int((eg.weights_ > 0).sum()),
        })
        print(name, "EG", secs, out[f"exponentiated_gradient_{name}"]["sampled"]["accuracy"],
              file=sys.stderr)

    for name, constraint in [("dp", "demographic_parity"), ("eo", "equalized_odds")]:
        t = time.perf_counter()
        to = ThresholdOptimizer(estimator=base, constraints=constraint, objective="accuracy_score",
                                prefit=True, predict_method="predict_proba")
        to.fit(x_tr, y_tr, sensitive_features=s_tr)
        secs = time.perf_counter() - t
        pred = to.predict(x_te, sensitive_features=s_te, random_state=0).astype(float)
        pmf = to._pmf_predict(x_te, sensitive_features=s_te)[:, 1]
        out[f"threshold_optimizer_{name}"] = summary(y_te, pred, pmf, s_te, secs, {
            "interpolation": {
                str(g): {k: float(v) if not isinstance(v, str) else v
                         for k, v in d.items() if k in ("p0", "p1")}
                for g, d in to.interpolated_thresholder_.interpolation_dict.items()
            },
        })

    # Reweighing (Kamiran & Calders 2012; AIF360's formula) on the training rows.
    cell = pd.crosstab(s_tr, y_tr)
    n = len(y_tr)
    pg = pd.Series(s_tr).value_counts() / n
    py = pd.Series(y_tr).value_counts() / n
    w = np.array([pg[g] * py[l] / (cell.loc[g, l] / n) for g, l in zip(s_tr, y_tr)])
    out["reweighing"] = {
        "factors": {f"{g}|{int(l)}": float(pg[g] * py[l] / (cell.loc[g, l] / n))
                    for g in cell.index for l in cell.columns},
        "weights_first_100": w[:100].tolist(),
        "weight_sum": float(w.sum()),
    }
    with open("tests/reference/golden/mitigation_adult.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
