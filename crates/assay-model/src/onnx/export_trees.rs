//! ONNX export of a tree ensemble ([`TreeEnsemble`]) with numerical splits.
//!
//! The graph takes input `input` of shape `[N, n_features]` (the columns of
//! [`TreeEnsemble::predict`], NaN = missing) and uses the ONNX-ML operator
//! `TreeEnsembleRegressor` (domain `ai.onnx.ml`, version 3,
//! <https://onnx.ai/onnx/operators/onnx_aionnxml_TreeEnsembleRegressor.html>): one target,
//! `aggregate_function` `SUM`, `base_values` the ensemble's base score, one `nodes_*` entry per
//! node (node ids are the indices of [`Tree`], the root 0) and one `target_*` entry per leaf.
//! Its output `Y` (`float`, `[N, 1]`) is the margin.
//!
//! * Regression ([`Link::Identity`]): the margin is the output `prediction`, `[N, 1]`.
//! * Binary logistic ([`Link::Logistic`]): outputs `margin` and `probabilities` = `[1 − p, p]`,
//!   `[N, 2]`, with p = `Sigmoid(scale · margin)` (ONNX `Mul` when the scale is not 1, `Sigmoid`,
//!   `Sub`, `Concat` on axis 1; opset 17).
//!
//! Split rules:
//! * XGBoost ([`Decision::LessF32`]): mode `BRANCH_LT` on a `float` input with `float`
//!   thresholds, which is XGBoost's own comparison of `f32` values; NaN follows
//!   `default_left` through `nodes_missing_value_tracks_true`.
//! * LightGBM ([`Decision::LessEqual`]): mode `BRANCH_LEQ` on a `double` input with `double`
//!   thresholds, leaf values and base value (`nodes_values_as_tensor`,
//!   `target_weights_as_tensor`, `base_values_as_tensor`), LightGBM's `f64` comparison. A NaN
//!   goes to the default child for missing type NaN; for missing type None LightGBM compares 0.0
//!   instead, so it goes where zero goes (`0 <= threshold`). Missing type Zero (|x| <= 1e-35
//!   and NaN go to the default child) is exported when zero already goes that way by the
//!   threshold, or when the threshold is within ±1e-35 (then the node becomes `x <= 1e-35` or
//!   `x < −1e-35`); otherwise the node is refused.
//! * Categorical splits have no `TreeEnsembleRegressor` mode and are refused with
//!   [`ModelError::Export`] naming the tree and node.
//!
//! Precision: onnxruntime evaluates the operator's output in `float`, so the margin agrees with
//! [`TreeEnsemble::predict_margin`] to about 1e-7 relative (leaf values summed in another order,
//! or in `double` and rounded once), and the probabilities to about 1e-7 absolute; the golden
//! test checks 1e-5.

use std::path::Path;

use crate::error::ModelError;
use crate::tree::{Arithmetic, Decision, Link, MissingType, Tree, TreeEnsemble};

use super::proto::{GraphProto, DOUBLE, FLOAT};
use super::{
    attr_floats, attr_int, attr_ints, attr_string, attr_strings, attr_tensor, double_tensor,
    encode_model, float_tensor, node, value_info, write_bytes, ML_DOMAIN,
};

/// LightGBM's `kZeroThreshold`, a `float` literal promoted to `double`.
const ZERO: f64 = 1e-35f32 as f64;

/// Mode, `nodes_missing_value_tracks_true` and threshold of node `n` of tree `t`.
fn rule(tree: &Tree, t: usize, n: usize) -> Result<(&'static str, bool, f64), ModelError> {
    let refuse = |what: &str| ModelError::Export {
        message: format!(
            "tree {t}, node {n}: {what} cannot be written as an ONNX-ML TreeEnsembleRegressor node"
        ),
    };
    let th = tree.threshold[n];
    let dl = tree.default_left[n];
    match tree.decision[n] {
        Decision::LessF32 => Ok(("BRANCH_LT", dl, th)),
        Decision::LessEqual => match tree.missing[n] {
            MissingType::NaN => Ok(("BRANCH_LEQ", dl, th)),
            MissingType::None => Ok(("BRANCH_LEQ", 0.0 <= th, th)),
            // Zero as missing: x goes left iff `x <= th` when |x| > ZERO, else (and for NaN)
            // by `dl`. One comparison expresses that when zero goes by the threshold where
            // the default sends it, or when the threshold itself lies in [−ZERO, ZERO]: then
            // left iff x <= ZERO (default left) or x < −ZERO (default right).
            MissingType::Zero => {
                if (th >= ZERO && dl) || (th < -ZERO && !dl) {
                    Ok(("BRANCH_LEQ", dl, th))
                } else if (-ZERO..=ZERO).contains(&th) {
                    Ok(if dl {
                        ("BRANCH_LEQ", true, ZERO)
                    } else {
                        ("BRANCH_LT", false, -ZERO)
                    })
                } else {
                    Err(refuse(
                        "a LightGBM zero-as-missing split whose default direction differs from zero's",
                    ))
                }
            }
        },
        Decision::CategoryInSetLeft | Decision::CategoryInSetRight => {
            Err(refuse("a categorical split"))
        }
        Decision::Leaf => Ok(("LEAF", false, 0.0)),
    }
}

