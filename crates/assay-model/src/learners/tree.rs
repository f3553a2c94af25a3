//! A CART classification tree (Breiman, Friedman, Olshen & Stone 1984, "Classification and
//! Regression Trees"), fitted as scikit-learn's `DecisionTreeClassifier` with its default
//! `splitter="best"` fits one (scikit-learn User Guide, section 1.10 "Decision Trees";
//! <https://scikit-learn.org/stable/modules/generated/sklearn.tree.DecisionTreeClassifier.html>).
//!
//! Binary labels 0/1 with optional non-negative sample weights. Every node is split greedily
//! at the split that minimises the weighted impurity of its children, over every feature and
//! every position between two consecutive distinct values of the node's sorted values (an exact
//! search; values within 1e-7 of each other are not split apart, scikit-learn's
//! `FEATURE_THRESHOLD`). The threshold is the midpoint of the two values (`a/2 + b/2`; the lower
//! value when the midpoint rounds to the upper one), and a row goes left iff `x <= threshold`.
//!
//! Impurity ([`Criterion`]) with weighted class counts `w_0`, `w_1` and `W = w_0 + w_1`:
//! Gini `1 − Σ_k (w_k/W)²` or entropy `−Σ_k (w_k/W) log₂(w_k/W)`. A split is chosen by
//! scikit-learn's proxy `−W_R · i(R) − W_L · i(L)` (largest wins) and reported as the weighted
//! impurity decrease `W_t/W_root · (i(t) − W_R/W_t · i(R) − W_L/W_t · i(L))` (scikit-learn's
//! `impurity_improvement`, weights in place of counts), which is also what
//! [`DecisionTree::min_impurity_decrease`] is compared with.
//!
//! A node becomes a leaf when it is at `max_depth`, has fewer than `min_samples_split` rows or
//! fewer than `2 · min_samples_leaf` rows or less than `2 · min_weight_fraction_leaf · W_root`
//! weight, is pure (impurity ≤ machine epsilon), or has no split leaving `min_samples_leaf`
//! rows and `min_weight_fraction_leaf · W_root` weight (and positive weight) on both sides, or
//! its best split decreases the impurity by less than `min_impurity_decrease`. These are
//! scikit-learn's `DepthFirstTreeBuilder` rules; rows are counted unweighted, as there.
//! Nodes are numbered depth-first, left child first, as scikit-learn numbers them.
//!
//! **Determinism and ties.** Features are scanned in index order and, within a feature, the
//! thresholds in increasing order; a candidate replaces the best one only when its proxy is
//! strictly larger, so on exact ties the first feature, then the lowest threshold, wins.
//! scikit-learn visits the features in a random order drawn from `random_state` (even with
//! `max_features=None`), so on exact ties its tree can differ; sums of floating-point weights
//! may also differ in the last bits because it accumulates them in another order. scikit-learn
//! also casts `X` to `float32`; assay keeps `f64`, which agrees whenever the values are exactly
//! representable in `f32` (integers up to 2^24, for example).
//!
//! **Missing values.** NaN (or an infinity) in the input at fit time is an error naming the row
//! and column. The fitted nodes use LightGBM's rule with missing type NaN (see
//! [`crate::tree::MissingType`]): a NaN at prediction time goes to the child that received more
//! training rows (the right child on a tie), which is what scikit-learn ≥ 1.3 does for features
//! without missing values in training.
//!
//! The result is a [`TreeEnsemble`] of one [`Tree`] with [`Decision::LessEqual`] splits, zero
//! base score and the identity link: a leaf's value is the weighted fraction of class 1 among
//! its training rows, so the prediction is `P(class 1)` (scikit-learn's `predict_proba[:, 1]`).
//! Every node also stores that fraction as its value, its weighted row count as `cover`
//! (scikit-learn's `weighted_n_node_samples`, the quantity TreeSHAP needs), its row count as
//! `count` and, for internal nodes, the weighted impurity decrease as `gain`. Prediction,
//! ONNX export and `assay predict` reuse the ensemble.

use serde::{Deserialize, Serialize};

use super::{LearnError, Matrix};
use crate::tree::{Arithmetic, Decision, Link, MissingType, Objective, Source, Tree, TreeEnsemble};

