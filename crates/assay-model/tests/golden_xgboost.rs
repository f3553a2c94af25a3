//! XGBoost models trained by `tests/reference/trees_golden.py` predict what XGBoost predicted.

mod common;

use assay_model::{xgboost, Arithmetic, Decision, Link};

#[test]
fn binary_logistic_matches_xgboost() {
    let model = xgboost::load(common::reference_dir().join("models/xgb_binary.json")).unwrap();
    assert_eq!(model.objective.link, Link::Logistic { scale: 1.0 });
    assert_eq!(model.arithmetic, Arithmetic::F32);
    assert_eq!(model.trees.len(), 30);
    assert_eq!(model.categorical_features, vec![8]);
    // The model has categorical splits, so the golden rows exercise them.
    assert!(model
        .trees
        .iter()
        .any(|t| t.decision.contains(&Decision::CategoryInSetRight)));
    common::check(&model, "xgb_binary");
}

#[test]
fn squared_error_regression_matches_xgboost() {
    let model = xgboost::load(common::reference_dir().join("models/xgb_regression.json")).unwrap();
    assert_eq!(model.objective.link, Link::Identity);
    common::check(&model, "xgb_regression");
}
