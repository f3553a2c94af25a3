//! Path-dependent TreeSHAP in XGBoost's `float` arithmetic, for reproducing XGBoost's own
//! `pred_contribs=True` output bit for bit (up to the compiler's choices, see below).
//!
//! [`tree_shap`](super::tree_shap) computes in `f64` and differs from XGBoost by the
//! rounding errors of XGBoost's single-precision evaluation (about 1e-6 on small models,
//! more on large ones). [`tree_shap_xgboost_f32`] instead follows XGBoost's CPU implementation
//! (`src/predictor/cpu_treeshap.cc`, `CalculateContributions` / `TreeShap` / `ExtendPath` /
//! `UnwindPath` / `UnwoundPathSum`, node means `FillNodeMeanValues`, and the per-row driver
//! `ShapValues`) operation by operation, with these quantities in `f32`, as in XGBoost:
//!
//! * the model's own numbers: leaf values, `sum_hessian` (cover) of each node, the base score
//!   (all stored as `float` in XGBoost models, so the cast from assay's `f64` is exact except
//!   for the base score, which assay converts to margin space in `f64`);
//! * the node mean values: `mean(n) = (mean(l)·cover(l) + mean(r)·cover(r)) / cover(n)`,
//!   left product first, each step rounded to `float`;
//! * every path element's `zero_fraction`, `one_fraction` and `pweight`, the hot/cold zero
//!   fractions `cover(child) / cover(node)` and their products with the incoming fraction,
//!   the unwound sums, and the leaf term `((w·(one − zero))·leaf)·condition_fraction`;
//!   integer factors (`i + 1`, `depth − i`, `depth + 1`) are converted to `float` exactly
//!   where the C++ converts them, and the operations are evaluated in the C++ order;
//! * the output: each tree's contributions go into a zeroed `float` buffer (its bias slot
//!   receives the tree's root mean), the buffer is added to the row's `float` output tree by
//!   tree in boosting order, and the base score is added to the bias last.
//!
//! Routing uses the tree's own [`Tree::next_node`](assay_model::Tree::next_node), which for
//! XGBoost compares the feature value cast to `f32` with the `f32` threshold, as XGBoost does.
//!
//! The result reproduces XGBoost when XGBoost's binary evaluates `float` expressions in
//! single precision without fused multiply-adds (x86-64 SSE builds, as in the released
//! wheels); a build contracting `a·b + c` into FMAs would round differently. Only ensembles
//! loaded from XGBoost are accepted: for other libraries `f32` arithmetic would only add
//! rounding error, use [`tree_shap`](super::tree_shap).

use assay_model::{Source, Tree, TreeEnsemble};
use rayon::prelude::*;

use super::tree::{ShapValues, CHUNK_ROWS};
use crate::error::{check_len, ExplainError};

/// One element of the decision path (XGBoost `PathElement`).
#[derive(Clone, Copy, Default)]
struct PathElement {
    /// Feature index; `-1` for the root element (never equal to a split feature once cast to
    /// `u32`, as in XGBoost).
    feature: i64,
    zero_fraction: f32,
    one_fraction: f32,
    pweight: f32,
}

/// A tree's `f32` data.
struct F32Tree<'a> {
    tree: &'a Tree,
    /// `sum_hessian` of each node.
    cover: Vec<f32>,
    /// Leaf values (internal nodes: unused).
    leaf: Vec<f32>,
    /// XGBoost `FillNodeMeanValues` of the root.
    root_mean: f32,
    /// Path buffer length `maxd·(maxd+1)/2`, `maxd = depth + 2`.
    path_len: usize,
}

