//! Import of an ONNX-ML `TreeEnsembleClassifier` / `TreeEnsembleRegressor` node as a
//! [`TreeEnsemble`], so that TreeSHAP can run on models exported by skl2onnx (scikit-learn
//! RandomForest, ExtraTrees, GradientBoosting, DecisionTree, ...) or by assay's own exporter.
//!
//! # Which graphs
//!
//! The graph must hold exactly one tree-ensemble node reading a graph input directly (no
//! preprocessing in front of it). What it yields:
//! * a **binary classifier** (two class labels): the score onnxruntime reports for the second
//!   class. Supported layouts (those of skl2onnx and onnxmltools): all weights on class 0 with
//!   at most one base value (onnxruntime's "binary case": the summed weight `s` plus the base
//!   value is the positive score, `[1 − s, s]` without transform, `[σ(−s), σ(s)]` with
//!   `LOGISTIC`), or all weights on class 1 without base values (`NONE`, `LOGISTIC`, or
//!   `SOFTMAX`, which on `[0, s]` is `σ(s)`). Other layouts (weights on both classes, two base
//!   values, `SOFTMAX_ZERO`, `PROBIT`, `AVERAGE`/`MIN`/`MAX` aggregation in a classifier) are
//!   refused with an error naming them. Multiclass ensembles are refused.
//! * a **regressor** with one target, `post_transform` `NONE`, `SUM` or `AVERAGE` aggregation
//!   (averaging is represented by dividing every leaf by the number of trees) and at most one
//!   base value. When a `Sigmoid` node reads the regressor's output (assay's export of a binary
//!   logistic ensemble) the link is logistic, otherwise identity.
//!
//! The margin is `base_values[0]` plus the sum of the leaves' weights (`f64`,
//! [`Arithmetic::F64`]); the link is [`Link::Logistic`] (scale 1) for `LOGISTIC`/`SOFTMAX` and
//! [`Link::Identity`] otherwise. skl2onnx's RandomForestClassifier already divides each leaf's
//! class-1 probability by the number of trees and aggregates with `SUM`, so the margin is the
//! forest's averaged probability (identity link); GradientBoostingClassifier gives the log-odds
//! margin (`base_values` = the initial log-odds) with a logistic link.
//!
//! # Splits
//!
//! onnxruntime compares the input, in the input's element type, with the node's threshold:
//! `x <= t`, `x < t`, `x >= t`, `x > t` (`BRANCH_LEQ`, `LT`, `GTE`, `GT`), the true branch
//! taken when the comparison holds or when `x` is NaN and `nodes_missing_value_tracks_true` is
//! set. These are expressed exactly with the existing [`Decision`] rules, the true branch being
//! the left child for `LEQ`/`LT` and the right child for `GTE`/`GT`:
//! * `float` input: [`Decision::LessF32`] (`(x as f32) < threshold`, NaN to the default
//!   child). `LT` keeps `t`; `LEQ` stores the next `f32` above `t`, because for `f32` values
//!   `x <= t ⇔ x < next_up(t)`; `GTE`/`GT` are the negations of `LT`/`LEQ`.
//! * `double` input: [`Decision::LessEqual`] with [`MissingType::NaN`] (`x <= threshold` in
//!   `f64`, NaN to the default child). `LEQ` keeps `t`; `LT` stores the next `f64` below `t`.
//!
//! So the stored threshold of a `LEQ` node on a `float` input is one `f32` step above the
//! ONNX value (of a `LT` node on a `double` input, one `f64` step below); the routing of every
//! value, NaN and infinities included, is onnxruntime's. `BRANCH_EQ`/`NEQ` and non-finite
//! thresholds are refused. A row fed as `f64` is rounded to `f32` before a `float` comparison,
//! exactly as casting the row to `float` for onnxruntime does.
//!
//! # Covers
//!
//! ONNX stores no node statistics, so the trees come without [`Tree::cover`]. Path-dependent
//! TreeSHAP weighs children by their cover and needs them; interventional TreeSHAP does not.
//! [`with_covers`] attaches them (for scikit-learn, `tree_.weighted_n_node_samples`; see
//! `tests/reference/sklearn_trees_golden.py`, which writes them next to the model in the JSON
//! read by [`load_covers`]). Node `i` of a converted tree is the ONNX node with
//! `nodes_nodeids == i` whenever the tree's ids are `0..n` with the root (the tree's first node
//! in attribute order, onnxruntime's rule) at 0 and every node is reached from the root, which
//! is how skl2onnx and assay write them; other trees are renumbered in depth-first order from the root. [`with_covers`] checks that
//! every internal node's cover equals the sum of its children's (to 1e-9 relative), which a
//! misaligned cover vector fails.
//!
//! The [`Source`] is recorded as [`Source::Onnx`] with the graph's producer and version.