/// The `ai.onnx.ml` `TreeEnsembleRegressor` node (version 3) of ensemble `e`, reading `input`
/// (`[N, n_features]`, `double` for [`Arithmetic::F64`], `float` otherwise) and writing its
/// margin (`float`, `[N, 1]`) to `output`; validates the ensemble and refuses the splits the
/// operator cannot express (see [the module documentation](self)).
pub(crate) fn regressor_node(
    e: &TreeEnsemble,
    input: &str,
    output: &str,
) -> Result<super::proto::NodeProto, ModelError> {
    e.validate().map_err(|message| ModelError::Export {
        message: format!("invalid tree ensemble: {message}"),
    })?;
    let double = e.arithmetic == Arithmetic::F64;
    let mut tree_ids = Vec::new();
    let mut node_ids = Vec::new();
    let mut feature_ids = Vec::new();
    let mut modes = Vec::new();
    let mut values = Vec::new();
    let mut true_ids = Vec::new();
    let mut false_ids = Vec::new();
    let mut tracks = Vec::new();
    let mut target_trees = Vec::new();
    let mut target_nodes = Vec::new();
    let mut weights = Vec::new();
    for (t, tree) in e.trees.iter().enumerate() {
        for n in 0..tree.n_nodes() {
            let (mode, track, threshold) = rule(tree, t, n)?;
            tree_ids.push(t as i64);
            node_ids.push(n as i64);
            modes.push(mode);
            if tree.is_leaf(n) {
                feature_ids.push(0);
                values.push(0.0);
                true_ids.push(0);
                false_ids.push(0);
                tracks.push(0);
                target_trees.push(t as i64);
                target_nodes.push(n as i64);
                weights.push(tree.value[n]);
            } else {
                feature_ids.push(i64::from(tree.split_feature[n]));
                values.push(threshold);
                true_ids.push(i64::from(tree.left[n]));
                false_ids.push(i64::from(tree.right[n]));
                tracks.push(i64::from(track));
            }
        }
    }
    let n_leaves = weights.len();
    let mut attrs = vec![
        attr_string("aggregate_function", "SUM"),
        attr_int("n_targets", 1),
        attr_ints("nodes_falsenodeids", false_ids),
        attr_ints("nodes_featureids", feature_ids),
        attr_ints("nodes_missing_value_tracks_true", tracks),
        attr_strings("nodes_modes", modes),
        attr_ints("nodes_nodeids", node_ids),
        attr_ints("nodes_treeids", tree_ids),
        attr_ints("nodes_truenodeids", true_ids),
        attr_string("post_transform", "NONE"),
        attr_ints("target_ids", vec![0; n_leaves]),
        attr_ints("target_nodeids", target_nodes),
        attr_ints("target_treeids", target_trees),
    ];
    if double {
        attrs.push(attr_tensor(
            "base_values_as_tensor",
            double_tensor("", &[1], vec![e.base_score]),
        ));
        attrs.push(attr_tensor(
            "nodes_values_as_tensor",
            double_tensor("", &[values.len()], values),
        ));
        attrs.push(attr_tensor(
            "target_weights_as_tensor",
            double_tensor("", &[n_leaves], weights),
        ));
    } else {
        attrs.push(attr_floats("base_values", vec![e.base_score as f32]));
        attrs.push(attr_floats(
            "nodes_values",
            values.iter().map(|&v| v as f32).collect(),
        ));
        attrs.push(attr_floats(
            "target_weights",
            weights.iter().map(|&v| v as f32).collect(),
        ));
    }
    attrs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(node(
        "TreeEnsembleRegressor",
        ML_DOMAIN,
        &[input],
        &[output],
        attrs,
    ))
}