/// scikit-learn's `FEATURE_THRESHOLD` (`sklearn/tree/_splitter.pyx`): consecutive sorted values
/// closer than this are not split apart, and a feature whose node values span no more than it is
/// constant in the node.
const FEATURE_THRESHOLD: f64 = 1e-7;

/// The impurity measure of a [`DecisionTree`] (scikit-learn's `criterion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Gini impurity `1 − Σ_k p_k²` (Breiman et al. 1984, section 4.3). The default.
    #[default]
    Gini,
    /// Shannon entropy `−Σ_k p_k log₂ p_k` (scikit-learn's `"entropy"` and `"log_loss"`).
    Entropy,
}

impl Criterion {
    /// The impurity of weighted class counts `w0`, `w1` with total `w` (as scikit-learn computes
    /// it: `1 − (w0² + w1²)/w²` and `−Σ_k (w_k/w) log₂(w_k/w)` over classes with `w_k > 0`).
    fn impurity(self, w0: f64, w1: f64, w: f64) -> f64 {
        match self {
            Criterion::Gini => 1.0 - (w0 * w0 + w1 * w1) / (w * w),
            Criterion::Entropy => {
                let mut e = 0.0;
                for c in [w0, w1] {
                    if c > 0.0 {
                        let p = c / w;
                        e -= p * p.log2();
                    }
                }
                e
            }
        }
    }

    /// The name used in the ensemble's objective (`cart_gini`, `cart_entropy`).
    fn objective_name(self) -> &'static str {
        match self {
            Criterion::Gini => "cart_gini",
            Criterion::Entropy => "cart_entropy",
        }
    }
}

/// Settings of a CART classification tree (Breiman et al. 1984), named and defaulted as the
/// parameters of scikit-learn's `DecisionTreeClassifier`. See the [module documentation](self).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DecisionTree {
    /// The impurity measure. Default Gini.
    pub criterion: Criterion,
    /// Maximum depth (the root is at depth 0); `None` for no limit. Default `None`.
    pub max_depth: Option<usize>,
    /// A node with fewer rows is not split (at least 2). Default 2.
    pub min_samples_split: usize,
    /// Minimum number of rows in each child of a split (at least 1). Default 1.
    pub min_samples_leaf: usize,
    /// Minimum fraction of the total sample weight in each child of a split, 0 to 0.5.
    /// Default 0.
    pub min_weight_fraction_leaf: f64,
    /// A node is split only if the weighted impurity decrease of the split (see the module
    /// documentation) is at least this. Default 0.
    pub min_impurity_decrease: f64,
}

impl Default for DecisionTree {
    fn default() -> Self {
        DecisionTree {
            criterion: Criterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            min_weight_fraction_leaf: 0.0,
            min_impurity_decrease: 0.0,
        }
    }
}

/// The best split found in a node.
#[derive(Debug, Clone, Copy)]
struct Split {
    feature: usize,
    threshold: f64,
    proxy: f64,
}

/// A node waiting to be built: rows `samples[start..end]`.
struct Pending {
    start: usize,
    end: usize,
    depth: usize,
    parent: Option<(usize, bool)>,
}

impl DecisionTree {
    fn check(&self) -> Result<(), LearnError> {
        let bad = |m: String| Err(LearnError::Parameter(m));
        if self.min_samples_split < 2 {
            return bad(format!(
                "min_samples_split must be at least 2, got {}",
                self.min_samples_split
            ));
        }
        if self.min_samples_leaf < 1 {
            return bad("min_samples_leaf must be at least 1".into());
        }
        if !(0.0..=0.5).contains(&self.min_weight_fraction_leaf) {
            return bad(format!(
                "min_weight_fraction_leaf must be in [0, 0.5], got {}",
                self.min_weight_fraction_leaf
            ));
        }
        if !(self.min_impurity_decrease >= 0.0 && self.min_impurity_decrease.is_finite()) {
            return bad(format!(
                "min_impurity_decrease must be non-negative, got {}",
                self.min_impurity_decrease
            ));
        }
        Ok(())
    }

