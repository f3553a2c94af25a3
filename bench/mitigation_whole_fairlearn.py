"""The work of one `assay mitigate --method exponentiated-gradient` run, done with Fairlearn 0.15
and scikit-learn, for `bench/mitigation.sh`: read the train and test CSV files that the harness
wrote, encode them (StandardScaler on the six numeric columns, OneHotEncoder on the seven
categorical ones), fit the unmitigated LogisticRegression(C=1) and
ExponentiatedGradient(DemographicParity(), eps=0.01) over the same learner (scikit-learn's
default tolerance, max_iter 1000), predict both on the test rows, and compute a MetricFrame of
each (selection rate, accuracy, balanced accuracy, TPR, FPR by sex) with the demographic-parity
and equalized-odds differences. The harness times the whole process (Python's start-up
included), as it times the whole `assay mitigate` process.

    /work/venv/bin/python bench/mitigation_whole_fairlearn.py train.csv test.csv
"""

import sys
import warnings

import pandas as pd
from fairlearn.metrics import (MetricFrame, demographic_parity_difference,
                               equalized_odds_difference, false_positive_rate,
                               selection_rate, true_positive_rate)
from fairlearn.reductions import DemographicParity, ExponentiatedGradient
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CATEGORICAL = ["workclass", "education", "marital-status", "occupation", "relationship", "race",
               "native-country"]


def main():
    train, test = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
    ct = ColumnTransformer([
        ("num", StandardScaler(), NUMERIC),
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL),
    ])
    x_tr, x_te = ct.fit_transform(train), None
    x_te = ct.transform(test)
    y_tr = (train["income"] == ">50K").to_numpy(dtype=int)
    y_te = (test["income"] == ">50K").to_numpy(dtype=int)
    warnings.simplefilter("ignore")
    base = LogisticRegression(C=1.0, max_iter=1000).fit(x_tr, y_tr)
    eg = ExponentiatedGradient(LogisticRegression(C=1.0, max_iter=1000),
                               constraints=DemographicParity(), eps=0.01)
    eg.fit(x_tr, y_tr, sensitive_features=train["sex"])
    metrics = {"selection_rate": selection_rate, "accuracy": accuracy_score,
               "balanced_accuracy": balanced_accuracy_score, "tpr": true_positive_rate,
               "fpr": false_positive_rate}
    for name, pred in [("before", base.predict(x_te)), ("after", eg.predict(x_te, random_state=0))]:
        mf = MetricFrame(metrics=metrics, y_true=y_te, y_pred=pred, sensitive_features=test["sex"])
        dp = demographic_parity_difference(y_te, pred, sensitive_features=test["sex"])
        eo = equalized_odds_difference(y_te, pred, sensitive_features=test["sex"])
        print(name, f"accuracy {mf.overall['accuracy']:.4f} dp {dp:.4f} eo {eo:.4f}")


if __name__ == "__main__":
    main()
