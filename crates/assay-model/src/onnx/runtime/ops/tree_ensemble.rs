//! `ai.onnx.ml.TreeEnsembleClassifier` and `TreeEnsembleRegressor` (opset 1–3 attributes).
//!
//! Evaluated as onnxruntime evaluates them: each node compares the input with its threshold
//! (`BRANCH_LEQ`, `LT`, `GTE`, `GT`, `EQ`, `NEQ`; a NaN follows the true branch where
//! `nodes_missing_value_tracks_true` is 1), in `f64`, which is exact for `float` inputs and
//! thresholds and is the comparison of `double` thresholds (`nodes_values_as_tensor`, ONNX-ML
//! opset 3) on a `double` input; leaf weights are summed in `f32` in tree order, then base
//! values and the post-transform are applied. `double` weights and base values
//! (`target_weights_as_tensor`, `base_values_as_tensor`) are rounded to `f32` first (onnxruntime
//! sums them in `double` and rounds the sum, so the outputs differ by about 1e-7 relative).
//!
//! The ONNX specification leaves two-class classifiers vague; onnxruntime's behaviour, which
//! every exporter targets, is reproduced here and pinned by golden tests
//! (`tests/reference/onnx_tree_cases.py`):
//! - when all weights go to one class ("binary case"), the summed weight `s` is the score of the
//!   second class and the first gets `[1 − s, s]` (weights all ≥ 0, no LOGISTIC),
//!   `[σ(−s), σ(s)]` (LOGISTIC) or `[−s, s]` (otherwise);
//! - two `base_values` with weights on the second class replace the score of the second class
//!   by `base[1] + score of the first class` (onnxruntime's rule, even though it drops the tree
//!   sum), and with weights on the first class only they are added class by class, the class
//!   without weights scoring 0;
//! - a class that received no weight enters the post-transform as 0.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use crate::onnx::runtime::kernel::{as_f32, as_f64, expand, Kernel};
use crate::onnx::tree_structure::{check, NodeMode as Mode};

