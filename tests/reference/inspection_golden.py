"""Golden file for assay's model inspection (crates/assay-explain/src/inspection/).

Writes golden/inspection.json, read by crates/assay-explain/tests/inspection_reference.rs.

Model: a closed-form nonlinear function of 5 features, evaluated identically in Rust
(tests/inspection_reference.rs, `margin`):

    z = 0.8*x0 - 0.6*x1**2 + 0.5*sin(2*x2) + 0.4*x0*x2 + C[x3] + 0.7*x4 - 0.2,
    C = [0.0, 0.5, -0.7, 1.1]

wrapped as a scikit-learn classifier (predict_proba[:, 1] = 1/(1+exp(-z)), predict = p > 0.5)
and as a regressor (predict = z). Data: 120 rows, seeded; x0 rounded to 2 decimals and x1 to
1 decimal (ties; x1 has fewer than 50 distinct values), x2 continuous, x3 an integer-coded
categorical (0..3, float dtype), x4 binary; group codes g in {0, 1, 2}.

Recorded:
* scikit-learn `partial_dependence(method="brute", kind="both")`: grid values, averages and
  individual (ICE) curves, 1-D numeric (default percentiles/resolution; other percentiles with
  sample weights; a resolution above the number of distinct values, which uses the unique
  values; custom values), 1-D categorical, 2-D (numeric x categorical, weighted; numeric x
  numeric on the regressor).
* Second-order ALE of two numeric features: a numpy transcription of ALEPlot's numeric x
  numeric branch (empty cells filled from the nearest non-empty cell).
* ALE: a numpy transcription of ALEPlot's `ALEPlot` (Apley & Zhu 2020; R quantile type 1 bins at
  the probabilities k/K, computed in integers: the ceil(n k / K)-th order statistic), and
  PyALE 1.2.0's `ale` for its own (different) bin edges, for the accumulate-and-centre step.
* Permutation importance: scikit-learn's `permutation_importance` (baseline score, importances)
  for accuracy, balanced_accuracy, roc_auc, neg_log_loss (classifier), r2 (regressor), with and
  without sample weights, on all rows and on each group's rows; plus the effective row
  permutations scikit-learn applied (it reshuffles the already shuffled column, so repeat r
  uses the composition of its shuffles), reconstructed from numpy's RandomState, so the Rust
  function taking explicit permutations can be compared exactly. Disparity scorers
  (demographic-parity and equalized-odds difference, fairlearn 0.15.0) and a feature group
  (columns 0 and 2 permuted together) are computed for the same permutations in numpy.
* Every score alone (scikit-learn metrics, fairlearn disparities) on outputs rounded to one
  decimal (ties, exact 0 and 1), with and without weights.
* Repeat quantiles (numpy percentile, 'linear') and mean |attribution| by group.

Versions: Python 3.11, numpy 2.4.6, scikit-learn 1.9.1, scipy 1.17.1, pandas 3.1.1,
fairlearn 0.15.0, PyALE 1.2.0 (pip install --no-deps PyALE==1.2.0; statsmodels for its import).

Run from the repository root:
    /work/venv/bin/python tests/reference/inspection_golden.py
"""

import json
import sys

import numpy as np
import pandas as pd
import scipy
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn import metrics

C = np.array([0.0, 0.5, -0.7, 1.1])


def margin(X):
    X = np.asarray(X, dtype=float)
    x0, x1, x2, x3, x4 = (X[:, j] for j in range(5))
    return (
        0.8 * x0
        - 0.6 * x1**2
        + 0.5 * np.sin(2 * x2)
        + 0.4 * x0 * x2
        + C[x3.astype(int)]
        + 0.7 * x4
        - 0.2
    )


