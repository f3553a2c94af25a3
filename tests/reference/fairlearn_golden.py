#!/usr/bin/env python3
"""Generate fairlearn/scikit-learn golden files for assay's Rust tests.

Writes one JSON file per case into ``--out`` (default ``tests/reference/golden``).
See ``tests/reference/README.md`` for the pinned versions, the exact command and
the zero-division conventions the Rust side must reproduce.

Data sets are read from ``--data`` (default: ``$ASSAY_DATA_DIR`` or
``../shared/data`` relative to the repository root). They are never copied into
the repository. The ``edge`` fixture lives in ``tests/fixtures/edge.csv``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings
from pathlib import Path

import fairlearn
import numpy as np
import pandas as pd
import sklearn
import sklearn.metrics as skm
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_negative_rate,
    false_positive_rate,
    mean_prediction,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)

try:  # present since fairlearn 0.11
    from fairlearn.metrics import equal_opportunity_difference, equal_opportunity_ratio
except ImportError:  # pragma: no cover - fallback documented in README
    equal_opportunity_difference = None
    equal_opportunity_ratio = None

REPO_ROOT = Path(__file__).resolve().parents[2]

ADULT_COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
    "income",
]

# Order in which metrics appear in every metrics object.
BASE_METRICS = [
    "selection_rate",
    "accuracy",
    "balanced_accuracy",
    "precision",
    "tpr",
    "fpr",
    "fnr",
    "tnr",
    "base_rate",
    "count",
    "auc",
]
PROB_METRICS = ["brier", "ece"]


# ---------------------------------------------------------------- metrics
def base_rate(y_true, y_pred, sample_weight=None):
    """(Weighted) mean of y_true: fairlearn's mean_prediction applied to y_true."""
    return mean_prediction(y_true, y_true, sample_weight=sample_weight)


def auc(y_true, y_pred, score, sample_weight=None):
    """ROC AUC of ``score``; NaN when only one class is present.

    scikit-learn >= 1.6 already returns NaN (with UndefinedMetricWarning) for a
    single class; older versions raised ValueError, which we also map to NaN.
    """
    try:
        return skm.roc_auc_score(y_true, score, sample_weight=sample_weight)
    except ValueError:
        return float("nan")


def brier(y_true, y_pred, score, sample_weight=None):
    return skm.brier_score_loss(y_true, score, sample_weight=sample_weight)