#[derive(Debug, Clone, Copy, PartialEq)]
enum PostTransform {
    None,
    Logistic,
    Softmax,
    SoftmaxZero,
    Probit,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Aggregate {
    Sum,
    Average,
    Min,
    Max,
}

#[derive(Debug, Clone)]
enum Labels {
    Ints(Vec<i64>),
    Strings(Vec<String>),
}

#[derive(Debug, Clone)]
struct Node {
    feature: usize,
    threshold: f64,
    mode: Mode,
    if_true: usize,
    if_false: usize,
    missing_true: bool,
    /// Range of this node's weights in `TreeEnsemble::weights`.
    weights: (usize, usize),
}

/// The parsed operator.
#[derive(Debug)]
pub struct TreeEnsemble {
    nodes: Vec<Node>,
    roots: Vec<usize>,
    /// (output index, weight) pairs, grouped by node.
    weights: Vec<(usize, f32)>,
    n_outputs: usize,
    base_values: Vec<f32>,
    post_transform: PostTransform,
    aggregate: Aggregate,
    max_feature: usize,
    /// Classifier only: labels, whether all weights go to one class, whether all weights are
    /// non-negative.
    labels: Option<Labels>,
    binary_case: bool,
    all_positive: bool,
}

/// The values of a tensor attribute (`*_as_tensor`, `double` or `float`) as `f64`.
fn attr_f64s(node: &NodeProto, name: &str) -> TractResult<Option<Vec<f64>>> {
    let Some(a) = node.attribute.iter().find(|a| a.name == name) else {
        return Ok(None);
    };
    let t =
        a.t.as_ref()
            .ok_or_else(|| format_err!("attribute {name} of '{}' has no tensor", node.name))?;
    let v: Vec<f64> = if !t.double_data.is_empty() {
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
        bail!(
            "attribute {name} of '{}' is not a float or double tensor",
            node.name
        )
    };
    Ok(Some(v))
}

/// Builds a TreeEnsembleClassifier from its ONNX node.
pub fn parse_classifier(
    _ctx: &tract_onnx::model::ParsingContext,
    node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    Ok((expand(build(node, true)?), vec![]))
}

/// Builds a TreeEnsembleRegressor from its ONNX node.
pub fn parse_regressor(
    _ctx: &tract_onnx::model::ParsingContext,
    node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    Ok((expand(build(node, false)?), vec![]))
}

fn build(node: &NodeProto, classifier: bool) -> TractResult<TreeEnsemble> {
    let name = &node.name;
    ensure!(
        node.attribute
            .iter()
            .all(|x| x.name != "class_weights_as_tensor"),
        "tree ensemble node '{name}': double-precision attribute class_weights_as_tensor is not supported; export with float weights"
    );
    let ints = |a: &str| -> TractResult<Vec<i64>> {
        Ok(node.get_attr_opt_vec::<i64>(a)?.unwrap_or_default())
    };
    let structure = check(node).map_err(|e| format_err!("{e}"))?;
    let n = structure.modes.len();
    let features = ints("nodes_featureids")?;
    let missing = ints("nodes_missing_value_tracks_true")?;
    let values: Vec<f64> = match attr_f64s(node, "nodes_values_as_tensor")? {
        Some(v) => v,
        None => node
            .get_attr_opt_vec::<f32>("nodes_values")?
            .unwrap_or_default()
            .into_iter()
            .map(f64::from)
            .collect(),
    };
    for (what, len) in [
        ("nodes_featureids", features.len()),
        ("nodes_values", values.len()),
    ] {
        ensure!(
            len == n,
            "tree ensemble node '{name}': {what} has {len} entries but nodes_treeids has {n}"
        );
    }
    let mut nodes = Vec::with_capacity(n);
    let mut max_feature = 0;
    for i in 0..n {
        let mode = structure.modes[i];
        let (if_true, if_false) = structure.children[i];
        ensure!(
            features[i] >= 0,
            "tree ensemble node '{name}': negative feature id {}",
            features[i]
        );
        if mode != Mode::Leaf {
            max_feature = max_feature.max(features[i] as usize + 1);
        }
        nodes.push(Node {
            feature: features[i] as usize,
            threshold: values[i],
            mode,
            if_true,
            if_false,
            missing_true: missing.get(i).copied().unwrap_or(0) == 1,
            weights: (0, 0),
        });
    }
    // A tree's root is its first node in attribute order (onnxruntime's rule).
    let roots: Vec<usize> = structure.trees.iter().map(|t| t.root).collect();
    let index = structure.index;

    let prefix = if classifier { "class" } else { "target" };
    let w_tree = ints(&format!("{prefix}_treeids"))?;
    let w_node = ints(&format!("{prefix}_nodeids"))?;
    let w_id = ints(&format!("{prefix}_ids"))?;
    let w_value: Vec<f32> = match attr_f64s(node, "target_weights_as_tensor")? {
        Some(v) if !classifier => v.into_iter().map(|w| w as f32).collect(),
        _ => node
            .get_attr_opt_vec(&format!("{prefix}_weights"))?
            .unwrap_or_default(),
    };
    ensure!(
        w_tree.len() == w_node.len() && w_node.len() == w_id.len() && w_id.len() == w_value.len(),
        "tree ensemble node '{name}': the {prefix}_* attributes differ in length"
    );
    let (labels, n_outputs) = if classifier {
        let strings: Option<Vec<String>> = node.get_attr_opt_vec("classlabels_strings")?;
        let ints_l: Option<Vec<i64>> = node.get_attr_opt_vec("classlabels_int64s")?;
        let labels = match (strings, ints_l) {
            (Some(s), None) => Labels::Strings(s),
            (None, Some(v)) => Labels::Ints(v),
            _ => bail!("TreeEnsembleClassifier node '{name}' needs exactly one of classlabels_strings and classlabels_int64s"),
        };
        let k = match &labels {
            Labels::Strings(s) => s.len(),
            Labels::Ints(v) => v.len(),
        };
        ensure!(
            k >= 2,
            "TreeEnsembleClassifier node '{name}' has {k} class labels; at least 2 are needed"
        );
        (Some(labels), k)
    } else {
        let k = node.get_attr_opt::<i64>("n_targets")?.unwrap_or(1);
        ensure!(
            k >= 1,
            "TreeEnsembleRegressor node '{name}': n_targets is {k}"
        );
        (None, k as usize)
    };
    let mut per_node: Vec<Vec<(usize, f32)>> = vec![Vec::new(); n];
    for j in 0..w_tree.len() {
        let i = *index.get(&(w_tree[j], w_node[j])).ok_or_else(|| {
            format_err!(
                "tree ensemble node '{name}': a weight names tree {} node {}, which does not exist",
                w_tree[j],
                w_node[j]
            )
        })?;
        ensure!(
            w_id[j] >= 0 && (w_id[j] as usize) < n_outputs,
            "tree ensemble node '{name}': weight for output {} of {n_outputs}",
            w_id[j]
        );
        per_node[i].push((w_id[j] as usize, w_value[j]));
    }
    let mut weights = Vec::with_capacity(w_tree.len());
    for (i, w) in per_node.into_iter().enumerate() {
        let start = weights.len();
        weights.extend(w);
        nodes[i].weights = (start, weights.len());
    }
    let mut classes: Vec<usize> = w_id.iter().map(|&c| c as usize).collect();
    classes.sort_unstable();
    classes.dedup();
    let post_transform = match node
        .get_attr_opt::<String>("post_transform")?
        .as_deref()
        .unwrap_or("NONE")
    {
        "NONE" => PostTransform::None,
        "LOGISTIC" => PostTransform::Logistic,
        "SOFTMAX" => PostTransform::Softmax,
        "SOFTMAX_ZERO" => PostTransform::SoftmaxZero,
        "PROBIT" => PostTransform::Probit,
        other => bail!("tree ensemble node '{name}': unknown post_transform {other}"),
    };
    let aggregate = match node
        .get_attr_opt::<String>("aggregate_function")?
        .as_deref()
        .unwrap_or("SUM")
    {
        "SUM" => Aggregate::Sum,
        "AVERAGE" => Aggregate::Average,
        "MIN" => Aggregate::Min,
        "MAX" => Aggregate::Max,
        other => bail!("tree ensemble node '{name}': unknown aggregate_function {other}"),
    };
    let base_values: Vec<f32> = match attr_f64s(node, "base_values_as_tensor")? {
        Some(v) => v.into_iter().map(|b| b as f32).collect(),
        None => node.get_attr_opt_vec("base_values")?.unwrap_or_default(),
    };
    let binary_case = classifier && n_outputs == 2 && classes.len() == 1;
    if binary_case && post_transform == PostTransform::Probit {
        bail!("TreeEnsembleClassifier node '{name}': PROBIT with weights on one class of two is not supported");
    }
    Ok(TreeEnsemble {
        nodes,
        roots,
        weights,
        n_outputs,
        base_values,
        post_transform,
        aggregate,
        max_feature,
        all_positive: w_value.iter().all(|&w| w >= 0.0),
        binary_case,
        labels,
    })
}

/// onnxruntime's logistic in `float`.
fn logistic(x: f32) -> f32 {
    let v = 1.0 / (1.0 + (-x.abs()).exp());
    if x < 0.0 {
        1.0 - v
    } else {
        v
    }
}

/// onnxruntime's probit: √2 · erfinv(2x − 1) with its own erfinv approximation.
fn probit(x: f32) -> f32 {
    let y = 2.0 * x - 1.0;
    let sgn = if y < 0.0 { -1.0f32 } else { 1.0 };
    let z = (1.0 - y) * (1.0 + y);
    let log = z.ln();
    let v = 2.0 / (std::f32::consts::PI * 0.147) + 0.5 * log;
    let v2 = 1.0 / 0.147 * log;
    let v3 = -v + (v * v - v2).sqrt();
    std::f32::consts::SQRT_2 * sgn * v3.sqrt()
}

fn softmax(s: &mut [f32], zero: bool) {
    let max = s.iter().copied().fold(-f32::MAX, f32::max);
    let mut sum = 0.0f32;
    if zero {
        let e_neg_max = (-max).exp();
        for v in s.iter_mut() {
            if *v > 1e-7 || *v < -1e-7 {
                *v = (*v - max).exp();
                sum += *v;
            } else {
                *v *= e_neg_max;
            }
        }
    } else {
        for v in s.iter_mut() {
            *v = (*v - max).exp();
            sum += *v;
        }
    }
    for v in s.iter_mut() {
        *v /= sum;
    }
}

impl TreeEnsemble {
    fn leaf(&self, root: usize, x: &[f64]) -> &Node {
        let mut n = &self.nodes[root];
        while n.mode != Mode::Leaf {
            let v = x[n.feature];
            let t = n.threshold;
            let go = match n.mode {
                Mode::Leq => v <= t,
                Mode::Lt => v < t,
                Mode::Gte => v >= t,
                Mode::Gt => v > t,
                Mode::Eq => v == t,
                Mode::Neq => v != t,
                Mode::Leaf => unreachable!(),
            } || (n.missing_true && v.is_nan());
            n = &self.nodes[if go { n.if_true } else { n.if_false }];
        }
        n
    }

