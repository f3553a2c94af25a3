"""Golden KernelSHAP and LinearSHAP values from shap 0.51.0.

Model (closed form, evaluated identically in Rust): the logistic of a quadratic,

    f(x) = 1 / (1 + exp(-(b + a.x + sum_{j<k} Q[j][k] x_j x_k)))

with coefficients drawn from numpy's default_rng(2026) and written into the golden file.

Data sets (all seeded):

* `exact8`: 8 features (feature 5 constant 1.0 in the background, 2.0 in a few rows to
  explain; feature 6 integer 0..3; feature 7 binary), 30 background rows, 20 rows.
  shap `KernelExplainer(f, background).shap_values(X, nsamples=2**8, l1_reg=False)`: every
  coalition enumerated (exact Shapley values of the interventional game).
* `sampled12`: 12 features, 30 background rows, 20 rows. Exact values (nsamples=2**12),
  and sampling-mode values at nsamples in {200, 500, 2*12+2048} for numpy seeds 0..4
  (`np.random.seed(s)` before `shap_values`), with their mean absolute error against exact.
  shap counts nsamples coalitions x 30 background rows model evaluations per row.
* `discrete12`: as `sampled12` (its own model and `default_rng(2027)`), but every feature is
  discrete like a coded categorical column: feature j takes values 0..L_j-1 (L_j from 2 to 6)
  with one dominant level (probability 0.6) and the rest uniform; so a row usually agrees with
  a background row on several features (the case assay's background decomposition is exact
  on). Exact values and sampled values at nsamples in {200, 500, 2072}, seeds 0..4.

`l1_reg=False` everywhere: shap's default `num_features(10)` runs a LARS feature selection
first (which would drop features of the 12-feature set); assay solves the full constrained
least squares, as shap does with `l1_reg=False`.

LinearSHAP: a scikit-learn LogisticRegression (C=1.0, lbfgs) fitted on 300 synthetic rows of
6 features; shap `LinearExplainer(model, background)` (interventional) on 80 background rows,
explaining the margin, for 40 rows.

Run from the workspace root:

    /work/venv/bin/python tests/reference/kernel_shap_golden.py
"""

import json
import platform
import warnings

import numpy as np
import shap
import sklearn
from sklearn.linear_model import LogisticRegression

warnings.filterwarnings("ignore")
OUT = "tests/reference/golden/kernel_shap.json"


def make_model(rng, m):
    a = rng.normal(0, 0.6, m)
    q = np.triu(rng.normal(0, 0.25, (m, m)), 1)
    b = float(rng.normal(0, 0.3))
    return b, a, q


def model_fn(b, a, q):
    def f(x):
        x = np.asarray(x, dtype=float)
        z = b + x @ a + np.einsum("ij,jk,ik->i", x, q, x)
        return 1.0 / (1.0 + np.exp(-z))

    return f


def make_data(rng, m, n):
    x = rng.normal(0, 1, (n, m))
    return x


def sampled_errors(ex, x, exact, m, n_background):
    """shap's sampling-mode error against exact values at nsamples 200, 500 and 2M + 2048,
    numpy seeds 0..4 (np.random.seed before each shap_values call)."""
    sampled = {}
    for ns in (200, 500, 2 * m + 2048):
        runs = []
        for seed in range(5):
            np.random.seed(seed)
            v = np.asarray(ex.shap_values(x, nsamples=ns, l1_reg=False, silent=True))
            runs.append({"seed": seed, "mae": float(np.mean(np.abs(v - exact)))})
        sampled[str(ns)] = {
            "runs": runs,
            "mean_mae": float(np.mean([r["mae"] for r in runs])),
            "model_evaluations_per_row": ns * n_background,
        }
    return sampled


