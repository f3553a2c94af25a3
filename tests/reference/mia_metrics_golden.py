"""Golden ROC figures for assay_privacy::mia::metrics (membership-inference audits).

Seeded membership scores (continuous, rounded so that ties occur, and with +/-inf) are
scored with scikit-learn's roc_curve (drop_intermediate False and True) and roc_auc_score.
Writes tests/reference/golden/mia_metrics.json, read by
crates/assay-privacy/tests/mia_metrics.rs.

    /work/venv/bin/python tests/reference/mia_metrics_golden.py
"""

import json
import pathlib

import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score, roc_curve


def num(v):
    v = float(v)
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def case(name, y, s):
    out = {"name": name, "members": [bool(b) for b in y], "scores": [num(v) for v in s]}
    for drop in (False, True):
        fpr, tpr, thr = roc_curve(y, s, drop_intermediate=drop)
        key = "drop" if drop else "full"
        out[key] = {
            "fpr": [float(v) for v in fpr],
            "tpr": [float(v) for v in tpr],
            "thresholds": [num(v) for v in thr],
        }
    out["auc"] = float(roc_auc_score(y, s))
    return out


def main():
    rng = np.random.default_rng(20221)
    cases = []
    # Members score higher on average (a leaky model).
    y = rng.random(600) < 0.4
    s = rng.normal(size=600) + 0.8 * y
    cases.append(case("gaussian_shift", y, s))
    # Heavy ties: scores rounded to one decimal.
    y = rng.random(500) < 0.5
    s = np.round(rng.normal(size=500) + 0.3 * y, 1)
    cases.append(case("rounded_ties", y, s))
    # Near-chance attack, extreme values at both ends (sklearn rejects infinities).
    y = rng.random(300) < 0.5
    s = rng.standard_t(3, size=300)
    s[:5] = 1e300
    s[5:9] = -1e300
    cases.append(case("chance_with_extremes", y, s))
    doc = {"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}
    path = pathlib.Path(__file__).parent / "golden" / "mia_metrics.json"
    path.write_text(json.dumps(doc))
    print("wrote", path)


if __name__ == "__main__":
    main()
