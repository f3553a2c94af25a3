//! Feature preparation stored with a trained model: `assay train --impute median|mean
//! --standardize --handle-unknown ignore` on UCI Adult with missing numeric cells reproduces
//! scikit-learn's `Pipeline(ColumnTransformer([SimpleImputer + StandardScaler,
//! OneHotEncoder(handle_unknown="ignore")]), LogisticRegression)`: the imputed values, the
//! scaler, the coefficients, and the probabilities `assay predict` gives, including for a
//! category never seen in training (golden file from `tests/reference/impute_golden.py`).

use std::path::Path;

use assay_model::learners::{FeatureSpec, TrainedLogistic};
use serde_json::Value;

mod support;
use support::cli::{assay, workspace};

const NUMERIC: [&str; 6] = [
    "age",
    "fnlwgt",
    "education-num",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
];
/// Positions of NUMERIC in adult.data, and of relationship and income.
const NUMERIC_AT: [usize; 6] = [0, 2, 4, 10, 11, 12];
const RELATIONSHIP_AT: usize = 7;
const INCOME_AT: usize = 14;

/// adult.data with numeric cell (i, j) blanked when (7i + 13j) % 20 == 0 (the rule of the
/// golden script), as CSV with a header; `limit` rows, and optionally one extra row (row 0 with
/// relationship `Cousin`).
fn blanked_csv(adult: &Path, out: &Path, limit: usize, unseen: bool) {
    let text = std::fs::read_to_string(adult).unwrap();
    let mut csv = format!("{},relationship,income\n", NUMERIC.join(","));
    let mut first = String::new();
    for (i, line) in text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(limit)
        .enumerate()
    {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let mut row: Vec<String> = NUMERIC_AT
            .iter()
            .enumerate()
            .map(|(j, &at)| {
                if (7 * i + 13 * j) % 20 == 0 {
                    String::new()
                } else {
                    cells[at].to_string()
                }
            })
            .collect();
        row.push(cells[RELATIONSHIP_AT].to_string());
        row.push(cells[INCOME_AT].to_string());
        if i == 0 {
            let mut u = row.clone();
            u[6] = "Cousin".into();
            first = u.join(",");
        }
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    if unseen {
        csv.push_str(&first);
        csv.push('\n');
    }
    std::fs::write(out, csv).unwrap();
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn impute_standardize_and_ignore_unknown_match_scikit_learn() {
    let Some(adult) = assay_data::datasets::find(&workspace(), "adult.data") else {
        return;
    };
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("tests/reference/golden/impute_adult.json"))
            .unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("adult_blanked.csv");
    blanked_csv(&adult, &data, usize::MAX, false);
    let probe = dir.path().join("probe.csv");
    blanked_csv(&adult, &probe, 200, true);
    let features = NUMERIC.join(",");
    for strategy in ["median", "mean"] {
        let g = &golden[strategy];
        let model = dir.path().join(format!("{strategy}.json"));
        let o = assay(&[
            "train",
            "--learner",
            "logistic",
            data.to_str().unwrap(),
            "--label",
            "income",
            "--positive",
            ">50K",
            "--features",
            &features,
            "--categorical",
            "relationship",
            "--impute",
            strategy,
            "--standardize",
            "--handle-unknown",
            "ignore",
            "--out",
            model.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let m = TrainedLogistic::load(&model).unwrap();
        let (imp, mean, scale) = (
            floats(&g["impute"]),
            floats(&g["mean"]),
            floats(&g["scale"]),
        );
        for (j, spec) in m.features.iter().take(6).enumerate() {
            let FeatureSpec::Numeric {
                column,
                mean: Some(mu),
                std: Some(sd),
                impute: Some(fill),
            } = spec
            else {
                panic!("{strategy}: feature {j} is {spec:?}");
            };
            assert_eq!(column, NUMERIC[j]);
            assert!(
                close(*fill, imp[j], 1e-12),
                "{strategy} {column}: impute {fill} vs {}",
                imp[j]
            );
            assert!(
                close(*mu, mean[j], 1e-9),
                "{strategy} {column}: mean {mu} vs {}",
                mean[j]
            );
            assert!(
                close(*sd, scale[j], 1e-9),
                "{strategy} {column}: scale {sd} vs {}",
                scale[j]
            );
        }
        let coef = floats(&g["coef"]);
        let got = &m.model.coef[0];
        assert_eq!(got.len(), coef.len());
        let worst = got
            .iter()
            .zip(&coef)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f64, f64::max);
        eprintln!("{strategy}: worst coefficient difference {worst:e}");
        assert!(worst <= 1e-6, "{strategy}: coefficients differ by {worst}");
        let icpt = g["intercept"].as_f64().unwrap();
        assert!(
            close(m.model.intercept[0], icpt, 1e-6),
            "{strategy}: intercept"
        );

        // Scoring: missing cells imputed, the unseen category encoded as zeros.
        let o = assay(&[
            "predict",
            probe.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = String::from_utf8(o.stdout).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let j = header.iter().position(|h| *h == "score").unwrap();
        let scores: Vec<f64> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(j).unwrap().parse().unwrap())
            .collect();
        let mut want = floats(&g["proba_first_200"]);
        want.push(g["proba_unseen_row0"].as_f64().unwrap());
        assert_eq!(scores.len(), want.len());
        for (i, (s, w)) in scores.iter().zip(&want).enumerate() {
            assert!((s - w).abs() <= 1e-6, "{strategy} row {i}: {s} vs {w}");
        }
    }

    // Without --handle-unknown ignore the unseen category is an error naming it.
    let strict = dir.path().join("strict.json");
    let o = assay(&[
        "train",
        "--learner",
        "logistic",
        data.to_str().unwrap(),
        "--label",
        "income",
        "--positive",
        ">50K",
        "--features",
        &features,
        "--categorical",
        "relationship",
        "--impute",
        "median",
        "--out",
        strict.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = assay(&[
        "predict",
        probe.to_str().unwrap(),
        "--model",
        strict.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("Cousin") && e.contains("relationship") && e.contains("row 201"),
        "{e}"
    );

    // Without --impute a missing numeric cell is an error naming file, column and row.
    let o = assay(&[
        "train",
        "--learner",
        "logistic",
        data.to_str().unwrap(),
        "--label",
        "income",
        "--positive",
        ">50K",
        "--features",
        &features,
        "--out",
        dir.path().join("x.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("adult_blanked.csv") && e.contains("'age'"),
        "{e}"
    );
}

/// Trees with `--handle-unknown ignore`: an unseen category scores as a missing value.
#[test]
fn trees_score_unseen_categories_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    let mut csv = String::from("x,group,y\n");
    for i in 0..400 {
        let x = ((i * 37) % 101) as f64 / 10.0;
        let g = ["north", "south", "east"][i % 3];
        let y = u8::from(x + if g == "south" { 3.0 } else { 0.0 } > 6.0);
        csv.push_str(&format!("{x},{g},{y}\n"));
    }
    std::fs::write(&data, csv).unwrap();
    let probe = dir.path().join("p.csv");
    std::fs::write(&probe, "x,group\n4.5,west\n4.5,\n7.5,west\n7.5,\n").unwrap();
    for learner in ["gbdt", "tree"] {
        let model = dir.path().join(format!("{learner}.json"));
        let o = assay(&[
            "train",
            "--learner",
            learner,
            data.to_str().unwrap(),
            "--label",
            "y",
            "--features",
            "x",
            "--categorical",
            "group",
            "--handle-unknown",
            "ignore",
            "--out",
            model.to_str().unwrap(),
        ]);
        assert!(
            o.status.success(),
            "{learner}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let o = assay(&[
            "predict",
            probe.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
        ]);
        assert!(
            o.status.success(),
            "{learner}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = String::from_utf8(o.stdout).unwrap();
        let scores: Vec<&str> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(2).unwrap())
            .collect();
        assert_eq!(scores.len(), 4, "{text}");
        assert_eq!(scores[0], scores[1], "{learner}: unseen = missing\n{text}");
        assert_eq!(scores[2], scores[3], "{learner}: unseen = missing\n{text}");
    }
}