/// Path-dependent TreeSHAP values of the row-major `n_rows × ensemble.n_features` matrix `x`
/// (NaN is a missing value), in margin space, computed with XGBoost's `float` arithmetic and
/// operation order (see the module documentation), so that they equal XGBoost's
/// `pred_contribs=True`. `base_value` is XGBoost's bias column (the same for every row).
///
/// Errors when the ensemble does not come from XGBoost, when `x` has the wrong length, or when
/// a tree lacks covers or has an internal node whose cover is not positive.
pub fn tree_shap_xgboost_f32(
    ensemble: &TreeEnsemble,
    x: &[f64],
    n_rows: usize,
) -> Result<ShapValues, ExplainError> {
    if !matches!(ensemble.source, Source::XGBoost { .. }) {
        return Err(ExplainError::Parameter(
            "XGBoost-compatible float32 TreeSHAP applies only to models loaded from XGBoost; \
             use tree_shap"
                .into(),
        ));
    }
    ensemble.validate().map_err(ExplainError::Model)?;
    let d = ensemble.n_features;
    check_len("input matrix", n_rows * d, x.len())?;
    let mut trees = Vec::with_capacity(ensemble.trees.len());
    for (t, tree) in ensemble.trees.iter().enumerate() {
        trees.push(F32Tree::new(t, tree)?);
    }
    let base_score = ensemble.base_score as f32;
    // The bias column: per tree `0 + root mean` in a zeroed buffer, added in order, then the
    // base score. It does not depend on the row.
    let mut bias = 0.0f32;
    for t in &trees {
        bias += t.root_mean;
    }
    bias += base_score;
    let mut values = vec![0.0; n_rows * d];
    if d > 0 {
        let max_path = trees.iter().map(|t| t.path_len).max().unwrap_or(0);
        values
            .par_chunks_mut(CHUNK_ROWS * d)
            .zip(x.par_chunks(CHUNK_ROWS * d))
            .for_each(|(out, rows)| {
                let mut path = vec![PathElement::default(); max_path];
                let mut acc = vec![0.0f32; d];
                let mut this_tree = vec![0.0f32; d];
                for (o, row) in out.chunks_mut(d).zip(rows.chunks(d)) {
                    acc.iter_mut().for_each(|v| *v = 0.0);
                    for t in &trees {
                        this_tree.iter_mut().for_each(|v| *v = 0.0);
                        t.shap(row, &mut this_tree, &mut path);
                        for (a, &c) in acc.iter_mut().zip(&this_tree) {
                            *a += c;
                        }
                    }
                    for (o, &a) in o.iter_mut().zip(&acc) {
                        *o = f64::from(a);
                    }
                }
            });
    }
    Ok(ShapValues {
        values,
        base_value: f64::from(bias),
        n_rows,
        n_features: d,
    })
}

