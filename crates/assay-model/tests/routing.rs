//! Missing-value routing and categorical splits of single-split trees, case by case against
//! XGBoost's `GetNextNode` / `common::Decision` and LightGBM's `NumericalDecision` /
//! `CategoricalDecision`.

use assay_model::{CategorySet, Decision, MissingType, Tree};

const LEFT: usize = 1;
const RIGHT: usize = 2;

/// A stump on feature 0: node 0 splits, node 1 is the left leaf, node 2 the right leaf.
fn stump(
    decision: Decision,
    threshold: f64,
    default_left: bool,
    missing: MissingType,
    set: Option<&[u32]>,
) -> Tree {
    let leaf = [Decision::Leaf, Decision::Leaf];
    let tree = Tree {
        left: vec![1, -1, -1],
        right: vec![2, -1, -1],
        split_feature: vec![0; 3],
        threshold: vec![threshold, 0.0, 0.0],
        default_left: vec![default_left, false, false],
        missing: vec![missing, MissingType::None, MissingType::None],
        decision: [&[decision][..], &leaf].concat(),
        category_set: vec![set.map(|_| 0), None, None],
        category_sets: set.map(CategorySet::from_categories).into_iter().collect(),
        value: vec![0.0, -1.0, 1.0],
        cover: None,
        count: None,
        gain: vec![1.0, 0.0, 0.0],
        shrinkage: None,
    };
    tree.validate(1).unwrap();
    tree
}

#[test]
fn xgboost_numerical_compares_in_f32_and_sends_nan_to_default() {
    let t = stump(
        Decision::LessF32,
        0.1f32 as f64,
        true,
        MissingType::NaN,
        None,
    );
    assert_eq!(t.leaf(&[0.05]), LEFT);
    // 0.1 < 0.1f32 in f64, but XGBoost compares 0.1f32 < 0.1f32: right.
    assert!(0.1 < 0.1f32 as f64);
    assert_eq!(t.leaf(&[0.1]), RIGHT);
    assert_eq!(t.leaf(&[f64::NAN]), LEFT);
    assert_eq!(t.leaf(&[f64::INFINITY]), RIGHT);
    let t = stump(Decision::LessF32, 0.5, false, MissingType::NaN, None);
    assert_eq!(t.leaf(&[f64::NAN]), RIGHT);
    assert_eq!(
        t.leaf(&[0.0]),
        LEFT,
        "zero is an ordinary value for XGBoost"
    );
}

#[test]
fn lightgbm_missing_none_treats_nan_as_zero() {
    // default_left is ignored for missing type None.
    let t = stump(Decision::LessEqual, 0.5, false, MissingType::None, None);
    assert_eq!(t.leaf(&[f64::NAN]), LEFT);
    assert_eq!(t.leaf(&[0.5]), LEFT, "<= goes left");
    assert_eq!(t.leaf(&[0.5000001]), RIGHT);
    let t = stump(Decision::LessEqual, -1.0, true, MissingType::None, None);
    assert_eq!(t.leaf(&[f64::NAN]), RIGHT);
}

#[test]
fn lightgbm_missing_zero_sends_zero_and_nan_to_default() {
    let t = stump(Decision::LessEqual, 10.0, false, MissingType::Zero, None);
    assert_eq!(t.leaf(&[0.0]), RIGHT);
    assert_eq!(t.leaf(&[-0.0]), RIGHT);
    assert_eq!(t.leaf(&[f64::NAN]), RIGHT);
    assert_eq!(
        t.leaf(&[1e-36]),
        RIGHT,
        "|x| <= kZeroThreshold (1e-35f) is zero"
    );
    assert_eq!(t.leaf(&[1e-30]), LEFT);
    assert_eq!(t.leaf(&[5.0]), LEFT);
    let t = stump(Decision::LessEqual, -10.0, true, MissingType::Zero, None);
    assert_eq!(t.leaf(&[0.0]), LEFT);
    assert_eq!(t.leaf(&[f64::NAN]), LEFT);
    assert_eq!(t.leaf(&[1.0]), RIGHT);
}