use std::collections::HashMap;
use std::path::Path;

use prost::Message;
use tract_onnx::pb;

use crate::error::ModelError;
use crate::onnx::tree_structure::{self, NodeMode};
use crate::tree::{Arithmetic, Decision, Link, MissingType, Objective, Source, Tree, TreeEnsemble};

fn invalid(path: &str, message: impl Into<String>) -> ModelError {
    ModelError::Invalid {
        path: path.to_string(),
        message: message.into(),
    }
}

fn unsupported(path: &str, message: impl Into<String>) -> ModelError {
    ModelError::Unsupported {
        path: path.to_string(),
        message: message.into(),
    }
}

/// Reads the ONNX file at `path` and converts its tree-ensemble node (see the
/// [module documentation](self) for what is accepted and how it is represented).
pub fn tree_ensemble_from_onnx(path: impl AsRef<Path>) -> Result<TreeEnsemble, ModelError> {
    let path = path.as_ref();
    let p = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ModelError::Io {
        path: p.clone(),
        source,
    })?;
    let proto = pb::ModelProto::decode(bytes.as_slice())
        .map_err(|e| invalid(&p, format!("not an ONNX model (protobuf error: {e})")))?;
    tree_ensemble_from_proto(&proto, &p)
}

/// [`tree_ensemble_from_onnx`] on a decoded model; `name` labels errors.
pub fn tree_ensemble_from_proto(
    proto: &pb::ModelProto,
    name: &str,
) -> Result<TreeEnsemble, ModelError> {
    let p = name;
    let graph = proto
        .graph
        .as_ref()
        .ok_or_else(|| invalid(p, "the ONNX model has no graph"))?;
    let ensembles: Vec<&pb::NodeProto> = graph
        .node
        .iter()
        .filter(|n| n.op_type == "TreeEnsembleClassifier" || n.op_type == "TreeEnsembleRegressor")
        .collect();
    let node = match ensembles.as_slice() {
        [] => {
            let ops: Vec<&str> = graph.node.iter().map(|n| n.op_type.as_str()).collect();
            return Err(unsupported(
                p,
                format!(
                    "the graph has no TreeEnsembleClassifier or TreeEnsembleRegressor node (operators: {})",
                    ops.join(", ")
                ),
            ));
        }
        [n] => *n,
        more => {
            return Err(unsupported(
                p,
                format!(
                    "the graph has {} tree-ensemble nodes; exactly one is converted",
                    more.len()
                ),
            ))
        }
    };
    let classifier = node.op_type == "TreeEnsembleClassifier";
    let input_name = node
        .input
        .first()
        .ok_or_else(|| invalid(p, "the tree-ensemble node has no input"))?;
    let input = graph
        .input
        .iter()
        .find(|i| &i.name == input_name)
        .ok_or_else(|| {
            unsupported(
                p,
                format!(
                    "the tree-ensemble node reads '{input_name}', which is not a graph input (preprocessing in front of the ensemble is not converted)"
                ),
            )
        })?;
    use pb::type_proto::Value;
    let Some(Value::TensorType(tt)) = input.r#type.as_ref().and_then(|t| t.value.as_ref()) else {
        return Err(unsupported(
            p,
            format!("input '{input_name}' is not a tensor"),
        ));
    };
    let double = match tt.elem_type {
        1 => false,
        11 => true,
        t => {
            return Err(unsupported(
                p,
                format!(
                "input '{input_name}' has element type {t}; float (1) or double (11) is converted"
            ),
            ))
        }
    };
    let width = tt
        .shape
        .as_ref()
        .and_then(|s| s.dim.get(1))
        .and_then(|d| match d.value {
            Some(pb::tensor_shape_proto::dimension::Value::DimValue(v)) if v > 0 => {
                Some(v as usize)
            }
            _ => None,
        });

    let attrs: HashMap<&str, &pb::AttributeProto> = node
        .attribute
        .iter()
        .map(|a| (a.name.as_str(), a))
        .collect();
    let ints = |a: &str| -> Vec<i64> { attrs.get(a).map(|x| x.ints.clone()).unwrap_or_default() };
    let string = |a: &str, default: &str| -> String {
        attrs
            .get(a)
            .map(|x| String::from_utf8_lossy(&x.s).into_owned())
            .unwrap_or_else(|| default.to_string())
    };
    let f64s = |plain: &str, tensor: &str| -> Result<Vec<f64>, ModelError> {
        if let Some(a) = attrs.get(tensor) {
            let t =
                a.t.as_ref()
                    .ok_or_else(|| invalid(p, format!("attribute {tensor} has no tensor")))?;
            return Ok(if !t.double_data.is_empty() {
                t.double_data.clone()
            } else if !t.float_data.is_empty() {
                t.float_data.iter().map(|&v| f64::from(v)).collect()
            } else if t.data_type == 11 {
                t.raw_data
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                    .collect()
            } else if t.data_type == 1 {
                t.raw_data
                    .chunks_exact(4)
                    .map(|b| f64::from(f32::from_le_bytes(b.try_into().expect("4 bytes"))))
                    .collect()
            } else {
                return Err(invalid(
                    p,
                    format!("attribute {tensor} is not a float or double tensor"),
                ));
            });
        }
        Ok(attrs
            .get(plain)
            .map(|x| x.floats.iter().map(|&v| f64::from(v)).collect())
            .unwrap_or_default())
    };

    let structure = tree_structure::check(node).map_err(|e| invalid(p, e))?;
    let n = structure.modes.len();
    let tree_ids = ints("nodes_treeids");
    let node_ids = ints("nodes_nodeids");
    let features = ints("nodes_featureids");
    let tracks = ints("nodes_missing_value_tracks_true");
    let values = f64s("nodes_values", "nodes_values_as_tensor")?;
    for (what, len) in [
        ("nodes_featureids", features.len()),
        ("nodes_values", values.len()),
    ] {
        if len != n {
            return Err(invalid(
                p,
                format!("{what} has {len} entries but nodes_treeids has {n}"),
            ));
        }
    }
    if !tracks.is_empty() && tracks.len() != n {
        return Err(invalid(
            p,
            format!(
                "nodes_missing_value_tracks_true has {} entries for {n} nodes",
                tracks.len()
            ),
        ));
    }
    let index = &structure.index;

    // Weights.
    let prefix = if classifier { "class" } else { "target" };
    let w_tree = ints(&format!("{prefix}_treeids"));
    let w_node = ints(&format!("{prefix}_nodeids"));
    let w_id = ints(&format!("{prefix}_ids"));
    let w_value = f64s(
        &format!("{prefix}_weights"),
        &format!("{prefix}_weights_as_tensor"),
    )?;
    if w_tree.len() != w_node.len() || w_node.len() != w_id.len() || w_id.len() != w_value.len() {
        return Err(invalid(
            p,
            format!("the {prefix}_* attributes differ in length"),
        ));
    }
    let base_values = f64s("base_values", "base_values_as_tensor")?;
    let post = string("post_transform", "NONE");
    let aggregate = string("aggregate_function", "SUM");
    let mut classes: Vec<i64> = w_id.clone();
    classes.sort_unstable();
    classes.dedup();
    let n_trees = structure.trees.len();

    let (leaf_scale, link, base_score) = if classifier {
        let n_labels = attrs
            .get("classlabels_int64s")
            .map(|a| a.ints.len())
            .filter(|&k| k > 0)
            .or_else(|| attrs.get("classlabels_strings").map(|a| a.strings.len()))
            .unwrap_or(0);
        if n_labels != 2 {
            return Err(unsupported(
                p,
                format!(
                    "TreeEnsembleClassifier with {n_labels} class labels; only binary classifiers (2 labels) convert to a single-output tree ensemble"
                ),
            ));
        }
        if aggregate != "SUM" {
            return Err(unsupported(
                p,
                format!("TreeEnsembleClassifier with aggregate_function {aggregate}; only SUM is converted"),
            ));
        }
        match classes.as_slice() {
            [0] => {
                if base_values.len() > 1 {
                    return Err(unsupported(
                        p,
                        format!("binary TreeEnsembleClassifier with weights on class 0 and {} base values (onnxruntime then ignores the trees' sum for class 1)", base_values.len()),
                    ));
                }
                let link = match post.as_str() {
                    "NONE" => Link::Identity,
                    "LOGISTIC" => Link::Logistic { scale: 1.0 },
                    other => {
                        return Err(unsupported(
                            p,
                            format!("binary TreeEnsembleClassifier with weights on class 0 and post_transform {other}; NONE and LOGISTIC are converted"),
                        ))
                    }
                };
                (1.0, link, base_values.first().copied().unwrap_or(0.0))
            }
            [1] => {
                if !base_values.is_empty() {
                    return Err(unsupported(
                        p,
                        "binary TreeEnsembleClassifier with weights on class 1 and base values",
                    ));
                }
                let link = match post.as_str() {
                    "NONE" => Link::Identity,
                    "LOGISTIC" | "SOFTMAX" => Link::Logistic { scale: 1.0 },
                    other => {
                        return Err(unsupported(
                            p,
                            format!("binary TreeEnsembleClassifier with weights on class 1 and post_transform {other}; NONE, LOGISTIC and SOFTMAX are converted"),
                        ))
                    }
                };
                (1.0, link, 0.0)
            }
            other => {
                return Err(unsupported(
                    p,
                    format!(
                        "binary TreeEnsembleClassifier with weights on classes {other:?}; weights on one class are converted"
                    ),
                ))
            }
        }
    } else {
        let k = attrs.get("n_targets").map(|a| a.i).unwrap_or(1);
        if k != 1 || classes.iter().any(|&c| c != 0) {
            return Err(unsupported(
                p,
                format!("TreeEnsembleRegressor with {k} targets; one target is converted"),
            ));
        }
        if post != "NONE" {
            return Err(unsupported(
                p,
                format!("TreeEnsembleRegressor with post_transform {post}; NONE is converted"),
            ));
        }
        if base_values.len() > 1 {
            return Err(unsupported(
                p,
                format!(
                    "TreeEnsembleRegressor with {} base values for one target",
                    base_values.len()
                ),
            ));
        }
        let scale = match aggregate.as_str() {
            "SUM" => 1.0,
            "AVERAGE" => 1.0 / n_trees as f64,
            other => {
                return Err(unsupported(
                    p,
                    format!("TreeEnsembleRegressor with aggregate_function {other}; SUM and AVERAGE are converted"),
                ))
            }
        };
        let out = &node.output[0];
        let sigmoid = graph
            .node
            .iter()
            .any(|m| m.op_type == "Sigmoid" && m.input.iter().any(|i| i == out));
        let link = if sigmoid {
            Link::Logistic { scale: 1.0 }
        } else {
            Link::Identity
        };
        (scale, link, base_values.first().copied().unwrap_or(0.0))
    };

    // Per-node weight (sum of its entries); only leaves' weights are read, as onnxruntime.
    let mut weight = vec![0.0f64; n];
    for j in 0..w_tree.len() {
        let i = *index.get(&(w_tree[j], w_node[j])).ok_or_else(|| {
            invalid(
                p,
                format!(
                    "a weight names tree {} node {}, which does not exist",
                    w_tree[j], w_node[j]
                ),
            )
        })?;
        weight[i] += w_value[j];
    }

    let mut trees = Vec::with_capacity(n_trees);
    let mut max_feature = 0usize;
    for tree_nodes in &structure.trees {
        let t = tree_nodes.id;
        let root = tree_nodes.root;
        let reached = &tree_nodes.reached;
        // The tree's nodes are consecutive from its root (checked by `tree_structure`).
        let n_members = tree_ids[root..].iter().take_while(|&&id| id == t).count();
        // Local numbering: the ONNX node id when every node is reached and the ids are
        // 0..len with the root at 0; otherwise depth-first order from the root.
        let dense = node_ids[root] == 0 && reached.len() == n_members && {
            let mut seen = vec![false; n_members];
            reached.iter().all(|&i| {
                let id = node_ids[i];
                id >= 0
                    && (id as usize) < n_members
                    && !std::mem::replace(&mut seen[id as usize], true)
            })
        };
        // Global index -> local index.
        let local: HashMap<usize, usize> = if dense {
            reached.iter().map(|&i| (i, node_ids[i] as usize)).collect()
        } else {
            reached.iter().enumerate().map(|(k, &i)| (i, k)).collect()
        };
        let m = reached.len();
        let mut tree = Tree {
            left: vec![-1; m],
            right: vec![-1; m],
            split_feature: vec![0; m],
            threshold: vec![0.0; m],
            default_left: vec![false; m],
            missing: vec![MissingType::None; m],
            decision: vec![Decision::Leaf; m],
            category_set: vec![None; m],
            category_sets: vec![],
            value: vec![0.0; m],
            cover: None,
            count: None,
            gain: vec![0.0; m],
            shrinkage: None,
        };
        for &i in reached {
            let k = local[&i];
            let at = || format!("tree {t} node {}", node_ids[i]);
            let mode = structure.modes[i];
            if mode == NodeMode::Leaf {
                tree.value[k] = weight[i] * leaf_scale;
                continue;
            }
            let th = values[i];
            if !th.is_finite() {
                return Err(unsupported(
                    p,
                    format!("{}: threshold {th} is not finite", at()),
                ));
            }
            let (true_child, false_child) = structure.children[i];
            let tt = local[&true_child] as i32;
            let ff = local[&false_child] as i32;
            let nan_true = tracks.get(i).copied().unwrap_or(0) == 1;
            // (true branch is left, threshold of the `<` / `<=` rule)
            let (true_left, stored) = match (mode, double) {
                (NodeMode::Lt, false) => (true, th as f32 as f64),
                (NodeMode::Leq, false) => (true, next_up_f32(th as f32) as f64),
                (NodeMode::Gte, false) => (false, th as f32 as f64),
                (NodeMode::Gt, false) => (false, next_up_f32(th as f32) as f64),
                (NodeMode::Leq, true) => (true, th),
                (NodeMode::Lt, true) => (true, next_down_f64(th)),
                (NodeMode::Gt, true) => (false, th),
                (NodeMode::Gte, true) => (false, next_down_f64(th)),
                (other, _) => {
                    return Err(unsupported(
                        p,
                        format!(
                        "{}: node mode {} is not converted (BRANCH_LEQ, LT, GTE, GT and LEAF are)",
                        at(),
                        other.name()
                    ),
                    ))
                }
            };
            if !stored.is_finite() {
                return Err(unsupported(
                    p,
                    format!("{}: threshold {th} has no finite equivalent", at()),
                ));
            }
            let f = usize::try_from(features[i])
                .map_err(|_| invalid(p, format!("{}: negative feature id", at())))?;
            max_feature = max_feature.max(f + 1);
            tree.split_feature[k] = f as u32;
            tree.threshold[k] = stored;
            tree.decision[k] = if double {
                tree.missing[k] = MissingType::NaN;
                Decision::LessEqual
            } else {
                tree.missing[k] = MissingType::NaN;
                Decision::LessF32
            };
            if true_left {
                tree.left[k] = tt;
                tree.right[k] = ff;
                tree.default_left[k] = nan_true;
            } else {
                tree.left[k] = ff;
                tree.right[k] = tt;
                tree.default_left[k] = !nan_true;
            }
        }
        trees.push(tree);
    }

    let n_features = match width {
        Some(w) if w < max_feature => {
            return Err(invalid(
                p,
                format!(
                    "the trees read feature {} but the input has {w} columns",
                    max_feature - 1
                ),
            ))
        }
        Some(w) => w,
        None => max_feature.max(1),
    };
    let producer = format!("{} {}", proto.producer_name, proto.producer_version);
    let ensemble = TreeEnsemble {
        trees,
        n_features,
        feature_names: None,
        categorical_features: vec![],
        base_score,
        objective: Objective {
            name: format!(
                "onnx {} post_transform={post} aggregate_function={aggregate}",
                node.op_type
            ),
            link,
        },
        arithmetic: Arithmetic::F64,
        source: Source::Onnx { producer },
    };
    ensemble.validate().map_err(|message| invalid(p, message))?;
    Ok(ensemble)
}