    /// Aggregates the trees for one row into `score`/`has`.
    fn aggregate_row(&self, x: &[f64], score: &mut [f32], has: &mut [bool]) {
        score.fill(0.0);
        has.fill(false);
        for &root in &self.roots {
            let leaf = self.leaf(root, x);
            for &(k, w) in &self.weights[leaf.weights.0..leaf.weights.1] {
                score[k] = match self.aggregate {
                    Aggregate::Sum | Aggregate::Average => score[k] + w,
                    Aggregate::Min if has[k] => score[k].min(w),
                    Aggregate::Max if has[k] => score[k].max(w),
                    Aggregate::Min | Aggregate::Max => w,
                };
                has[k] = true;
            }
        }
    }

    /// The post-transform applied to two or more scores (a class without weight enters as 0).
    fn transform(&self, s: &mut [f32]) {
        match self.post_transform {
            PostTransform::None => {}
            PostTransform::Logistic => s.iter_mut().for_each(|v| *v = logistic(*v)),
            PostTransform::Probit => s.iter_mut().for_each(|v| *v = probit(*v)),
            PostTransform::Softmax => softmax(s, false),
            PostTransform::SoftmaxZero => softmax(s, true),
        }
    }

    /// A regressor's outputs for one row.
    fn finish_regression(&self, score: &mut [f32], has: &[bool], out: &mut [f32]) {
        let k = self.n_outputs;
        let n_trees = self.roots.len() as f32;
        if k == 1 {
            let origin = if self.base_values.len() == 1 {
                self.base_values[0]
            } else {
                0.0
            };
            let mut v = match self.aggregate {
                Aggregate::Average => score[0] / n_trees,
                _ if has[0] => score[0],
                _ => 0.0,
            };
            v += origin;
            out[0] = if self.post_transform == PostTransform::Probit {
                probit(v)
            } else {
                v
            };
            return;
        }
        let use_base = self.base_values.len() == k;
        for j in 0..k {
            let mut v = if has[j] { score[j] } else { 0.0 };
            if self.aggregate == Aggregate::Average {
                v /= n_trees;
            }
            if use_base {
                v += self.base_values[j];
            }
            score[j] = v;
        }
        self.transform(score);
        out.copy_from_slice(&score[..k]);
    }

