"""Golden predictions of small XGBoost and LightGBM models on UCI Adult.

Trains four tree ensembles (XGBoost and LightGBM, each binary logistic and squared-error
regression) on /work/shared/data/adult.data with injected missing values, saves the models
under models/ and writes the features and predictions of the first 2,000 rows (plus edge
rows: odd categorical codes, near-zero values, values that round to an XGBoost threshold in
float32) under golden/.
The Rust tests in crates/assay-model/tests/ load the models and compare.

    /work/venv/bin/python tests/reference/trees_golden.py
"""

import json
import math
import pathlib
import platform

import lightgbm as lgb
import numpy as np
import pandas as pd
import xgboost as xgb

HERE = pathlib.Path(__file__).resolve().parent
DATA = pathlib.Path("/work/shared/data/adult.data")
MODELS = HERE / "models"
GOLDEN = HERE / "golden"
N_GOLDEN = 2000

COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]
NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CODED = ["workclass", "occupation", "relationship"]
# Declared categorical (LightGBM `categorical_feature`, XGBoost `feature_types="c"`).
CATEGORICAL = "relationship"
FEATURES = NUMERIC + CODED


def load():
    df = pd.read_csv(DATA, header=None, names=COLUMNS, sep=", ", engine="python")
    x = pd.DataFrame({c: df[c].astype("float64") for c in NUMERIC})
    for c in CODED:
        x[c] = pd.Categorical(df[c], categories=sorted(df[c].unique())).codes.astype("float64")
    y = (df["income"] == ">50K").astype("float64").to_numpy()
    rng = np.random.default_rng(20261125)
    # About 5% missing in two numeric columns, for training and prediction.
    for c in ["age", "hours-per-week"]:
        x.loc[rng.random(len(x)) < 0.05, c] = np.nan
    return x[FEATURES], y


def f32_edges(booster):
    """Values just below XGBoost thresholds of numerical features: less than the threshold in
    float64, equal to it once XGBoost converts the input to float32 (so they go right)."""
    model = json.loads(booster.save_raw("json"))
    trees = model["learner"]["gradient_booster"]["model"]["trees"]
    edges = []
    for f in ["age", "fnlwgt", "capital-gain", "hours-per-week"]:
        i = FEATURES.index(f)
        cuts = sorted({t["split_conditions"][n] for t in trees for n, s in enumerate(t["split_indices"])
                       if s == i and t["left_children"][n] >= 0 and t["split_type"][n] == 0})
        for c in cuts[:3]:
            v = float(np.nextafter(np.float64(np.float32(c)), -np.inf))
            assert v < float(np.float32(c)) and np.float32(v) == np.float32(c)
            edges.append((f, v))
    return edges


def prediction_rows(x, extra_edges):
    """The first rows, with extra NaNs in columns that had none in training (so the models
    meet missing values where no split learned a direction: LightGBM missing type None/Zero)."""
    rows = x.iloc[:N_GOLDEN].copy()
    rng = np.random.default_rng(7)
    for c in ["capital-gain", "education-num", "occupation", CATEGORICAL]:
        rows.loc[rng.random(len(rows)) < 0.03, c] = np.nan
    # Edge rows: 10 copies of rows 0-9 per odd value. Categorical codes that are negative,
    # fractional or unseen; numeric zeros and values around LightGBM's kZeroThreshold (1e-35);
    # values just below XGBoost thresholds (`f32_edges`).
    edges = [(CATEGORICAL, v) for v in [-1.0, -0.5, 1.7, 2.9, 6.0, 100.0, 1e9]]
    edges += [(c, v) for c in ["capital-gain", "education-num"] for v in [0.0, -0.0, 1e-36, -1e-36, 1e-30, -3.0]]
    edges += extra_edges
    blocks = [rows]
    for c, v in edges:
        block = x.iloc[:10].copy()
        block[c] = v
        blocks.append(block)
    return pd.concat(blocks, ignore_index=True)


def train_xgboost(x, y, objective):
    xc = x.copy()
    k = int(np.nanmax(x[CATEGORICAL].to_numpy())) + 1
    xc[CATEGORICAL] = pd.Categorical(x[CATEGORICAL], categories=list(range(k)))
    dtrain = xgb.DMatrix(xc, label=y, enable_categorical=True)
    params = {
        "objective": objective, "max_depth": 4, "eta": 0.3, "tree_method": "hist",
        "seed": 0, "nthread": 1, "max_cat_to_onehot": 1,
    }
    return xgb.train(params, dtrain, num_boost_round=30)


def predict_xgboost(booster, rows):
    # A numpy matrix with feature types, so XGBoost takes the category codes as given (a pandas
    # Categorical would turn out-of-range codes into missing values).
    types = ["c" if c == CATEGORICAL else "float" for c in FEATURES]
    d = xgb.DMatrix(rows.to_numpy(), feature_names=FEATURES, feature_types=types, enable_categorical=True)
    margin = booster.predict(d, output_margin=True)
    pred = booster.predict(d)
    return margin, pred


def train_lightgbm(x, y, objective, zero_as_missing):
    params = {
        "objective": objective, "num_leaves": 15, "learning_rate": 0.1, "seed": 0,
        "num_threads": 1, "verbose": -1, "deterministic": True,
        "zero_as_missing": zero_as_missing, "min_data_per_group": 20, "cat_smooth": 5,
    }
    ds = lgb.Dataset(x, label=y, categorical_feature=[CATEGORICAL], free_raw_data=False)
    return lgb.train(params, ds, num_boost_round=30)


def floats(a):
    return [float(v) for v in np.asarray(a, dtype="float64")]


def main():
    MODELS.mkdir(exist_ok=True)
    GOLDEN.mkdir(exist_ok=True)
    x, y = load()
    xgb_models = {
        name: train_xgboost(x, y, objective)
        for name, objective in [("xgb_binary", "binary:logistic"), ("xgb_regression", "reg:squarederror")]
    }
    rows = prediction_rows(x, f32_edges(xgb_models["xgb_binary"]))
    versions = {
        "python": platform.python_version(), "xgboost": xgb.__version__,
        "lightgbm": lgb.__version__, "numpy": np.__version__, "pandas": pd.__version__,
    }
    features = {
        "versions": versions,
        "feature_names": FEATURES,
        "categorical": CATEGORICAL,
        "n_edge_rows": len(rows) - N_GOLDEN,
        "rows": [[None if math.isnan(v) else float(v) for v in r] for r in rows.to_numpy()],
    }
    (GOLDEN / "trees_features.json").write_text(json.dumps(features, separators=(",", ":")))

    cases = {}
    for name, booster in xgb_models.items():
        booster.save_model(str(MODELS / f"{name}.json"))
        cases[name] = predict_xgboost(booster, rows)
    for name, objective, zam in [("lgb_binary", "binary", False), ("lgb_regression", "regression", True)]:
        booster = train_lightgbm(x, y, objective, zam)
        booster.save_model(str(MODELS / f"{name}.txt"))
        cases[name] = (booster.predict(rows, raw_score=True), booster.predict(rows))

    for name, (margin, pred) in cases.items():
        out = {"versions": versions, "model": name, "margin": floats(margin), "prediction": floats(pred)}
        (GOLDEN / f"trees_{name}.json").write_text(json.dumps(out, separators=(",", ":")))
        print(name, "rows", len(margin), "mean prediction", float(np.mean(pred)))


if __name__ == "__main__":
    main()
