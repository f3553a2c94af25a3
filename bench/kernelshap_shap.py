"""KernelSHAP benchmark helper (bench/kernelshap.sh).

    python bench/kernelshap_shap.py gen  --out DIR         # data.json: model, background, rows
    python bench/kernelshap_shap.py time --out DIR --nsamples N [--rows R] [--background full|kmeans10]

gen: numpy default_rng(12): 12 features, the logistic of a quadratic (coefficients written out,
evaluated identically by the Rust example), 100 background rows, 200 rows to explain.
Also written: shap.kmeans(background, 10) (centres and cluster-size weights), the summarised
background shap recommends.
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


def run(out, nsamples, rows, background):
    import shap

    d = json.load(open(os.path.join(out, "data.json")))
    f = model_fn(d["b"], np.array(d["a"]), np.array(d["q"]))
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
    ap.add_argument("cmd", choices=["gen", "time"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--nsamples", type=int, default=2072)
    ap.add_argument("--rows", type=int, default=0)
    ap.add_argument("--background", choices=["full", "kmeans10"], default="full")
    args = ap.parse_args()
    if args.cmd == "gen":
        gen(args.out)
    else:
        run(args.out, args.nsamples, args.rows, args.background)