/// The smallest `f32` above `v` (finite `v`).
fn next_up_f32(v: f32) -> f32 {
    if v == 0.0 {
        return f32::from_bits(1);
    }
    let b = v.to_bits();
    f32::from_bits(if v > 0.0 { b + 1 } else { b - 1 })
}

/// The largest `f64` below `v` (finite `v`).
fn next_down_f64(v: f64) -> f64 {
    if v == 0.0 {
        return -f64::from_bits(1);
    }
    let b = v.to_bits();
    f64::from_bits(if v > 0.0 { b - 1 } else { b + 1 })
}

/// Attaches per-node covers (training weight reaching each node; `covers[t][i]` for node `i`
/// of tree `t`, numbered as [`tree_ensemble_from_onnx`] numbers them). Checks the shapes, that
/// covers are finite and non-negative, and that every internal node's cover is the sum of its
/// children's (relative 1e-9).
pub fn with_covers(
    mut ensemble: TreeEnsemble,
    covers: Vec<Vec<f64>>,
) -> Result<TreeEnsemble, ModelError> {
    let bad = |message: String| ModelError::Invalid {
        path: "<covers>".to_string(),
        message,
    };
    if covers.len() != ensemble.trees.len() {
        return Err(bad(format!(
            "{} cover vectors for {} trees",
            covers.len(),
            ensemble.trees.len()
        )));
    }
    for (t, (tree, c)) in ensemble.trees.iter_mut().zip(covers).enumerate() {
        if c.len() != tree.n_nodes() {
            return Err(bad(format!(
                "tree {t}: {} covers for {} nodes",
                c.len(),
                tree.n_nodes()
            )));
        }
        if let Some(i) = c.iter().position(|v| !v.is_finite() || *v < 0.0) {
            return Err(bad(format!("tree {t} node {i}: cover {}", c[i])));
        }
        for i in 0..tree.n_nodes() {
            if tree.is_leaf(i) {
                continue;
            }
            let sum = c[tree.left[i] as usize] + c[tree.right[i] as usize];
            if (sum - c[i]).abs() > 1e-9 * c[i].abs().max(1.0) {
                return Err(bad(format!(
                    "tree {t} node {i}: cover {} differs from its children's sum {sum} (covers in another node order?)",
                    c[i]
                )));
            }
        }
        tree.cover = Some(c);
    }
    Ok(ensemble)
}

