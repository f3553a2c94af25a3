"""XGBoost side of bench/trees.sh: generate the model and matrix, time XGBoost's predict.

    python bench/xgb_predict.py gen  --out bench/out/trees [--rows 1000000] [--seed 0]
    python bench/xgb_predict.py time --out bench/out/trees [--nthread 2] [--repeat 3]
    python bench/xgb_predict.py diff A.f64 B.f64

`gen` writes `model.json` (binary:logistic, 200 trees, max_depth 6, trained with nthread=2) and
`x.parquet` (20 float64 columns f0..f19, 5% NaN, seeded). `time` reads the matrix (not timed),
times `Booster.inplace_predict` and `DMatrix` + `Booster.predict` (median of `--repeat` runs
each) and writes XGBoost's probabilities as little-endian f64 to `xgb_pred.f64`. `diff` prints
the maximum absolute difference of two such files.
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

N_FEATURES = 20


def gen(args):
    import pyarrow as pa
    import pyarrow.parquet as pq
    import xgboost as xgb

    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    x = rng.normal(size=(args.rows, N_FEATURES))
    logit = (
        x[:, 0]
        - 0.8 * x[:, 1]
        + 0.5 * x[:, 2] * x[:, 3]
        + np.sin(2 * x[:, 4])
        + 0.3 * x[:, 5:10].sum(axis=1)
        - 0.5 * (x[:, 10] > 0.5)
    )
    y = (rng.random(args.rows) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    x[rng.random(x.shape) < 0.05] = np.nan
    params = {
        "objective": "binary:logistic",
        "max_depth": 6,
        "eta": 0.1,
        "tree_method": "hist",
        "nthread": 2,
        "seed": args.seed,
    }
    names = [f"f{i}" for i in range(N_FEATURES)]
    dtrain = xgb.DMatrix(x, label=y, feature_names=names, nthread=2)
    booster = xgb.train(params, dtrain, num_boost_round=200)
    booster.save_model(os.path.join(args.out, "model.json"))
    table = pa.table({n: x[:, i] for i, n in enumerate(names)})
    pq.write_table(table, os.path.join(args.out, "x.parquet"), row_group_size=65536)
    print(f"wrote {args.out}/model.json and {args.out}/x.parquet ({args.rows} rows)", file=sys.stderr)


def median_time(f, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def time_predict(args):
    import pyarrow.parquet as pq
    import xgboost as xgb

    table = pq.read_table(os.path.join(args.out, "x.parquet"))
    x = np.ascontiguousarray(
        np.column_stack([table.column(i).to_numpy() for i in range(table.num_columns)])
    )
    booster = xgb.Booster(model_file=os.path.join(args.out, "model.json"))
    booster.set_param({"nthread": args.nthread})
    booster.inplace_predict(x[:1000])  # warm-up
    t_inplace, pred = median_time(lambda: booster.inplace_predict(x), args.repeat)

    def dmatrix_predict():
        d = xgb.DMatrix(x, missing=np.nan, nthread=args.nthread, feature_names=booster.feature_names)
        return booster.predict(d)

    t_dmatrix, pred_d = median_time(dmatrix_predict, args.repeat)
    assert np.array_equal(pred, pred_d)
    np.asarray(pred, dtype="<f8").tofile(os.path.join(args.out, "xgb_pred.f64"))
    print(f"inplace_predict {t_inplace:.4f}")
    print(f"dmatrix_predict {t_dmatrix:.4f}")


def diff(args):
    a = np.fromfile(args.a, dtype="<f8")
    b = np.fromfile(args.b, dtype="<f8")
    if a.shape != b.shape:
        sys.exit(f"{args.a} has {a.size} values, {args.b} has {b.size}")
    print(f"{np.max(np.abs(a - b)):.3e}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--out", required=True)
    g.add_argument("--rows", type=int, default=1_000_000)
    g.add_argument("--seed", type=int, default=0)
    t = sub.add_parser("time")
    t.add_argument("--out", required=True)
    t.add_argument("--nthread", type=int, default=2)
    t.add_argument("--repeat", type=int, default=3)
    d = sub.add_parser("diff")
    d.add_argument("a")
    d.add_argument("b")
    args = p.parse_args()
    {"gen": gen, "time": time_predict, "diff": diff}[args.cmd](args)


if __name__ == "__main__":
    main()