    /// A classifier's label index (or literal label, see below) and scores for one row.
    /// Returns `Ok(index into labels)` or `Err(literal label)` for onnxruntime's fallback
    /// positive/negative labels 1 and 0.
    fn finish_classification(
        &self,
        score: &mut [f32],
        has: &mut [bool],
        out: &mut [f32],
    ) -> Result<usize, i64> {
        let k = self.n_outputs;
        let b = &self.base_values;
        if k > 2 {
            for j in 0..b.len().min(k) {
                if has[j] {
                    score[j] += b[j];
                } else {
                    score[j] = b[j];
                    has[j] = true;
                }
            }
            let mut best: Option<usize> = None;
            for j in 0..k {
                if has[j] && best.is_none_or(|m| score[j] > score[m]) {
                    best = Some(j);
                }
            }
            for j in 0..k {
                if !has[j] {
                    score[j] = 0.0;
                }
            }
            self.transform(score);
            out.copy_from_slice(&score[..k]);
            // With no score at all onnxruntime reads label -1; report the first label.
            return Ok(best.unwrap_or(0));
        }
        // Two classes.
        let mut single = false;
        if b.len() == 2 {
            if has[1] {
                score[1] = b[1] + score[0];
                score[0] = -score[1];
                has[1] = true;
            } else {
                score[1] += b[1];
                score[0] += b[0];
            }
        } else if b.len() == 1 {
            score[0] += b[0];
            single = !has[1];
        } else {
            single = !has[1];
        }
        let pos = if has[1] && !single {
            score[1]
        } else if has[0] {
            score[0]
        } else {
            0.0
        };
        let label = if self.binary_case {
            let positive = if self.all_positive {
                pos > 0.5
            } else {
                pos > 0.0
            };
            Ok(usize::from(positive))
        } else {
            Err(i64::from(pos > 0.0))
        };
        if single {
            let s = if has[0] { score[0] } else { 0.0 };
            if self.post_transform == PostTransform::Logistic {
                out[0] = logistic(-s);
                out[1] = logistic(s);
            } else if self.binary_case && self.all_positive {
                out[0] = 1.0 - s;
                out[1] = s;
            } else {
                out[0] = -s;
                out[1] = s;
            }
        } else {
            for j in 0..2 {
                if !has[j] {
                    score[j] = 0.0;
                }
            }
            self.transform(&mut score[..2]);
            out.copy_from_slice(&score[..2]);
        }
        label
    }
}

impl Kernel for TreeEnsemble {
    fn name(&self) -> &'static str {
        if self.labels.is_some() {
            "TreeEnsembleClassifier"
        } else {
            "TreeEnsembleRegressor"
        }
    }

