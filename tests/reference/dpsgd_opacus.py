"""Golden DP-SGD accuracies on UCI Adult from Opacus (Yousefpour et al. 2021).

Data: `adult.data` (32,561 rows, no header; leading blanks stripped), label `income == ">50K"`.
Split: the first 20,000 rows train, the remaining 12,561 rows test (file order, no shuffle).
Encoding (fitted on the training rows only, exactly as `assay dp train` encodes): the numeric
columns age, fnlwgt, education-num, capital-gain, capital-loss, hours-per-week standardised
(mean 0, population standard deviation 1); the categorical columns workclass, education,
marital-status, occupation, relationship, race, sex, native-country one-hot over their sorted
training categories ("?" is a category); a test category unseen in training is all zeros.
That gives 6 + 102 = 108 encoded features.

Training: `opacus.PrivacyEngine(accountant="rdp")` and `make_private_with_epsilon` with
`poisson_sampling=True` (each training row is in a batch independently with probability
q = 1 / len(data_loader) = 1/79, expected batch size 256), per-example clipping to
max_grad_norm C = 1, Gaussian noise sigma*C on the clipped sum divided by the expected batch
size, plain SGD (no momentum), `BCEWithLogitsLoss` (mean), for EPOCHS epochs (steps =
EPOCHS * 79), at target epsilon 1, 3, 8 and delta 1e-5. Opacus calibrates the noise multiplier
with its RDP accountant (epsilon tolerance 0.01).

Models:
* `logistic`: `nn.Linear(108, 1)` initialised to zero, lr 2.0, 5 epochs.
* `mlp`: `Linear(108, 32) -> ReLU -> Linear(32, 1)` with PyTorch's default initialisation,
  lr 1.0, 5 epochs.

Seeds 0..4 (`torch.manual_seed(seed)`, which drives Opacus's Poisson sampling, its noise and
the MLP's initialisation). Written per setting: the noise multiplier Opacus chose, the sample
rate, the number of steps, epsilon from Opacus's RDP accountant after training, the test
accuracy per seed, their mean and standard deviation.

Environment: Python 3.11.7, torch 2.15.0 (CPU), opacus 1.6.0, numpy and pandas as in
README.md; opacus installed with

    /work/venv/bin/pip install opacus==1.6.0

Run from the repository root (1-2 s per run on 2 threads, 30 runs; the committed file took
5 minutes while the 2 cores were shared with compilers):

    /work/venv/bin/python tests/reference/dpsgd_opacus.py

Writes tests/reference/golden/dpsgd_opacus.json. Uses $ASSAY_DATA_DIR if set, else
../shared/data.
"""

import json
import os
import platform
import time
import warnings
from importlib.metadata import version

import numpy as np
import pandas as pd
import torch
from opacus import PrivacyEngine
from torch import nn

OUT = "tests/reference/golden/dpsgd_opacus.json"
COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]
NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CATEGORICAL = ["workclass", "education", "marital-status", "occupation", "relationship",
               "race", "sex", "native-country"]
N_TRAIN = 20000
BATCH = 256
CLIP = 1.0
DELTA = 1e-5
EPSILONS = [1.0, 3.0, 8.0]
SEEDS = [0, 1, 2, 3, 4]
MODELS = {
    "logistic": {"lr": 2.0, "epochs": 5, "hidden": None},
    "mlp": {"lr": 1.0, "epochs": 5, "hidden": 32},
}


def load():
    data_dir = os.environ.get("ASSAY_DATA_DIR", "../shared/data")
    df = pd.read_csv(os.path.join(data_dir, "adult.data"), header=None, names=COLUMNS,
                     skipinitialspace=True)
    df = df.dropna(how="all")
    assert len(df) == 32561, len(df)
    y = (df["income"] == ">50K").to_numpy(dtype=np.float32)
    train, test = df.iloc[:N_TRAIN], df.iloc[N_TRAIN:]
    parts_tr, parts_te = [], []
    for c in NUMERIC:
        v = train[c].to_numpy(dtype=np.float64)
        mean, std = v.mean(), v.std()
        std = std if std > 0 else 1.0
        parts_tr.append(((v - mean) / std)[:, None])
        parts_te.append(((test[c].to_numpy(dtype=np.float64) - mean) / std)[:, None])
    for c in CATEGORICAL:
        cats = sorted(train[c].unique())
        index = {k: i for i, k in enumerate(cats)}
        for frame, parts in ((train, parts_tr), (test, parts_te)):
            m = np.zeros((len(frame), len(cats)))
            for r, v in enumerate(frame[c]):
                if v in index:
                    m[r, index[v]] = 1.0
            parts.append(m)
    xtr = np.hstack(parts_tr).astype(np.float32)
    xte = np.hstack(parts_te).astype(np.float32)
    return xtr, y[:N_TRAIN], xte, y[N_TRAIN:]


