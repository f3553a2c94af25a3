"""KernelSHAP benchmark helper (bench/kernelshap.sh).

    python bench/kernelshap_shap.py gen  --out DIR         # data.json: model, background, rows
    python bench/kernelshap_shap.py time --out DIR --nsamples N [--rows R] [--background full|kmeans10]

gen: numpy default_rng(12): 12 features, the logistic of a quadratic (coefficients written out,
evaluated identically by the Rust example), 100 background rows, 200 rows to explain.
Also written: shap.kmeans(background, 10) (centres and cluster-size weights), the summarised
background shap recommends.
gen-adult: the UCI Adult case (bench/kernelshap.sh adult): an XGBoost model (100 trees, depth 4,
eta 0.3, seed 0) trained on all 32,561 rows of ../shared/data/adult.data (or $ASSAY_DATA_DIR)
with 12 features (age, workclass, education-num, marital-status, occupation, relationship, race,
sex, capital-gain, capital-loss, hours-per-week, native-country; string columns ordinal-coded
by their sorted distinct values), target income > 50K; 100 background rows and 100 rows to
explain drawn without replacement by default_rng(12); model.json (XGBoost JSON, which the Rust
side loads) and shap.kmeans(background, 10). The model explained is the margin (log-odds),
`booster.inplace_predict(X, predict_type="margin")` with nthread 2 (assay also uses 2 threads).
time: shap 0.51.0 KernelExplainer(f, background).shap_values(X, nsamples=N, l1_reg=False),
np.random.seed(0), on the first R rows (default all); on the full background or the k-means summary; writes shap_BG_N.json with the values and
the wall-clock seconds, and prints `seconds <s>`. shap's model evaluations: N x 100 per row.
"""

import argparse
import json
import os
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")


def model_fn(b, a, q):
    def f(x):
        x = np.asarray(x, dtype=float)
        z = b + x @ a + np.einsum("ij,jk,ik->i", x, q, x)
        return 1.0 / (1.0 + np.exp(-z))

    return f


def gen(out):
    rng = np.random.default_rng(12)
    m = 12
    a = rng.normal(0, 0.6, m)
    q = np.triu(rng.normal(0, 0.25, (m, m)), 1)
    b = float(rng.normal(0, 0.3))
    bg = rng.normal(0, 1, (100, m))
    x = rng.normal(0, 1, (200, m))
    import shap

    km = shap.kmeans(bg, 10)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "data.json"), "w") as fh:
        json.dump(
            {
                "b": b,
                "a": a.tolist(),
                "q": q.tolist(),
                "background": bg.tolist(),
                "kmeans10": km.data.tolist(),
                "kmeans10_weights": km.weights.tolist(),
                "x": x.tolist(),
            },
            fh,
        )


ADULT = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]
ADULT_FEATURES = [
    "age", "workclass", "education-num", "marital-status", "occupation", "relationship",
    "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
]


def gen_adult(out):
    import pandas as pd
    import shap
    import xgboost as xgb

    data_dir = os.environ.get("ASSAY_DATA_DIR", "../shared/data")
    df = pd.read_csv(
        os.path.join(data_dir, "adult.data"), header=None, names=ADULT, skipinitialspace=True
    )
    cols = []
    for c in ADULT_FEATURES:
        if not pd.api.types.is_numeric_dtype(df[c]):
            levels = sorted(df[c].unique())
            cols.append(df[c].map({v: i for i, v in enumerate(levels)}).astype(float))
        else:
            cols.append(df[c].astype(float))
    x_all = np.stack(cols, axis=1)
    y = (df["income"].str.strip() == ">50K").astype(int).to_numpy()
    bst = xgb.train(
        {"max_depth": 4, "eta": 0.3, "objective": "binary:logistic", "seed": 0, "nthread": 2},
        xgb.DMatrix(x_all, label=y, feature_names=ADULT_FEATURES),
        num_boost_round=100,
    )
    os.makedirs(out, exist_ok=True)
    bst.save_model(os.path.join(out, "model.json"))
    rng = np.random.default_rng(12)
    idx = rng.choice(len(x_all), 200, replace=False)
    bg, x = x_all[idx[:100]], x_all[idx[100:]]
    km = shap.kmeans(bg, 10)
    with open(os.path.join(out, "data.json"), "w") as fh:
        json.dump(
            {
                "model": "model.json",
                "features": ADULT_FEATURES,
                "background": bg.tolist(),
                "kmeans10": km.data.tolist(),
                "kmeans10_weights": km.weights.tolist(),
                "x": x.tolist(),
                "versions": {"xgboost": xgb.__version__, "shap": shap.__version__},
            },
            fh,
        )


def load_model(out, d):
    if "model" in d:
        import xgboost as xgb

        bst = xgb.Booster(model_file=os.path.join(out, d["model"]))
        bst.set_param({"nthread": 2})
        return lambda x: bst.inplace_predict(np.asarray(x, dtype=float), predict_type="margin")
    return model_fn(d["b"], np.array(d["a"]), np.array(d["q"]))


def run(out, nsamples, rows, background):
    import shap

    d = json.load(open(os.path.join(out, "data.json")))
    f = load_model(out, d)
    x = np.array(d["x"])[:rows] if rows else np.array(d["x"])
    if background == "full":
        ex = shap.KernelExplainer(f, np.array(d["background"]))
    else:
        # the same summary the Rust side reads: shap.kmeans(background, 10) from gen
        bg = shap.utils._legacy.DenseData(
            np.array(d["kmeans10"]),
            [str(i) for i in range(x.shape[1])],
            None,
            np.array(d["kmeans10_weights"]),
        )
        ex = shap.KernelExplainer(f, bg)
    np.random.seed(0)
    t0 = time.perf_counter()
    v = ex.shap_values(x, nsamples=nsamples, l1_reg=False, silent=True)
    t = time.perf_counter() - t0
    with open(os.path.join(out, f"shap_{background}_{nsamples}.json"), "w") as fh:
        json.dump({"seconds": t, "nsamples": nsamples, "values": np.asarray(v).tolist()}, fh)
    print(f"seconds {t:.3f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["gen", "gen-adult", "time"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--nsamples", type=int, default=2072)
    ap.add_argument("--rows", type=int, default=0)
    ap.add_argument("--background", choices=["full", "kmeans10"], default="full")
    args = ap.parse_args()
    if args.cmd == "gen":
        gen(args.out)
    elif args.cmd == "gen-adult":
        gen_adult(args.out)
    else:
        run(args.out, args.nsamples, args.rows, args.background)