    /// Fits the tree to `x` (n × d, every value finite: NaN or an infinity is a
    /// [`LearnError::NonFinite`] naming row and column), labels `y` (0 or 1) and optional
    /// non-negative `sample_weight`s (their sum must be positive). Returns a one-tree,
    /// identity-link [`TreeEnsemble`] whose prediction is `P(class 1)`; it has no feature names
    /// (set [`TreeEnsemble::feature_names`] to add them).
    pub fn fit(
        &self,
        x: &Matrix,
        y: &[f64],
        sample_weight: Option<&[f64]>,
    ) -> Result<TreeEnsemble, LearnError> {
        self.check()?;
        let (n, d) = (x.n_rows(), x.n_cols());
        if n == 0 {
            return Err(LearnError::Empty);
        }
        if y.len() != n {
            return Err(LearnError::Length {
                what: "labels",
                expected: n,
                found: y.len(),
            });
        }
        if let Some((i, &v)) = x.data().iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(LearnError::NonFinite {
                row: i / d,
                col: i % d,
                value: v,
            });
        }
        if let Some((row, &value)) = y.iter().enumerate().find(|(_, v)| **v != 0.0 && **v != 1.0) {
            return Err(LearnError::BadLabel { row, value });
        }
        let w: Vec<f64> = match sample_weight {
            Some(w) => {
                if w.len() != n {
                    return Err(LearnError::Length {
                        what: "sample weights",
                        expected: n,
                        found: w.len(),
                    });
                }
                if let Some((row, &value)) = w
                    .iter()
                    .enumerate()
                    .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
                {
                    return Err(LearnError::BadWeight { row, value });
                }
                w.to_vec()
            }
            None => vec![1.0; n],
        };
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            return Err(LearnError::Parameter(
                "the sample weights sum to zero".into(),
            ));
        }
        let tree = Builder {
            p: self,
            x,
            y,
            w: &w,
            total,
            min_weight_leaf: self.min_weight_fraction_leaf * total,
            tree: empty_tree(),
            sorted: Vec::with_capacity(n),
        }
        .build();
        Ok(TreeEnsemble {
            trees: vec![tree],
            n_features: d,
            feature_names: None,
            categorical_features: vec![],
            base_score: 0.0,
            objective: Objective {
                name: self.criterion.objective_name().into(),
                link: Link::Identity,
            },
            arithmetic: Arithmetic::F64,
            source: Source::Assay {
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
        })
    }
}

fn empty_tree() -> Tree {
    Tree {
        left: vec![],
        right: vec![],
        split_feature: vec![],
        threshold: vec![],
        default_left: vec![],
        missing: vec![],
        decision: vec![],
        category_set: vec![],
        category_sets: vec![],
        value: vec![],
        cover: Some(vec![]),
        count: Some(vec![]),
        gain: vec![],
        shrinkage: None,
    }
}

/// The state of one fit.
struct Builder<'a, 'x> {
    p: &'a DecisionTree,
    x: &'a Matrix<'x>,
    y: &'a [f64],
    w: &'a [f64],
    /// Total sample weight (the root's weighted row count).
    total: f64,
    /// `min_weight_fraction_leaf × total`.
    min_weight_leaf: f64,
    tree: Tree,
    /// Scratch: (value, row) of one feature in a node, sorted.
    sorted: Vec<(f64, usize)>,
}

impl Builder<'_, '_> {
    /// Weighted class sums `(w_0, w_1)` of the rows.
    fn class_sums(&self, rows: &[usize]) -> (f64, f64) {
        let (mut w0, mut w1) = (0.0, 0.0);
        for &r in rows {
            if self.y[r] == 1.0 {
                w1 += self.w[r];
            } else {
                w0 += self.w[r];
            }
        }
        (w0, w1)
    }

