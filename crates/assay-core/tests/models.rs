//! `assay_core::models`: every format opens through one function, is detected, scores, and
//! decides with the model's own rule; the tree and logistic views refuse what they cannot use.

use std::path::{Path, PathBuf};

use assay_core::models::{self, FeatureRef, Format, OpenOptions};
use assay_core::CoreError;
use assay_mitigation::model::Decision;
use assay_mitigation::{MitigatedModel, Predictor};
use assay_model::learners::{
    DecisionTree, FeatureSpec, GradientBoosting, LogisticRegression, Matrix, TrainedGbdt,
    TrainedLogistic, TrainedTree,
};

fn reference(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference/models")
        .join(name)
}

/// A two-feature binary problem: y = 1 when x0 + x1 > 1 (with a few exceptions).
fn problem() -> (Vec<f64>, Vec<f64>) {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..200 {
        let (a, b) = ((i % 20) as f64 / 10.0, (i / 20) as f64 / 10.0);
        x.extend([a, b]);
        y.push(f64::from(u8::from((a + b > 1.0) != (i % 37 == 0))));
    }
    (x, y)
}

fn numeric(name: &str) -> FeatureSpec {
    FeatureSpec::Numeric {
        column: name.into(),
        mean: None,
        std: None,
        impute: None,
    }
}

/// Trains and saves assay's own formats into `dir`: logistic, gbdt, tree, mitigated.
fn assay_models(dir: &Path) -> Vec<(Format, PathBuf)> {
    let (x, y) = problem();
    let m = Matrix::new(&x, 2).unwrap();
    let features = vec![numeric("a"), numeric("b")];
    let classes = vec!["0".to_string(), "1".to_string()];
    let label = "y".to_string();
    let mut out = Vec::new();

    let fitted = LogisticRegression::default().fit(&m, &y, None).unwrap();
    let p = dir.join("logistic.json");
    TrainedLogistic::new(
        label.clone(),
        classes.clone(),
        None,
        None,
        features.clone(),
        fitted,
    )
    .save(&p)
    .unwrap();
    out.push((Format::Logistic, p));

    let params = GradientBoosting {
        n_trees: 5,
        ..GradientBoosting::default()
    };
    let trees = params.fit(&m, &y, None).unwrap();
    let p = dir.join("gbdt.json");
    TrainedGbdt::new(
        label.clone(),
        classes.clone(),
        None,
        None,
        features.clone(),
        params,
        trees.clone(),
    )
    .save(&p)
    .unwrap();
    out.push((Format::Gbdt, p));

    let params = DecisionTree::default();
    let tree = params.fit(&m, &y, None).unwrap();
    let p = dir.join("tree.json");
    TrainedTree::new(
        label.clone(),
        classes.clone(),
        None,
        None,
        features.clone(),
        params,
        tree,
    )
    .save(&p)
    .unwrap();
    out.push((Format::Tree, p));

    let mitigated = MitigatedModel::new(
        "test".into(),
        label,
        classes,
        None,
        features,
        vec![],
        vec![],
        7,
        Decision::Single {
            predictor: Predictor::Trees(trees),
        },
    )
    .unwrap();
    let p = dir.join("mitigated.json");
    mitigated.save(&p).unwrap();
    out.push((Format::Mitigated, p));
    out
}

#[test]
fn every_format_opens_is_detected_and_decides_by_its_own_rule() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = assay_models(dir.path());
    files.push((Format::Xgboost, reference("xgb_binary.json")));
    files.push((Format::Lightgbm, reference("lgb_binary.txt")));
    files.push((Format::Onnx, reference("onnx/lgb_binary_numeric.onnx")));
    assert_eq!(files.len(), Format::ALL.len(), "a format is not covered");
    for (format, path) in &files {
        assert_eq!(Format::detect(path).unwrap(), *format, "{}", path.display());
        assert_eq!(Format::parse(format.name()), Some(*format));
        let opened = models::open_with(path, &OpenOptions::default()).unwrap();
        assert_eq!(opened.format, *format);
        assert!(opened.feature_of_column.iter().all(Option::is_none));
        let model = models::open(path).unwrap();
        let d = model.input_schema().columns.len();
        let x: Vec<f64> = (0..4 * d).map(|i| (i % 7) as f64 / 5.0).collect();
        let scores = model.score_matrix(&x, 4).unwrap();
        assert_eq!(scores.len(), 4 * model.outputs().len(), "{format}");
        if model.outputs().len() == 1 && model.randomized().is_none() {
            for (row, &p) in scores.iter().enumerate() {
                assert_eq!(model.decide(row as u64, p), p > 0.5, "{format}");
            }
        }
    }
    // The format named wins over detection.
    let opened = models::open_with(
        &reference("xgb_binary.json"),
        &OpenOptions {
            format: Some(Format::Xgboost),
            columns: None,
        },
    )
    .unwrap();
    assert_eq!(opened.format, Format::Xgboost);
    assert_eq!(Format::parse("assay.mitigated/1"), Some(Format::Mitigated));
    assert_eq!(Format::parse("ASSAY.GBDT/1"), Some(Format::Gbdt));
    assert_eq!(Format::parse("sklearn"), None);
}

