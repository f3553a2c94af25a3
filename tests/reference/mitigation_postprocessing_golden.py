"""Reference values for `assay_mitigation::postprocessing`.

Writes `tests/reference/golden/mitigation_postprocessing.json` (< 1 MB), which
`crates/assay-mitigation/tests/postprocessing_reference.rs` compares against.

Pinned environment (see tests/reference/README.md): Python 3.11, fairlearn 0.15.0,
scikit-learn 1.9.1, numpy 2.4.6, pandas 3.1.1, scipy 1.17.1, aif360 0.6.1. The versions
actually used are recorded under "versions" in the output.

Run from the repository root:

    /work/venv/bin/python tests/reference/mitigation_postprocessing_golden.py

Contents:
* a deterministic synthetic data set (3,000 rows, groups "a"/"b"/"c", scores of a logistic
  model rounded to 3 decimals so that scores tie, labels drawn from a miscalibrated truth);
* fairlearn's `ThresholdOptimizer(prefit=True, predict_method="predict_proba")` on an
  estimator whose `predict_proba[:, 1]` is the score, for several constraint / objective /
  flip / tol / grid_size settings: `interpolated_thresholder_.interpolation_dict` per group,
  `_x_best`, `_y_best` and `_pmf_predict(...)[:, 1]` for every row (stored as the distinct
  values plus one index per row, to keep the file small);
* scikit-learn's `_sigmoid_calibration` (a, b) per group, with and without sample weights;
* scikit-learn's `IsotonicRegression(out_of_bounds="clip")` per group: thresholds and
  `transform` of the group's scores and of probe points outside and inside the range;
* scikit-learn's `calibration_curve` (uniform and quantile, several bin counts), overall and
  per group;
* AIF360's `RejectOptionClassification` fit (threshold and margin) for the three metrics.

Infinite thresholds are written as the strings "inf" / "-inf" (JSON has no infinity).
"""

import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import fairlearn
from fairlearn.postprocessing import ThresholdOptimizer
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import _sigmoid_calibration, calibration_curve
from sklearn.isotonic import IsotonicRegression

OUT = Path(__file__).resolve().parent / "golden" / "mitigation_postprocessing.json"