    fn n_outputs(&self) -> usize {
        if self.labels.is_some() {
            2
        } else {
            1
        }
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1)?;
        let scores = match &self.labels {
            Some(labels) => {
                let dt = match labels {
                    Labels::Ints(_) => i64::datum_type(),
                    Labels::Strings(_) => String::datum_type(),
                };
                s.equals(&outputs[0].datum_type, dt)?;
                s.equals(&outputs[0].rank, 1)?;
                s.equals(&outputs[0].shape[0], &inputs[0].shape[0])?;
                &outputs[1]
            }
            None => &outputs[0],
        };
        s.equals(&scores.datum_type, f32::datum_type())?;
        s.equals(&scores.rank, 2)?;
        s.equals(&scores.shape[0], &inputs[0].shape[0])?;
        s.equals(&scores.shape[1], self.n_outputs.to_dim())
    }

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let n = inputs[0].shape[0].clone();
        let scores = f32::fact([n.clone(), self.n_outputs.to_dim()]);
        Ok(match &self.labels {
            Some(Labels::Ints(_)) => tvec!(i64::fact([n]), scores),
            Some(Labels::Strings(_)) => tvec!(String::fact([n]), scores),
            None => tvec!(scores),
        })
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = &inputs[0];
        let (rows, stride) = match x.rank() {
            1 => (1, x.shape()[0]),
            2 => (x.shape()[0], x.shape()[1]),
            r => bail!("{}: input of rank {r}; expected [N, features]", self.name()),
        };
        ensure!(
            stride >= self.max_feature,
            "{}: input has {stride} features but the trees read feature {}",
            self.name(),
            self.max_feature.saturating_sub(1)
        );
        // Comparisons in f64: exact for a float input (f32 → f64 is exact and keeps the order)
        // and for double thresholds on a double input, as onnxruntime compares them.
        let data: Vec<f64> = match x.datum_type() {
            DatumType::F64 => as_f64(x)?,
            _ => as_f32(x)?.iter().map(|&v| f64::from(v)).collect(),
        };
        let k = self.n_outputs;
        let mut out = vec![0f32; rows * k];
        let mut score = vec![0f32; k];
        let mut has = vec![false; k];
        let mut label_idx: Vec<Result<usize, i64>> = Vec::with_capacity(rows);
        for r in 0..rows {
            let row = &data[r * stride..(r + 1) * stride];
            self.aggregate_row(row, &mut score, &mut has);
            let o = &mut out[r * k..(r + 1) * k];
            if self.labels.is_some() {
                label_idx.push(self.finish_classification(&mut score, &mut has, o));
            } else {
                self.finish_regression(&mut score, &has, o);
            }
        }
        let scores = Tensor::from_shape(&[rows, k], &out)?.into_tvalue();
        Ok(match &self.labels {
            None => tvec!(scores),
            Some(Labels::Ints(l)) => {
                let v: Vec<i64> = label_idx
                    .iter()
                    .map(|r| match r {
                        Ok(i) => l[*i],
                        Err(lit) => *lit,
                    })
                    .collect();
                tvec!(Tensor::from_shape(&[rows], &v)?.into_tvalue(), scores)
            }
            Some(Labels::Strings(l)) => {
                let v: Vec<String> = label_idx
                    .iter()
                    .map(|r| match r {
                        Ok(i) => l[*i].clone(),
                        Err(lit) => l[*lit as usize].clone(),
                    })
                    .collect();
                let t = tract_onnx::tract_hir::tract_ndarray::Array::from_shape_vec(vec![rows], v)?
                    .into_tensor();
                tvec!(t.into_tvalue(), scores)
            }
        })
    }
}