impl<'a> F32Tree<'a> {
    fn new(t: usize, tree: &'a Tree) -> Result<F32Tree<'a>, ExplainError> {
        let n = tree.n_nodes();
        let leaf: Vec<f32> = tree.value.iter().map(|&v| v as f32).collect();
        let cover: Vec<f32> = match &tree.cover {
            Some(c) => c.iter().map(|&v| v as f32).collect(),
            None if tree.is_leaf(0) => vec![0.0; n],
            None => {
                return Err(ExplainError::Data(format!(
                    "tree {t} has no node covers (sum_hessian); path-dependent TreeSHAP needs them"
                )))
            }
        };
        if let Some(bad) = (0..n).find(|&i| {
            !tree.is_leaf(i) && cover[i].partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
        }) {
            return Err(ExplainError::Data(format!(
                "tree {t} node {bad} has cover {}; path-dependent TreeSHAP needs positive covers \
                 at every split",
                cover[bad]
            )));
        }
        let mut f = F32Tree {
            tree,
            cover,
            leaf,
            root_mean: 0.0,
            path_len: 0,
        };
        f.root_mean = f.node_mean(0);
        let maxd = tree.depth() + 2;
        f.path_len = maxd * (maxd + 1) / 2;
        Ok(f)
    }

    /// XGBoost `FillNodeMeanValues`, in `float`.
    fn node_mean(&self, n: usize) -> f32 {
        if self.tree.is_leaf(n) {
            return self.leaf[n];
        }
        let l = self.tree.left[n] as usize;
        let r = self.tree.right[n] as usize;
        let mut result = self.node_mean(l) * self.cover[l];
        result += self.node_mean(r) * self.cover[r];
        result /= self.cover[n];
        result
    }

    /// XGBoost `TreeShap` (with `condition = 0`) from the root, adding to `phi`.
    fn shap(&self, row: &[f64], phi: &mut [f32], path: &mut [PathElement]) {
        self.recurse(row, phi, path, 0, 0, 0, 1.0, 1.0, -1);
    }

    /// One call of XGBoost `TreeShap`; the parent's path occupies `path[parent..]` and this
    /// node's copy starts at `parent + unique_depth + 1`.
    #[allow(clippy::too_many_arguments)]
    fn recurse(
        &self,
        row: &[f64],
        phi: &mut [f32],
        path: &mut [PathElement],
        parent: usize,
        node: usize,
        mut unique_depth: usize,
        parent_zero_fraction: f32,
        parent_one_fraction: f32,
        parent_feature: i64,
    ) {
        let here = parent + unique_depth + 1;
        path.copy_within(parent..here, here);
        let up = &mut path[here..];
        extend_path(
            up,
            unique_depth,
            parent_zero_fraction,
            parent_one_fraction,
            parent_feature,
        );
        let tree = self.tree;
        if tree.is_leaf(node) {
            let leaf = self.leaf[node];
            for i in 1..=unique_depth {
                let w = unwound_path_sum(up, unique_depth, i);
                let el = up[i];
                // XGBoost multiplies by condition_fraction last; it is 1 here (exact).
                phi[el.feature as usize] += w * (el.one_fraction - el.zero_fraction) * leaf;
            }
            return;
        }
        let split = tree.split_feature[node];
        let hot = tree.next_node(node, row[split as usize]);
        let cold = if hot == tree.left[node] as usize {
            tree.right[node] as usize
        } else {
            tree.left[node] as usize
        };
        let w = self.cover[node];
        let hot_zero_fraction = self.cover[hot] / w;
        let cold_zero_fraction = self.cover[cold] / w;
        let mut incoming_zero_fraction = 1.0f32;
        let mut incoming_one_fraction = 1.0f32;
        let found = (0..=unique_depth).find(|&k| up[k].feature as u32 == split);
        if let Some(path_index) = found {
            incoming_zero_fraction = up[path_index].zero_fraction;
            incoming_one_fraction = up[path_index].one_fraction;
            unwind_path(up, unique_depth, path_index);
            unique_depth -= 1;
        }
        self.recurse(
            row,
            phi,
            path,
            here,
            hot,
            unique_depth + 1,
            hot_zero_fraction * incoming_zero_fraction,
            incoming_one_fraction,
            i64::from(split),
        );
        self.recurse(
            row,
            phi,
            path,
            here,
            cold,
            unique_depth + 1,
            cold_zero_fraction * incoming_zero_fraction,
            0.0,
            i64::from(split),
        );
    }
}

/// XGBoost `ExtendPath`, in `float`.
fn extend_path(
    path: &mut [PathElement],
    unique_depth: usize,
    zero_fraction: f32,
    one_fraction: f32,
    feature: i64,
) {
    path[unique_depth] = PathElement {
        feature,
        zero_fraction,
        one_fraction,
        pweight: if unique_depth == 0 { 1.0 } else { 0.0 },
    };
    let denom = (unique_depth + 1) as f32;
    for i in (0..unique_depth).rev() {
        let pw = path[i].pweight;
        path[i + 1].pweight += one_fraction * pw * (i + 1) as f32 / denom;
        path[i].pweight = zero_fraction * pw * (unique_depth - i) as f32 / denom;
    }
}

/// XGBoost `UnwindPath`, in `float`.
fn unwind_path(path: &mut [PathElement], unique_depth: usize, path_index: usize) {
    let one_fraction = path[path_index].one_fraction;
    let zero_fraction = path[path_index].zero_fraction;
    let mut next_one_portion = path[unique_depth].pweight;
    let up1 = (unique_depth + 1) as f32;
    for i in (0..unique_depth).rev() {
        let span = (unique_depth - i) as f32;
        if one_fraction != 0.0 {
            let tmp = path[i].pweight;
            path[i].pweight = next_one_portion * up1 / ((i + 1) as f32 * one_fraction);
            next_one_portion = tmp - path[i].pweight * zero_fraction * span / up1;
        } else {
            path[i].pweight = (path[i].pweight * up1) / (zero_fraction * span);
        }
    }
    for i in path_index..unique_depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero_fraction = path[i + 1].zero_fraction;
        path[i].one_fraction = path[i + 1].one_fraction;
    }
}

/// XGBoost `UnwoundPathSum`, in `float`.
fn unwound_path_sum(path: &[PathElement], unique_depth: usize, path_index: usize) -> f32 {
    let one_fraction = path[path_index].one_fraction;
    let zero_fraction = path[path_index].zero_fraction;
    let mut next_one_portion = path[unique_depth].pweight;
    let up1 = (unique_depth + 1) as f32;
    let mut total = 0.0f32;
    for i in (0..unique_depth).rev() {
        let span = (unique_depth - i) as f32;
        if one_fraction != 0.0 {
            let tmp = next_one_portion * up1 / ((i + 1) as f32 * one_fraction);
            total += tmp;
            next_one_portion = path[i].pweight - tmp * zero_fraction * (span / up1);
        } else if zero_fraction != 0.0 {
            total += (path[i].pweight / zero_fraction) / (span / up1);
        }
    }
    total
}