class ScoreColumn(ClassifierMixin, BaseEstimator):
    """A 'fitted' estimator whose predict_proba column 1 is the first feature."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        s = np.asarray(X, dtype=float)[:, 0]
        return np.column_stack([1.0 - s, s])

    def predict(self, X):
        return (np.asarray(X, dtype=float)[:, 0] > 0.5).astype(int)


def num(v):
    v = float(v)
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if math.isnan(v):
        return "nan"
    return v


def make_data():
    rng = np.random.default_rng(20240611)
    n = 3000
    group = rng.choice(np.array(["a", "b", "c"]), size=n, p=[0.5, 0.3, 0.2])
    shift = np.select([group == "a", group == "b"], [0.4, -0.3], -0.8)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    logit_true = 1.3 * x1 - 0.7 * x2 + shift
    y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-logit_true))).astype(int)
    # The model's score: a miscalibrated, noisier view of the truth, rounded so scores tie.
    logit_model = 0.9 * x1 - 0.5 * x2 + 0.3 * shift + 0.4 * rng.normal(size=n) - 0.1
    score = np.round(1.0 / (1.0 + np.exp(-logit_model)), 3)
    weight = np.round(rng.uniform(0.5, 2.0, size=n), 3)
    return score, y, group, weight


def threshold_optimizer_case(name, score, y, group, **params):
    X = score.reshape(-1, 1)
    est = ScoreColumn().fit(X, y)
    to = ThresholdOptimizer(
        estimator=est, prefit=True, predict_method="predict_proba", **params
    )
    to.fit(X, y, sensitive_features=group)
    interp = {}
    for g, b in to.interpolated_thresholder_.interpolation_dict.items():
        d = {
            "p0": num(b.p0),
            "operator0": b.operation0.operator,
            "threshold0": num(b.operation0.threshold),
            "p1": num(b.p1),
            "operator1": b.operation1.operator,
            "threshold1": num(b.operation1.threshold),
        }
        if "p_ignore" in b:
            d["p_ignore"] = num(b.p_ignore)
            d["prediction_constant"] = num(b.prediction_constant)
        interp[str(g)] = d
    pmf = to._pmf_predict(X, sensitive_features=group)[:, 1]
    values, index = np.unique(pmf, return_inverse=True)
    case = {
        "name": name,
        "params": {k: (v if v is not None else None) for k, v in params.items()},
        "interpolation": interp,
        "x_best": num(to._x_best) if hasattr(to, "_x_best") else None,
        "y_best": num(to._y_best),
        "pmf_values": [num(v) for v in values],
        "pmf_index": [int(i) for i in index],
    }
    if hasattr(to, "_x_best_per_group"):
        case["x_best_per_group"] = {str(k): num(v) for k, v in to._x_best_per_group.items()}
    return case


def curve(y, p, n_bins, strategy):
    pt, pp = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    return {
        "n_bins": n_bins,
        "strategy": strategy,
        "prob_true": [num(v) for v in pt],
        "prob_pred": [num(v) for v in pp],
    }


def reject_option_cases(score, y, group):
    from aif360.algorithms.postprocessing import RejectOptionClassification
    from aif360.datasets import BinaryLabelDataset

    # privileged: group "a" (code 0); unprivileged: "b" and "c" merged is not expressible as
    # one attribute value, so the protected attribute is 1 for "a", 0 for "b", 2 for "c",
    # and the unprivileged group is {prot: 0}; group "c" is in neither.
    prot = np.select([group == "a", group == "b"], [1.0, 0.0], 2.0)
    df = pd.DataFrame({"prot": prot, "label": y.astype(float)})
    true_ds = BinaryLabelDataset(
        df=df, label_names=["label"], protected_attribute_names=["prot"],
        favorable_label=1.0, unfavorable_label=0.0,
    )
    pred_ds = true_ds.copy(deepcopy=True)
    pred_ds.scores = score.reshape(-1, 1).copy()
    out = []
    for metric, lb, ub in [
        ("Statistical parity difference", -0.05, 0.05),
        ("Average odds difference", -0.05, 0.05),
        ("Equal opportunity difference", -0.1, 0.1),
    ]:
        roc = RejectOptionClassification(
            unprivileged_groups=[{"prot": 0.0}],
            privileged_groups=[{"prot": 1.0}],
            low_class_thresh=0.05,
            high_class_thresh=0.95,
            num_class_thresh=31,
            num_ROC_margin=17,
            metric_name=metric,
            metric_ub=ub,
            metric_lb=lb,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            roc.fit(true_ds, pred_ds)
            labels = roc.predict(pred_ds).labels.ravel()
        out.append(
            {
                "metric": metric,
                "metric_lb": lb,
                "metric_ub": ub,
                "low_class_thresh": 0.05,
                "high_class_thresh": 0.95,
                "num_class_thresh": 31,
                "num_roc_margin": 17,
                "privileged": ["a"],
                "unprivileged": ["b"],
                "classification_threshold": num(roc.classification_threshold),
                "roc_margin": num(roc.ROC_margin),
                "predictions": [int(v) for v in labels],
            }
        )
    return out


def main():
    import aif360
    import scipy

    score, y, group, weight = make_data()
    names = ["a", "b", "c"]

    to_cases = []
    for constraint in [
        "demographic_parity",
        "equalized_odds",
        "true_positive_rate_parity",
        "false_positive_rate_parity",
    ]:
        for objective in ["accuracy_score", "balanced_accuracy_score"]:
            to_cases.append(
                threshold_optimizer_case(
                    f"{constraint}/{objective}", score, y, group,
                    constraints=constraint, objective=objective,
                )
            )
    extra = [
        dict(constraints="demographic_parity", objective="accuracy_score", flip=True),
        dict(constraints="equalized_odds", objective="balanced_accuracy_score", flip=True),
        dict(constraints="equalized_odds", objective="accuracy_score", grid_size=37),
        dict(constraints="demographic_parity", objective="accuracy_score", tol=0.02),
        dict(constraints="true_positive_rate_parity", objective="balanced_accuracy_score",
             tol=0.05),
        dict(constraints="true_negative_rate_parity", objective="accuracy_score"),
        dict(constraints="false_negative_rate_parity", objective="selection_rate",
             grid_size=50),
        dict(constraints="demographic_parity", objective="true_positive_rate", flip=True,
             grid_size=200),
    ]
    for params in extra:
        name = "/".join(f"{k}={v}" for k, v in params.items())
        to_cases.append(threshold_optimizer_case(name, score, y, group, **params))
    # Scores of group "c" reversed (1 - score, exact in binary for these 3-decimal values is
    # not needed: the reversed scores are what is stored), so that flipping matters there.
    score_rev = np.where(group == "c", 1.0 - score, score)
    for params in [
        dict(constraints="equalized_odds", objective="accuracy_score", flip=True),
        dict(constraints="equalized_odds", objective="balanced_accuracy_score", flip=False),
        dict(constraints="demographic_parity", objective="balanced_accuracy_score", flip=True),
        dict(constraints="false_positive_rate_parity", objective="accuracy_score", flip=True),
    ]:
        name = "c_reversed/" + "/".join(f"{k}={v}" for k, v in params.items())
        case = threshold_optimizer_case(name, score_rev, y, group, **params)
        case["score_variant"] = "c_reversed"
        to_cases.append(case)

    platt = {}
    isotonic = {}
    curves = {"all": [], "groups": {}}
    probe = [-0.5, 0.0, 0.0005, 0.1234, 0.25, 0.5, 0.5003, 0.77, 0.999, 1.0, 1.7]
    for g in names:
        m = group == g
        s, t, w = score[m], y[m], weight[m]
        a, b = _sigmoid_calibration(s, t)
        aw, bw = _sigmoid_calibration(s, t, sample_weight=w)
        # Decision-function-like scores (|F| >= 30 triggers sklearn's rescaling).
        big = (s - 0.5) * 80.0
        ab, bb = _sigmoid_calibration(big, t)
        platt[g] = {
            "a": num(a), "b": num(b),
            "a_weighted": num(aw), "b_weighted": num(bw),
            "a_scaled_input": num(ab), "b_scaled_input": num(bb),
        }
        iso = IsotonicRegression(out_of_bounds="clip").fit(s, t)
        isow = IsotonicRegression(out_of_bounds="clip").fit(s, t, sample_weight=w)
        isotonic[g] = {
            "x_thresholds": [num(v) for v in iso.X_thresholds_],
            "y_thresholds": [num(v) for v in iso.y_thresholds_],
            "transform_rows": [num(v) for v in iso.transform(s)],
            "probe": probe,
            "transform_probe": [num(v) for v in iso.transform(np.array(probe))],
            "weighted_transform_rows": [num(v) for v in isow.transform(s)],
            "weighted_transform_probe": [num(v) for v in isow.transform(np.array(probe))],
        }
        curves["groups"][g] = [
            curve(t, s, nb, st) for nb in (5, 10, 13) for st in ("uniform", "quantile")
        ]
    curves["all"] = [
        curve(y, score, nb, st) for nb in (5, 10, 13, 40) for st in ("uniform", "quantile")
    ]

    out = {
        "versions": {
            "python": sys.version.split()[0],
            "fairlearn": fairlearn.__version__,
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "scipy": scipy.__version__,
            "aif360": aif360.__version__,
        },
        "data": {
            "score": [float(v) for v in score],
            "y": [int(v) for v in y],
            "group": [str(v) for v in group],
            "weight": [float(v) for v in weight],
            "score_c_reversed": [float(v) for v in np.where(group == "c", 1.0 - score, score)],
        },
        "threshold_optimizer": to_cases,
        "platt": platt,
        "isotonic": isotonic,
        "calibration_curve": curves,
        "reject_option": reject_option_cases(score, y, group),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
