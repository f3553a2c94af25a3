"""Golden LIME explanations from lime 0.2.0.1 (`LimeTabularExplainer`, default settings:
discretize_continuous=True, quartile discretizer, kernel_width = 0.75 sqrt(8), 5000 samples,
feature_selection='auto' -> forward selection for num_features=5, Ridge(alpha=1)).

Data (numpy default_rng(7)): 600 training rows of 8 features: normals with various scales,
an integer Poisson count (tied quartiles), a mostly-zero feature (duplicate quartile edges
removed), a uniform. Model: scikit-learn LogisticRegression (C=1.0) fitted on them (its
coefficients are written out; the Rust test evaluates the same logistic). 50 rows explained
(rows 0..50 of a separate test set), `num_features=5`, `random_state=0` for the explainer.

Written: the discretizer's quartile edges and bin statistics, and per row lime's selected
features with weights (`local_exp[1]`), intercept, score and local_pred.

Also written: lime's agreement with itself (random_state 1, 2, 3 against 0), the agreement
that sampling noise alone allows.

Run from the workspace root:

    /work/venv/bin/python tests/reference/lime_golden.py
"""

import json
import platform

import lime
import lime.lime_tabular
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

OUT = "tests/reference/golden/lime.json"


def data(rng, n):
    x = np.empty((n, 8))
    x[:, 0] = rng.normal(40, 12, n)
    x[:, 1] = rng.normal(0, 1, n)
    x[:, 2] = rng.poisson(3, n)
    x[:, 3] = np.where(rng.uniform(size=n) < 0.8, 0.0, rng.exponential(1000, n))
    x[:, 4] = rng.uniform(-1, 1, n)
    x[:, 5] = rng.normal(10, 3, n)
    x[:, 6] = rng.normal(0, 0.2, n)
    x[:, 7] = rng.normal(5, 2, n)
    return x


def main():
    rng = np.random.default_rng(7)
    xt = data(rng, 600)
    logits = (
        0.08 * (xt[:, 0] - 40) + 1.2 * xt[:, 1] - 0.5 * (xt[:, 2] - 3) + 0.002 * xt[:, 3]
        + 1.5 * xt[:, 4] + 0.0 * xt[:, 5] + 2.0 * xt[:, 6] - 0.3 * (xt[:, 7] - 5)
    )
    yt = (rng.uniform(size=600) < 1 / (1 + np.exp(-logits))).astype(int)
    model = LogisticRegression(C=1.0, max_iter=1000).fit(xt, yt)
    xe = data(rng, 50)
    names = [f"f{j}" for j in range(8)]
    ex = lime.lime_tabular.LimeTabularExplainer(
        xt, feature_names=names, class_names=["0", "1"], random_state=0
    )
    disc = ex.discretizer
    bins = {}
    for f in range(8):
        bins[str(f)] = {
            "edges": list(map(float, disc.maxs[f][:-1])),
            "means": list(map(float, disc.means[f])),
            "stds": list(map(float, disc.stds[f])),
            "mins": list(map(float, disc.mins[f])),
            "maxs": list(map(float, disc.maxs[f])),
        }
    rows = []
    for i in range(xe.shape[0]):
        e = ex.explain_instance(xe[i], model.predict_proba, num_features=5)
        rows.append(
            {
                "features": [[int(j), float(w)] for j, w in e.local_exp[1]],
                "intercept": float(e.intercept[1]),
                "score": float(e.score),
                "local_pred": float(np.asarray(e.local_pred).ravel()[0]),
                "prediction": float(model.predict_proba(xe[i : i + 1])[0, 1]),
                "descriptions": [d for d, _ in e.as_list()],
            }
        )
    # lime against itself: the same explainer with random_state 1, 2, 3 against the
    # random_state=0 explanations above (the agreement sampling noise alone allows).
    self_agreement = []
    for seed in (1, 2, 3):
        other = lime.lime_tabular.LimeTabularExplainer(
            xt, feature_names=names, class_names=["0", "1"], random_state=seed
        )
        same_set = same_top = 0
        werr = []
        for i in range(xe.shape[0]):
            a = other.explain_instance(xe[i], model.predict_proba, num_features=5).local_exp[1]
            ref = dict((j, w) for j, w in rows[i]["features"])
            same_set += sorted(j for j, _ in a) == sorted(ref)
            same_top += a[0][0] == rows[i]["features"][0][0]
            werr += [abs(w - ref[j]) for j, w in a if j in ref]
        self_agreement.append(
            {
                "random_state": seed,
                "same_top5_set": same_set / xe.shape[0],
                "same_top_feature": same_top / xe.shape[0],
                "mean_abs_weight_diff": float(np.mean(werr)),
            }
        )
    out = {
        "lime_self_agreement": self_agreement,
        "versions": {
            "python": platform.python_version(),
            "lime": "0.2.0.1",
            "numpy": np.__version__,
            "sklearn": sklearn.__version__,
        },
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
        "training": xt.tolist(),
        "x": xe.tolist(),
        "bins": bins,
        "explanations": rows,
    }
    with open(OUT, "w") as fh:
        json.dump(out, fh)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