#[test]
fn renamed_columns_are_reported_and_refused_where_the_schema_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let files = assay_models(dir.path());
    let gbdt = &files[1].1;
    let opened = models::open_with(
        gbdt,
        &OpenOptions {
            format: None,
            columns: Some(vec!["a".into(), "second".into()]),
        },
    )
    .unwrap();
    assert_eq!(opened.model.input_schema().names(), ["a", "second"]);
    assert_eq!(
        opened.feature_of_column,
        [
            None,
            Some(FeatureRef {
                index: 1,
                name: Some("b".into())
            })
        ]
    );
    let e = models::open_with(
        gbdt,
        &OpenOptions {
            format: None,
            columns: Some(vec!["a".into()]),
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            CoreError::ColumnCount {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{e}"
    );
    for (format, path) in [&files[0], &files[3]] {
        let e = models::open_with(
            path,
            &OpenOptions {
                format: None,
                columns: Some(vec!["a".into(), "b".into()]),
            },
        )
        .unwrap_err();
        assert!(
            matches!(e, CoreError::CannotRename { format: f, .. } if f == *format),
            "{e}"
        );
    }
}

#[test]
fn views_for_tree_and_linear_methods() {
    let dir = tempfile::tempdir().unwrap();
    let files = assay_models(dir.path());
    for (format, path) in &files {
        let trees = models::tree_ensemble(path);
        let linear = models::logistic(path);
        match format {
            Format::Gbdt | Format::Tree => {
                assert!(trees.is_ok() && linear.is_err(), "{format}")
            }
            Format::Logistic => assert!(trees.is_err() && linear.is_ok()),
            _ => assert!(trees.is_err() && linear.is_err(), "{format}"),
        }
    }
    assert!(models::tree_ensemble(&reference("xgb_binary.json")).is_ok());
    // An ONNX graph of one TreeEnsemble converts; with one tensor input its features have no
    // names to read columns by.
    let e = models::tree_ensemble(&reference("onnx/xgb_binary_numeric.onnx")).unwrap_err();
    assert!(
        matches!(e, CoreError::NeedsColumnNames { n_features: 9, .. }),
        "{e}"
    );
    let e = models::tree_ensemble(&reference("onnx/logistic_binary.onnx")).unwrap_err();
    assert!(
        matches!(
            e,
            CoreError::NotTreeEnsemble {
                detail: Some(_),
                ..
            }
        ),
        "{e}"
    );
    let e = models::logistic(&reference("xgb_binary.json")).unwrap_err();
    assert!(e.to_string().contains("xgb_binary.json"), "{e}");
}

#[test]
fn unknown_and_missing_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("model.bin");
    std::fs::write(&p, b"\x00\x01 not a model").unwrap();
    let e = models::open(&p).err().unwrap();
    assert!(matches!(e, CoreError::UnknownFormat { .. }), "{e}");
    assert!(e.to_string().contains("model.bin"), "{e}");
    let e = models::open(&dir.path().join("missing.json"))
        .err()
        .unwrap();
    assert!(e.to_string().contains("missing.json"), "{e}");
}

#[test]
fn models_saved_by_assay_train_open_with_their_settings() {
    let dir = tempfile::tempdir().unwrap();
    for (format, path) in assay_models(dir.path()) {
        let t = models::trained(&path);
        match format {
            Format::Logistic => assert!(matches!(t, Ok(models::Trained::Logistic(_)))),
            Format::Gbdt => assert!(matches!(t, Ok(models::Trained::Gbdt(_)))),
            Format::Tree => assert!(matches!(t, Ok(models::Trained::Tree(_)))),
            _ => {
                let e = t.err().unwrap();
                assert!(
                    matches!(e, CoreError::NotTrained { format: f, .. } if f == format),
                    "{e}"
                );
                assert!(e.to_string().contains("assay train"), "{e}");
            }
        }
    }
    let e = models::trained(&reference("xgb_binary.json"))
        .err()
        .unwrap();
    assert!(e.to_string().contains("format xgboost"), "{e}");
}

