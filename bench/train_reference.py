"""Reference timings for bench/train.sh: LightGBM and scikit-learn on UCI Adult's train split.

Same features, split and settings as crates/assay-model/examples/train_bench.rs:
* gbdt: numeric columns + sorted-category codes (tests/reference/gbdt_golden.py); 100 trees,
  31 leaves, learning rate 0.1, min 20 rows per leaf, no L2, 255 bins; LightGBM with
  num_threads=THREADS, sklearn HistGradientBoostingClassifier with the same settings (no early
  stopping; its thread count follows OMP_NUM_THREADS).
* logistic: standardised numeric + one-hot sex, race, relationship; LogisticRegression(lbfgs),
  C = 1.

Prints `<name> <median fit seconds> <test accuracy>` lines.
"""

import sys
import time
import warnings

import lightgbm
import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, "tests/reference")
from gbdt_golden import COLUMNS, NUMERIC, load, lightgbm_model  # noqa: E402


def timed(make, x, y, xt, yt, repeats):
    times, model = [], None
    for _ in range(repeats):
        model = make()
        t = time.perf_counter()
        model.fit(x, y)
        times.append(time.perf_counter() - t)
    accuracy = float(np.mean((model.predict_proba(xt)[:, 1] > 0.5) == (yt == 1)))
    return float(np.median(times)), accuracy


def main():
    path, threads, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    x, y, test = load(path)
    tr, te = ~test, test
    r = timed(lambda: lightgbm_model(threads), x[tr], y[tr], x[te], y[te], repeats)
    print(f"lightgbm-{lightgbm.__version__} {r[0]:.4f} {r[1]:.4f}")
    hgb = lambda: HistGradientBoostingClassifier(  # noqa: E731
        max_iter=100, max_leaf_nodes=31, learning_rate=0.1, min_samples_leaf=20,
        l2_regularization=0.0, max_bins=255, early_stopping=False, random_state=0,
    )
    r = timed(hgb, x[tr], y[tr], x[te], y[te], repeats)
    print(f"sklearn-hgb-{sklearn.__version__} {r[0]:.4f} {r[1]:.4f}")

    df = pd.read_csv(path, header=None, names=COLUMNS, sep=",", skipinitialspace=True)
    num = df[NUMERIC].to_numpy(dtype=float)
    mean, std = num[tr].mean(axis=0), num[tr].std(axis=0)
    parts = [(num - mean) / np.where(std > 0, std, 1.0)]
    for c in ["sex", "race", "relationship"]:
        parts.append(np.stack([(df[c] == v).to_numpy(dtype=float)
                               for v in sorted(df[c].unique())], axis=1))
    xl = np.hstack(parts)

    def logistic():
        return LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = timed(logistic, xl[tr], y[tr], xl[te], y[te], repeats)
    print(f"sklearn-logistic-lbfgs-{sklearn.__version__} {r[0]:.4f} {r[1]:.4f}")


if __name__ == "__main__":
    main()
