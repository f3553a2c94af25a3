"""Reference values for randomized smoothing's statistics (issue #19), from the libraries
Cohen, Rosenfeld and Kolter's code (github.com/locuslab/smoothing, code/core.py) calls:

  * the Clopper-Pearson lower bound `proportion_confint(nA, n, alpha=2*alpha, method="beta")[0]`
    (statsmodels), and the radius `sigma * norm.ppf(pABar)` (SciPy);
  * PREDICT's binomial test, `binomtest(k, n, p=0.5).pvalue` (SciPy's successor of the
    deprecated `binom_test` their code calls; the same p-value);
  * the regularized incomplete beta function and its inverse, `betainc` and `betaincinv`.

Writes tests/reference/golden/smoothing_reference.json, read by
crates/assay-robust/tests/reference.rs (which asserts agreement to 1e-12).

Setup: python3 -m venv /work/venv && /work/venv/bin/pip install scipy statsmodels
Run:   /work/venv/bin/python tests/reference/smoothing_reference.py
"""

import json
from pathlib import Path

import scipy
import statsmodels
from scipy.special import betainc, betaincinv
from scipy.stats import binomtest, norm
from statsmodels.stats.proportion import proportion_confint

OUT = Path(__file__).resolve().parent / "golden" / "smoothing_reference.json"

bounds = []
for n in [10, 100, 1000, 10_000, 100_000]:
    for frac in [0.0, 0.3, 0.5, 0.51, 0.9, 0.99, 0.999, 1.0]:
        na = round(n * frac)
        for alpha in [0.001, 0.01, 0.05]:
            lo = float(proportion_confint(na, n, alpha=2 * alpha, method="beta")[0])
            radii = {str(s): (float(s * norm.ppf(lo)) if lo >= 0.5 else None) for s in [0.12, 0.25, 0.5, 1.0]}
            bounds.append({"na": na, "n": n, "alpha": alpha, "lower": lo, "radius": radii})

tests = []
for n in [1, 2, 7, 10, 100, 1000, 100_000]:
    for k in sorted({0, 1, n // 3, n // 2, (n + 1) // 2, n - 1, n} - {-1}):
        if 0 <= k <= n:
            tests.append({"k": k, "n": n, "pvalue": float(binomtest(k, n, p=0.5).pvalue)})

beta = []
for a, b in [(0.5, 0.5), (1.0, 3.0), (2.0, 5.0), (30.0, 71.0), (990.0, 11.0), (99_999.0, 2.0), (5.0, 99_996.0)]:
    for x in [1e-10, 1e-4, 0.01, 0.3, 0.5, 0.7, 0.99, 0.9999]:
        beta.append({"a": a, "b": b, "x": x, "betainc": float(betainc(a, b, x))})
    for p in [1e-8, 0.001, 0.05, 0.5, 0.95, 0.999]:
        beta.append({"a": a, "b": b, "p": p, "betaincinv": float(betaincinv(a, b, p))})

meta = {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__}
OUT.write_text(json.dumps({"meta": meta, "bounds": bounds, "binomtest": tests, "beta": beta}, indent=0) + "\n")
print(meta, len(bounds), len(tests), len(beta))