#[test]
fn lightgbm_missing_nan_sends_only_nan_to_default() {
    let t = stump(Decision::LessEqual, 10.0, false, MissingType::NaN, None);
    assert_eq!(t.leaf(&[f64::NAN]), RIGHT);
    assert_eq!(t.leaf(&[0.0]), LEFT);
    let t = stump(Decision::LessEqual, -10.0, true, MissingType::NaN, None);
    assert_eq!(t.leaf(&[f64::NAN]), LEFT);
    assert_eq!(t.leaf(&[0.0]), RIGHT);
}

#[test]
fn lightgbm_categorical_bitset_goes_left_and_nan_right() {
    // Categories 1 and 33: two bitset words.
    let t = stump(
        Decision::CategoryInSetLeft,
        0.0,
        true,
        MissingType::NaN,
        Some(&[1, 33]),
    );
    assert_eq!(t.category_sets[0].words, vec![2, 2]);
    assert_eq!(t.leaf(&[1.0]), LEFT);
    assert_eq!(t.leaf(&[33.0]), LEFT);
    assert_eq!(t.leaf(&[1.7]), LEFT, "truncated toward zero");
    assert_eq!(t.leaf(&[2.0]), RIGHT);
    assert_eq!(t.leaf(&[0.0]), RIGHT);
    assert_eq!(t.leaf(&[64.0]), RIGHT, "past the bitset");
    assert_eq!(t.leaf(&[-1.0]), RIGHT);
    assert_eq!(t.leaf(&[1e12]), RIGHT);
    assert_eq!(
        t.leaf(&[f64::NAN]),
        RIGHT,
        "NaN goes right even with default_left"
    );
    let t = stump(
        Decision::CategoryInSetLeft,
        0.0,
        false,
        MissingType::None,
        Some(&[0]),
    );
    assert_eq!(
        t.leaf(&[-0.5]),
        LEFT,
        "static_cast<int>(-0.5) is category 0"
    );
    assert_eq!(t.leaf(&[f64::NAN]), RIGHT);
}

#[test]
fn xgboost_categorical_set_goes_right_and_invalid_left() {
    let t = stump(
        Decision::CategoryInSetRight,
        0.0,
        false,
        MissingType::NaN,
        Some(&[1, 2]),
    );
    assert_eq!(t.leaf(&[1.0]), RIGHT);
    assert_eq!(t.leaf(&[2.9]), RIGHT);
    assert_eq!(t.leaf(&[0.0]), LEFT);
    assert_eq!(t.leaf(&[3.0]), LEFT);
    assert_eq!(t.leaf(&[100.0]), LEFT, "past the bit field");
    assert_eq!(t.leaf(&[-1.0]), LEFT, "negative is an invalid category");
    assert_eq!(t.leaf(&[f64::NAN]), RIGHT, "NaN goes to the default child");
    let t = stump(
        Decision::CategoryInSetRight,
        0.0,
        true,
        MissingType::NaN,
        Some(&[1, 2]),
    );
    assert_eq!(t.leaf(&[f64::NAN]), LEFT);
}

#[test]
fn category_set_round_trips() {
    let s = CategorySet::from_categories(&[0, 5, 31, 32, 95]);
    assert_eq!(s.categories(), vec![0, 5, 31, 32, 95]);
    assert_eq!(s.span(), 96);
    assert!(s.contains(95) && !s.contains(96) && !s.contains(1000));
}

#[test]
fn validate_rejects_cycles_and_missing_sets() {
    let mut t = stump(Decision::LessEqual, 0.0, false, MissingType::None, None);
    t.left[0] = 0;
    assert!(t.validate(1).unwrap_err().contains("reached twice"));
    let mut t = stump(Decision::LessEqual, 0.0, false, MissingType::None, None);
    t.decision[0] = Decision::CategoryInSetLeft;
    assert!(t.validate(1).unwrap_err().contains("no category set"));
    let t = stump(Decision::LessEqual, 0.0, false, MissingType::None, None);
    assert!(t.validate(0).unwrap_err().contains("feature 0"));
}
