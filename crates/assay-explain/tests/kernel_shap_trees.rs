//! KernelSHAP on a tree ensemble (an XGBoost model of Adult, tests/reference/tree_shap_golden.py):
//! with every coalition it is the interventional Shapley value, so it must equal shap's
//! interventional TreeExplainer on the same background; and the ensemble's fast hybrid
//! scoring ([`Predict::predict_hybrids`]) must give exactly what scoring rows one by one gives.

use assay_explain::predict::{EnsembleOutput, EnsemblePredict, FnPredict};
use assay_explain::shap::{Background, KernelExplainer, KernelShapConfig};
use assay_explain::{ExplainError, FeatureGroups, Predict};
use serde_json::Value;

fn reference(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference")
        .join(path)
}

fn mat(v: &Value) -> (Vec<f64>, usize) {
    let rows = v.as_array().unwrap();
    let flat = rows
        .iter()
        .flat_map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap_or(f64::NAN))
        })
        .collect();
    (flat, rows.len())
}

#[test]
fn exact_kernel_shap_of_an_xgboost_margin_equals_interventional_tree_shap() {
    let model = assay_model::xgboost::load(reference("models/tree_shap_xgb_numeric.json")).unwrap();
    let g: Value = serde_json::from_str(
        &std::fs::read_to_string(reference("golden/tree_shap_xgb_numeric.json")).unwrap(),
    )
    .unwrap();
    let (x, n) = mat(&g["interventional_rows"]);
    let (bg, nbg) = mat(&g["background"]);
    let (want, _) = mat(&g["interventional_values"]);
    let d = model.n_features;
    let f = EnsemblePredict::new(&model, EnsembleOutput::Margin);
    let ex = KernelExplainer::new(&f, Background::new(bg.clone(), nbg, d).unwrap(), None).unwrap();
    let out = ex
        .explain(
            &x,
            n,
            &KernelShapConfig {
                n_samples: Some(1 << 20),
                ..KernelShapConfig::default()
            },
        )
        .unwrap();
    let worst = out
        .values
        .iter()
        .zip(&want)
        .fold(0.0f64, |w, (a, b)| w.max((a - b).abs()));
    eprintln!(
        "exact KernelSHAP vs shap interventional TreeExplainer: max diff {worst:e}; {} synthetic rows scored (shap's count {})",
        out.unique_evaluations, out.model_evaluations
    );
    // XGBoost sums leaf values in f32 (so does assay's model); shap's TreeExplainer in f64.
    assert!(worst < 1e-6, "max |kernel − interventional| = {worst:e}");
    assert!(out.exact.iter().all(|&e| e));
}

#[test]
fn hybrid_scoring_gives_the_same_values_as_row_by_row_scoring() {
    let model = assay_model::xgboost::load(reference("models/tree_shap_xgb_numeric.json")).unwrap();
    let g: Value = serde_json::from_str(
        &std::fs::read_to_string(reference("golden/tree_shap_xgb_numeric.json")).unwrap(),
    )
    .unwrap();
    let (x, _) = mat(&g["interventional_rows"]);
    let n = 40;
    let (bg, nbg) = mat(&g["background"]);
    let d = model.n_features;
    for output in [EnsembleOutput::Margin, EnsembleOutput::Prediction] {
        let fast = EnsemblePredict::new(&model, output);
        let plain = FnPredict::new(
            d,
            |rows: &[f64], n_rows| -> Result<Vec<f64>, ExplainError> { fast.predict(rows, n_rows) },
        );
        // Single features, and groups of several columns (a hybrid sets a whole group).
        let pairs = FeatureGroups::new(
            (0..d.div_ceil(2)).map(|g| format!("g{g}")).collect(),
            (0..d)
                .collect::<Vec<_>>()
                .chunks(2)
                .map(<[usize]>::to_vec)
                .collect(),
            d,
        )
        .unwrap();
        for groups in [None, Some(pairs)] {
            let bgr = || Background::new(bg.clone(), nbg, d).unwrap();
            let a = KernelExplainer::new(&fast, bgr(), groups.clone()).unwrap();
            let b = KernelExplainer::new(&plain, bgr(), groups.clone()).unwrap();
            for n_samples in [Some(1 << 20), None, Some(60), Some(14)] {
                let cfg = KernelShapConfig {
                    n_samples,
                    seed: 5,
                    ..KernelShapConfig::default()
                };
                let va = a.explain(&x[..n * d], n, &cfg).unwrap();
                let vb = b.explain(&x[..n * d], n, &cfg).unwrap();
                assert_eq!(va, vb, "{output:?} n_samples {n_samples:?}");
            }
        }
    }
}