class Clf(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = 5
        return self

    def predict_proba(self, X):
        p = 1.0 / (1.0 + np.exp(-margin(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


class Reg(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        self.n_features_in_ = 5
        return self

    def predict(self, X):
        return margin(X)


def data():
    rng = np.random.default_rng(20260426)
    n = 120
    x0 = np.round(rng.normal(0.0, 1.0, n), 2)
    x1 = np.round(rng.uniform(-2.0, 2.0, n), 1)
    x2 = rng.normal(0.3, 0.8, n)
    x3 = rng.integers(0, 4, n).astype(float)
    x4 = (rng.uniform(size=n) < 0.4).astype(float)
    X = np.column_stack([x0, x1, x2, x3, x4])
    g = rng.integers(0, 3, n)
    # make x4 and group related, so that x4 drives a disparity
    X[:, 4] = np.where(g == 2, (rng.uniform(size=n) < 0.8), X[:, 4]).astype(float)
    p = 1.0 / (1.0 + np.exp(-margin(X)))
    y = (rng.uniform(size=n) < p).astype(int)
    y_reg = margin(X) + rng.normal(0.0, 0.5, n)
    w = rng.uniform(0.2, 2.0, n)
    return X, y, y_reg, w, g


def pd_case(name, est, X, features, **kw):
    r = partial_dependence(est, X, features, method="brute", kind="both", **kw)
    out = {
        "name": name,
        "features": [int(f) for f in features],
        "grid_values": [v.astype(float).tolist() for v in r["grid_values"]],
        "average": r["average"][0].ravel().tolist(),
        "individual": r["individual"][0].reshape(X.shape[0], -1).tolist(),
        "model": "classifier" if isinstance(est, Clf) else "regressor",
    }
    kw2 = dict(kw)
    out["percentiles"] = list(kw2.pop("percentiles", (0.05, 0.95)))
    out["grid_resolution"] = kw2.pop("grid_resolution", 100)
    cat = kw2.pop("categorical_features", None)
    out["categorical"] = [bool(cat is not None and f in cat) for f in features]
    custom = kw2.pop("custom_values", None) or {}
    out["custom_values"] = [
        (list(map(float, custom[f])) if f in custom else None) for f in features
    ]
    sw = kw2.pop("sample_weight", None)
    out["weighted"] = sw is not None
    assert not kw2, kw2
    return out


# ---------------------------------------------------------------------------- ALE
def order_stat_type1(xs, k, K):
    n = len(xs)
    j = -(-(n * k) // K)  # ceil(n k / K), 1-based
    return xs[max(j, 1) - 1]


def ale_aleplot(predict, X, j, K):
    xs = np.sort(X[:, j])
    z = np.unique([xs[0]] + [order_stat_type1(xs, k, K) for k in range(1, K + 1)])
    K = len(z) - 1
    # cut(include.lowest=TRUE): bin k (1..K) is (z[k-1], z[k]], the first also holds z[0]
    a = np.searchsorted(z, X[:, j], side="left")
    a = np.clip(a, 1, K)
    X1 = X.copy()
    X2 = X.copy()
    X1[:, j] = z[a - 1]
    X2[:, j] = z[a]
    delta = predict(X2) - predict(X1)
    counts = np.bincount(a, minlength=K + 1)[1:]
    sums = np.bincount(a, weights=delta, minlength=K + 1)[1:]
    mean_delta = sums / counts
    f = np.concatenate([[0.0], np.cumsum(mean_delta)])
    f = f - np.sum((f[:-1] + f[1:]) / 2 * counts) / np.sum(counts)
    return z, f, counts


def ale2_aleplot(predict, X, j1, j2, K):
    """ALEPlot's numeric x numeric second-order ALE, line by line (0-based cells)."""
    def edges(col):
        xs = np.sort(col)
        return np.unique([xs[0]] + [order_stat_type1(xs, k, K) for k in range(1, K + 1)])

    z1, z2 = edges(X[:, j1]), edges(X[:, j2])
    K1, K2 = len(z1) - 1, len(z2) - 1
    a1 = np.clip(np.searchsorted(z1, X[:, j1], side="left"), 1, K1)
    a2 = np.clip(np.searchsorted(z2, X[:, j2], side="left"), 1, K2)
    def at(o1, o2):
        M = X.copy()
        M[:, j1] = z1[a1 - 1 + o1]
        M[:, j2] = z2[a2 - 1 + o2]
        return predict(M)
    y11, y12, y21, y22 = at(0, 0), at(0, 1), at(1, 0), at(1, 1)
    delta = (y22 - y21) - (y12 - y11)
    S = np.zeros((K1, K2))
    b = np.zeros((K1, K2))
    np.add.at(S, (a1 - 1, a2 - 1), delta)
    np.add.at(b, (a1 - 1, a2 - 1), 1.0)
    with np.errstate(invalid="ignore"):
        D = S / b
    # which(arr.ind = TRUE): column-major order
    na = np.argwhere(np.isnan(D).T)[:, ::-1]
    notna = np.argwhere(~np.isnan(D).T)[:, ::-1]
    if len(na):
        r1, r2 = z1.max() - z1.min(), z2.max() - z2.min()
        zna = np.column_stack([(z1[na[:, 0]] + z1[na[:, 0] + 1]) / 2 / r1,
                               (z2[na[:, 1]] + z2[na[:, 1] + 1]) / 2 / r2])
        znot = np.column_stack([(z1[notna[:, 0]] + z1[notna[:, 0] + 1]) / 2 / r1,
                                (z2[notna[:, 1]] + z2[notna[:, 1] + 1]) / 2 / r2])
        for (a, bb), (u, v) in zip(na, zna):
            dist = (u - znot[:, 0]) * (u - znot[:, 0]) + (v - znot[:, 1]) * (v - znot[:, 1])
            c, d = notna[np.argmin(dist)]
            D[a, bb] = D[c, d]
    fJ = np.cumsum(np.cumsum(D, axis=1), axis=0)
    fJ = np.vstack([np.zeros(K2), fJ])
    fJ = np.column_stack([np.zeros(K1 + 1), fJ])
    b1, b2 = b.sum(axis=1), b.sum(axis=0)
    Dl = fJ[1:, :] - fJ[:-1, :]
    fJ1 = np.concatenate([[0.0], np.cumsum((b * (Dl[:, :-1] + Dl[:, 1:]) / 2).sum(axis=1) / b1)])
    Dl = fJ[:, 1:] - fJ[:, :-1]
    fJ2 = np.concatenate([[0.0], np.cumsum((b * (Dl[:-1, :] + Dl[1:, :]) / 2).sum(axis=0) / b2)])
    fJ = fJ - np.outer(fJ1, np.ones(K2 + 1)) - np.outer(np.ones(K1 + 1), fJ2)
    fJ0 = np.sum(b * (fJ[:-1, :-1] + fJ[:-1, 1:] + fJ[1:, :-1] + fJ[1:, 1:]) / 4) / np.sum(b)
    fJ = fJ - fJ0
    return z1, z2, fJ, b.astype(int), len(na)


def ale_pyale(est, X, j, K):
    from PyALE import ale

    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])

    class Wrap:
        def predict(self, d):
            return est.predict(np.asarray(d, dtype=float))

    res = ale(X=df, model=Wrap(), feature=[f"x{j}"], grid_size=K, include_CI=False, plot=False)
    return res.index.to_numpy(dtype=float), res["eff"].to_numpy(dtype=float), res["size"].to_numpy()


# ---------------------------------------------------------------------------- PI
def sklearn_effective_perms(random_state, n, n_repeats):
    rs = np.random.RandomState(random_state)
    seed = rs.randint(np.iinfo(np.int32).max + 1)
    rs2 = np.random.RandomState(seed)
    idx = np.arange(n)
    cur = np.arange(n)
    perms = []
    for _ in range(n_repeats):
        rs2.shuffle(idx)
        cur = cur[idx]
        perms.append(cur.copy())
    return perms


def score(name, p, y, w, g):
    lab = (p > 0.5).astype(int)
    if name == "accuracy":
        return metrics.accuracy_score(y, lab, sample_weight=w)
    if name == "balanced_accuracy":
        return metrics.balanced_accuracy_score(y, lab, sample_weight=w)
    if name == "roc_auc":
        return metrics.roc_auc_score(y, p, sample_weight=w)
    if name == "neg_log_loss":
        return -metrics.log_loss(y, p, sample_weight=w)
    if name == "r2":
        return metrics.r2_score(y, p, sample_weight=w)
    from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

    if name == "demographic_parity_difference":
        return demographic_parity_difference(y, lab, sensitive_features=g, sample_weight=w)
    if name == "equalized_odds_difference":
        return equalized_odds_difference(y, lab, sensitive_features=g, sample_weight=w)
    raise ValueError(name)


def explicit_importances(predict, X, y, w, g, scorer, cols_list, perms):
    base = score(scorer, predict(X), y, w, g)
    imps = []
    for cols in cols_list:
        row = []
        for P in perms:
            Xp = X.copy()
            Xp[:, cols] = X[P][:, cols]
            row.append(base - score(scorer, predict(Xp), y, w, g))
        imps.append(row)
    return base, np.array(imps)


def main():
    X, y, y_reg, w, g = data()
    clf = Clf().fit(X, y)
    reg = Reg().fit(X, y_reg)
    assert len(np.unique(X[:, 1])) < 50

    pd_cases = [
        pd_case("num_default", clf, X, [0]),
        pd_case("num_weighted_percentiles", clf, X, [2], percentiles=(0.1, 0.9),
                grid_resolution=20, sample_weight=w),
        pd_case("num_unique_values", clf, X, [1], grid_resolution=50),
        pd_case("num_custom", clf, X, [2], custom_values={2: [-1.0, 0.0, 0.5, 2.0]}),
        pd_case("categorical", clf, X, [3], categorical_features=[3]),
        pd_case("two_d_num_cat_weighted", clf, X, [0, 3], categorical_features=[3],
                grid_resolution=10, sample_weight=w),
        pd_case("two_d_num_num_regressor", reg, X, [0, 2], grid_resolution=8,
                percentiles=(0.02, 0.98)),
    ]

    ale_cases = []
    for j, K in [(0, 10), (2, 20), (1, 7), (0, 200)]:
        z, f, counts = ale_aleplot(reg.predict, X, j, K)
        ale_cases.append({"feature": j, "grid_size": K, "model": "regressor", "edges": z.tolist(),
                          "ale": f.tolist(), "counts": counts.tolist()})
    z, f, counts = ale_aleplot(lambda A: clf.predict_proba(A)[:, 1], X, 2, 10)
    ale_cases.append({"feature": 2, "grid_size": 10, "model": "classifier", "edges": z.tolist(),
                      "ale": f.tolist(), "counts": counts.tolist()})
    ale2_cases = []
    for j1, j2, K, kind in [(0, 2, 5, "regressor"), (0, 2, 10, "regressor"),
                            (1, 2, 6, "regressor"), (0, 2, 8, "classifier")]:
        pred = reg.predict if kind == "regressor" else (lambda A: clf.predict_proba(A)[:, 1])
        z1, z2, fJ, b, n_filled = ale2_aleplot(pred, X, j1, j2, K)
        ale2_cases.append({"features": [j1, j2], "grid_size": K, "model": kind,
                           "edges": [z1.tolist(), z2.tolist()], "ale": fJ.tolist(),
                           "counts": b.tolist(), "n_filled": n_filled})
    pyale_cases = []
    for j, K in [(0, 10), (2, 20)]:
        z, f, counts = ale_pyale(reg, X, j, K)
        pyale_cases.append({"feature": j, "grid_size": K, "model": "regressor",
                            "edges": z.tolist(), "ale": f.tolist(),
                            "counts": counts[1:].astype(int).tolist()})

    n_repeats, random_state = 5, 7
    proba = lambda A: clf.predict_proba(A)[:, 1]
    pi_cases = []
    subsets = [("all", np.arange(len(y)))] + [
        (f"group{k}", np.flatnonzero(g == k)) for k in range(3)
    ]
    for subset_name, rows in subsets:
        Xs, ys, yrs, ws, gs = X[rows], y[rows], y_reg[rows], w[rows], g[rows]
        perms = sklearn_effective_perms(random_state, len(rows), n_repeats)
        for scorer in ["accuracy", "balanced_accuracy", "roc_auc", "neg_log_loss", "r2"]:
            for weighted in [False, True]:
                if subset_name != "all" and weighted:
                    continue
                est, yy = (reg, yrs) if scorer == "r2" else (clf, ys)
                sw = ws if weighted else None
                r = permutation_importance(est, Xs, yy, scoring=scorer, n_repeats=n_repeats,
                                           random_state=random_state, sample_weight=sw)
                pred = reg.predict if scorer == "r2" else proba
                base, imps = explicit_importances(pred, Xs, yy, sw, gs, scorer,
                                                  [[c] for c in range(5)], perms)
                # the reconstruction of scikit-learn's permutations is exact
                assert np.allclose(imps, r["importances"], rtol=0, atol=1e-14), scorer
                pi_cases.append({
                    "subset": subset_name, "rows": rows.tolist(), "scorer": scorer,
                    "weighted": weighted, "model": "regressor" if scorer == "r2" else "classifier",
                    "columns": [[c] for c in range(5)],
                    "permutations": [P.tolist() for P in perms],
                    "baseline": float(base),
                    "sklearn_baseline": float(
                        sklearn.metrics.get_scorer(scorer)(est, Xs, yy)
                        if sw is None else
                        sklearn.metrics.get_scorer(scorer)(est, Xs, yy, sample_weight=sw)),
                    "importances": r["importances"].tolist(),
                    "importances_mean": r["importances_mean"].tolist(),
                    "importances_std": r["importances_std"].tolist(),
                    "quantiles_2_5_97_5": np.percentile(r["importances"], [2.5, 97.5],
                                                        axis=1).T.tolist(),
                })
    # disparities and a feature group: explicit permutations only
    perms = sklearn_effective_perms(3, len(y), 4)
    for scorer in ["demographic_parity_difference", "equalized_odds_difference",
                   "accuracy", "roc_auc"]:
        for weighted in [False, True]:
            sw = w if weighted else None
            cols = [[0, 2], [1], [3], [4]]
            base, imps = explicit_importances(proba, X, y, sw, g, scorer, cols, perms)
            pi_cases.append({
                "subset": "all", "rows": list(range(len(y))), "scorer": scorer,
                "weighted": weighted, "model": "classifier", "columns": cols,
                "permutations": [P.tolist() for P in perms], "baseline": float(base),
                "sklearn_baseline": None, "importances": imps.tolist(),
                "importances_mean": imps.mean(axis=1).tolist(),
                "importances_std": imps.std(axis=1).tolist(),
                "quantiles_2_5_97_5": np.percentile(imps, [2.5, 97.5], axis=1).T.tolist(),
            })

    # scores alone, on outputs with many ties and exact 0 / 1 (clipping in log-loss)
    rng = np.random.default_rng(11)
    m = 200
    ps = np.round(rng.uniform(size=m), 1)
    ys = (rng.uniform(size=m) < ps).astype(int)
    ys[np.flatnonzero(ps == 0.0)[0]] = 1  # log(0) clipped to log(eps)
    ys[np.flatnonzero(ps == 1.0)[0]] = 0
    yr = ps * 3.0 + rng.normal(size=m)
    gs = rng.integers(0, 3, m)
    ws = rng.uniform(0.0, 3.0, m)
    score_cases = []
    for weighted in [False, True]:
        sw = ws if weighted else None
        vals = {}
        for scorer in ["accuracy", "balanced_accuracy", "roc_auc", "neg_log_loss",
                       "demographic_parity_difference", "equalized_odds_difference"]:
            vals[scorer] = float(score(scorer, ps, ys, sw, gs))
        vals["r2"] = float(score("r2", ps, yr, sw, gs))
        score_cases.append({"weighted": weighted, "scores": vals})
    scores = {"p": ps.tolist(), "y": ys.tolist(), "y_reg": yr.tolist(), "g": gs.tolist(),
              "w": ws.tolist(), "cases": score_cases}

    # mean |attribution| by group
    rng = np.random.default_rng(5)
    A = rng.normal(size=(len(y), 5)) * np.array([1.0, 0.5, 2.0, 0.1, 1.0])
    A[g == 2, 4] *= 3.0
    by_group = np.array([np.abs(A[g == k]).mean(axis=0) for k in range(3)])
    attribution = {
        "values": A.tolist(), "groups": g.tolist(),
        "overall": np.abs(A).mean(axis=0).tolist(), "by_group": by_group.tolist(),
        "max_gap": (by_group.max(axis=0) - by_group.min(axis=0)).tolist(),
    }

    import PyALE
    import fairlearn

    out = {
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                     "sklearn": sklearn.__version__, "scipy": scipy.__version__,
                     "pandas": pd.__version__, "fairlearn": fairlearn.__version__,
                     "PyALE": "1.2.0"},
        "C": C.tolist(),
        "X": X.tolist(), "y": y.tolist(), "y_reg": y_reg.tolist(), "w": w.tolist(),
        "g": g.tolist(),
        "partial_dependence": pd_cases,
        "ale": ale_cases,
        "ale_pyale": pyale_cases,
        "ale_2d": ale2_cases,
        "permutation_importance": pi_cases,
        "attribution": attribution,
        "scores": scores,
    }
    with open("tests/reference/golden/inspection.json", "w") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main()