def make_model(d, hidden):
    if hidden is None:
        m = nn.Linear(d, 1)
        nn.init.zeros_(m.weight)
        nn.init.zeros_(m.bias)
        return m
    return nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, 1))


def run(xtr, ytr, xte, yte, model_name, eps, seed):
    cfg = MODELS[model_name]
    torch.manual_seed(seed)
    model = make_model(xtr.shape[1], cfg["hidden"])
    opt = torch.optim.SGD(model.parameters(), lr=cfg["lr"])
    ds = torch.utils.data.TensorDataset(torch.from_numpy(xtr), torch.from_numpy(ytr))
    loader = torch.utils.data.DataLoader(ds, batch_size=BATCH)
    engine = PrivacyEngine(accountant="rdp")
    model, opt, loader = engine.make_private_with_epsilon(
        module=model, optimizer=opt, data_loader=loader, target_epsilon=eps,
        target_delta=DELTA, epochs=cfg["epochs"], max_grad_norm=CLIP, poisson_sampling=True)
    loss_fn = nn.BCEWithLogitsLoss()
    steps = 0
    for _ in range(cfg["epochs"]):
        for xb, yb in loader:
            opt.zero_grad()
            if len(xb) > 0:
                loss = loss_fn(model(xb).squeeze(1), yb)
                loss.backward()
            opt.step()
            steps += 1
    with torch.no_grad():
        pred = (model(torch.from_numpy(xte)).squeeze(1) > 0).numpy()
    acc = float((pred == (yte > 0.5)).mean())
    return {
        "accuracy": acc,
        "noise_multiplier": float(opt.noise_multiplier),
        "sample_rate": float(1.0 / len(loader)),
        "steps": steps,
        "epsilon": float(engine.get_epsilon(DELTA)),
    }


def main():
    warnings.filterwarnings("ignore")
    torch.set_num_threads(2)
    t0 = time.time()
    xtr, ytr, xte, yte = load()
    cases = []
    for model_name, cfg in MODELS.items():
        for eps in EPSILONS:
            runs = [run(xtr, ytr, xte, yte, model_name, eps, s) for s in SEEDS]
            accs = [r["accuracy"] for r in runs]
            case = {
                "model": model_name,
                "hidden": cfg["hidden"],
                "lr": cfg["lr"],
                "momentum": 0.0,
                "epochs": cfg["epochs"],
                "target_epsilon": eps,
                "delta": DELTA,
                "clip": CLIP,
                "expected_batch_size": BATCH,
                "sample_rate": runs[0]["sample_rate"],
                "steps": runs[0]["steps"],
                "noise_multiplier": runs[0]["noise_multiplier"],
                "epsilon_rdp": runs[0]["epsilon"],
                "seeds": SEEDS,
                "accuracy": accs,
                "accuracy_mean": float(np.mean(accs)),
                "accuracy_std": float(np.std(accs)),
            }
            print(model_name, eps, case["noise_multiplier"], case["epsilon_rdp"],
                  round(case["accuracy_mean"], 4), [round(a, 4) for a in accs], flush=True)
            cases.append(case)
    majority = float(max(yte.mean(), 1 - yte.mean()))
    doc = {
        "description": "Opacus DP-SGD on UCI Adult (first 20000 rows train, rest test); "
                       "see tests/reference/dpsgd_opacus.py",
        "n_train": int(len(ytr)),
        "n_test": int(len(yte)),
        "n_features": int(xtr.shape[1]),
        "numeric": NUMERIC,
        "categorical": CATEGORICAL,
        "test_majority_accuracy": majority,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "opacus": version("opacus"),
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
        "seconds": round(time.time() - t0, 1),
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote", OUT, "in", doc["seconds"], "s")


if __name__ == "__main__":
    main()
