"""Reference figures for assay-mitigation's `reductions` module (Fairlearn's reductions).

A deterministic synthetic data set (numpy default_rng(20260126)): 2,000 rows, 4 numeric
features (rounded to 4 decimals so that both sides read identical numbers), 3 sensitive groups
"a", "b", "c" (not model features) whose first appearance in the rows is b, a, c (GridSearch's
basis depends on that order), and a label whose rate depends on the features and on the group
(so that the unconstrained classifier is unfair).

Fairlearn 0.15.0's ExponentiatedGradient (eps 0.02, otherwise defaults: max_iter 50, nu None,
eta0 2.0, run_linprog_step True) with LogisticRegression(C=1.0, solver="lbfgs", tol=1e-10,
max_iter=10000), under DemographicParity, EqualizedOdds, TruePositiveRateParity,
ErrorRateParity, FalsePositiveRateParity (difference_bound 0.01, Fairlearn's default),
DemographicParity with ratio_bound 0.9 (slack 0.01), and BoundedGroupLoss(ZeroOneLoss(),
upper_bound=0.27) (a loss moment: the classifier's 0/1 predictions are the "regression"
values, labels are not relabelled, only reweighted); and two long runs past the automatic
stopping rule (nu 1e-6, max_iter 30, eps 0.01): EqualizedOdds, and DemographicParity with
run_linprog_step False. For each: weights_ (all, zeros included), the `_pmf_predict`
probability P(y_hat = 1) of every row, n_oracle_calls_, n_oracle_calls_dummy_returned_,
best_gap_, best_iter_, last_iter_, nu, the lambda vector each predictor was found at, each
predictor's training error and gamma, the mixture's training error and gamma, and the
predictors' coefficients.

GridSearch with the same base learner, otherwise defaults: DemographicParity (grid_size 7),
EqualizedOdds (grid_size 10), BoundedGroupLoss(ZeroOneLoss(), upper_bound=0.27) (grid_size 6):
the lambda grid, every predictor's objective and gamma, best_idx_, and the best predictor's
predictions.

Run from the repository root:
    /work/venv/bin/python tests/reference/mitigation_reductions_golden.py
Versions: Python 3.11, fairlearn 0.15.0, scikit-learn 1.9.1, numpy 2.4.6, scipy 1.17.1
(linprog method "highs-ds"), pandas 3.1.1.
"""

import json
import warnings

import fairlearn
import numpy as np
import pandas as pd
import scipy
import sklearn
from fairlearn.reductions import (
    BoundedGroupLoss,
    DemographicParity,
    EqualizedOdds,
    ErrorRateParity,
    ExponentiatedGradient,
    FalsePositiveRateParity,
    GridSearch,
    TruePositiveRateParity,
    ZeroOneLoss,
)
from sklearn.linear_model import LogisticRegression

OUT = "tests/reference/golden/mitigation_reductions.json"


def dataset():
    rng = np.random.default_rng(20260126)
    n = 2000
    groups = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    groups[0], groups[1], groups[2] = "b", "a", "c"
    shift = pd.Series(groups).map({"a": 0.6, "b": 0.0, "c": -0.5}).to_numpy()
    x = rng.normal(size=(n, 4))
    x[:, 0] += shift
    x[:, 1] += 0.5 * shift
    x = np.round(x, 4)
    logit = 1.1 * x[:, 0] - 0.8 * x[:, 1] + 0.5 * x[:, 2] + 0.7 * shift - 0.2
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return x, y, groups


def learner():
    return LogisticRegression(C=1.0, solver="lbfgs", tol=1e-10, max_iter=10000)


def key(idx):
    return [str(part) for part in idx] if isinstance(idx, tuple) else [str(idx)]