    /// Grows the tree depth-first, left child first (scikit-learn's node order).
    fn build(mut self) -> Tree {
        let n = self.x.n_rows();
        let mut samples: Vec<usize> = (0..n).collect();
        let mut stack = vec![Pending {
            start: 0,
            end: n,
            depth: 0,
            parent: None,
        }];
        let max_depth = self.p.max_depth.unwrap_or(usize::MAX);
        while let Some(node) = stack.pop() {
            let rows = &samples[node.start..node.end];
            let n_node = rows.len();
            let (w0, w1) = self.class_sums(rows);
            let w_node = w0 + w1;
            let impurity = self.p.criterion.impurity(w0, w1, w_node);
            let id = self.push_leaf(w1 / w_node, w_node, n_node as u64);
            if let Some((parent, is_left)) = node.parent {
                if is_left {
                    self.tree.left[parent] = id as i32;
                } else {
                    self.tree.right[parent] = id as i32;
                }
            }
            let leaf = node.depth >= max_depth
                || n_node < self.p.min_samples_split
                || n_node < 2 * self.p.min_samples_leaf
                || w_node < 2.0 * self.min_weight_leaf
                || impurity <= f64::EPSILON;
            if leaf {
                continue;
            }
            let Some(split) = self.best_split(rows, w0, w1) else {
                continue;
            };
            // Stable partition: rows going left keep their order, then those going right.
            let (left, right): (Vec<usize>, Vec<usize>) = rows
                .iter()
                .partition(|&&r| self.x.row(r)[split.feature] <= split.threshold);
            let (l0, l1) = self.class_sums(&left);
            let (r0, r1) = self.class_sums(&right);
            let (wl, wr) = (l0 + l1, r0 + r1);
            let crit = self.p.criterion;
            let improvement = (w_node / self.total)
                * (impurity
                    - wr / w_node * crit.impurity(r0, r1, wr)
                    - wl / w_node * crit.impurity(l0, l1, wl));
            if improvement + f64::EPSILON < self.p.min_impurity_decrease {
                continue;
            }
            let mid = node.start + left.len();
            samples[node.start..mid].copy_from_slice(&left);
            samples[mid..node.end].copy_from_slice(&right);
            let t = &mut self.tree;
            t.split_feature[id] = split.feature as u32;
            t.threshold[id] = split.threshold;
            t.decision[id] = Decision::LessEqual;
            t.missing[id] = MissingType::NaN;
            t.default_left[id] = left.len() > right.len();
            t.gain[id] = improvement;
            // Placeholders until the children are built (always overwritten).
            t.left[id] = 0;
            t.right[id] = 0;
            stack.push(Pending {
                start: mid,
                end: node.end,
                depth: node.depth + 1,
                parent: Some((id, false)),
            });
            stack.push(Pending {
                start: node.start,
                end: mid,
                depth: node.depth + 1,
                parent: Some((id, true)),
            });
        }
        self.tree
    }

    /// Appends a leaf with the given value, weighted count and count; returns its index.
    fn push_leaf(&mut self, value: f64, cover: f64, count: u64) -> usize {
        let t = &mut self.tree;
        t.left.push(-1);
        t.right.push(-1);
        t.split_feature.push(0);
        t.threshold.push(0.0);
        t.default_left.push(false);
        t.missing.push(MissingType::None);
        t.decision.push(Decision::Leaf);
        t.category_set.push(None);
        t.value.push(value);
        t.gain.push(0.0);
        if let Some(c) = t.cover.as_mut() {
            c.push(cover);
        }
        if let Some(c) = t.count.as_mut() {
            c.push(count);
        }
        t.left.len() - 1
    }

