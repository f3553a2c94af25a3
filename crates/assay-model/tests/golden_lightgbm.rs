//! LightGBM models trained by `tests/reference/trees_golden.py` predict what LightGBM predicted.

mod common;

use assay_model::{lightgbm, Decision, Link, MissingType};

#[test]
fn binary_matches_lightgbm() {
    let model = lightgbm::load(common::reference_dir().join("models/lgb_binary.txt")).unwrap();
    assert_eq!(model.objective.link, Link::Logistic { scale: 1.0 });
    assert_eq!(model.trees.len(), 30);
    assert_eq!(model.categorical_features, vec![8]);
    assert!(model
        .trees
        .iter()
        .any(|t| t.decision.contains(&Decision::CategoryInSetLeft)));
    assert!(model
        .trees
        .iter()
        .any(|t| t.missing.contains(&MissingType::NaN)));
    let root = &model.trees[0];
    let n = root.n_nodes();
    assert_eq!(
        root.count.as_ref().unwrap()[0],
        32561,
        "root internal_count is the training size"
    );
    assert_eq!(root.cover.as_ref().unwrap().len(), n);
    common::check(&model, "lgb_binary");
}

#[test]
fn zero_as_missing_regression_matches_lightgbm() {
    let model = lightgbm::load(common::reference_dir().join("models/lgb_regression.txt")).unwrap();
    assert_eq!(model.objective.link, Link::Identity);
    assert!(model
        .trees
        .iter()
        .any(|t| t.missing.contains(&MissingType::Zero)));
    common::check(&model, "lgb_regression");
}
