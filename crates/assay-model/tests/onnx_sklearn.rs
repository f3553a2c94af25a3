//! scikit-learn pipelines exported with skl2onnx (`ColumnTransformer(OneHotEncoder,
//! SimpleImputer + StandardScaler)` followed by LogisticRegression, RandomForestClassifier,
//! GradientBoostingClassifier or HistGradientBoostingClassifier, string inputs, ZipMap output)
//! run through assay's tract runtime on every row of UCI Adult and give onnxruntime's
//! probabilities to 1e-5 (golden file from `tests/reference/sklearn_onnx_golden.py`).

use std::path::{Path, PathBuf};

use arrow_array::{Array, Float32Array};
use assay_data::csv::TextType;
use assay_data::source::{open, ColumnRequest, ReadOptions};
use assay_model::onnx::runtime::OnnxModel;
use assay_model::{ColumnKind, Model};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn golden(column: &str) -> Vec<f32> {
    let path = workspace().join("tests/reference/golden/sklearn_onnx_adult.parquet");
    let req = [ColumnRequest {
        name: column.to_string(),
        text_as: TextType::Float64,
        role: "golden".into(),
    }];
    let mut out = Vec::new();
    for batch in open(&path, &ReadOptions::default(), Some(&req)).unwrap() {
        let batch = batch.unwrap();
        let a = batch
            .column_by_name(column)
            .unwrap()
            .as_any()
            .downcast_ref::<Float32Array>()
            .expect("float32 golden column")
            .clone();
        out.extend(a.values().iter().copied());
    }
    out
}

fn check(model_file: &str, column: &str, adult: &Path) {
    let path = workspace()
        .join("tests/reference/models/onnx")
        .join(model_file);
    let model = OnnxModel::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let schema = model.input_schema();
    assert_eq!(
        schema.columns.len(),
        14,
        "{model_file}: one input per raw column"
    );
    assert_eq!(
        model.outputs(),
        ["1"],
        "{model_file}: P(class 1) named after its label"
    );
    let requests: Vec<ColumnRequest> = schema
        .columns
        .iter()
        .map(|c| ColumnRequest {
            name: c.name.clone(),
            text_as: if c.kind == ColumnKind::Text {
                TextType::Utf8
            } else {
                TextType::Float64
            },
            role: "model input".into(),
        })
        .collect();
    let want = golden(column);
    let mut got = Vec::with_capacity(want.len());
    for batch in open(
        adult,
        &assay_data::datasets::adult_read_options(),
        Some(&requests),
    )
    .unwrap()
    {
        got.extend(model.score_batch(&batch.unwrap()).unwrap());
    }
    assert_eq!(
        got.len(),
        want.len(),
        "{model_file}: every row of adult.data"
    );
    let mut worst = (0.0f64, 0usize);
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let d = (g - *w as f64).abs();
        if d > worst.0 {
            worst = (d, i);
        }
    }
    eprintln!(
        "{model_file}: {} rows, worst |assay - onnxruntime| = {:e} (row {})",
        got.len(),
        worst.0,
        worst.1
    );
    assert!(
        worst.0 <= 1e-5,
        "{model_file}: row {} differs from onnxruntime by {:e}",
        worst.1,
        worst.0
    );
}

fn adult() -> Option<PathBuf> {
    assay_data::datasets::find(&workspace(), "adult.data")
}

#[test]
fn logistic_regression_pipeline_matches_onnxruntime() {
    if let Some(a) = adult() {
        check("adult_lr.onnx", "lr_p1", &a);
    }
}

#[test]
fn random_forest_pipeline_matches_onnxruntime() {
    if let Some(a) = adult() {
        check("adult_rf.onnx", "rf_p1", &a);
    }
}

#[test]
fn gradient_boosting_pipeline_matches_onnxruntime() {
    if let Some(a) = adult() {
        check("adult_gb.onnx", "gb_p1", &a);
    }
}

#[test]
fn hist_gradient_boosting_pipeline_matches_onnxruntime() {
    if let Some(a) = adult() {
        check("adult_hgb.onnx", "hgb_p1", &a);
    }
}