def ece(y_true, y_pred, score, sample_weight=None):
    """Expected calibration error, 10 equal-width bins.

    bin = min(floor(p * 10), 9) (p * 10 evaluated in IEEE f64);
    ECE = sum over non-empty bins of (W_b / W) * |avg_w(y in b) - avg_w(p in b)|.
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(score, dtype=float)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    idx = np.minimum(np.floor(p * 10.0).astype(np.int64), 9)
    total_w = w.sum()
    out = 0.0
    for b in range(10):
        m = idx == b
        if not m.any():
            continue
        wb = w[m].sum()
        avg_y = np.dot(w[m], y[m]) / wb
        avg_p = np.dot(w[m], p[m]) / wb
        out += (wb / total_w) * abs(avg_y - avg_p)
    return out


METRIC_FUNCS = {
    "selection_rate": selection_rate,
    "accuracy": skm.accuracy_score,
    "balanced_accuracy": skm.balanced_accuracy_score,
    "precision": skm.precision_score,  # default zero_division ("warn" -> 0.0)
    "tpr": true_positive_rate,
    "fpr": false_positive_rate,
    "fnr": false_negative_rate,
    "tnr": true_negative_rate,
    "base_rate": base_rate,
    "count": count,  # takes no sample_weight: always the unweighted row count
    "auc": auc,
    "brier": brier,
    "ece": ece,
}
SCORE_METRICS = {"auc", "brier", "ece"}


def metric_setup(names, score, weight):
    metrics = {n: METRIC_FUNCS[n] for n in names}
    params = {}
    for n in names:
        p = {}
        if n in SCORE_METRICS:
            p["score"] = np.asarray(score, dtype=float)
        if weight is not None and n != "count":
            p["sample_weight"] = np.asarray(weight, dtype=float)
        if p:
            params[n] = p
    return metrics, params


# ---------------------------------------------------------------- JSON helpers
def clean(x):
    """Recursively convert numpy/pandas scalars to plain Python; NaN/inf -> None."""
    if isinstance(x, dict):
        return {str(k): clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if x is None:
        return None
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        f = float(x)
        return f if math.isfinite(f) else None
    if isinstance(x, str):
        return x
    if pd.isna(x):
        return None
    return x


def metric_dict(row, names):
    out = {}
    for n in names:
        v = row[n]
        if n == "count" and v is not None and not pd.isna(v):
            v = int(v)  # count column turns float when absent combos are NaN rows
        out[n] = v
    return out


def group_entries(by_group: pd.DataFrame, sf_names, names):
    entries = []
    for key, row in by_group.iterrows():
        if pd.isna(row["count"]) or row["count"] == 0:
            continue  # absent combination (fairlearn fills it with an all-NaN row)
        if not isinstance(key, tuple):
            key = (key,)
        group = {n: (v if isinstance(v, str) else clean(v)) for n, v in zip(sf_names, key)}
        entries.append({"group": group, "metrics": metric_dict(row, names)})
    return entries


# ---------------------------------------------------------------- cases
def load_adult(data_dir: Path):
    df = pd.read_csv(
        data_dir / "adult.data", header=None, names=ADULT_COLUMNS, skipinitialspace=True
    )
    df = df.dropna(how="all")
    y_true = (df["income"] == ">50K").astype(np.int64).to_numpy()
    score = df["education-num"].astype(float).to_numpy()
    y_pred = (score >= 13).astype(np.int64)
    return df, y_true, y_pred, score


def load_compas(data_dir: Path):
    df = pd.read_csv(data_dir / "compas-scores-two-years.csv")
    # duplicate header names: pandas renames the 2nd to "decile_score.1"; use the first
    y_true = (df["two_year_recid"] == 1).astype(np.int64).to_numpy()
    score = df["decile_score"].astype(float).to_numpy()
    y_pred = (score >= 5).astype(np.int64)
    return df, y_true, y_pred, score


def load_edge(_data_dir: Path):
    df = pd.read_csv(REPO_ROOT / "tests" / "fixtures" / "edge.csv", dtype={"g1": str, "g2": str})
    y_true = df["y"].astype(np.int64).to_numpy()
    y_pred = df["pred"].astype(np.int64).to_numpy()
    score = df["prob"].astype(float).to_numpy()
    return df, y_true, y_pred, score


def adult_config(weight):
    return {
        "data": "adult.data",
        "label": "income",
        "positive": ">50K",
        "score": "education-num",
        "threshold": 13,
        "prediction": None,
        "sensitive": ["sex", "race"],
        "weight": weight,
    }


CASES = {
    "adult_sex_race": (load_adult, adult_config(None), False),
    "adult_sex_race_weighted": (load_adult, adult_config("fnlwgt"), False),
    "compas_race_sex": (
        load_compas,
        {
            "data": "compas-scores-two-years.csv",
            "label": "two_year_recid",
            "positive": "1",
            "score": "decile_score",
            "threshold": 5,
            "prediction": None,
            "sensitive": ["race", "sex"],
            "weight": None,
        },
        False,
    ),
    "edge": (
        load_edge,
        {
            "data": "tests/fixtures/edge.csv",
            "label": "y",
            "positive": "1",
            "score": "prob",
            "threshold": None,
            "prediction": "pred",
            "sensitive": ["g1", "g2"],
            "weight": None,
        },
        True,
    ),
    "edge_weighted": (
        load_edge,
        {
            "data": "tests/fixtures/edge.csv",
            "label": "y",
            "positive": "1",
            "score": "prob",
            "threshold": None,
            "prediction": "pred",
            "sensitive": ["g1", "g2"],
            "weight": "w",
        },
        True,
    ),
}


def versions():
    return {
        "fairlearn": fairlearn.__version__,
        "sklearn": sklearn.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
    }


def run_case(name, data_dir: Path):
    loader, config, with_prob = CASES[name]
    df, y_true, y_pred, score = loader(data_dir)
    weight = None if config["weight"] is None else df[config["weight"]].astype(float).to_numpy()
    sens = config["sensitive"]
    sf = df[sens].astype(str).reset_index(drop=True)
    names = BASE_METRICS + (PROB_METRICS if with_prob else [])
    if with_prob:
        assert np.all((score >= 0) & (score <= 1)), "prob metrics need scores in [0,1]"
    metrics, params = metric_setup(names, score, weight)

    mf = MetricFrame(
        metrics=metrics, y_true=y_true, y_pred=y_pred, sensitive_features=sf, sample_params=params
    )
    overall = metric_dict(mf.overall, names)
    by_group = group_entries(mf.by_group, sens, names)

    marginals = {}
    for s in sens:
        mfs = MetricFrame(
            metrics=metrics,
            y_true=y_true,
            y_pred=y_pred,
            sensitive_features=sf[[s]],
            sample_params=params,
        )
        marginals[s] = group_entries(mfs.by_group, [s], names)

    aggregates = {
        "difference_between_groups": dict(mf.difference(method="between_groups")),
        "difference_to_overall": dict(mf.difference(method="to_overall")),
        "ratio_between_groups": dict(mf.ratio(method="between_groups")),
        "ratio_to_overall": dict(mf.ratio(method="to_overall")),
        "group_min": dict(mf.group_min()),
        "group_max": dict(mf.group_max()),
    }
    aggregates = {k: {n: v[n] for n in names} for k, v in aggregates.items()}

    kw = {"sensitive_features": sf, "sample_weight": weight}
    disparities = {
        "demographic_parity_difference": demographic_parity_difference(y_true, y_pred, **kw),
        "demographic_parity_ratio": demographic_parity_ratio(y_true, y_pred, **kw),
        "equalized_odds_difference": equalized_odds_difference(y_true, y_pred, **kw),
        "equalized_odds_ratio": equalized_odds_ratio(y_true, y_pred, **kw),
    }
    if equal_opportunity_difference is not None:
        disparities["equal_opportunity_difference"] = equal_opportunity_difference(
            y_true, y_pred, **kw
        )
        disparities["equal_opportunity_ratio"] = equal_opportunity_ratio(y_true, y_pred, **kw)
    else:  # fallback: tpr difference / ratio between groups
        disparities["equal_opportunity_difference"] = aggregates["difference_between_groups"]["tpr"]
        disparities["equal_opportunity_ratio"] = aggregates["ratio_between_groups"]["tpr"]

    return clean(
        {
            "case": name,
            "versions": versions(),
            "config": config,
            "overall": overall,
            "by_group": by_group,
            "marginals": marginals,
            "aggregates": aggregates,
            "disparities": disparities,
        }
    )


def default_data_dir() -> Path:
    env = os.environ.get("ASSAY_DATA_DIR")
    if env:
        return Path(env)
    return (REPO_ROOT / ".." / "shared" / "data").resolve()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="data dir (default $ASSAY_DATA_DIR or ../shared/data)")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "tests" / "reference" / "golden")
    ap.add_argument("--case", action="append", choices=sorted(CASES), help="only these cases (repeatable)")
    ap.add_argument("--show-warnings", action="store_true", help="do not silence sklearn/fairlearn warnings")
    args = ap.parse_args(argv)

    data_dir = args.data if args.data is not None else default_data_dir()
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.show_warnings:
        warnings.simplefilter("ignore")

    for name in args.case or list(CASES):
        result = run_case(name, data_dir)
        path = args.out / f"{name}.json"
        with open(path, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1, allow_nan=False)
            f.write("\n")
        print(f"wrote {path} ({len(result['by_group'])} groups)", file=sys.stderr)


if __name__ == "__main__":
    main()