/// Reads covers written by `tests/reference/sklearn_trees_golden.py`: a JSON object
/// `{"trees": [[cover of node 0, node 1, ...], ...]}`.
pub fn load_covers(path: impl AsRef<Path>) -> Result<Vec<Vec<f64>>, ModelError> {
    let path = path.as_ref();
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
        path: p.clone(),
        source,
    })?;
    #[derive(serde::Deserialize)]
    struct Covers {
        trees: Vec<Vec<f64>>,
    }
    let c: Covers = serde_json::from_str(&text).map_err(|source| ModelError::Json {
        path: p.clone(),
        source,
    })?;
    Ok(c.trees)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_steps() {
        assert_eq!(next_up_f32(1.0), 1.0 + f32::EPSILON);
        assert_eq!(next_up_f32(-1.0), -1.0 + f32::EPSILON / 2.0);
        assert_eq!(next_up_f32(0.0), f32::from_bits(1));
        assert_eq!(next_up_f32(-f32::from_bits(1)), -0.0);
        assert_eq!(next_down_f64(1.0), 1.0 - f64::EPSILON / 2.0);
        assert_eq!(next_down_f64(-1.0), -1.0 - f64::EPSILON);
        assert_eq!(next_down_f64(0.0), -f64::from_bits(1));
        // `x <= t` ⇔ `x < next_up(t)` for f32 values around t.
        for t in [0.5f32, -3.25, 0.0, 1e-40, 5119.0] {
            for x in [
                t,
                next_up_f32(t),
                f32::from_bits(t.to_bits().wrapping_sub(1)),
                -t,
            ] {
                assert_eq!(x <= t, x < next_up_f32(t), "{x} {t}");
            }
        }
    }
}
