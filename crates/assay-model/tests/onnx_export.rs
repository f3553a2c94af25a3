//! ONNX export against onnxruntime: the models under `tests/reference/models/onnx/` are exported
//! again and must give exactly the committed `.onnx` bytes (which `tests/reference/onnx_golden.py`
//! checked with `onnx.checker` and ran in onnxruntime), and assay's own predictions must equal
//! onnxruntime's outputs in `tests/reference/golden/onnx_*.json`.

use std::path::PathBuf;

use assay_model::learners::{FittedLogistic, Matrix};
use assay_model::{Link, ModelError, TreeEnsemble};
use serde_json::Value;

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference")
}

fn read_json(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Rows of a golden features file, row-major with `null` as NaN, and the number of columns.
fn rows(name: &str) -> (Vec<f64>, usize) {
    let v = read_json(reference().join("golden").join(name));
    let mut x = Vec::new();
    let mut n_cols = 0;
    for row in v["rows"].as_array().unwrap() {
        let row = row.as_array().unwrap();
        n_cols = row.len();
        x.extend(row.iter().map(|c| c.as_f64().unwrap_or(f64::NAN)));
    }
    (x, n_cols)
}

/// The committed ONNX file must be exactly what assay writes now.
fn assert_same_bytes(bytes: &[u8], name: &str) {
    let path = reference().join("models/onnx").join(format!("{name}.onnx"));
    let want = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes == want,
        "{name}: export differs from the committed file (rerun the example and onnx_golden.py)"
    );
}

/// Largest absolute difference, asserting equal lengths.
fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn logistic_matches_onnxruntime() {
    let (x, d) = rows("onnx_logistic_rows.json");
    let x = Matrix::new(&x, d).unwrap();
    for name in ["logistic_binary", "logistic_3class"] {
        let model =
            FittedLogistic::load(&reference().join(format!("models/onnx/{name}.json"))).unwrap();
        let bytes = model.to_onnx_bytes().unwrap();
        assert_same_bytes(&bytes, name);
        assert_eq!(bytes, model.to_onnx_bytes().unwrap());

        let golden = read_json(reference().join(format!("golden/onnx_{name}.json")));
        let want = floats(&golden["probabilities"]);
        let proba = model.predict_proba(&x).unwrap();
        let got: Vec<f64> = if model.classes.len() == 2 {
            proba.iter().flat_map(|&p| [1.0 - p, p]).collect()
        } else {
            proba
        };
        let diff = max_diff(&got, &want);
        eprintln!("{name}: max |assay − onnxruntime| probability {diff:e}");
        assert!(diff <= 1e-12, "{name}: probabilities differ by {diff:e}");

        let labels: Vec<usize> = golden["label"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(model.predict_class(&x).unwrap(), labels, "{name}: labels");
    }
}

/// Checks the bytes, then |assay − onnxruntime| of the probabilities (binary) or predictions
/// (regression) to 1e-5 and of the margins, relative to max(1, |margin|), to 1e-6.
fn check_trees(model: &TreeEnsemble, name: &str) {
    let bytes = model.to_onnx_bytes().unwrap();
    assert_same_bytes(&bytes, name);
    let (x, n_cols) = rows("trees_features.json");
    let golden = read_json(reference().join(format!("golden/onnx_{name}.json")));
    let margin = model.predict_margin(&x, n_cols).unwrap();
    let pred = model.predict(&x, n_cols).unwrap();
    let binary = matches!(model.objective.link, Link::Logistic { .. });
    let (diff, want_margin) = if binary {
        let got: Vec<f64> = pred.iter().flat_map(|&p| [1.0 - p, p]).collect();
        (
            max_diff(&got, &floats(&golden["probabilities"])),
            floats(&golden["margin"]),
        )
    } else {
        let want = floats(&golden["prediction"]);
        (max_diff(&pred, &want), want)
    };
    let rel = margin
        .iter()
        .zip(&want_margin)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max);
    eprintln!(
        "{name}: {} rows, max |assay − onnxruntime| prediction {diff:e}, margin {rel:e} \
         (relative to max(1, |margin|))",
        pred.len()
    );
    assert!(diff <= 1e-5, "{name}: predictions differ by {diff:e}");
    assert!(rel <= 1e-6, "{name}: margins differ by {rel:e}");
}

#[test]
fn xgboost_matches_onnxruntime() {
    let model = assay_model::xgboost::load(reference().join("models/onnx/xgb_binary_numeric.json"))
        .unwrap();
    check_trees(&model, "xgb_binary_numeric");
}

#[test]
fn lightgbm_matches_onnxruntime() {
    let model = assay_model::lightgbm::load(reference().join("models/onnx/lgb_binary_numeric.txt"))
        .unwrap();
    check_trees(&model, "lgb_binary_numeric");
    let model =
        assay_model::lightgbm::load(reference().join("models/onnx/lgb_regression_numeric.txt"))
            .unwrap();
    check_trees(&model, "lgb_regression_numeric");
}

#[test]
fn categorical_splits_are_refused() {
    for model in [
        assay_model::xgboost::load(reference().join("models/xgb_binary.json")).unwrap(),
        assay_model::lightgbm::load(reference().join("models/lgb_binary.txt")).unwrap(),
    ] {
        match model.to_onnx_bytes() {
            Err(ModelError::Export { message }) => {
                assert!(message.contains("categorical split"), "{message}")
            }
            other => panic!("expected an export error, got {:?}", other.map(|b| b.len())),
        }
    }
}
