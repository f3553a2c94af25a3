#!/usr/bin/env python3
"""Reference outputs for assay-mitigation's pre-processing methods.

Writes ``tests/reference/golden/mitigation_preprocessing.json``, read by
``crates/assay-mitigation/tests/preprocessing_reference.rs``.

Command (from the repository root)::

    /work/venv/bin/pip install aif360==0.6.1 BlackBoxAuditing==0.1.54
    /work/venv/bin/python tests/reference/mitigation_preprocessing_golden.py

Environment used for the committed file: Python 3.11.7, numpy 2.4.6, pandas 3.1.1,
scikit-learn 1.9.1, fairlearn 0.15.0, aif360 0.6.1, BlackBoxAuditing 0.1.54 (the versions are
also recorded in the JSON under ``"versions"``).

What comes from where:

* ``reweighing.aif360_*``: ``aif360.algorithms.preprocessing.Reweighing`` on a two-group
  version of the data (group ``sex``; privileged sex = 1, favorable label = 1), without and with
  instance weights. AIF360's ``Reweighing`` only knows one privileged and one unprivileged group,
  so the three-group cases ``reweighing.formula_*`` are the published formula
  ``w * W_g * W_y / (W * W_gy)`` computed here with pandas group sums (the same formula AIF360
  evaluates per cell), without and with weights.
* ``correlation_remover.*``: ``fairlearn.preprocessing.CorrelationRemover`` fitted and applied
  to ``[one-hot(group) | features]`` with the one-hot columns as ``sensitive_feature_ids``, at
  alpha 1.0 and 0.5. The script checks that dropping the first one-hot column gives the same
  output (``max_abs_diff_drop_first``), which is why assay's full one-hot closed form is
  equivalent. ``alpha_0_8_fit_400_transform_rest``: fitted on the first 400 rows at alpha 0.8
  and applied to the remaining rows (the prediction-time path).
* ``di_remover.*``: ``aif360.algorithms.preprocessing.DisparateImpactRemover`` (BlackBoxAuditing's
  ``GeneralRepairer``) at repair levels 1.0 and 0.5, with the group code as the protected feature
  column, on the three-group and on the two-group data. AIF360 bins the protected column with a
  Freedman-Diaconis histogram before stratifying; the script asserts that every bin holds exactly
  one group code, so the strata are the groups.
* ``di_remover_stress``: six small tie-heavy cases (2-4 groups) repaired by BlackBoxAuditing's
  ``CategoricRepairer`` directly (string group names, so no binning) at levels 1.0, 0.75, 0.5
  and 0.3, where Python's half-to-even rounding matters.
* ``reweighing.formula_group_label3_weighted``: the formula with three label values
  (``label3``), weighted.

The dataset is synthetic and deterministic (numpy ``default_rng(20240611)``).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

import aif360  # noqa: E402
import fairlearn  # noqa: E402
import sklearn  # noqa: E402
from aif360.algorithms.preprocessing import DisparateImpactRemover, Reweighing  # noqa: E402
from aif360.datasets import BinaryLabelDataset  # noqa: E402
from fairlearn.preprocessing import CorrelationRemover  # noqa: E402

OUT = Path(__file__).resolve().parent / "golden" / "mitigation_preprocessing.json"
N = 600
FEATURES = ["score", "age", "level", "income"]


def make_data() -> pd.DataFrame:
    rng = np.random.default_rng(20240611)
    group = rng.choice(3, size=N, p=[0.5, 0.3, 0.2])
    sex = rng.choice(2, size=N, p=[0.45, 0.55])
    # score: continuous with a group shift, rounded to 2 decimals (some ties)
    score = np.round(rng.normal(loc=np.array([0.0, 0.6, -0.4])[group], scale=1.0), 2)
    # age: integers, group-dependent
    age = rng.integers(18, 70, size=N) + 3 * group
    # level: few distinct values
    level = rng.integers(0, 5, size=N) + (group == 2)
    # income: continuous at full precision
    income = rng.lognormal(mean=10.0 + 0.2 * group, sigma=0.5)
    logit = -0.3 + 0.8 * score + 0.5 * (group == 1) - 0.6 * (group == 2) + 0.4 * sex
    label = (rng.random(N) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    weight = np.round(rng.uniform(0.2, 3.0, size=N), 3)
    return pd.DataFrame(
        {
            "group": group.astype(float),
            "sex": sex.astype(float),
            "score": score.astype(float),
            "age": age.astype(float),
            "level": level.astype(float),
            "income": income.astype(float),
            "label": label.astype(float),
            "weight": weight,
        }
    )


def reweighing_aif360(df: pd.DataFrame, weighted: bool) -> list[float]:
    cols = ["sex", *FEATURES, "label"] + (["weight"] if weighted else [])
    ds = BinaryLabelDataset(
        df=df[cols],
        label_names=["label"],
        protected_attribute_names=["sex"],
        instance_weights_name="weight" if weighted else None,
        favorable_label=1.0,
        unfavorable_label=0.0,
    )
    rw = Reweighing(unprivileged_groups=[{"sex": 0.0}], privileged_groups=[{"sex": 1.0}])
    out = rw.fit_transform(ds)
    return [float(w) for w in out.instance_weights]


def reweighing_formula(df: pd.DataFrame, group: str, weighted: bool) -> list[float]:
    w = df["weight"] if weighted else pd.Series(1.0, index=df.index)
    total = w.sum()
    w_g = w.groupby(df[group]).sum()
    w_y = w.groupby(df["label"]).sum()
    w_gy = w.groupby([df[group], df["label"]]).sum()
    factor = [
        (w_g[g] * w_y[y]) / (total * w_gy[(g, y)]) for g, y in zip(df[group], df["label"])
    ]
    return [float(a * b) for a, b in zip(w, factor)]


def correlation_remover(
    df: pd.DataFrame, alpha: float, drop_first: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Transformed features, ``beta_`` and ``sensitive_mean_``."""
    onehot = pd.get_dummies(df["group"].astype(int), prefix="g", drop_first=drop_first)
    x = pd.concat([onehot.astype(float), df[FEATURES]], axis=1)
    cr = CorrelationRemover(sensitive_feature_ids=list(onehot.columns), alpha=alpha)
    out = cr.fit(x).transform(x)
    return out, cr.beta_, cr.sensitive_mean_


