//! `--model` takes the same formats in every command (issue #16): one model of each format assay
//! reads (XGBoost JSON, LightGBM text, assay's logistic regression, gbdt and tree, an ONNX
//! graph, a mitigated model, and a mitigated model that embeds a prefit one) goes through
//! `fairness`, `predict`, `explain`, `mitigate`'s evaluation and `mia`, on one table. The
//! decision rule is the model's own in every command: `fairness --model` selects exactly the
//! rows whose `predict` probability decides positive.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod support;
use support::cli::{assay, ok, ok_json, stdout, workspace};

/// The golden Adult feature rows (`trees_features.json`, the features of the reference XGBoost
/// and LightGBM models, missing cells empty) with a label `y` and a group column, split into
/// `train.csv` (the first 1,500 rows) and `holdout.csv`.
fn tables(dir: &Path) -> (PathBuf, PathBuf, Vec<String>) {
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("tests/reference/golden/trees_features.json"))
            .unwrap(),
    )
    .unwrap();
    let names: Vec<String> = golden["feature_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    let header = format!("{},y,group\n", names.join(","));
    let (mut train, mut holdout) = (header.clone(), header);
    for (i, row) in golden["rows"].as_array().unwrap().iter().enumerate() {
        let cells: Vec<Option<f64>> = row.as_array().unwrap().iter().map(Value::as_f64).collect();
        // A label that depends on education and hours (so the models have signal), flipped
        // on every seventh row, and two groups by position.
        let education = cells[2].unwrap_or(9.0);
        let hours = cells[5].unwrap_or(40.0);
        let y = u8::from((education >= 11.0 || hours > 45.0) != (i % 7 == 0));
        let group = if i % 3 == 0 { "a" } else { "b" };
        let text: Vec<String> = cells
            .iter()
            .map(|c| c.map_or(String::new(), |x| x.to_string()))
            .collect();
        let line = format!("{},{y},{group}\n", text.join(","));
        if i < 1500 {
            train.push_str(&line);
        } else {
            holdout.push_str(&line);
        }
    }
    let t = dir.join("train.csv");
    let h = dir.join("holdout.csv");
    std::fs::write(&t, train).unwrap();
    std::fs::write(&h, holdout).unwrap();
    (t, h, names)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `assay mitigate` on `train` with label `y` and sensitive column `group`, writing the model
/// to `out`; the JSON report.
fn mitigate(train: &Path, out: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "mitigate",
        s(train),
        "--label",
        "y",
        "--sensitive",
        "group",
        "--bootstrap",
        "0",
        "--format",
        "json",
        "--out",
        s(out),
    ];
    args.extend_from_slice(extra);
    ok_json(&assay(&args))
}

/// One model file of every format, made from `train` where assay makes it.
fn models(dir: &Path, train: &Path, features: &str) -> Vec<(&'static str, PathBuf)> {
    let reference = workspace().join("tests/reference/models");
    let d = |name: &str| dir.join(name);
    for learner in ["logistic", "gbdt", "tree"] {
        ok(&assay(&[
            "train",
            s(train),
            "--learner",
            learner,
            "--label",
            "y",
            "--features",
            features,
            "--impute",
            "mean",
            "--out",
            s(&d(&format!("{learner}.json"))),
        ]));
    }
    ok(&assay(&[
        "model",
        "export",
        s(&d("gbdt.json")),
        "--out",
        s(&d("gbdt.onnx")),
    ]));
    mitigate(
        train,
        &d("mitigated.json"),
        &[
            "--method",
            "reweighing",
            "--learner",
            "gbdt",
            "--features",
            features,
        ],
    );
    let xgb = reference.join("xgb_binary.json");
    mitigate(
        train,
        &d("prefit.json"),
        &["--model", s(&xgb), "--method", "threshold-optimizer"],
    );
    vec![
        ("xgboost", reference.join("xgb_binary.json")),
        ("lightgbm", reference.join("lgb_binary.txt")),
        ("logistic", d("logistic.json")),
        ("gbdt", d("gbdt.json")),
        ("tree", d("tree.json")),
        ("onnx", d("gbdt.onnx")),
        ("mitigated", d("mitigated.json")),
        ("mitigated over a prefit model", d("prefit.json")),
    ]
}

/// The scores (probability of the positive class) and decisions `assay predict` writes, in
/// row order.
fn predictions(data: &Path, model: &Path) -> (Vec<f64>, Vec<bool>) {
    let out = assay(&["predict", s(data), "--model", s(model)]);
    ok(&out);
    let text = stdout(&out);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (score, prediction) = (at("score"), at("prediction"));
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (
                cells[score].parse::<f64>().unwrap(),
                cells[prediction] == "1",
            )
        })
        .unzip()
}

#[test]
fn every_command_takes_every_model_format() {
    let dir = tempfile::tempdir().unwrap();
    let (train, holdout, names) = tables(dir.path());
    let features = names.join(",");
    for (format, model) in models(dir.path(), &train, &features) {
        let m = s(&model);
        // predict: one probability and decision per row.
        let (p, decisions) = predictions(&train, &model);
        assert_eq!(p.len(), 1500, "{format}");
        assert!(p.iter().all(|x| (0.0..=1.0).contains(x)), "{format}");

        // fairness: the model's own decisions, the ones predict wrote (for a randomized model
        // the same seeded draws).
        let doc = ok_json(&assay(&[
            "fairness",
            s(&train),
            "--model",
            m,
            "--label",
            "y",
            "--sensitive",
            "group",
            "--bootstrap",
            "0",
            "--format",
            "json",
        ]));
        assert_eq!(doc["schema"], "assay.fairness/1", "{format}");
        let selected = doc["overall"]["metrics"]["selection_rate"]
            .as_f64()
            .unwrap();
        let positive = decisions.iter().filter(|&&d| d).count() as f64 / 1500.0;
        assert!(
            (selected - positive).abs() < 1e-12,
            "{format}: fairness selects {selected}, predict decides {positive}"
        );

        // explain: permutation importance of the model on the labelled table.
        let doc = ok_json(&assay(&[
            "explain",
            s(&train),
            "--model",
            m,
            "--method",
            "permutation",
            "--label",
            "y",
            "--repeats",
            "2",
            "--format",
            "json",
        ]));
        assert_eq!(doc["schema"], "assay.explain/1", "{format}");

        // mitigate: the model post-processed, evaluated before and after on the holdout.
        let out = dir.path().join(format!("{format}-to.json"));
        let doc = mitigate(
            &train,
            &out,
            &[
                "--model",
                m,
                "--method",
                "threshold-optimizer",
                "--test",
                s(&holdout),
            ],
        );
        let before = doc["summary"]["before"]["demographic_parity_difference"]
            .as_f64()
            .unwrap();
        let after = doc["summary"]["after_expected"]["demographic_parity_difference"]
            .as_f64()
            .unwrap();
        assert!(before.is_finite() && after.is_finite(), "{format}");
        // The saved model embeds the prefit one and scores the holdout by itself.
        assert_eq!(predictions(&holdout, &out).0.len(), 810, "{format}");

        // mia: a black-box audit from the model's scores on members and non-members.
        let doc = ok_json(&assay(&[
            "mia",
            "--model",
            m,
            "--train",
            s(&train),
            "--holdout",
            s(&holdout),
            "--label",
            "y",
            "--attack",
            "loss",
            "--format",
            "json",
        ]));
        assert_eq!(doc["schema"], "assay.mia/1", "{format}");
    }
}
