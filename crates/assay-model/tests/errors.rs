//! Loading errors name the file and what was found; prediction checks the input shape; small
//! hand-written LightGBM models (single-leaf trees) load.

use std::path::PathBuf;

use assay_model::{lightgbm, xgboost, ModelError};

fn model_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference/models")
        .join(name)
}

fn xgb_text() -> String {
    std::fs::read_to_string(model_path("xgb_binary.json")).unwrap()
}

fn lgb_text() -> String {
    std::fs::read_to_string(model_path("lgb_binary.txt")).unwrap()
}

#[test]
fn xgboost_unsupported_objective_and_multiclass_are_named() {
    let text = xgb_text().replace("\"binary:logistic\"", "\"rank:pairwise\"");
    let err = xgboost::parse(&text, "m.json").unwrap_err();
    assert!(matches!(err, ModelError::Unsupported { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "m.json: unsupported model: objective \"rank:pairwise\""
    );

    let text = xgb_text().replace("\"num_class\":\"0\"", "\"num_class\":\"3\"");
    let err = xgboost::parse(&text, "m.json").unwrap_err();
    assert!(
        err.to_string()
            .contains("multi-class model (num_class = 3)"),
        "{err}"
    );
}

#[test]
fn xgboost_inconsistent_tree_and_bad_json_are_errors() {
    let text = xgb_text().replacen("\"left_children\":[1,", "\"left_children\":[", 1);
    let err = xgboost::parse(&text, "m.json").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("m.json: invalid model: tree 0: left_children has"),
        "{err}"
    );
    let err = xgboost::parse("{\"learner\": 3}", "m.json").unwrap_err();
    assert!(matches!(err, ModelError::Json { .. }), "{err}");
    let err = xgboost::load("/nonexistent/m.json").unwrap_err();
    assert!(err.to_string().contains("/nonexistent/m.json"), "{err}");
}

#[test]
fn lightgbm_errors_name_file_and_line() {
    let text = lgb_text();
    let cut = text.find("Tree=3").unwrap();
    let err = lightgbm::parse(&text[..cut], "m.txt").unwrap_err();
    assert!(
        err.to_string()
            .contains("file ends before \"end of trees\""),
        "{err}"
    );

    let text = lgb_text().replace(
        "objective=binary sigmoid:1",
        "objective=multiclass num_class:3",
    );
    let err = lightgbm::parse(&text, "m.txt").unwrap_err();
    assert_eq!(
        err.to_string(),
        "m.txt: line 7: unsupported objective \"multiclass num_class:3\" (binary and regression are supported)"
    );

    let text = lgb_text().replacen("threshold=0 ", "threshold=x ", 1);
    let line = text
        .lines()
        .position(|l| l.starts_with("threshold=x"))
        .unwrap()
        + 1;
    let err = lightgbm::parse(&text, "m.txt").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("m.txt: line {line}: tree 0: threshold: \"x\" is not a valid number")
    );

    let err = lightgbm::parse("{}", "m.txt").unwrap_err();
    assert!(err.to_string().contains("expected \"tree\""), "{err}");
}

/// A regression model with a single-leaf tree (no splits) and a stump with missing type Zero.
const TINY: &str = "tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=1
objective=regression
feature_names=a b
feature_infos=[0:1] [0:1]
tree_sizes=1 1

Tree=0
num_leaves=1
num_cat=0
split_feature=
split_gain=
threshold=
decision_type=
left_child=
right_child=
leaf_value=0.25
leaf_weight=
leaf_count=
internal_value=
internal_weight=
internal_count=
is_linear=0
shrinkage=1


Tree=1
num_leaves=2
num_cat=0
split_feature=1
split_gain=3.5
threshold=0.5
decision_type=6
left_child=-1
right_child=-2
leaf_value=-1 1
leaf_weight=4 6
leaf_count=4 6
internal_value=0
internal_weight=10
internal_count=10
is_linear=0
shrinkage=0.1


end of trees
";

#[test]
fn lightgbm_single_leaf_tree_and_shape_checks() {
    let model = lightgbm::parse(TINY, "tiny.txt").unwrap();
    assert_eq!(model.trees[0].n_nodes(), 1);
    assert_eq!(model.trees[0].cover, None);
    assert_eq!(model.trees[1].count, Some(vec![10, 4, 6]));
    assert_eq!(model.trees[1].shrinkage, Some(0.1));
    let nan = f64::NAN;
    // Feature b: missing type Zero, default left; 0 and NaN are missing.
    let x = [0.0, 0.2, 0.0, 0.9, 0.0, 0.0, 0.0, nan];
    let margin = model.predict_margin(&x, 2).unwrap();
    assert_eq!(margin, vec![-0.75, 1.25, -0.75, -0.75]);
    assert_eq!(model.predict(&x, 2).unwrap(), margin, "identity link");

    assert!(matches!(
        model.predict(&x, 3),
        Err(ModelError::ColumnCount {
            expected: 2,
            found: 3
        })
    ));
    assert!(matches!(
        model.predict(&x[..3], 2),
        Err(ModelError::Ragged { len: 3, n_cols: 2 })
    ));
    let mut out = [0.0; 3];
    let err = model.predict_into(&x, 2, &mut out, false).unwrap_err();
    assert!(matches!(
        err,
        ModelError::OutputLength {
            expected: 4,
            found: 3
        }
    ));
}