def di_remover(df: pd.DataFrame, group: str, level: float) -> np.ndarray:
    cols = [group, *FEATURES, "label"]
    ds = BinaryLabelDataset(
        df=df[cols],
        label_names=["label"],
        protected_attribute_names=[group],
        favorable_label=1.0,
        unfavorable_label=0.0,
    )
    assert ds.feature_names == [group, *FEATURES], ds.feature_names
    # AIF360 stratifies on Freedman-Diaconis bins of the protected column: check one code a bin.
    from BlackBoxAuditing.repairers.binning.Binner import make_histogram_bins
    from BlackBoxAuditing.repairers.binning.BinSizes import FreedmanDiaconisBinSize

    bins = make_histogram_bins(FreedmanDiaconisBinSize, ds.features.tolist(), 0)
    codes = df[group].to_numpy()
    assert len(bins) == len(np.unique(codes))
    for b in bins:
        assert len(np.unique(codes[b])) == 1
    out = DisparateImpactRemover(repair_level=level, sensitive_attribute=group).fit_transform(ds)
    assert np.array_equal(out.features[:, 0], codes)
    return out.features[:, 1:]


def di_stress_cases() -> list[dict]:
    """Small, tie-heavy cases for the repair itself, through BlackBoxAuditing's
    ``CategoricRepairer`` with string group names (what AIF360 runs after binning the protected
    column; here the strata are exactly the groups), at repair levels where Python's
    half-to-even rounding matters."""
    from BlackBoxAuditing.repairers.CategoricRepairer import Repairer

    rng = np.random.default_rng(7)
    cases = []
    for case in range(6):
        n = int(rng.integers(30, 200))
        k = int(rng.integers(2, 5))
        group = rng.integers(0, k, size=n)
        group[:k] = np.arange(k)  # every group has rows
        cols = [
            rng.integers(0, 4 + 3 * case, size=n) + group,  # few distinct values, ties
            np.round(rng.normal(size=n) + 0.5 * group, 1),  # ties from rounding
            rng.normal(size=n) * (1 + group),  # all distinct
        ]
        x = np.column_stack(cols).astype(float)
        rows = [[f"g{g}", *map(float, r)] for g, r in zip(group, x)]
        out = {"group": [int(g) for g in group], "n_groups": k, "features": flat(x)}
        for level in (1.0, 0.75, 0.5, 0.3):
            repaired = Repairer(rows, 0, level, False).repair(rows)
            out[f"level_{level}"] = flat([r[1:] for r in repaired])
        cases.append(out)
    return cases


