//! The one model interface: every model kind loads with `load_model`, scores a record batch by
//! column name exactly as the underlying model scores the encoded matrix, names bad columns and
//! rows, and scores identically from several threads.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use assay_model::learners::{
    FeatureSpec, FeatureValue, GradientBoosting, LogisticRegression, Matrix, TrainedGbdt,
    TrainedLogistic,
};
use assay_model::{load_model, ColumnKind, Model, ModelError};

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference")
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).unwrap()
}

/// Deterministic rows of `d` features; feature `cat` (if any) holds small integer codes.
fn rows(n: usize, d: usize, cat: Option<usize>) -> Vec<f64> {
    let mut x = Vec::with_capacity(n * d);
    for i in 0..n {
        for j in 0..d {
            x.push(if Some(j) == cat {
                ((i * 7 + j) % 5) as f64
            } else if (i + j) % 17 == 0 {
                f64::NAN
            } else {
                ((i * 31 + j * 17) % 97) as f64 * 1.3 - 20.0
            });
        }
    }
    x
}

#[test]
fn xgboost_scores_batches_by_name_from_several_threads() {
    let path = reference_dir().join("models/xgb_binary.json");
    let ensemble = assay_model::xgboost::load(&path).unwrap();
    let model = load_model(&path, None).unwrap();
    let d = ensemble.n_features;
    let names = ensemble.feature_names.clone().unwrap();
    assert_eq!(model.input_schema().names(), names);
    assert_eq!(model.input_schema().columns[8].kind, ColumnKind::Codes);
    assert_eq!(model.outputs().len(), 1);

    let n = 300;
    let x = rows(n, d, Some(8));
    let expected = ensemble.predict(&x, d).unwrap();
    // Columns in reverse order plus an extra text column: found by name, extra ignored.
    let mut columns: Vec<(&str, ArrayRef)> = (0..d)
        .rev()
        .map(|j| {
            let col: Vec<f64> = (0..n).map(|i| x[i * d + j]).collect();
            (
                names[j].as_str(),
                Arc::new(Float64Array::from(col)) as ArrayRef,
            )
        })
        .collect();
    columns.push((
        "extra",
        Arc::new(StringArray::from(vec!["z"; n])) as ArrayRef,
    ));
    let b = batch(columns);
    assert_eq!(model.score_batch(&b).unwrap(), expected);
    assert_eq!(model.score_matrix(&x, n).unwrap(), expected);
    assert_eq!(
        model.margin_batch(&b).unwrap(),
        ensemble.predict_margin(&x, d).unwrap()
    );

    let model: Arc<dyn Model> = Arc::from(model);
    let b = Arc::new(b);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (m, b) = (Arc::clone(&model), Arc::clone(&b));
            std::thread::spawn(move || m.score_batch(&b).unwrap())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), expected);
    }

    // A missing column is an error naming it.
    let b = batch(vec![(
        "age",
        Arc::new(Float64Array::from(vec![1.0])) as ArrayRef,
    )]);
    let e = model.score_batch(&b).unwrap_err();
    assert!(matches!(e, ModelError::Column { .. }), "{e}");
}

#[test]
fn lightgbm_loads_by_detection_and_text_numbers_are_read() {
    let path = reference_dir().join("models/lgb_binary.txt");
    let ensemble = assay_model::lightgbm::load(&path).unwrap();
    let model = load_model(&path, Some("lightgbm")).unwrap();
    let d = ensemble.n_features;
    let names = ensemble.feature_names.clone().unwrap();
    let cat = ensemble.categorical_features.first().copied();
    let x = rows(50, d, cat);
    let columns: Vec<(&str, ArrayRef)> = (0..d)
        .map(|j| {
            let col: Vec<Option<f64>> = (0..50)
                .map(|i| Some(x[i * d + j]).filter(|v| !v.is_nan()))
                .collect();
            (
                names[j].as_str(),
                Arc::new(Float64Array::from(col)) as ArrayRef,
            )
        })
        .collect();
    assert_eq!(
        model.score_batch(&batch(columns.clone())).unwrap(),
        ensemble.predict(&x, d).unwrap()
    );
    // Text that is not a number names the column and row.
    let mut bad = columns;
    let mut text: Vec<String> = (0..50).map(|i| x[i * d].to_string()).collect();
    text[3] = "Husband".into();
    bad[0].1 = Arc::new(StringArray::from(text));
    match model.score_batch(&batch(bad)).unwrap_err() {
        ModelError::BadValue { column, row, .. } => {
            assert_eq!(column, names[0]);
            assert_eq!(row, 3);
        }
        e => panic!("{e}"),
    }
}

/// x1 numeric, group categorical; labels from both.
fn training_table(n: usize) -> (Vec<f64>, Vec<&'static str>, Vec<f64>) {
    let x1: Vec<f64> = (0..n)
        .map(|i| ((i * 37) % 101) as f64 / 10.0 - 5.0)
        .collect();
    let group: Vec<&str> = (0..n).map(|i| ["north", "south", "east"][i % 3]).collect();
    let y = (0..n)
        .map(|i| {
            let s = x1[i] - if group[i] == "south" { 1.0 } else { 0.0 }
                + (((i * 7919) % 13) as f64 - 6.0) / 2.0;
            f64::from(u8::from(s > 0.0))
        })
        .collect();
    (x1, group, y)
}

