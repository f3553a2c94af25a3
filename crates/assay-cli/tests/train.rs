//! End-to-end tests of `assay train`: a model trained on a small generated CSV is saved, loads
//! with its feature schema, and predicts; bad cells are errors naming file, column and row.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use assay_model::learners::{
    Criterion, FeatureValue, Matrix, TrainedGbdt, TrainedLogistic, TrainedTree,
};

mod support;
use support::cli::{assay, stderr};

/// 400 rows: numeric x1, x2, a categorical group, a binary label, a 3-class label and a weight,
/// all deterministic functions of the row number.
fn data(dir: &Path) -> PathBuf {
    let mut s = String::from("x1,x2,group,approved,tier,w\n");
    for i in 0..400 {
        let x1 = ((i * 37) % 101) as f64 / 10.0 - 5.0;
        let x2 = ((i * 53) % 89) as f64 / 20.0;
        let group = ["north", "south", "east"][i % 3];
        let score = x1 + 0.5 * x2 - if group == "south" { 1.0 } else { 0.0 }
            + (((i * 7919) % 13) as f64 - 6.0) / 2.0;
        let approved = if score > 0.0 { "yes" } else { "no" };
        let tier = if score < -2.0 {
            "low"
        } else if score < 2.0 {
            "mid"
        } else {
            "high"
        };
        let w = 0.5 + (i % 4) as f64 / 2.0;
        writeln!(s, "{x1},{x2},{group},{approved},{tier},{w}").unwrap();
    }
    let p = dir.join("train.csv");
    std::fs::write(&p, s).unwrap();
    p
}

fn predict_first_rows(model: &TrainedLogistic, n: usize) -> Vec<f64> {
    let d = model.n_features();
    let mut x = vec![0.0; n * d];
    for i in 0..n {
        let x1 = ((i * 37) % 101) as f64 / 10.0 - 5.0;
        let x2 = ((i * 53) % 89) as f64 / 20.0;
        let group = ["north", "south", "east"][i % 3];
        let cells = [
            FeatureValue::Num(x1),
            FeatureValue::Num(x2),
            FeatureValue::Text(group),
        ];
        model
            .encode_row(&cells, &mut x[i * d..(i + 1) * d])
            .unwrap();
    }
    model
        .model
        .predict_proba(&Matrix::new(&x, d).unwrap())
        .unwrap()
}