def flat(a: np.ndarray) -> list[float]:
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def main() -> None:
    df = make_data()
    result: dict = {
        "versions": {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "sklearn": sklearn.__version__,
            "fairlearn": fairlearn.__version__,
            "aif360": aif360.__version__,
        },
        "command": "/work/venv/bin/python tests/reference/mitigation_preprocessing_golden.py",
        "n_rows": N,
        "feature_names": FEATURES,
        "group": [int(v) for v in df["group"]],
        "sex": [int(v) for v in df["sex"]],
        "label": flat(df["label"]),
        "weight": flat(df["weight"]),
        "features": flat(df[FEATURES].to_numpy()),
    }
    result["reweighing"] = {
        "aif360_sex_unweighted": reweighing_aif360(df, False),
        "aif360_sex_weighted": reweighing_aif360(df, True),
        "formula_group_unweighted": reweighing_formula(df, "group", False),
        "formula_group_weighted": reweighing_formula(df, "group", True),
    }
    # the pandas formula agrees with AIF360 where both apply
    for weighted in (False, True):
        a = np.array(reweighing_aif360(df, weighted))
        b = np.array(reweighing_formula(df, "sex", weighted))
        assert np.max(np.abs(a - b) / np.abs(a)) < 1e-14, (weighted, np.max(np.abs(a - b)))

    cr = {}
    for alpha, key in ((1.0, "alpha_1"), (0.5, "alpha_0_5")):
        full, beta, mean = correlation_remover(df, alpha, drop_first=False)
        dropped, _, _ = correlation_remover(df, alpha, drop_first=True)
        cr[key] = flat(full)
        cr["beta"] = flat(beta)
        cr["sensitive_mean"] = flat(mean)
        cr[f"{key}_max_abs_diff_drop_first"] = float(np.max(np.abs(full - dropped)))
        assert cr[f"{key}_max_abs_diff_drop_first"] < 1e-9
    # prediction time: fitted on the first 400 rows, applied to the other rows
    onehot = pd.get_dummies(df["group"].astype(int), prefix="g").astype(float)
    x = pd.concat([onehot, df[FEATURES]], axis=1)
    held = CorrelationRemover(sensitive_feature_ids=list(onehot.columns), alpha=0.8)
    held.fit(x.iloc[:400])
    cr["alpha_0_8_fit_400_transform_rest"] = flat(held.transform(x.iloc[400:]))
    result["correlation_remover"] = cr

    result["di_remover"] = {
        f"{group}_level_{key}": flat(di_remover(df, group, level))
        for group in ("group", "sex")
        for level, key in ((1.0, "1"), (0.5, "0_5"))
    }

    result["di_remover_stress"] = di_stress_cases()

    # more than two label values: the formula
    df3 = df.assign(label=df["label"] + (df["score"] > 1.0))
    result["label3"] = flat(df3["label"])
    result["reweighing"]["formula_group_label3_weighted"] = reweighing_formula(df3, "group", True)

    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, separators=(",", ":"))
    OUT.write_text(text + "\n")
    print(f"wrote {OUT} ({len(text)} bytes)")


if __name__ == "__main__":
    main()
