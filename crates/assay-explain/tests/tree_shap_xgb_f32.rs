//! XGBoost-compatible float32 TreeSHAP (`tree_shap_xgboost_f32`) against XGBoost 3.2.0's own
//! `pred_contribs=True` (golden files of `tests/reference/tree_shap_golden.py`): every golden
//! row, NaN rows included, to 1e-6 absolute (and in fact exactly); and against assay's `f64`
//! TreeSHAP to 1e-5.
//!
//! The 200-tree depth-6 benchmark model `models/xgb_200x6.json` is checked the same way on the
//! golden rows (`tests/reference/tree_shap_xgb200_golden.py`), and against the `f64` mode.

use std::path::PathBuf;

use assay_explain::shap::tree::tree_shap_with;
use assay_explain::shap::tree_f32::tree_shap_xgboost_f32;
use assay_explain::ExplainError;
use assay_model::{lightgbm, xgboost, TreeEnsemble};
use serde_json::Value;

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference")
}

fn golden(name: &str) -> Value {
    let path = reference_dir()
        .join("golden")
        .join(format!("tree_shap_{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The model of a golden case (`xgb_numeric` is stored as `tree_shap_xgb_numeric.json`).
fn model(file: &str) -> TreeEnsemble {
    xgboost::load(reference_dir().join("models").join(file)).unwrap()
}

/// A JSON array, nested or not, flattened; `null` is NaN.
fn flat(v: &Value) -> Vec<f64> {
    fn go(v: &Value, out: &mut Vec<f64>) {
        match v {
            Value::Array(a) => a.iter().for_each(|x| go(x, out)),
            Value::Null => out.push(f64::NAN),
            x => out.push(x.as_f64().unwrap()),
        }
    }
    let mut out = Vec::new();
    go(v, &mut out);
    out
}

/// Largest `|a − b|`; panics if it exceeds `tol` anywhere (or a value is not finite).
fn compare(what: &str, got: &[f64], want: &[f64], tol: f64) -> f64 {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let mut worst = 0.0f64;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let d = (g - w).abs();
        assert!(
            d <= tol,
            "{what}: entry {i}: assay {g}, reference {w}, difference {d:e}"
        );
        worst = worst.max(d);
    }
    eprintln!("{what}: {} values, max abs difference {worst:e}", got.len());
    worst
}

fn golden_case(name: &str, file: &str) {
    let m = model(file);
    let g = golden(name);
    let x = flat(&g["rows"]);
    let n = g["rows"].as_array().unwrap().len();
    let d = m.n_features;
    assert_eq!(x.len(), n * d);
    assert!(x.iter().any(|v| v.is_nan()), "{name}: golden rows have NaN");
    let s = tree_shap_xgboost_f32(&m, &x, n).unwrap();
    assert_eq!((s.n_rows, s.n_features), (n, d));
    let worst_values = compare(
        &format!("{name} f32 SHAP values vs XGBoost pred_contribs"),
        &s.values,
        &flat(&g["shap_values"]),
        1e-6,
    );
    let worst_base = compare(
        &format!("{name} f32 base value vs XGBoost bias column"),
        &vec![s.base_value; n],
        &flat(&g["base_values"]),
        1e-6,
    );
    // Following XGBoost's float operations in its order reproduces its output exactly (the
    // golden values are XGBoost's float32 output written exactly); a single reordered
    // operation already shows as differences of ~1e-7, below the 1e-6 tolerance, so exactness
    // is what checks the operation order.
    assert_eq!(
        (worst_values, worst_base),
        (0.0, 0.0),
        "{name}: not bit-identical to XGBoost"
    );
    against_f64(name, &m, &x, n);
}

/// The f32 and f64 modes agree to 1e-5 (values and base value).
fn against_f64(name: &str, m: &TreeEnsemble, x: &[f64], n: usize) {
    let s = tree_shap_xgboost_f32(m, x, n).unwrap();
    let e = tree_shap_with(m, x, n, false).unwrap();
    compare(
        &format!("{name} f32 vs f64 SHAP values"),
        &s.values,
        &e.values,
        1e-5,
    );
    compare(
        &format!("{name} f32 vs f64 base value"),
        &[s.base_value],
        &[e.base_value],
        1e-5,
    );
}

#[test]
fn xgb_binary_matches_xgboost() {
    golden_case("xgb_binary", "xgb_binary.json");
}

#[test]
fn xgb_regression_matches_xgboost() {
    golden_case("xgb_regression", "xgb_regression.json");
}

#[test]
fn xgb_numeric_matches_xgboost() {
    golden_case("xgb_numeric", "tree_shap_xgb_numeric.json");
}

/// No golden `pred_contribs` exists for the 200-tree benchmark model: only the f32/f64
/// agreement is checked, on the rows of the binary golden case (same Adult features).
#[test]
fn xgb_200x6_matches_xgboost() {
    // The 200-tree depth-6 benchmark model on the golden rows
    // (tests/reference/tree_shap_xgb200_golden.py).
    golden_case("xgb_200x6", "xgb_200x6.json");
}

#[test]
fn xgb_200x6_agrees_with_f64() {
    let m = model("xgb_200x6.json");
    let g = golden("xgb_binary");
    let x = flat(&g["rows"]);
    let n = g["rows"].as_array().unwrap().len();
    assert_eq!(x.len(), n * m.n_features, "xgb_200x6: same features");
    against_f64("xgb_200x6", &m, &x, n);
}

#[test]
fn other_sources_are_refused() {
    let path = reference_dir().join("models").join("lgb_binary.txt");
    let m = lightgbm::load(path).unwrap();
    let x = vec![0.0; m.n_features];
    assert!(matches!(
        tree_shap_xgboost_f32(&m, &x, 1),
        Err(ExplainError::Parameter(_))
    ));
}