fn export(e: &TreeEnsemble) -> Result<Vec<u8>, ModelError> {
    let double = e.arithmetic == Arithmetic::F64;
    let input_type = if double { DOUBLE } else { FLOAT };
    let mut initializer = Vec::new();
    let (margin_name, outputs) = match e.objective.link {
        Link::Identity => (
            "prediction",
            vec![value_info("prediction", FLOAT, &[None, Some(1)])],
        ),
        Link::Logistic { .. } => (
            "margin",
            vec![
                value_info("probabilities", FLOAT, &[None, Some(2)]),
                value_info("margin", FLOAT, &[None, Some(1)]),
            ],
        ),
    };
    let mut nodes = vec![regressor_node(e, "input", margin_name)?];
    if let Link::Logistic { scale } = e.objective.link {
        let mut z = "margin";
        if scale != 1.0 {
            initializer.push(float_tensor("scale", &[1], vec![scale as f32]));
            nodes.push(node("Mul", "", &["margin", "scale"], &["scaled"], vec![]));
            z = "scaled";
        }
        initializer.push(float_tensor("one", &[1], vec![1.0]));
        nodes.push(node("Sigmoid", "", &[z], &["p1"], vec![]));
        nodes.push(node("Sub", "", &["one", "p1"], &["p0"], vec![]));
        nodes.push(node(
            "Concat",
            "",
            &["p0", "p1"],
            &["probabilities"],
            vec![attr_int("axis", 1)],
        ));
    }
    let graph = GraphProto {
        node: nodes,
        name: Some("assay_trees".to_string()),
        initializer,
        doc_string: None,
        input: vec![value_info("input", input_type, &[None, Some(e.n_features)])],
        output: outputs,
    };
    let mut metadata = vec![("objective".to_string(), e.objective.name.clone())];
    if let Some(names) = &e.feature_names {
        metadata.push((
            "feature_names".to_string(),
            serde_json::to_string(names).unwrap_or_default(),
        ));
    }
    Ok(encode_model(
        graph,
        true,
        "Tree ensemble exported by assay: ONNX-ML TreeEnsembleRegressor margin, then the \
         objective's inverse link.",
        metadata,
    ))
}

impl TreeEnsemble {
    /// The ensemble as an ONNX file (see [the module documentation](self): ONNX-ML
    /// `TreeEnsembleRegressor` version 3, then `Sigmoid` for binary logistic models). An
    /// [`ModelError::Export`] error for categorical splits and for LightGBM zero-as-missing
    /// splits that the operator cannot express. The bytes depend only on the model.
    pub fn to_onnx_bytes(&self) -> Result<Vec<u8>, ModelError> {
        export(self)
    }

    /// Writes [`TreeEnsemble::to_onnx_bytes`] to `path`.
    pub fn save_onnx(&self, path: &Path) -> Result<(), ModelError> {
        write_bytes(path, &self.to_onnx_bytes()?)
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::onnx::proto::ModelProto;

    fn stump(decision: Decision, missing: MissingType, default_left: bool, t: f64) -> TreeEnsemble {
        crate::tree::stump_ensemble(decision, missing, default_left, t, Arithmetic::F64)
    }

    /// Mode, missing-value flag and threshold of node 0, read back from the encoded model.
    fn root_rule(bytes: &[u8]) -> (String, bool, f64) {
        let model = ModelProto::decode(bytes).unwrap();
        let node = &model.graph.unwrap().node[0];
        let get = |name: &str| {
            node.attribute
                .iter()
                .find(|a| a.name.as_deref() == Some(name))
                .unwrap()
                .clone()
        };
        let mode = String::from_utf8(get("nodes_modes").strings[0].clone()).unwrap();
        let th = get("nodes_values_as_tensor").t.unwrap().double_data[0];
        (
            mode,
            get("nodes_missing_value_tracks_true").ints[0] == 1,
            th,
        )
    }

    /// Every exported LightGBM rule routes like LightGBM under the operator's semantics (NaN to
    /// the true branch iff the flag is set); only zero-as-missing splits whose default direction
    /// differs from zero's (away from a threshold within ±1e-35) are refused.
    #[test]
    fn lightgbm_rules_route_like_lightgbm() {
        let xs = [
            f64::NAN,
            -1.0,
            -2e-35,
            -ZERO,
            -1e-36,
            0.0,
            1e-36,
            ZERO,
            2e-35,
            0.1,
            0.5,
            1.0,
        ];
        let mut refused = 0;
        for missing in [MissingType::None, MissingType::Zero, MissingType::NaN] {
            for default_left in [false, true] {
                for t in [-1.0, -ZERO, -1e-36, 0.0, 1e-36, ZERO, 0.5] {
                    let model = stump(Decision::LessEqual, missing, default_left, t);
                    let bytes = match model.to_onnx_bytes() {
                        Ok(b) => b,
                        Err(ModelError::Export { message }) => {
                            assert_eq!(missing, MissingType::Zero, "{message}");
                            refused += 1;
                            continue;
                        }
                        Err(e) => panic!("{e}"),
                    };
                    let (mode, tracks, th) = root_rule(&bytes);
                    for x in xs {
                        let onnx_left = match mode.as_str() {
                            _ if x.is_nan() => tracks,
                            "BRANCH_LEQ" => x <= th,
                            "BRANCH_LT" => x < th,
                            other => panic!("mode {other}"),
                        };
                        let left = model.trees[0].next_node(0, x) == 1;
                        assert_eq!(onnx_left, left, "{missing:?} {default_left} t {t} x {x}");
                    }
                }
            }
        }
        assert_eq!(refused, 2);
    }

    #[test]
    fn categorical_split_is_refused() {
        let mut model = stump(Decision::CategoryInSetLeft, MissingType::None, false, 0.0);
        model.trees[0].category_set[0] = Some(0);
        model.trees[0].category_sets.push(Default::default());
        let err = model.to_onnx_bytes().unwrap_err().to_string();
        assert!(err.contains("tree 0, node 0: a categorical split"), "{err}");
    }
}