def main():
    rng = np.random.default_rng(2026)
    out = {
        "versions": {
            "python": platform.python_version(),
            "shap": shap.__version__,
            "numpy": np.__version__,
            "sklearn": sklearn.__version__,
        }
    }

    # exact8
    m = 8
    b, a, q = make_model(rng, m)
    f = model_fn(b, a, q)
    bg = make_data(rng, m, 30)
    x = make_data(rng, m, 20)
    for d in (bg, x):
        d[:, 5] = 1.0
        d[:, 6] = rng.integers(0, 4, d.shape[0])
        d[:, 7] = rng.integers(0, 2, d.shape[0])
    x[[3, 11, 17], 5] = 2.0
    x[4, :] = bg[7, :]  # a row equal to a background row
    ex = shap.KernelExplainer(f, bg)
    vals = ex.shap_values(x, nsamples=2**m, l1_reg=False, silent=True)
    out["exact8"] = {
        "b": b,
        "a": a.tolist(),
        "q": q.tolist(),
        "background": bg.tolist(),
        "x": x.tolist(),
        "expected_value": float(ex.expected_value),
        "shap_values": np.asarray(vals).tolist(),
        "fx": f(x).tolist(),
    }

    # sampled12
    m = 12
    b, a, q = make_model(rng, m)
    f = model_fn(b, a, q)
    bg = make_data(rng, m, 30)
    x = make_data(rng, m, 20)
    ex = shap.KernelExplainer(f, bg)
    exact = np.asarray(ex.shap_values(x, nsamples=2**m, l1_reg=False, silent=True))
    sampled = sampled_errors(ex, x, exact, m, bg.shape[0])
    out["sampled12"] = {
        "b": b,
        "a": a.tolist(),
        "q": q.tolist(),
        "background": bg.tolist(),
        "x": x.tolist(),
        "expected_value": float(ex.expected_value),
        "exact_shap_values": exact.tolist(),
        "sampling": sampled,
    }

    # LinearSHAP
    p = 6
    xt = rng.normal(0, 1, (300, p)) * np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.0]) + np.array(
        [0.0, 1.0, -1.0, 2.0, 0.0, 5.0]
    )
    logits = xt @ np.array([1.0, -0.5, 2.0, 0.0, 0.3, -0.2]) + 0.4
    yt = (rng.uniform(size=300) < 1 / (1 + np.exp(-logits))).astype(int)
    lr = LogisticRegression(C=1.0).fit(xt, yt)
    lbg = xt[:80]
    lx = xt[200:240]
    lex = shap.LinearExplainer(lr, lbg)
    lvals = np.asarray(lex.shap_values(lx))
    out["linear"] = {
        "coef": lr.coef_[0].tolist(),
        "intercept": float(lr.intercept_[0]),
        "background": lbg.tolist(),
        "x": lx.tolist(),
        "expected_value": float(np.asarray(lex.expected_value).ravel()[0]),
        "shap_values": lvals.tolist(),
    }

    # discrete12
    drng = np.random.default_rng(2027)
    m = 12
    b, a, q = make_model(drng, m)
    f = model_fn(b, a, q)
    levels = drng.integers(2, 7, m)

    def discrete(n):
        cols = []
        for j in range(m):
            lv = int(levels[j])
            p = np.full(lv, 0.4 / (lv - 1))
            p[0] = 0.6
            cols.append(drng.choice(lv, size=n, p=p).astype(float))
        return np.stack(cols, axis=1)

    bg = discrete(30)
    x = discrete(20)
    ex = shap.KernelExplainer(f, bg)
    exact = np.asarray(ex.shap_values(x, nsamples=2**m, l1_reg=False, silent=True))
    dsampled = sampled_errors(ex, x, exact, m, bg.shape[0])
    out["discrete12"] = {
        "b": b,
        "a": a.tolist(),
        "q": q.tolist(),
        "levels": levels.tolist(),
        "background": bg.tolist(),
        "x": x.tolist(),
        "expected_value": float(ex.expected_value),
        "exact_shap_values": exact.tolist(),
        "sampling": dsampled,
    }

    with open(OUT, "w") as fh:
        json.dump(out, fh)
    print("wrote", OUT)
    for ns, s in sampled.items():
        print(ns, s["mean_mae"])
    for ns, s in dsampled.items():
        print("discrete", ns, s["mean_mae"])


if __name__ == "__main__":
    main()