    /// The best split of `rows` (class sums `w0`, `w1`), or `None` when no split satisfies the
    /// leaf-size constraints. Features in index order, thresholds ascending; strict improvement
    /// only, so the first of tied candidates wins.
    fn best_split(&mut self, rows: &[usize], w0: f64, w1: f64) -> Option<Split> {
        let n = rows.len();
        let w_node = w0 + w1;
        let min_leaf = self.p.min_samples_leaf;
        let crit = self.p.criterion;
        let mut best: Option<Split> = None;
        let mut sorted = std::mem::take(&mut self.sorted);
        for j in 0..self.x.n_cols() {
            sorted.clear();
            sorted.extend(rows.iter().map(|&r| (self.x.row(r)[j], r)));
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            if sorted[n - 1].0 <= sorted[0].0 + FEATURE_THRESHOLD {
                continue;
            }
            let (mut l0, mut l1, mut wl) = (0.0, 0.0, 0.0);
            for p in 1..n {
                let (_, r) = sorted[p - 1];
                let wi = self.w[r];
                if self.y[r] == 1.0 {
                    l1 += wi;
                } else {
                    l0 += wi;
                }
                wl += wi;
                if sorted[p].0 <= sorted[p - 1].0 + FEATURE_THRESHOLD {
                    continue;
                }
                if p < min_leaf || n - p < min_leaf {
                    continue;
                }
                let wr = w_node - wl;
                if wl < self.min_weight_leaf || wr < self.min_weight_leaf {
                    continue;
                }
                if wl <= 0.0 || wr <= 0.0 {
                    continue;
                }
                let (r0, r1) = (w0 - l0, w1 - l1);
                let proxy = -wr * crit.impurity(r0, r1, wr) - wl * crit.impurity(l0, l1, wl);
                if best.is_none_or(|b| proxy > b.proxy) {
                    let (a, b) = (sorted[p - 1].0, sorted[p].0);
                    let mut threshold = a / 2.0 + b / 2.0;
                    if threshold == b || threshold.is_infinite() {
                        threshold = a;
                    }
                    best = Some(Split {
                        feature: j,
                        threshold,
                        proxy,
                    });
                }
            }
        }
        self.sorted = sorted;
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(p: &DecisionTree, x: &[f64], d: usize, y: &[f64], w: Option<&[f64]>) -> TreeEnsemble {
        p.fit(&Matrix::new(x, d).unwrap(), y, w).unwrap()
    }

    /// A small deterministic data set: two features, a noisy label.
    fn data(n: usize) -> (Vec<f64>, Vec<f64>) {
        let mut x = Vec::with_capacity(2 * n);
        let mut y = Vec::with_capacity(n);
        for i in 0..n {
            let a = ((i * 37) % 101) as f64 / 10.0;
            let b = ((i * 53) % 89) as f64 / 20.0;
            x.extend([a, b]);
            let noise = ((i * 7919) % 13) as f64 / 4.0 - 1.5;
            y.push(f64::from(u8::from(a - 2.0 * b + noise > 0.5)));
        }
        (x, y)
    }

    #[test]
    fn weight_two_equals_duplicated_rows() {
        let (x, y) = data(150);
        let p = DecisionTree {
            max_depth: Some(5),
            ..DecisionTree::default()
        };
        let w: Vec<f64> = (0..150)
            .map(|i| if i % 3 == 0 { 2.0 } else { 1.0 })
            .collect();
        let weighted = fit(&p, &x, 2, &y, Some(&w));
        let (mut xd, mut yd) = (x.clone(), y.clone());
        for i in (0..150).filter(|i| i % 3 == 0) {
            xd.extend_from_slice(&x[2 * i..2 * i + 2]);
            yd.push(y[i]);
        }
        let dup = fit(&p, &xd, 2, &yd, None);
        let (a, b) = (&weighted.trees[0], &dup.trees[0]);
        assert!(a.n_nodes() > 7, "{}", a.n_nodes());
        assert_eq!(a.left, b.left);
        assert_eq!(a.right, b.right);
        assert_eq!(a.split_feature, b.split_feature);
        assert_eq!(a.threshold, b.threshold);
        for k in 0..a.n_nodes() {
            assert!((a.value[k] - b.value[k]).abs() < 1e-12, "node {k}");
            assert!((a.gain[k] - b.gain[k]).abs() < 1e-12, "node {k}");
            let (ca, cb) = (a.cover.as_ref().unwrap()[k], b.cover.as_ref().unwrap()[k]);
            assert!((ca - cb).abs() < 1e-9, "node {k}");
        }
        let pa = weighted.predict(&x, 2).unwrap();
        let pb = dup.predict(&x, 2).unwrap();
        assert_eq!(pa, pb);
    }

    #[test]
    fn hand_computed_stump() {
        // x: 1 2 3 4 5 6, y: 0 0 0 1 1 0; the best Gini split is x <= 3.5.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0];
        let p = DecisionTree {
            max_depth: Some(1),
            ..DecisionTree::default()
        };
        let m = fit(&p, &x, 1, &y, None);
        let t = &m.trees[0];
        assert_eq!(t.n_nodes(), 3);
        assert_eq!(t.threshold[0], 3.5);
        assert_eq!(t.value, [2.0 / 6.0, 0.0, 2.0 / 3.0]);
        assert_eq!(t.cover.as_ref().unwrap(), &[6.0, 3.0, 3.0]);
        assert_eq!(t.count.as_ref().unwrap(), &[6, 3, 3]);
        // Root Gini 1 − (4² + 2²)/36 = 4/9; right child 4/9; left 0.
        let gain = 4.0 / 9.0 - 0.5 * 4.0 / 9.0;
        assert!((t.gain[0] - gain).abs() < 1e-15);
        // NaN goes right on the tie of row counts.
        assert_eq!(m.predict_row(&[f64::NAN]), 2.0 / 3.0);
        assert_eq!(
            m.predict(&x, 1).unwrap(),
            [0.0, 0.0, 0.0, 2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0]
        );
        m.validate().unwrap();
    }

    #[test]
    fn first_feature_wins_ties_and_leaf_rules_hold() {
        // Two identical features: the split must use feature 0.
        let x: Vec<f64> = (0..20).flat_map(|i| [i as f64, i as f64]).collect();
        let y: Vec<f64> = (0..20).map(|i| f64::from(u8::from(i >= 10))).collect();
        let m = fit(&DecisionTree::default(), &x, 2, &y, None);
        let t = &m.trees[0];
        assert_eq!(t.n_nodes(), 3);
        assert_eq!(t.split_feature[0], 0);
        assert_eq!(t.threshold[0], 9.5);
        // min_samples_leaf 11 forbids every split of 20 rows.
        let p = DecisionTree {
            min_samples_leaf: 11,
            ..DecisionTree::default()
        };
        assert_eq!(fit(&p, &x, 2, &y, None).trees[0].n_nodes(), 1);
        // The only split decreases the impurity by 0.5.
        let p = DecisionTree {
            min_impurity_decrease: 0.6,
            ..DecisionTree::default()
        };
        assert_eq!(fit(&p, &x, 2, &y, None).trees[0].n_nodes(), 1);
        let p = DecisionTree {
            min_impurity_decrease: 0.5,
            ..DecisionTree::default()
        };
        assert_eq!(fit(&p, &x, 2, &y, None).trees[0].n_nodes(), 3);
    }

    #[test]
    fn entropy_criterion_and_depth_limit() {
        let (x, y) = data(300);
        for criterion in [Criterion::Gini, Criterion::Entropy] {
            let p = DecisionTree {
                criterion,
                max_depth: Some(3),
                ..DecisionTree::default()
            };
            let m = fit(&p, &x, 2, &y, None);
            m.validate().unwrap();
            let t = &m.trees[0];
            // Depth of every node from the root.
            let mut depth = vec![0usize; t.n_nodes()];
            for k in 0..t.n_nodes() {
                if !t.is_leaf(k) {
                    depth[t.left[k] as usize] = depth[k] + 1;
                    depth[t.right[k] as usize] = depth[k] + 1;
                }
            }
            assert_eq!(depth.iter().max(), Some(&3));
            // Children are numbered after their parent, left first.
            for k in 0..t.n_nodes() {
                if !t.is_leaf(k) {
                    assert_eq!(t.left[k] as usize, k + 1);
                    assert!(t.right[k] as usize > k + 1);
                }
            }
            assert_eq!(m.objective.link, Link::Identity);
        }
    }

    #[test]
    fn exports_to_onnx() {
        let (x, y) = data(200);
        let p = DecisionTree {
            max_depth: Some(4),
            ..DecisionTree::default()
        };
        let bytes = fit(&p, &x, 2, &y, None).to_onnx_bytes().unwrap();
        assert!(!bytes.is_empty());
    }

    #[test]
    fn errors_name_row_and_column() {
        let x = [1.0, 2.0, 3.0, f64::NAN];
        let e = DecisionTree::default()
            .fit(&Matrix::new(&x, 2).unwrap(), &[0.0, 1.0], None)
            .unwrap_err();
        assert!(
            matches!(e, LearnError::NonFinite { row: 1, col: 1, .. }),
            "{e}"
        );
        let e = DecisionTree::default()
            .fit(&Matrix::new(&x[..2], 2).unwrap(), &[2.0], None)
            .unwrap_err();
        assert!(matches!(e, LearnError::BadLabel { row: 0, .. }), "{e}");
        let e = DecisionTree::default()
            .fit(&Matrix::new(&x[..2], 2).unwrap(), &[1.0], Some(&[-1.0]))
            .unwrap_err();
        assert!(matches!(e, LearnError::BadWeight { row: 0, .. }), "{e}");
        let p = DecisionTree {
            min_samples_split: 1,
            ..DecisionTree::default()
        };
        assert!(matches!(
            p.fit(&Matrix::new(&x[..2], 2).unwrap(), &[1.0], None),
            Err(LearnError::Parameter(_))
        ));
    }
}
