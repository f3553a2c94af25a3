#!/usr/bin/env python3
"""Generate golden values for assay's bias scan (proxy strength and missingness by group).

Writes ``scan_adult.json`` and ``scan_adult_qmissing.json`` into ``--out`` (default
``tests/reference/golden``); ``crates/assay-fairness/tests/scan_reference.rs`` compares
``assay_fairness::scan`` against them to 1e-9.

For every scanned column and each sensitive feature (sex, race):

* Cramér's V (Cramér 1946), uncorrected, from the contingency table of column value x
  feature value: ``scipy.stats.contingency.association(table, method="cramer",
  correction=False)``, i.e. ``sqrt(chi2 / (n * (min(r, c) - 1)))``;
* normalised mutual information, ``sklearn.metrics.normalized_mutual_info_score`` with its
  default arithmetic normalisation ``MI / mean(H(X), H(Y))`` (natural logs);
* the bias-corrected Cramér's V of Bergsma (2013), from Pearson's chi-squared statistic
  (``scipy.stats.chi2_contingency(table, correction=False)``); for every table larger than
  2 x 2 the script checks it against ``dython.nominal.cramers_v(bias_correction=True)``
  (dython 0.7.12) to 1e-12. dython applies Yates' continuity correction to 2 x 2 tables
  (scipy's default), which is not part of Bergsma's definition, so 2 x 2 tables are not
  cross-checked.

Both are computed over the rows whose column value is not missing. Numeric columns are first
binned the way assay does: the edges are ``numpy.quantile(values, [0.1, ..., 0.9])`` (numpy's
default linear method) with duplicates removed, and a value ``v`` goes to bin
``searchsorted(edges, v, side="left")`` (right-closed intervals). Adult has 32,561 rows, fewer
than assay's default 65,536-row batch, so the deciles of "the first batch" are those of the
whole column.

Cases:

* ``adult``: ``adult.data`` read with ``skipinitialspace=True``; ``?`` is an ordinary category.
* ``adult_qmissing``: the same file with ``?`` read as missing (assay: ``null_values = ["", "?"]``),
  which exercises missing counts by group (workclass, occupation and native-country have ``?``).

Data are read from ``--data`` (default ``$ASSAY_DATA_DIR`` or ``../shared/data`` relative to
the repository root) and never copied into the repository. Needs numpy, pandas, scipy and
scikit-learn, and dython for the cross-check (see ``tests/reference/README.md`` for the
pinned versions)::

    /work/venv/bin/python tests/reference/scan_golden.py
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy.stats import chi2_contingency
from scipy.stats.contingency import association
from sklearn.metrics import normalized_mutual_info_score

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
FEATURES = ["sex", "race"]
CATEGORICAL = [
    "workclass",
    "education",
    "marital-status",
    "occupation",
    "relationship",
    "native-country",
    "income",
]
NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
QUANTILES = np.array([k / 10 for k in range(1, 10)])


def versions():
    return {
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "dython": importlib.metadata.version("dython"),
    }


def read_adult(data_dir: Path, question_missing: bool) -> pd.DataFrame:
    df = pd.read_csv(
        data_dir / "adult.data",
        header=None,
        names=ADULT_COLUMNS,
        skipinitialspace=True,
        dtype=object,
        keep_default_na=False,
        na_filter=False,
    )
    missing = {""} | ({"?"} if question_missing else set())
    return df.map(lambda s: None if s in missing else s)


def finite(x):
    x = float(x)
    return x if math.isfinite(x) else None


def bergsma(table: np.ndarray):
    """Bias-corrected Cramér's V (Bergsma 2013) from Pearson's chi-squared statistic."""
    r, k = table.shape
    n = table.sum()
    if min(r, k) < 2 or n < 2:
        return None
    chi2 = chi2_contingency(table, correction=False)[0]
    phi2 = chi2 / n
    phi2c = max(0.0, phi2 - (k - 1) * (r - 1) / (n - 1))
    kc = k - (k - 1) ** 2 / (n - 1)
    rc = r - (r - 1) ** 2 / (n - 1)
    d = min(kc - 1, rc - 1)
    return finite(math.sqrt(phi2c / d)) if d > 0 else None


def proxy(labels: np.ndarray, feature: np.ndarray):
    """Cramér's V, NMI and bias-corrected V of two label arrays (no missing values)."""
    table = pd.crosstab(labels, feature).to_numpy()
    if min(table.shape) >= 2:
        v = finite(association(table, method="cramer", correction=False))
    else:  # scipy: 0/0 (dof = 0), reported as undefined
        v = None
    nmi = finite(normalized_mutual_info_score(labels, feature))
    corrected = bergsma(table)
    if corrected is not None and table.shape != (2, 2):
        import warnings

        from dython.nominal import cramers_v as dython_v

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d = float(dython_v(labels, feature, bias_correction=True))
        assert abs(d - corrected) < 1e-12, (d, corrected, table.shape)
    return v, nmi, corrected, table


def scan_column(df: pd.DataFrame, column: str) -> dict:
    raw = df[column]
    present = raw.notna().to_numpy()
    out = {"column": column, "rows": int(len(raw)), "missing": int((~present).sum())}
    if column in NUMERIC:
        values = raw[present].astype(float).to_numpy()
        edges = np.unique(np.quantile(values, QUANTILES))
        labels = np.searchsorted(edges, values, side="left")
        out["kind"] = "numeric"
        out["edges"] = [float(e) for e in edges]
    else:
        labels = pd.factorize(raw[present])[0]
        out["kind"] = "categorical"
    out["distinct"] = int(len(np.unique(labels)))

    by_group = []
    for f in FEATURES:
        feat = df[f].to_numpy()
        for value in sorted(set(feat)):
            in_group = feat == value
            rows = int(in_group.sum())
            miss = int((in_group & ~present).sum())
            by_group.append({"feature": f, "value": value, "rows": rows, "missing": miss, "share": miss / rows})
    out["missing_by_group"] = by_group

    proxies = []
    for f in FEATURES:
        feat = pd.factorize(df[f][present])[0]
        v, nmi, corrected, table = proxy(labels, feat)
        proxies.append(
            {
                "feature": f,
                "cramers_v": v,
                "nmi": nmi,
                "cramers_v_corrected": corrected,
                "table_shape": list(table.shape),
            }
        )
    out["proxies"] = proxies
    return out


CASES = {"adult": False, "adult_qmissing": True}


def run_case(name: str, data_dir: Path) -> dict:
    question_missing = CASES[name]
    df = read_adult(data_dir, question_missing)
    columns = [c for c in ADULT_COLUMNS if c not in FEATURES]
    return {
        "case": name,
        "versions": versions(),
        "config": {
            "data": "adult.data",
            "features": FEATURES,
            "missing_values": ["", "?"] if question_missing else [""],
            "quantiles": [float(q) for q in QUANTILES],
        },
        "rows": int(len(df)),
        "columns": [scan_column(df, c) for c in columns],
    }


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
    args = ap.parse_args(argv)

    data_dir = args.data if args.data is not None else default_data_dir()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.case or list(CASES):
        result = run_case(name, data_dir)
        path = args.out / f"scan_{name}.json"
        with open(path, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1, allow_nan=False)
            f.write("\n")
        print(f"wrote {path} ({len(result['columns'])} columns)", file=sys.stderr)


if __name__ == "__main__":
    main()
