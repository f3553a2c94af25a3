//! Shared helpers of the golden tests: the feature rows and predictions written by
//! `tests/reference/trees_golden.py`.

use std::path::PathBuf;

use assay_model::TreeEnsemble;
use serde_json::Value;

/// `tests/reference` at the workspace root.
pub fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference")
}

fn read_json(name: &str) -> Value {
    let path = reference_dir().join("golden").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The golden feature rows, row-major, `null` read as NaN, and the number of columns.
pub fn features() -> (Vec<f64>, usize, Vec<String>) {
    let v = read_json("trees_features.json");
    let names: Vec<String> = v["feature_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    let mut x = Vec::new();
    for row in v["rows"].as_array().unwrap() {
        let row = row.as_array().unwrap();
        assert_eq!(row.len(), names.len());
        x.extend(row.iter().map(|c| c.as_f64().unwrap_or(f64::NAN)));
    }
    (x, names.len(), names)
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Loads the golden margins and predictions of `case` (e.g. `xgb_binary`) and checks the model
/// against them: margins to a relative 1e-6, predictions to an absolute 1e-6.
pub fn check(model: &TreeEnsemble, case: &str) {
    let golden = read_json(&format!("trees_{case}.json"));
    let (x, n_cols, names) = features();
    assert_eq!(
        model.feature_names.as_deref(),
        Some(&names[..]),
        "{case}: feature names"
    );
    let margin = model.predict_margin(&x, n_cols).unwrap();
    let pred = model.predict(&x, n_cols).unwrap();
    let want_margin = floats(&golden["margin"]);
    let want_pred = floats(&golden["prediction"]);
    assert_eq!(margin.len(), want_margin.len());
    let mut worst = (0.0f64, 0.0f64);
    for i in 0..margin.len() {
        let rel = (margin[i] - want_margin[i]).abs() / want_margin[i].abs().max(1e-300);
        assert!(
            rel <= 1e-6,
            "{case} row {i}: margin {} vs {}",
            margin[i],
            want_margin[i]
        );
        let abs = (pred[i] - want_pred[i]).abs();
        assert!(
            abs <= 1e-6,
            "{case} row {i}: prediction {} vs {}",
            pred[i],
            want_pred[i]
        );
        worst = (worst.0.max(rel), worst.1.max(abs));
    }
    eprintln!(
        "{case}: {} rows, worst relative margin error {:e}, worst absolute prediction error {:e}",
        margin.len(),
        worst.0,
        worst.1
    );
}
