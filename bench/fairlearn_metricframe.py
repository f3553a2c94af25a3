#!/usr/bin/env python3
"""End-to-end timing of a fairlearn MetricFrame audit (baseline for assay benchmarks).

Times: pd.read_csv + MetricFrame construction (selection_rate, accuracy,
balanced_accuracy, precision, tpr, fpr, fnr, tnr, base_rate, count, auc) +
difference()/ratio() with both methods + group_min()/group_max().
With --n-boot N, MetricFrame's built-in bootstrap (fairlearn >= 0.10:
n_boot=N, ci_quantiles=[0.025, 0.975], random_state=0) is used and the CI
accessors are read as well.

Prints one JSON line: {"tool":"fairlearn","rows":n,"seconds":t,"n_boot":N}

Example:
  /work/venv/bin/python bench/fairlearn_metricframe.py --csv /tmp/hiring.csv \
      --label qualified --prediction shortlisted --score score --sensitive gender,race
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np
import pandas as pd
import sklearn.metrics as skm
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_negative_rate,
    false_positive_rate,
    mean_prediction,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)


def base_rate(y_true, y_pred, sample_weight=None):
    return mean_prediction(y_true, y_true, sample_weight=sample_weight)


def auc(y_true, y_pred, score, sample_weight=None):
    try:
        return skm.roc_auc_score(y_true, score, sample_weight=sample_weight)
    except ValueError:  # single class (older sklearn); sklearn >= 1.6 returns NaN itself
        return float("nan")


METRICS = {
    "selection_rate": selection_rate,
    "accuracy": skm.accuracy_score,
    "balanced_accuracy": skm.balanced_accuracy_score,
    "precision": skm.precision_score,
    "tpr": true_positive_rate,
    "fpr": false_positive_rate,
    "fnr": false_negative_rate,
    "tnr": true_negative_rate,
    "base_rate": base_rate,
    "count": count,
    "auc": auc,
}


def run(args) -> dict:
    sens = [s.strip() for s in args.sensitive.split(",") if s.strip()]
    t0 = time.perf_counter()

    df = pd.read_csv(args.csv, nrows=args.rows_limit)
    y_true = df[args.label].astype(np.int64).to_numpy()
    y_pred = df[args.prediction].astype(np.int64).to_numpy()
    score = df[args.score].astype(float).to_numpy()
    sf = df[sens].astype(str)
    weight = None if args.weight is None else df[args.weight].astype(float).to_numpy()

    params = {"auc": {"score": score}}
    if weight is not None:
        for name in METRICS:
            if name != "count":  # count() accepts no sample_weight
                params.setdefault(name, {})["sample_weight"] = weight

    boot = {}
    if args.n_boot:
        boot = {"n_boot": args.n_boot, "ci_quantiles": [0.025, 0.975], "random_state": 0}
    mf = MetricFrame(
        metrics=METRICS,
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sf,
        sample_params=params,
        **boot,
    )
    _ = mf.overall, mf.by_group
    for method in ("between_groups", "to_overall"):
        _ = mf.difference(method=method), mf.ratio(method=method)
    _ = mf.group_min(), mf.group_max()
    if args.n_boot:
        _ = mf.overall_ci, mf.by_group_ci, mf.group_min_ci(), mf.group_max_ci()
        for method in ("between_groups", "to_overall"):
            _ = mf.difference_ci(method=method), mf.ratio_ci(method=method)

    seconds = time.perf_counter() - t0
    return {"tool": "fairlearn", "rows": int(len(df)), "seconds": seconds, "n_boot": args.n_boot or 0}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", required=True)
    ap.add_argument("--label", required=True, help="0/1 ground-truth column")
    ap.add_argument("--prediction", required=True, help="0/1 prediction column")
    ap.add_argument("--score", required=True, help="score column (used for AUC)")
    ap.add_argument("--sensitive", required=True, help="comma-separated sensitive columns")
    ap.add_argument("--n-boot", type=int, default=0, help="bootstrap resamples (0 = none)")
    ap.add_argument("--rows-limit", type=int, default=None, help="read only the first N rows")
    ap.add_argument("--weight", default=None, help="optional sample-weight column")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    print(json.dumps(run(args), separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