fn encode(features: &[FeatureSpec], x1: &[f64], group: &[&str]) -> Vec<f64> {
    let d: usize = features.iter().map(FeatureSpec::width).sum();
    let mut x = vec![0.0; x1.len() * d];
    for i in 0..x1.len() {
        let cells = [FeatureValue::Num(x1[i]), FeatureValue::Text(group[i])];
        assay_model::learners::schema::encode_row(features, &cells, &mut x[i * d..(i + 1) * d])
            .unwrap();
    }
    x
}

#[test]
fn assay_logistic_is_encoded_from_its_schema() {
    let n = 200;
    let (x1, group, y) = training_table(n);
    let mean = x1.iter().sum::<f64>() / n as f64;
    let features = vec![
        FeatureSpec::Numeric {
            column: "x1".into(),
            mean: Some(mean),
            std: Some(2.0),
            impute: None,
        },
        FeatureSpec::Categorical {
            column: "group".into(),
            categories: vec!["east".into(), "north".into(), "south".into()],
            unknown: Default::default(),
        },
    ];
    let x = encode(&features, &x1, &group);
    let fitted = LogisticRegression::default()
        .fit(&Matrix::new(&x, 4).unwrap(), &y, None)
        .unwrap();
    let expected = fitted.predict_proba(&Matrix::new(&x, 4).unwrap()).unwrap();
    let margins = fitted
        .decision_function(&Matrix::new(&x, 4).unwrap())
        .unwrap();
    let trained = TrainedLogistic::new(
        "y".into(),
        vec!["not yes".into(), "yes".into()],
        Some("yes".into()),
        None,
        features,
        fitted,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.json");
    trained.save(&path).unwrap();
    let model = load_model(&path, None).unwrap();
    assert_eq!(model.outputs(), ["yes"]);
    assert_eq!(model.input_schema().names(), ["x1", "group"]);
    let b = batch(vec![
        (
            "group",
            Arc::new(StringArray::from(group.clone())) as ArrayRef,
        ),
        ("x1", Arc::new(Float64Array::from(x1.clone())) as ArrayRef),
    ]);
    assert_eq!(model.score_batch(&b).unwrap(), expected);
    assert_eq!(model.score_matrix(&x, n).unwrap(), expected);
    assert_eq!(model.margin_batch(&b).unwrap(), margins);

    let mut unseen = group.clone();
    unseen[5] = "west";
    let b = batch(vec![
        ("group", Arc::new(StringArray::from(unseen)) as ArrayRef),
        ("x1", Arc::new(Float64Array::from(x1)) as ArrayRef),
    ]);
    match model.score_batch(&b).unwrap_err() {
        ModelError::BadValue {
            column,
            row,
            message,
        } => {
            assert_eq!((column.as_str(), row), ("group", 5));
            assert!(message.contains("west"), "{message}");
        }
        e => panic!("{e}"),
    }
}

#[test]
fn assay_gbdt_takes_category_text() {
    let n = 200;
    let (x1, group, y) = training_table(n);
    let features = vec![
        FeatureSpec::Numeric {
            column: "x1".into(),
            mean: None,
            std: None,
            impute: None,
        },
        FeatureSpec::Ordinal {
            column: "group".into(),
            categories: vec!["east".into(), "north".into(), "south".into()],
            unknown: Default::default(),
        },
    ];
    let x = encode(&features, &x1, &group);
    let params = GradientBoosting {
        n_trees: 10,
        min_samples_leaf: 5,
        ..GradientBoosting::default()
    };
    let ensemble = params.fit(&Matrix::new(&x, 2).unwrap(), &y, None).unwrap();
    let expected = ensemble.predict(&x, 2).unwrap();
    let trained = TrainedGbdt::new(
        "y".into(),
        vec!["no".into(), "yes".into()],
        None,
        None,
        features,
        params,
        ensemble,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.json");
    trained.save(&path).unwrap();
    let model = load_model(&path, None).unwrap();
    assert!(matches!(
        model.input_schema().columns[1].kind,
        ColumnKind::Categories(_)
    ));
    let b = batch(vec![
        ("x1", Arc::new(Float64Array::from(x1)) as ArrayRef),
        ("group", Arc::new(StringArray::from(group)) as ArrayRef),
    ]);
    assert_eq!(model.score_batch(&b).unwrap(), expected);
}

#[test]
fn unknown_format_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.bin");
    std::fs::write(&path, b"\x00 nothing").unwrap();
    let e = load_model(&path, None).err().unwrap();
    assert!(e.to_string().contains("unknown model format"), "{e}");
    let e = load_model(&path, Some("onnx")).err().unwrap();
    assert!(e.to_string().contains("not an ONNX model"), "{e}");
}