#[test]
fn trains_saves_loads_and_predicts_binary() {
    let dir = tempfile::tempdir().unwrap();
    let csv = data(dir.path());
    let out = dir.path().join("model.json");
    let o = assay(&[
        "train",
        "--learner",
        "logistic",
        csv.to_str().unwrap(),
        "--label",
        "approved",
        "--positive",
        "yes",
        "--features",
        "x1,x2",
        "--categorical",
        "group",
        "--weight",
        "w",
        "--standardize",
        "--c",
        "0.5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("400 rows"), "{stdout}");
    assert!(stdout.contains("(converged)"), "{stdout}");
    assert!(stdout.contains("training log-loss"), "{stdout}");

    let model = TrainedLogistic::load(&out).unwrap();
    assert_eq!(model.class_names, ["not yes", "yes"]);
    assert_eq!(
        model.feature_names,
        ["x1", "x2", "group=east", "group=north", "group=south"]
    );
    assert_eq!(model.weight.as_deref(), Some("w"));
    assert!(model.model.converged);
    let p = predict_first_rows(&model, 50);
    assert_eq!(p.len(), 50);
    assert!(p.iter().all(|v| *v > 0.0 && *v < 1.0));
    // x1 pushes towards approval, so its coefficient is positive.
    assert!(model.model.coef[0][0] > 0.0);
}

/// `assay train --learner gbdt` saves trees with the feature schema; `assay predict` recognises
/// the file, encodes the categorical column from its text, and gives the same probabilities as
/// the loaded ensemble.
#[test]
fn gbdt_trains_and_predict_loads_it() {
    let dir = tempfile::tempdir().unwrap();
    let csv = data(dir.path());
    let out = dir.path().join("gbdt.json");
    let o = assay(&[
        "train",
        "--learner",
        "gbdt",
        csv.to_str().unwrap(),
        "--label",
        "approved",
        "--positive",
        "yes",
        "--features",
        "x1,x2",
        "--categorical",
        "group",
        "--weight",
        "w",
        "--trees",
        "20",
        "--max-leaves",
        "8",
        "--min-samples-leaf",
        "5",
        "--learning-rate",
        "0.2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("20 trees"), "{stdout}");
    assert!(stdout.contains("training log-loss"), "{stdout}");
    let model = TrainedGbdt::load(&out).unwrap();
    assert_eq!(model.feature_names, ["x1", "x2", "group"]);
    assert_eq!(model.model.trees.len(), 20);

    let preds = dir.path().join("preds.csv");
    let o = assay(&[
        "predict",
        csv.to_str().unwrap(),
        "--model",
        out.to_str().unwrap(),
        "--out",
        preds.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&preds).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let j = header.len() - 2;
    assert_eq!(&header[j..], ["score", "prediction"]);
    let got: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(j).unwrap().parse().unwrap())
        .collect();
    assert_eq!(got.len(), 400);
    let mut x = vec![0.0; 3];
    for (i, g) in got.iter().enumerate().take(30) {
        let x1 = ((i * 37) % 101) as f64 / 10.0 - 5.0;
        let x2 = ((i * 53) % 89) as f64 / 20.0;
        let group = ["north", "south", "east"][i % 3];
        let cells = [
            FeatureValue::Num(x1),
            FeatureValue::Num(x2),
            FeatureValue::Text(group),
        ];
        model.encode_row(&cells, &mut x).unwrap();
        assert_eq!(*g, model.model.predict_row(&x), "row {i}");
    }
}

/// Squared-error gbdt on a numeric label, with empty numeric cells read as missing values.
#[test]
fn gbdt_regression_with_missing_cells() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("x,g,target\n");
    for i in 0..200 {
        let x = if i % 10 == 0 {
            String::new()
        } else {
            format!("{}", i % 50)
        };
        let g = ["a", "b"][i % 2];
        writeln!(text, "{x},{g},{}", (i % 50) as f64 * 0.5 + (i % 2) as f64).unwrap();
    }
    let csv = dir.path().join("reg.csv");
    std::fs::write(&csv, text).unwrap();
    let out = dir.path().join("reg.json");
    let o = assay(&[
        "train",
        "--learner",
        "gbdt",
        csv.to_str().unwrap(),
        "--label",
        "target",
        "--features",
        "x",
        "--categorical",
        "g",
        "--loss",
        "squared-error",
        "--trees",
        "30",
        "--min-samples-leaf",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("training mean squared error"), "{stdout}");
    let model = TrainedGbdt::load(&out).unwrap();
    assert!(model.class_names.is_empty());
    // A row with x = 40, g = b: target 21.
    let mut x = [0.0; 2];
    model
        .encode_row(&[FeatureValue::Num(40.0), FeatureValue::Text("b")], &mut x)
        .unwrap();
    let p = model.model.predict_row(&x);
    assert!((p - 21.0).abs() < 2.0, "{p}");
}

#[test]
fn trains_multinomial() {
    let dir = tempfile::tempdir().unwrap();
    let csv = data(dir.path());
    let out = dir.path().join("tier.json");
    let o = assay(&[
        "train",
        "--learner",
        "logistic",
        csv.to_str().unwrap(),
        "--label",
        "tier",
        "--features",
        "x1,x2,group",
        "--categorical",
        "group",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let model = TrainedLogistic::load(&out).unwrap();
    assert_eq!(model.class_names, ["high", "low", "mid"]);
    assert_eq!(model.model.coef.len(), 3);
    let p = predict_first_rows(&model, 20);
    assert_eq!(p.len(), 60);
    for row in p.chunks(3) {
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}

#[test]
fn bad_cells_name_file_column_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "x,g,y\n1,a,0\n2,,1\n3,b,0\n").unwrap();
    let out = dir.path().join("m.json");
    let o = assay(&[
        "train",
        "--learner",
        "logistic",
        csv.to_str().unwrap(),
        "--label",
        "y",
        "--features",
        "x",
        "--categorical",
        "g",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("bad.csv") && e.contains("'g'") && e.contains("row 2"),
        "{e}"
    );

    std::fs::write(&csv, "x,y,w\n1,0,1\n2,1,-1\n").unwrap();
    let o = assay(&[
        "train",
        "--learner",
        "logistic",
        csv.to_str().unwrap(),
        "--label",
        "y",
        "--features",
        "x",
        "--weight",
        "w",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("'w'") && e.contains("row 2") && e.contains("non-negative"),
        "{e}"
    );
    assert!(!out.exists());
}

/// `assay train --learner logistic` then `assay predict` with that model gives the probability
/// of the positive class that the library computes from the saved schema; a 3-class model writes
/// one probability column per class.
#[test]
fn logistic_trains_and_predict_loads_it() {
    let dir = tempfile::tempdir().unwrap();
    let csv = data(dir.path());
    let out = dir.path().join("logistic.json");
    let o = assay(&[
        "train",
        "--learner",
        "logistic",
        csv.to_str().unwrap(),
        "--label",
        "approved",
        "--positive",
        "yes",
        "--features",
        "x1,x2",
        "--categorical",
        "group",
        "--standardize",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let model = TrainedLogistic::load(&out).unwrap();
    let preds = dir.path().join("preds.csv");
    let o = assay(&[
        "predict",
        csv.to_str().unwrap(),
        "--model",
        out.to_str().unwrap(),
        "--out",
        preds.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&preds).unwrap();
    // The input columns, then the probability of "yes" and the predicted class.
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let j = header.len() - 2;
    assert_eq!(&header[j..], ["score", "prediction"]);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let got: Vec<f64> = rows.iter().map(|r| r[j].parse().unwrap()).collect();
    assert_eq!(got.len(), 400);
    assert_eq!(got, predict_first_rows(&model, 400));
    for (r, p) in rows.iter().zip(&got) {
        assert_eq!(
            r[j + 1],
            if *p > 0.5 {
                "yes"
            } else {
                model.class_names[0].as_str()
            }
        );
    }

    // Multinomial: one column per class, rows summing to one.
    let out3 = dir.path().join("tier.json");
    let o = assay(&[
        "train",
        "--learner",
        "logistic",
        csv.to_str().unwrap(),
        "--label",
        "tier",
        "--features",
        "x1,x2",
        "--categorical",
        "group",
        "--out",
        out3.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let model3 = TrainedLogistic::load(&out3).unwrap();
    let o = assay(&[
        "predict",
        csv.to_str().unwrap(),
        "--model",
        out3.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    let mut want: Vec<String> = model3
        .class_names
        .iter()
        .map(|c| format!("score_{c}"))
        .collect();
    want.push("prediction".into());
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let k = model3.class_names.len();
    let j = header.len() - k - 1;
    assert_eq!(
        header[j..],
        want.iter().map(|s| s.as_str()).collect::<Vec<_>>()[..]
    );
    let got: Vec<f64> = text
        .lines()
        .skip(1)
        .flat_map(|l| {
            l.split(',')
                .skip(j)
                .take(k)
                .map(|v| v.parse::<f64>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(got, predict_first_rows(&model3, 400));
}

/// `assay train --learner tree` on the generated table.
fn train_tree(csv: &Path, out: &Path) -> Output {
    assay(&[
        "train",
        "--learner",
        "tree",
        csv.to_str().unwrap(),
        "--label",
        "approved",
        "--positive",
        "yes",
        "--features",
        "x1,x2",
        "--categorical",
        "group",
        "--weight",
        "w",
        "--max-depth",
        "4",
        "--min-samples-leaf",
        "5",
        "--criterion",
        "entropy",
        "--out",
        out.to_str().unwrap(),
    ])
}

/// `assay train --learner tree` saves one CART tree (`assay.tree/1`) with its settings and the
/// feature schema (the categorical column coded); it is the tree the library fits on the same
/// encoded rows, labels and weights.
#[test]
fn tree_trains_and_saves_the_library_tree() {
    let dir = tempfile::tempdir().unwrap();
    let csv = data(dir.path());
    let out = dir.path().join("tree.json");
    let o = train_tree(&csv, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("trained decision tree (entropy"),
        "{stdout}"
    );
    assert!(stdout.contains("training log-loss"), "{stdout}");
    let model = TrainedTree::load(&out).unwrap();
    assert_eq!(model.format, "assay.tree/1");
    assert_eq!(model.feature_names, ["x1", "x2", "group"]);
    assert_eq!(model.class_names, ["not yes", "yes"]);
    assert_eq!(model.params.criterion, Criterion::Entropy);
    assert_eq!(model.params.max_depth, Some(4));
    assert_eq!(model.params.min_samples_leaf, 5);
    assert_eq!(model.model.trees.len(), 1);

    // Refit with the library on the rows encoded by the saved schema.
    let (mut x, mut y, mut w) = (vec![0.0; 400 * 3], vec![], vec![]);
    let text = std::fs::read_to_string(&csv).unwrap();
    for (i, line) in text.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let cells = [
            FeatureValue::Num(f[0].parse().unwrap()),
            FeatureValue::Num(f[1].parse().unwrap()),
            FeatureValue::Text(f[2]),
        ];
        model
            .encode_row(&cells, &mut x[i * 3..(i + 1) * 3])
            .unwrap();
        y.push(f64::from(u8::from(f[3] == "yes")));
        w.push(f[5].parse::<f64>().unwrap());
    }
    let mut want = model
        .params
        .fit(&Matrix::new(&x, 3).unwrap(), &y, Some(&w))
        .unwrap();
    want.feature_names = model.model.feature_names.clone();
    assert_eq!(model.model, want);
    let t = &model.model.trees[0];
    assert!(t.n_nodes() >= 7, "{}", t.n_nodes());
    assert!(t.value.iter().all(|v| (0.0..=1.0).contains(v)));
}

/// `assay predict` recognises an `assay.tree/1` file and gives the tree's probabilities.
#[test]
fn tree_predict_loads_it() {
    let dir = tempfile::tempdir().unwrap();
    let csv = data(dir.path());
    let out = dir.path().join("tree.json");
    let o = train_tree(&csv, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let model = TrainedTree::load(&out).unwrap();
    let preds = dir.path().join("preds.csv");
    let o = assay(&[
        "predict",
        csv.to_str().unwrap(),
        "--model",
        out.to_str().unwrap(),
        "--out",
        preds.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&preds).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let j = header.len() - 2;
    assert_eq!(&header[j..], ["score", "prediction"]);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 400);
    let mut x = vec![0.0; 3];
    for (i, row) in rows.iter().enumerate() {
        let g: f64 = row[j].parse().unwrap();
        let x1 = ((i * 37) % 101) as f64 / 10.0 - 5.0;
        let x2 = ((i * 53) % 89) as f64 / 20.0;
        let group = ["north", "south", "east"][i % 3];
        let cells = [
            FeatureValue::Num(x1),
            FeatureValue::Num(x2),
            FeatureValue::Text(group),
        ];
        model.encode_row(&cells, &mut x).unwrap();
        let p = model.model.predict_row(&x);
        assert_eq!(g, p, "row {i}");
        let label = if p > 0.5 { "yes" } else { "not yes" };
        assert_eq!(row[j + 1], label, "row {i}");
    }
}

/// The tree needs a value in every feature cell: an empty numeric cell is an error naming the
/// file, column and row; more than two classes need --positive.
#[test]
fn tree_rejects_missing_cells_and_many_classes() {
    let dir = tempfile::tempdir().unwrap();
    let csv = data(dir.path());
    let mut text = std::fs::read_to_string(&csv).unwrap();
    text = text.replacen("\n-5,", "\n,", 1);
    let holes = dir.path().join("holes.csv");
    std::fs::write(&holes, &text).unwrap();
    let out = dir.path().join("tree.json");
    let o = train_tree(&holes, &out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("x1") && err.contains("row 1"), "{err}");
    assert!(err.contains("missing value"), "{err}");

    let o = assay(&[
        "train",
        "--learner",
        "tree",
        csv.to_str().unwrap(),
        "--label",
        "tier",
        "--features",
        "x1,x2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--positive"), "{}", stderr(&o));
}