def exponentiated_gradient(x, y, groups, name, constraint, **settings):
    settings = {"eps": 0.02, **settings}
    eg = ExponentiatedGradient(learner(), constraint, **settings)
    eg.fit(x, y, sensitive_features=groups)
    weights = eg.weights_.sort_index()
    pmf_raw = eg._pmf_predict(x)
    if isinstance(pmf_raw, pd.DataFrame):
        # a loss moment: every predictor's predictions; the mixture's mean prediction
        pmf = pmf_raw[weights.index].to_numpy().dot(weights.to_numpy())
    else:
        pmf = pmf_raw[:, 1]
    preds = np.column_stack([p.predict(x) for p in eg.predictors_])
    constraints = eg.constraints_
    errors = [float(np.mean(preds[:, j] != y)) for j in range(preds.shape[1])]
    gammas = [constraints.gamma(lambda _x, j=j: preds[:, j]).tolist() for j in range(preds.shape[1])]
    # a mixture's gamma is the weighted gammas (for a loss moment the loss of the mean
    # prediction is not the mean loss)
    mixture_gamma = (np.array(gammas).T @ np.array(eg.weights_.sort_index())).tolist()
    coefs = []
    for p in eg.predictors_:
        if hasattr(p, "coef_"):
            coefs.append(p.coef_[0].tolist() + [float(p.intercept_[0])])
        else:
            coefs.append(None)
    return {
        "name": name,
        "settings": settings,
        "constraint_index": [key(i) for i in constraints.index],
        "bound": constraints.bound().tolist(),
        "mixture_gamma_pmf": constraints.gamma(lambda _x: pmf).tolist(),
        "weights": [float(weights[i]) for i in range(len(eg.predictors_))],
        "pmf": pmf.tolist(),
        "n_oracle_calls": int(eg.n_oracle_calls_),
        "n_oracle_calls_dummy_returned": int(eg.n_oracle_calls_dummy_returned_),
        "best_gap": float(eg.best_gap_),
        "best_iter": int(eg.best_iter_),
        "last_iter": int(eg.last_iter_),
        "nu": float(eg.nu),
        "lambda_vecs": [eg.lambda_vecs_[j].tolist() for j in eg.lambda_vecs_.columns],
        "errors": errors,
        "gammas": gammas,
        "mixture_error": float(np.mean(pmf * (1 - y) + (1 - pmf) * y)),
        "mixture_gamma": mixture_gamma,
        "coefs": coefs,
    }


def grid_search(x, y, groups, name, constraint, grid_size):
    gs = GridSearch(learner(), constraint, grid_size=grid_size)
    gs.fit(x, y, sensitive_features=groups)
    return {
        "name": name,
        "grid_size": grid_size,
        "constraint_index": [key(i) for i in gs.constraints_.index],
        "lambda_vecs": [gs.lambda_vecs_[c].tolist() for c in gs.lambda_vecs_.columns],
        "objectives": [float(v) for v in gs.objectives_],
        "gammas": [gs.gammas_[c].tolist() for c in gs.gammas_.columns],
        "best_idx": int(gs.best_idx_),
        "predictions": [int(v) for v in gs.predict(x)],
    }


def main():
    warnings.simplefilter("ignore")
    x, y, groups = dataset()
    runs = [
        ("demographic_parity", DemographicParity(), {}),
        ("equalized_odds", EqualizedOdds(), {}),
        ("true_positive_rate_parity", TruePositiveRateParity(), {}),
        ("error_rate_parity", ErrorRateParity(), {}),
        ("demographic_parity_ratio", DemographicParity(ratio_bound=0.9, ratio_bound_slack=0.01), {}),
        ("false_positive_rate_parity", FalsePositiveRateParity(), {}),
        ("bounded_group_loss", BoundedGroupLoss(ZeroOneLoss(), upper_bound=0.27), {}),
        # past the automatic stopping rule: 30 iterations, step-size shrinking, many LPs
        ("equalized_odds_long", EqualizedOdds(), {"eps": 0.01, "nu": 1e-6, "max_iter": 30}),
        # the pure exponentiated-gradient path, no linear programs
        (
            "demographic_parity_no_lp",
            DemographicParity(),
            {"eps": 0.01, "nu": 1e-6, "max_iter": 30, "run_linprog_step": False},
        ),
    ]
    grids = [
        ("demographic_parity", DemographicParity(), 7),
        ("equalized_odds", EqualizedOdds(), 10),
        ("bounded_group_loss", BoundedGroupLoss(ZeroOneLoss(), upper_bound=0.27), 6),
    ]
    out = {
        "versions": {
            "fairlearn": fairlearn.__version__,
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pandas": pd.__version__,
        },
        "eps": 0.02,
        "x": x.tolist(),
        "y": y.tolist(),
        "groups": groups.tolist(),
        "exponentiated_gradient": [
            exponentiated_gradient(x, y, groups, n, c, **k) for n, c, k in runs
        ],
        "grid_search": [grid_search(x, y, groups, n, c, k) for n, c, k in grids],
    }
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