/// A table of the gbdt's two columns and a group column, as one record batch.
fn table_batch(x: &[f64], groups: &[&str]) -> arrow_array::RecordBatch {
    use std::sync::Arc;
    let col = |j: usize| {
        Arc::new(arrow_array::Float64Array::from(
            x.chunks(2).map(|r| r[j]).collect::<Vec<f64>>(),
        )) as arrow_array::ArrayRef
    };
    let g = Arc::new(arrow_array::StringArray::from(groups.to_vec())) as arrow_array::ArrayRef;
    arrow_array::RecordBatch::try_from_iter([("a", col(0)), ("b", col(1)), ("g", g)]).unwrap()
}

#[test]
fn a_prefit_model_is_embedded_checked_and_scored_through() {
    use assay_mitigation::model::EmbeddedModel;
    let dir = tempfile::tempdir().unwrap();
    let files = assay_models(dir.path());
    let gbdt = &files.iter().find(|(f, _)| *f == Format::Gbdt).unwrap().1;
    let prefit = models::prefit(gbdt).unwrap();
    assert_eq!(prefit.format, Format::Gbdt);
    assert_eq!(
        prefit.embedded.bytes().unwrap(),
        std::fs::read(gbdt).unwrap()
    );

    // A calibration of the prefit model's probability per group, saved and opened again.
    let (x, _) = problem();
    let n = 200;
    let groups: Vec<&str> = (0..n).map(|i| if i % 2 == 0 { "p" } else { "q" }).collect();
    let batch = table_batch(&x, &groups);
    let base_scores = prefit.model.score_batch(&batch).unwrap();
    use assay_mitigation::postprocessing::{
        CalibrationMethod, Calibrator, GroupCalibrator, PlattCalibrator,
    };
    let calibrator = GroupCalibrator {
        method: CalibrationMethod::Sigmoid,
        groups: vec!["p".into(), "q".into()],
        calibrators: vec![
            Calibrator::Sigmoid(PlattCalibrator { a: -2.0, b: 1.0 }),
            Calibrator::Sigmoid(PlattCalibrator { a: -1.0, b: 0.0 }),
        ],
    };
    let m = MitigatedModel::with_prefit(
        "calibrated".into(),
        "y".into(),
        vec!["0".into(), "1".into()],
        None,
        vec!["g".into()],
        vec!["p".into(), "q".into()],
        1,
        Decision::Calibrated {
            base: Predictor::Score,
            calibrator,
        },
        prefit.embedded.clone(),
        prefit.model.clone(),
    )
    .unwrap();
    let path = dir.path().join("calibrated.json");
    m.save(&path).unwrap();
    let opened = models::open(&path).unwrap();
    let names = opened.input_schema().names();
    assert_eq!(names, ["a", "b", "g"]);
    let scores = opened.score_batch(&batch).unwrap();
    for i in 0..n {
        // Platt scaling of the probability itself: 1 / (1 + exp(a·s + b)).
        let (a, b) = if i % 2 == 0 { (-2.0, 1.0) } else { (-1.0, 0.0) };
        let want = 1.0 / (1.0 + (a * base_scores[i] + b).exp());
        assert!((scores[i] - want).abs() < 1e-12, "row {i}");
    }
    // The decision reads the table through the base model only.
    assert!(opened.score_matrix(&[0.5, 0.5], 1).is_err());

    // A changed byte of the embedded model is refused, naming the digest.
    let text = std::fs::read_to_string(&path).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let other = EmbeddedModel::new("gbdt", "gbdt.json", b"{\"format\": \"assay.gbdt/1\"}");
    doc["base_model"]["data"] = other.data.into();
    std::fs::write(&path, doc.to_string()).unwrap();
    let e = models::open(&path).err().unwrap().to_string();
    assert!(e.contains("SHA-256") && e.contains("altered"), "{e}");
}

#[test]
fn summaries_and_exports_of_every_saved_format() {
    let dir = tempfile::tempdir().unwrap();
    for (format, path) in assay_models(dir.path()) {
        let s = models::inspect(&path, None).unwrap();
        assert_eq!(s.inputs.len(), 2, "{format}");
        assert_eq!(
            s.classes.as_deref(),
            Some(&["0".to_string(), "1".to_string()][..])
        );
        // Every model assay saves exports to ONNX on its raw columns.
        let onnx = models::export_onnx(&path).unwrap();
        assert_eq!(onnx.inputs.len(), 2, "{format}");
        if format == Format::Mitigated {
            assert_eq!(s.format, "assay.mitigated/1");
            assert!(s
                .details
                .iter()
                .any(|d| d.key == "method" && d.value == "test"));
        }
    }
    // Foreign formats carry no feature preparation to export.
    let e = models::export_onnx(&reference("xgb_binary.json"))
        .err()
        .unwrap();
    assert!(
        matches!(
            e,
            CoreError::NoFeaturePreparation {
                format: Format::Xgboost,
                ..
            }
        ),
        "{e}"
    );
}
