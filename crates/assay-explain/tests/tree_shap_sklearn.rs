//! TreeSHAP on scikit-learn models exported by skl2onnx and converted with
//! `assay_model::onnx::to_ensemble`, against `shap.TreeExplainer` on the scikit-learn models
//! themselves (`tests/reference/sklearn_trees_golden.py`, golden file
//! `golden/sklearn_trees_shap.json`).
//!
//! Output spaces (shap `model_output="raw"`): RandomForestClassifier — the forest's averaged
//! probability of class 1 (the converted ensemble's margin, identity link); GradientBoosting —
//! the log-odds margin (logistic link); DecisionTreeRegressor — the predicted value.
//! Path-dependent values use the scikit-learn covers (`weighted_n_node_samples`) written next to
//! each model; interventional values use the golden 100 background rows.
//!
//! Tolerance: skl2onnx stores leaf values and the GradientBoosting base value as `f32`, shap
//! uses scikit-learn's `f64` values, so each leaf differs by up to half an `f32` ulp (relative
//! 6e-8). SHAP values are weighted sums of leaf values, so they are compared to
//! `1e-6 · max(1, scale)`, `scale` the largest |leaf value| of the model (1 for the classifiers,
//! about 60 hours for the regressor).

use std::path::PathBuf;

use assay_explain::shap::{tree_shap, tree_shap_interventional};
use assay_model::onnx::to_ensemble::{load_covers, tree_ensemble_from_onnx, with_covers};
use serde_json::Value;

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn matrix(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().flat_map(floats).collect()
}

#[test]
fn tree_shap_matches_shap_on_sklearn_models() {
    let path = reference().join("golden/sklearn_trees_shap.json");
    let g: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for (name, m) in g["models"].as_object().unwrap() {
        let e = tree_ensemble_from_onnx(reference().join(m["onnx"].as_str().unwrap())).unwrap();
        let covers = load_covers(reference().join(m["covers"].as_str().unwrap())).unwrap();
        let e = with_covers(e, covers).unwrap();
        let d = e.n_features;
        let scale = e
            .trees
            .iter()
            .flat_map(|t| {
                (0..t.n_nodes())
                    .filter(|&i| t.is_leaf(i))
                    .map(|i| t.value[i].abs())
            })
            .fold(1.0f64, f64::max);
        let tol = 1e-6 * scale;

        let x = matrix(&m["rows"]);
        let n = x.len() / d;
        let pd = tree_shap(&e, &x, n).unwrap();
        let want = matrix(&m["path_dependent"]["values"]);
        let worst = pd
            .values
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let ev = m["path_dependent"]["expected_value"].as_f64().unwrap();
        eprintln!(
            "{name}: path-dependent max diff {worst:e}, base {:e} (tolerance {tol:e})",
            (pd.base_value - ev).abs()
        );
        assert!(
            worst <= tol,
            "{name}: path-dependent values differ by {worst:e}"
        );
        assert!(
            (pd.base_value - ev).abs() <= tol,
            "{name}: base {} vs {ev}",
            pd.base_value
        );

        let iv = &m["interventional"];
        let k = iv["n_rows"].as_u64().unwrap() as usize;
        let bg = matrix(&iv["background"]);
        let nb = bg.len() / d;
        let got = tree_shap_interventional(&e, &x[..k * d], k, &bg, nb).unwrap();
        let want = matrix(&iv["values"]);
        let worst = got
            .values
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let ev = iv["expected_value"].as_f64().unwrap();
        eprintln!(
            "{name}: interventional max diff {worst:e}, base {:e}",
            (got.base_value - ev).abs()
        );
        assert!(
            worst <= tol,
            "{name}: interventional values differ by {worst:e}"
        );
        assert!(
            (got.base_value - ev).abs() <= tol,
            "{name}: base {} vs {ev}",
            got.base_value
        );
    }
}
