//! Exact TreeSHAP for tree ensembles ([`TreeEnsemble`]): path-dependent SHAP values and SHAP
//! interaction values (Lundberg et al. 2020, "From local explanations to global understanding
//! with explainable AI for trees", Nature Machine Intelligence 2, Algorithm 2 and section 4.1),
//! and interventional SHAP values against a background set (the same paper's "interventional"
//! TreeSHAP; shap's `TreeExplainer(model, data, feature_perturbation="interventional")`).
//!
//! Everything is in **margin space** (the raw score before the inverse link), as XGBoost's
//! `predict(pred_contribs=True)`, LightGBM's `predict(pred_contrib=True)` and shap's
//! `TreeExplainer(..., model_output="raw")` report it: each row's values sum to its margin minus
//! the base value.
//!
//! # Split semantics
//!
//! Every step a row takes is decided by the tree's own routing function
//! ([`Tree::next_node`]): XGBoost's `f32` `<` comparisons and categorical sets, LightGBM's `<=`
//! with its missing-value types, default children for missing values. The child a row goes to
//! is TreeSHAP's "hot" child, the other one the "cold" child.
//!
//! # Node weights (path-dependent)
//!
//! The path-dependent algorithm weighs the two children of a split by the training data that
//! reached them. As the libraries do: XGBoost and assay's own learners use the hessian sums
//! (`cover`, XGBoost `sum_hessian`); LightGBM uses the row counts (`internal_count` /
//! `leaf_count`, LightGBM's `Tree::TreeSHAP` and `Tree::ExpectedValue`), falling back to
//! `cover` when counts are absent. The base value is `base_score` plus, per tree, the
//! weight-averaged leaf value (XGBoost's `FillNodeMeanValues`, LightGBM's `ExpectedValue`).
//!
//! # Algorithm (path-dependent)
//!
//! The path-dependent SHAP value of a tree is the sum over its leaves of the Shapley values of
//! the leaf's game `g(S) = v · Π_{j ∈ P∩S} o_j · Π_{j ∈ P \ S} z_j`, where `P` are the distinct
//! features split on along the leaf's path, `z_j` the product of the weight fractions of the
//! path's splits on `j`, and `o_j` whether the row follows all of them (this is exactly what
//! Algorithm 2's `EXTEND`/`UNWIND` compute, duplicate features merged). Writing `A` for the set
//! of path features the row follows and `H(A) = v Σ_{S ⊆ A} w(|S|) Π_{j ∈ P\S} z_j` with the
//! Shapley weights `w(s) = s!(m−s−1)!/m!`, the leaf adds `−H(A)` to every `j ∉ A` and
//! `v(1 − z_j) Σ_{S ⊆ A\{j}} w(|S|) Π_{i ∈ P\S\{j}} z_i = (1 − z_j)/z_j · H(A \ {j})` to every
//! `j ∈ A`. `H` is tabulated once per leaf for all `2^|P|` sets (a subset-sum transform), so a
//! row costs `O(T · L · D)` instead of Algorithm 2's `O(T · L · D²)`: the idea of Fast
//! TreeSHAP v2 (Yang 2021, "Fast TreeSHAP: Accelerating SHAP Value Computation for Trees").
//! Leaves with a zero weight fraction keep a division-free table. Trees whose tables would be
//! too large (more than [`MAX_TABLE_ENTRIES`] entries or paths with more than [`MAX_SLOTS`]
//! distinct features) use Algorithm 2 itself, with preallocated path storage.
//!
//! Interaction values use Algorithm 2 with conditioning (section 4.1, as XGBoost's
//! `PredictInteractionContributions` and shap's `tree_shap` do): `Φ_ij = (φ_j|i on − φ_j|i
//! off)/2` for `i ≠ j`, and the diagonal `Φ_ii = φ_i − Σ_{j≠i} Φ_ij`, so each row of the matrix
//! sums to the SHAP value.
//!
//! # Algorithm (interventional)
//!
//! For one explained row `x` and one background row `z` the interventional game is
//! `v(S) = f(x_S, z_{not S})`. Walking a tree with both rows, a split where `x` and `z` go to
//! different children branches on whether its feature is in `S`; a leaf reached with features
//! `X` required in `S` and `Z` required out of `S` is a unanimity-type game whose Shapley
//! values are `v · (a−1)! b! / (a+b)!` for each feature of `X` and `−v · a! (b−1)! / (a+b)!`
//! for each of `Z` (`a = |X|`, `b = |Z|`; features on no branch are null players). The values
//! are averaged over the background rows, and the base value is the mean background margin
//! (computed in `f64`).
//!
//! # Determinism
//!
//! Rows are processed in fixed chunks of [`CHUNK_ROWS`] with rayon; every row's values are
//! computed by the same sequence of operations whatever the number of threads, so the output
//! is bit-identical for any thread count.

use assay_model::{Source, Tree, TreeEnsemble};
use rayon::prelude::*;

use crate::error::{check_len, ExplainError};
use crate::groups::FeatureGroups;

/// Rows per parallel work item. Fixed, so that results do not depend on the thread count.
pub const CHUNK_ROWS: usize = 64;

/// Largest number of distinct features on one root-to-leaf path for which a tree uses the
/// tabulated (Fast TreeSHAP v2) evaluation; deeper trees use Algorithm 2.
pub const MAX_SLOTS: usize = 20;

/// Largest number of table entries (8 bytes each) one tree may use for the tabulated
/// evaluation; a tree needing more uses Algorithm 2.
pub const MAX_TABLE_ENTRIES: usize = 1 << 20;

/// SHAP values of `n_rows` rows: one value per row and feature plus the base value.
///
/// `values` is row-major `n_rows × n_features`; each row sums to the row's margin minus
/// `base_value` (up to floating-point rounding).
#[derive(Debug, Clone, PartialEq)]
pub struct ShapValues {
    /// The values, row-major `n_rows × n_features`.
    pub values: Vec<f64>,
    /// The expected margin the values are measured from: for path-dependent TreeSHAP the
    /// cover-weighted mean leaf value plus the base score, for interventional TreeSHAP the mean
    /// margin of the background rows.
    pub base_value: f64,
    /// Number of rows explained.
    pub n_rows: usize,
    /// Number of features (columns) per row.
    pub n_features: usize,
}

impl ShapValues {
    /// The values of row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.values[i * self.n_features..(i + 1) * self.n_features]
    }
}

/// SHAP interaction values of `n_rows` rows (Lundberg et al. 2020, section 4.1): one
/// `n_features × n_features` matrix per row, whose row `i` sums to the SHAP value of feature
/// `i`; off-diagonal entries are half the Shapley interaction index (so `Φ_ij + Φ_ji` is the
/// whole interaction), the diagonal is the main effect `φ_i − Σ_{j≠i} Φ_ij`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapInteractions {
    /// The matrices, row-major `n_rows × n_features × n_features`.
    pub values: Vec<f64>,
    /// The base value (as [`ShapValues::base_value`] of path-dependent TreeSHAP).
    pub base_value: f64,
    /// Number of rows explained.
    pub n_rows: usize,
    /// Number of features.
    pub n_features: usize,
}

impl ShapInteractions {
    /// The `n_features × n_features` matrix of row `i`, row-major.
    pub fn matrix(&self, i: usize) -> &[f64] {
        let dd = self.n_features * self.n_features;
        &self.values[i * dd..(i + 1) * dd]
    }
}

/// Path-dependent TreeSHAP values (Lundberg et al. 2020, Algorithm 2; XGBoost
/// `pred_contribs=True`, LightGBM `pred_contrib=True`) of the row-major `n_rows ×
/// ensemble.n_features` matrix `x` (NaN is a missing value), in margin space.
///
/// Errors when `x` has the wrong length, or when a tree lacks node weights (covers or counts)
/// or has an internal node of weight zero or less.
pub fn tree_shap(
    ensemble: &TreeEnsemble,
    x: &[f64],
    n_rows: usize,
) -> Result<ShapValues, ExplainError> {
    tree_shap_with(ensemble, x, n_rows, true)
}

/// [`tree_shap`] with the choice of evaluation: `tabulated = false` uses Algorithm 2 for every
/// tree (the reference the tabulated evaluation is tested against).
#[doc(hidden)]
pub fn tree_shap_with(
    ensemble: &TreeEnsemble,
    x: &[f64],
    n_rows: usize,
    tabulated: bool,
) -> Result<ShapValues, ExplainError> {
    let d = ensemble.n_features;
    check_len("input matrix", n_rows * d, x.len())?;
    let model = Prepared::new(ensemble, tabulated)?;
    let mut values = vec![0.0; n_rows * d];
    if d > 0 {
        values
            .par_chunks_mut(CHUNK_ROWS * d)
            .zip(x.par_chunks(CHUNK_ROWS * d))
            .for_each(|(out, rows)| {
                let mut scratch = Scratch::new(&model);
                model.shap_rows(rows, out, &mut scratch);
            });
    }
    Ok(ShapValues {
        values,
        base_value: model.base_value,
        n_rows,
        n_features: d,
    })
}

/// Path-dependent SHAP interaction values (Lundberg et al. 2020, section 4.1; XGBoost
/// `pred_interactions=True`, shap's `TreeExplainer.shap_interaction_values`) of the row-major
/// matrix `x`, in margin space. Cost: about `2 × (features per tree)` runs of Algorithm 2 per
/// row and tree.
pub fn tree_shap_interactions(
    ensemble: &TreeEnsemble,
    x: &[f64],
    n_rows: usize,
) -> Result<ShapInteractions, ExplainError> {
    let d = ensemble.n_features;
    check_len("input matrix", n_rows * d, x.len())?;
    let model = Prepared::new(ensemble, true)?;
    let dd = d * d;
    let mut values = vec![0.0; n_rows * dd];
    if d > 0 {
        values
            .par_chunks_mut(CHUNK_ROWS * dd)
            .zip(x.par_chunks(CHUNK_ROWS * d))
            .for_each(|(out, rows)| {
                let mut scratch = Scratch::new(&model);
                let mut phi = vec![0.0; d];
                let mut on = vec![0.0; d];
                let mut off = vec![0.0; d];
                for (m, row) in out.chunks_mut(dd).zip(rows.chunks(d)) {
                    phi.iter_mut().for_each(|v| *v = 0.0);
                    model.shap_row(row, &mut phi, &mut scratch);
                    for pt in &model.trees {
                        for &i in &pt.features {
                            let i = i as usize;
                            on.iter_mut().for_each(|v| *v = 0.0);
                            off.iter_mut().for_each(|v| *v = 0.0);
                            pt.classic(row, &mut on, &mut scratch.path, 1, i as u32);
                            pt.classic(row, &mut off, &mut scratch.path, -1, i as u32);
                            for j in 0..d {
                                if j != i {
                                    m[i * d + j] += (on[j] - off[j]) / 2.0;
                                }
                            }
                        }
                    }
                    for i in 0..d {
                        let off_diag: f64 = (0..d).filter(|&j| j != i).map(|j| m[i * d + j]).sum();
                        m[i * d + i] = phi[i] - off_diag;
                    }
                }
            });
    }
    Ok(ShapInteractions {
        values,
        base_value: model.base_value,
        n_rows,
        n_features: d,
    })
}

/// Interventional TreeSHAP values (Lundberg et al. 2020; shap's `TreeExplainer(model,
/// data=background, feature_perturbation="interventional", model_output="raw")`) of the
/// row-major matrix `x` against the row-major `n_background × n_features` matrix `background`:
/// the mean over background rows `z` of the exact Shapley values of `S ↦ margin(x_S,
/// z_not S)`. The base value is the mean background margin (leaf values summed in `f64`).
/// Cost: `O(n_rows · n_background · T · L)` at worst.
pub fn tree_shap_interventional(
    ensemble: &TreeEnsemble,
    x: &[f64],
    n_rows: usize,
    background: &[f64],
    n_background: usize,
) -> Result<ShapValues, ExplainError> {
    let d = ensemble.n_features;
    check_len("input matrix", n_rows * d, x.len())?;
    check_len("background matrix", n_background * d, background.len())?;
    if n_background == 0 {
        return Err(ExplainError::Empty("background data"));
    }
    ensemble.validate().map_err(ExplainError::Model)?;
    let depth = ensemble.trees.iter().map(Tree::depth).max().unwrap_or(0);
    let k = depth.min(d);
    if k > 150 {
        return Err(ExplainError::Parameter(format!(
            "interventional TreeSHAP supports trees splitting on at most 150 distinct features along a path; this model may use {k}"
        )));
    }
    let weights = UnanimityWeights::new(k);
    let base_value = ensemble.base_score
        + background
            .chunks(d.max(1))
            .take(n_background)
            .map(|z| {
                ensemble
                    .trees
                    .iter()
                    .map(|t| t.value[t.leaf(z)])
                    .sum::<f64>()
            })
            .sum::<f64>()
            / n_background as f64;
    let mut values = vec![0.0; n_rows * d];
    if d > 0 {
        values
            .par_chunks_mut(CHUNK_ROWS * d)
            .zip(x.par_chunks(CHUNK_ROWS * d))
            .for_each(|(out, rows)| {
                let mut state = vec![Side::Free; d];
                let mut xs = Vec::with_capacity(k);
                let mut zs = Vec::with_capacity(k);
                for (phi, row) in out.chunks_mut(d).zip(rows.chunks(d)) {
                    for z in background.chunks(d) {
                        for t in &ensemble.trees {
                            let mut walk = Interventional {
                                tree: t,
                                x: row,
                                z,
                                state: &mut state,
                                xs: &mut xs,
                                zs: &mut zs,
                                phi,
                                w: &weights,
                            };
                            walk.visit(0);
                        }
                    }
                    let scale = 1.0 / n_background as f64;
                    phi.iter_mut().for_each(|v| *v *= scale);
                }
            });
    }
    Ok(ShapValues {
        values,
        base_value,
        n_rows,
        n_features: d,
    })
}

/// Sums the SHAP values of each group's columns, giving one value per group (in the order of
/// `groups.names`); the base value is unchanged.
///
/// This is what SHAP users do with one-hot encodings (`shap.Explanation` cohorts, summing the
/// columns of a categorical variable): by the additivity of Shapley values in the game it is
/// exactly the sum of the per-column attributions, so rows still sum to margin − base value.
/// It is **not** in general the Shapley value of the game whose players are the groups (that
/// game conditions on all of a group's columns at once; path-dependent TreeSHAP of the
/// grouped game differs when a tree splits on two columns of one group). Read it as "the
/// credit TreeSHAP gives to this group's columns".
pub fn group_shap_values(
    values: &ShapValues,
    groups: &FeatureGroups,
) -> Result<ShapValues, ExplainError> {
    let d = values.n_features;
    check_len("feature groups' columns", d, groups.n_columns())?;
    check_len("group members", groups.names.len(), groups.members.len())?;
    if let Some(&c) = groups.members.iter().flatten().find(|&&c| c >= d) {
        return Err(ExplainError::Parameter(format!(
            "a feature group names column {c}, but there are {d} columns"
        )));
    }
    let g = groups.len();
    let mut out = vec![0.0; values.n_rows * g];
    for (dst, src) in out.chunks_mut(g.max(1)).zip(values.values.chunks(d.max(1))) {
        for (o, cols) in dst.iter_mut().zip(&groups.members) {
            *o = cols.iter().map(|&c| src[c]).sum();
        }
    }
    Ok(ShapValues {
        values: out,
        base_value: values.base_value,
        n_rows: values.n_rows,
        n_features: g,
    })
}

// ---------------------------------------------------------------------------------------------
// Preparation

/// The ensemble with node weights, expected values and (where small enough) the tabulated
/// leaves.
struct Prepared<'a> {
    trees: Vec<PreparedTree<'a>>,
    base_value: f64,
    n_features: usize,
    /// Path storage Algorithm 2 needs: `(D + 2)(D + 3) / 2` elements for depth `D`.
    path_len: usize,
    /// Largest number of nodes of a tabulated tree.
    max_fast_nodes: usize,
}

struct PreparedTree<'a> {
    tree: &'a Tree,
    /// Node weights (cover or count), per node; empty for a single leaf.
    weights: Vec<f64>,
    /// The distinct features the tree splits on, ascending.
    features: Vec<u32>,
    fast: Option<FastTree>,
}

impl<'a> Prepared<'a> {
    fn new(ensemble: &'a TreeEnsemble, tabulated: bool) -> Result<Prepared<'a>, ExplainError> {
        ensemble.validate().map_err(ExplainError::Model)?;
        let lightgbm = matches!(ensemble.source, Source::LightGBM { .. });
        let mut trees = Vec::with_capacity(ensemble.trees.len());
        let mut base_value = ensemble.base_score;
        let mut depth = 0;
        let mut max_fast_nodes = 0;
        for (t, tree) in ensemble.trees.iter().enumerate() {
            depth = depth.max(tree.depth());
            let weights = if tree.is_leaf(0) {
                Vec::new()
            } else {
                node_weights(tree, lightgbm).ok_or_else(|| {
                    ExplainError::Data(format!(
                        "tree {t} has no node covers or counts; path-dependent TreeSHAP needs them \
                         (use interventional TreeSHAP with background data)"
                    ))
                })?
            };
            let bad = (0..tree.n_nodes()).find(|&n| {
                !tree.is_leaf(n)
                    && weights[n].partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
            });
            if let Some(n) = bad {
                return Err(ExplainError::Data(format!(
                    "tree {t} node {n} has weight {} (cover or count); path-dependent TreeSHAP \
                     needs positive weights at every split",
                    weights[n]
                )));
            }
            base_value += expected_value(tree, &weights, 0);
            let mut features: Vec<u32> = (0..tree.n_nodes())
                .filter(|&n| !tree.is_leaf(n))
                .map(|n| tree.split_feature[n])
                .collect();
            features.sort_unstable();
            features.dedup();
            let fast = if tabulated && !tree.is_leaf(0) {
                FastTree::build(tree, &weights)
            } else {
                None
            };
            if let Some(f) = &fast {
                max_fast_nodes = max_fast_nodes.max(f.orig.len());
            }
            trees.push(PreparedTree {
                tree,
                weights,
                features,
                fast,
            });
        }
        Ok(Prepared {
            trees,
            base_value,
            n_features: ensemble.n_features,
            path_len: (depth + 2) * (depth + 3) / 2,
            max_fast_nodes,
        })
    }

    /// Adds the SHAP values of `row` to `phi`.
    fn shap_row(&self, row: &[f64], phi: &mut [f64], scratch: &mut Scratch) {
        self.shap_rows(row, phi, scratch);
    }

    /// Adds the SHAP values of the rows of `rows` to the rows of `phi`, tree by tree (so that a
    /// tree's tables stay in cache for the whole block); every row still adds the trees in
    /// their order.
    fn shap_rows(&self, rows: &[f64], phi: &mut [f64], scratch: &mut Scratch) {
        let d = self.n_features;
        debug_assert_eq!(phi.len(), rows.len());
        for pt in &self.trees {
            for (p, row) in phi.chunks_mut(d).zip(rows.chunks(d)) {
                match &pt.fast {
                    Some(f) => f.shap(pt.tree, row, p, &mut scratch.masks),
                    None => {
                        if !pt.tree.is_leaf(0) {
                            pt.classic(row, p, &mut scratch.path, 0, 0);
                        }
                    }
                }
            }
        }
    }
}

/// Per-thread work space, allocated once per chunk of rows.
struct Scratch {
    path: Vec<PathElement>,
    masks: Vec<u32>,
}

impl Scratch {
    fn new(model: &Prepared) -> Scratch {
        Scratch {
            path: vec![PathElement::default(); model.path_len],
            masks: vec![0; model.max_fast_nodes],
        }
    }
}

/// The node weights TreeSHAP uses (see the module documentation).
fn node_weights(tree: &Tree, lightgbm: bool) -> Option<Vec<f64>> {
    let counts = || {
        tree.count
            .as_ref()
            .map(|c| c.iter().map(|&v| v as f64).collect::<Vec<f64>>())
    };
    if lightgbm {
        counts().or_else(|| tree.cover.clone())
    } else {
        tree.cover.clone().or_else(counts)
    }
}

/// Weight-averaged leaf value below node `n` (XGBoost's `FillNodeMeanValue`: children weighted
/// by their weights, divided by the node's own weight).
fn expected_value(tree: &Tree, w: &[f64], n: usize) -> f64 {
    if tree.is_leaf(n) {
        return tree.value[n];
    }
    let (l, r) = (tree.left[n] as usize, tree.right[n] as usize);
    (expected_value(tree, w, l) * w[l] + expected_value(tree, w, r) * w[r]) / w[n]
}

// ---------------------------------------------------------------------------------------------
// Tabulated evaluation (Fast TreeSHAP v2)

const NO_CHILD: u32 = u32::MAX;

/// A tree in preorder with, per leaf, the table `H` of the module documentation.
struct FastTree {
    /// Original node index of each preorder node.
    orig: Vec<u32>,
    /// Split feature of internal nodes.
    feature: Vec<u32>,
    /// `1 << slot` of the node's feature on the path (internal nodes).
    bit: Vec<u32>,
    /// Preorder index of the left / right child; `NO_CHILD` for leaves.
    left: Vec<u32>,
    right: Vec<u32>,
    /// Leaf index of leaves.
    leaf: Vec<u32>,
    /// Per leaf: number of distinct path features, first path element, table offset.
    leaf_m: Vec<u32>,
    leaf_elem: Vec<u32>,
    leaf_table: Vec<u32>,
    /// Per path element (see [`Elem`]).
    elems: Vec<Elem>,
    tables: Vec<f64>,
}

/// One distinct feature of a leaf's path. With `b` = whether the row follows the path's
/// splits on it, the leaf adds `fac[b] · tables[off[b] + (A without the feature)]` to the
/// feature's value: `−H(A)` when `b = 0`, `(1 − z)/z · H(A \ {j})` when `b = 1` (or the
/// division-free table when `z = 0`). Indexing by `b` keeps the inner loop free of branches.
#[derive(Debug, Clone, Copy)]
struct Elem {
    feature: u32,
    off: [u32; 2],
    fac: [f64; 2],
}

impl FastTree {
    fn build(tree: &Tree, w: &[f64]) -> Option<FastTree> {
        let mut f = FastTree {
            orig: Vec::new(),
            feature: Vec::new(),
            bit: Vec::new(),
            left: Vec::new(),
            right: Vec::new(),
            leaf: Vec::new(),
            leaf_m: Vec::new(),
            leaf_elem: Vec::new(),
            leaf_table: Vec::new(),
            elems: Vec::new(),
            tables: Vec::new(),
        };
        let mut feats = Vec::new();
        let mut z = Vec::new();
        f.visit(tree, w, 0, &mut feats, &mut z)?;
        Some(f)
    }

    /// Adds node `n` (original index) and its subtree; `None` when the tables grow too large.
    fn visit(
        &mut self,
        tree: &Tree,
        w: &[f64],
        n: usize,
        feats: &mut Vec<u32>,
        z: &mut Vec<f64>,
    ) -> Option<u32> {
        let idx = self.orig.len();
        self.orig.push(n as u32);
        self.feature.push(0);
        self.bit.push(0);
        self.left.push(NO_CHILD);
        self.right.push(NO_CHILD);
        self.leaf.push(0);
        if tree.is_leaf(n) {
            self.leaf[idx] = self.leaf_m.len() as u32;
            self.add_leaf(tree.value[n], feats, z)?;
            return Some(idx as u32);
        }
        let feature = tree.split_feature[n];
        let (slot, new) = match feats.iter().position(|&g| g == feature) {
            Some(s) => (s, false),
            None => {
                if feats.len() >= MAX_SLOTS {
                    return None;
                }
                feats.push(feature);
                z.push(1.0);
                (feats.len() - 1, true)
            }
        };
        self.feature[idx] = feature;
        self.bit[idx] = 1 << slot;
        for (k, child) in [tree.left[n], tree.right[n]].into_iter().enumerate() {
            let child = child as usize;
            let saved = z[slot];
            z[slot] = saved * (w[child] / w[n]);
            let c = self.visit(tree, w, child, feats, z)?;
            z[slot] = saved;
            if k == 0 {
                self.left[idx] = c;
            } else {
                self.right[idx] = c;
            }
        }
        if new {
            feats.pop();
            z.pop();
        }
        Some(idx as u32)
    }

    /// Tabulates `H(A) = v Σ_{S⊆A} w(|S|) Π_{j∉S} z_j` for a leaf of value `v` whose path has
    /// the distinct features `feats` with weight fractions `z`.
    fn add_leaf(&mut self, v: f64, feats: &[u32], z: &[f64]) -> Option<()> {
        let m = feats.len();
        let size = 1usize << m;
        let zero: Vec<bool> = z.iter().map(|&zj| zj < 1e-150).collect();
        let n_tables = 1 + zero.iter().filter(|&&b| b).count();
        if self.tables.len() + n_tables * size > MAX_TABLE_ENTRIES {
            return None;
        }
        let shapley = shapley_weights(m);
        self.leaf_m.push(m as u32);
        self.leaf_elem.push(self.elems.len() as u32);
        let main = self.tables.len();
        self.leaf_table.push(main as u32);
        self.tables.extend(subset_sums(m, |s| {
            v * shapley[s.count_ones() as usize] * prod_out(z, s, None)
        }));
        for k in 0..m {
            let (scale, table) = if zero[k] {
                let off = self.tables.len();
                self.tables.extend(subset_sums(m, |s| {
                    if s >> k & 1 == 1 {
                        0.0
                    } else {
                        v * shapley[s.count_ones() as usize] * prod_out(z, s, Some(k))
                    }
                }));
                (1.0 - z[k], off)
            } else {
                ((1.0 - z[k]) / z[k], main)
            };
            self.elems.push(Elem {
                feature: feats[k],
                off: [main as u32, table as u32],
                fac: [-1.0, scale],
            });
        }
        Some(())
    }

    /// Adds this tree's SHAP values of `row` to `phi`.
    #[inline]
    fn shap(&self, tree: &Tree, row: &[f64], phi: &mut [f64], masks: &mut [u32]) {
        masks[0] = u32::MAX;
        for i in 0..self.orig.len() {
            let mask = masks[i];
            let l = self.left[i];
            if l == NO_CHILD {
                let leaf = self.leaf[i] as usize;
                let m = self.leaf_m[leaf] as usize;
                let a = (mask & ((1u32 << m) - 1)) as usize;
                let e0 = self.leaf_elem[leaf] as usize;
                for (k, e) in self.elems[e0..e0 + m].iter().enumerate() {
                    let b = a >> k & 1;
                    let t = e.off[b] as usize + (a & !(1 << k));
                    phi[e.feature as usize] += e.fac[b] * self.tables[t];
                }
            } else {
                let n = self.orig[i] as usize;
                let next = tree.next_node(n, row[self.feature[i] as usize]);
                let bit = self.bit[i];
                let r = self.right[i];
                // All ones when the row goes right (so the left child loses the bit), else 0.
                let right = 0u32.wrapping_sub((next != tree.left[n] as usize) as u32);
                masks[l as usize] = mask & !(bit & right);
                masks[r as usize] = mask & !(bit & !right);
            }
        }
    }
}

/// Shapley weights `w(s) = s! (m−s−1)! / m!` for `s < m` (and `w(m) = 0`, never used with a
/// nonzero term).
fn shapley_weights(m: usize) -> Vec<f64> {
    let mut w = vec![0.0; m + 1];
    for (s, ws) in w.iter_mut().enumerate().take(m) {
        // s!(m-s-1)!/m! = 1 / (m · C(m-1, s))
        let mut c = 1.0;
        for i in 0..s {
            c = c * (m - 1 - i) as f64 / (i + 1) as f64;
        }
        *ws = 1.0 / (m as f64 * c);
    }
    w
}

/// `Π_{j ∉ s, j ≠ skip} z_j`.
fn prod_out(z: &[f64], s: usize, skip: Option<usize>) -> f64 {
    let mut p = 1.0;
    for (j, &zj) in z.iter().enumerate() {
        if s >> j & 1 == 0 && Some(j) != skip {
            p *= zj;
        }
    }
    p
}

/// The table `A ↦ Σ_{S ⊆ A} term(S)` over the subsets of `m` elements (subset-sum transform).
fn subset_sums(m: usize, term: impl Fn(usize) -> f64) -> Vec<f64> {
    let size = 1usize << m;
    let mut t: Vec<f64> = (0..size).map(term).collect();
    for k in 0..m {
        let bit = 1 << k;
        for a in 0..size {
            if a & bit != 0 {
                t[a] += t[a ^ bit];
            }
        }
    }
    t
}

// ---------------------------------------------------------------------------------------------
// Algorithm 2 (Lundberg et al. 2020), with conditioning for interaction values

#[derive(Debug, Clone, Copy, Default)]
struct PathElement {
    feature: i64,
    zero_fraction: f64,
    one_fraction: f64,
    pweight: f64,
}

impl PreparedTree<'_> {
    /// Adds this tree's path-dependent SHAP values of `row` to `phi`; `condition` 0 for plain
    /// SHAP values, `1` / `−1` for the values with `condition_feature` always / never present
    /// (section 4.1).
    fn classic(
        &self,
        row: &[f64],
        phi: &mut [f64],
        path: &mut [PathElement],
        condition: i32,
        condition_feature: u32,
    ) {
        if self.tree.is_leaf(0) {
            return;
        }
        let mut walk = Classic {
            tree: self.tree,
            w: &self.weights,
            row,
            phi,
            condition,
            condition_feature: condition_feature as i64,
        };
        walk.recurse(path, 0, 0, 1.0, 1.0, -1, 1.0);
    }
}

struct Classic<'a, 'b> {
    tree: &'a Tree,
    w: &'a [f64],
    row: &'a [f64],
    phi: &'b mut [f64],
    condition: i32,
    condition_feature: i64,
}

impl Classic<'_, '_> {
    #[allow(clippy::too_many_arguments)]
    fn recurse(
        &mut self,
        parent_path: &mut [PathElement],
        node: usize,
        mut unique_depth: usize,
        parent_zero_fraction: f64,
        parent_one_fraction: f64,
        parent_feature: i64,
        condition_fraction: f64,
    ) {
        if condition_fraction == 0.0 {
            return;
        }
        // This node's path is a copy of the parent's, stored right after it.
        let (parent, path) = parent_path.split_at_mut(unique_depth + 1);
        path[..unique_depth + 1].copy_from_slice(parent);
        if self.condition == 0 || self.condition_feature != parent_feature {
            extend_path(
                path,
                unique_depth,
                parent_zero_fraction,
                parent_one_fraction,
                parent_feature,
            );
        }
        let tree = self.tree;
        if tree.is_leaf(node) {
            let v = tree.value[node] * condition_fraction;
            for i in 1..=unique_depth {
                let w = unwound_path_sum(path, unique_depth, i);
                let el = path[i];
                self.phi[el.feature as usize] += w * (el.one_fraction - el.zero_fraction) * v;
            }
            return;
        }
        let feature = tree.split_feature[node] as i64;
        let hot = tree.next_node(node, self.row[feature as usize]);
        let cold = if hot == tree.left[node] as usize {
            tree.right[node] as usize
        } else {
            tree.left[node] as usize
        };
        let w = self.w[node];
        let hot_zero_fraction = self.w[hot] / w;
        let cold_zero_fraction = self.w[cold] / w;
        let mut incoming_zero_fraction = 1.0;
        let mut incoming_one_fraction = 1.0;
        // A feature already on the path is unwound and merged into the new split.
        if let Some(k) = (1..=unique_depth).find(|&k| path[k].feature == feature) {
            incoming_zero_fraction = path[k].zero_fraction;
            incoming_one_fraction = path[k].one_fraction;
            unwind_path(path, unique_depth, k);
            unique_depth -= 1;
        }
        let mut hot_condition_fraction = condition_fraction;
        let mut cold_condition_fraction = condition_fraction;
        if self.condition > 0 && feature == self.condition_feature {
            cold_condition_fraction = 0.0;
            unique_depth = unique_depth.wrapping_sub(1);
        } else if self.condition < 0 && feature == self.condition_feature {
            hot_condition_fraction *= hot_zero_fraction;
            cold_condition_fraction *= cold_zero_fraction;
            unique_depth = unique_depth.wrapping_sub(1);
        }
        // `unique_depth` may be -1 here (conditioning on the root's feature): the children get
        // `unique_depth + 1 = 0`. Wrapping arithmetic keeps that exact.
        let child_depth = unique_depth.wrapping_add(1);
        self.recurse(
            path,
            hot,
            child_depth,
            hot_zero_fraction * incoming_zero_fraction,
            incoming_one_fraction,
            feature,
            hot_condition_fraction,
        );
        self.recurse(
            path,
            cold,
            child_depth,
            cold_zero_fraction * incoming_zero_fraction,
            0.0,
            feature,
            cold_condition_fraction,
        );
    }
}

/// Algorithm 2's `EXTEND`.
fn extend_path(
    path: &mut [PathElement],
    unique_depth: usize,
    zero_fraction: f64,
    one_fraction: f64,
    feature: i64,
) {
    let d = unique_depth;
    path[d] = PathElement {
        feature,
        zero_fraction,
        one_fraction,
        pweight: if d == 0 { 1.0 } else { 0.0 },
    };
    for i in (0..d).rev() {
        path[i + 1].pweight += one_fraction * path[i].pweight * (i + 1) as f64 / (d + 1) as f64;
        path[i].pweight = zero_fraction * path[i].pweight * (d - i) as f64 / (d + 1) as f64;
    }
}

/// Algorithm 2's `UNWIND`.
fn unwind_path(path: &mut [PathElement], unique_depth: usize, path_index: usize) {
    let d = unique_depth;
    let one_fraction = path[path_index].one_fraction;
    let zero_fraction = path[path_index].zero_fraction;
    let mut next_one_portion = path[d].pweight;
    for i in (0..d).rev() {
        if one_fraction != 0.0 {
            let tmp = path[i].pweight;
            path[i].pweight = next_one_portion * (d + 1) as f64 / ((i + 1) as f64 * one_fraction);
            next_one_portion =
                tmp - path[i].pweight * zero_fraction * (d - i) as f64 / (d + 1) as f64;
        } else {
            path[i].pweight = path[i].pweight * (d + 1) as f64 / (zero_fraction * (d - i) as f64);
        }
    }
    for i in path_index..d {
        path[i].feature = path[i + 1].feature;
        path[i].zero_fraction = path[i + 1].zero_fraction;
        path[i].one_fraction = path[i + 1].one_fraction;
    }
}

/// The total permutation weight if the path element `path_index` were unwound (Algorithm 2's
/// `UNWOUND-SUM`, without modifying the path).
fn unwound_path_sum(path: &[PathElement], unique_depth: usize, path_index: usize) -> f64 {
    let d = unique_depth;
    let one_fraction = path[path_index].one_fraction;
    let zero_fraction = path[path_index].zero_fraction;
    let mut next_one_portion = path[d].pweight;
    let mut total = 0.0;
    for i in (0..d).rev() {
        if one_fraction != 0.0 {
            let tmp = next_one_portion * (d + 1) as f64 / ((i + 1) as f64 * one_fraction);
            total += tmp;
            next_one_portion =
                path[i].pweight - tmp * zero_fraction * ((d - i) as f64 / (d + 1) as f64);
        } else if zero_fraction != 0.0 {
            total += (path[i].pweight / zero_fraction) / ((d - i) as f64 / (d + 1) as f64);
        }
    }
    total
}

// ---------------------------------------------------------------------------------------------
// Interventional

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Free,
    X,
    Z,
}

/// `(a−1)! b! / (a+b)!` and `a! (b−1)! / (a+b)!` for `a, b ≤ k`.
struct UnanimityWeights {
    k: usize,
    pos: Vec<f64>,
    neg: Vec<f64>,
}

impl UnanimityWeights {
    fn new(k: usize) -> UnanimityWeights {
        let fact: Vec<f64> = (0..=2 * k + 1)
            .scan(1.0f64, |f, i| {
                if i > 0 {
                    *f *= i as f64;
                }
                Some(*f)
            })
            .collect();
        let n = k + 1;
        let mut pos = vec![0.0; n * n];
        let mut neg = vec![0.0; n * n];
        for a in 0..n {
            for b in 0..n {
                if a > 0 {
                    pos[a * n + b] = fact[a - 1] * fact[b] / fact[a + b];
                }
                if b > 0 {
                    neg[a * n + b] = fact[a] * fact[b - 1] / fact[a + b];
                }
            }
        }
        UnanimityWeights { k, pos, neg }
    }
}

struct Interventional<'a, 'b> {
    tree: &'a Tree,
    x: &'a [f64],
    z: &'a [f64],
    state: &'b mut [Side],
    xs: &'b mut Vec<usize>,
    zs: &'b mut Vec<usize>,
    phi: &'b mut [f64],
    w: &'a UnanimityWeights,
}

impl Interventional<'_, '_> {
    fn visit(&mut self, node: usize) {
        let tree = self.tree;
        if tree.is_leaf(node) {
            let (a, b) = (self.xs.len(), self.zs.len());
            if a + b == 0 {
                return;
            }
            let v = tree.value[node];
            let n = self.w.k + 1;
            if a > 0 {
                let c = v * self.w.pos[a * n + b];
                for &f in self.xs.iter() {
                    self.phi[f] += c;
                }
            }
            if b > 0 {
                let c = v * self.w.neg[a * n + b];
                for &f in self.zs.iter() {
                    self.phi[f] -= c;
                }
            }
            return;
        }
        let f = tree.split_feature[node] as usize;
        match self.state[f] {
            Side::X => self.visit(tree.next_node(node, self.x[f])),
            Side::Z => self.visit(tree.next_node(node, self.z[f])),
            Side::Free => {
                let cx = tree.next_node(node, self.x[f]);
                let cz = tree.next_node(node, self.z[f]);
                if cx == cz {
                    self.visit(cx);
                } else {
                    self.state[f] = Side::X;
                    self.xs.push(f);
                    self.visit(cx);
                    self.xs.pop();
                    self.state[f] = Side::Z;
                    self.zs.push(f);
                    self.visit(cz);
                    self.zs.pop();
                    self.state[f] = Side::Free;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assay_model::{Arithmetic, Decision, Link, MissingType, Objective};

    /// A tree of `LessEqual` splits: `nodes[i] = (left, right, feature, threshold, value, cover)`.
    fn tree(nodes: &[(i32, i32, u32, f64, f64, f64)]) -> Tree {
        let leaf = |n: &(i32, i32, u32, f64, f64, f64)| n.0 < 0;
        Tree {
            left: nodes.iter().map(|n| n.0).collect(),
            right: nodes.iter().map(|n| n.1).collect(),
            split_feature: nodes.iter().map(|n| n.2).collect(),
            threshold: nodes.iter().map(|n| n.3).collect(),
            default_left: nodes.iter().map(|n| !leaf(n)).collect(),
            missing: nodes
                .iter()
                .map(|n| {
                    if leaf(n) {
                        MissingType::None
                    } else {
                        MissingType::NaN
                    }
                })
                .collect(),
            decision: nodes
                .iter()
                .map(|n| {
                    if leaf(n) {
                        Decision::Leaf
                    } else {
                        Decision::LessEqual
                    }
                })
                .collect(),
            category_set: vec![None; nodes.len()],
            category_sets: vec![],
            value: nodes.iter().map(|n| n.4).collect(),
            cover: Some(nodes.iter().map(|n| n.5).collect()),
            count: None,
            gain: vec![0.0; nodes.len()],
            shrinkage: None,
        }
    }

    fn ensemble(trees: Vec<Tree>, n_features: usize) -> TreeEnsemble {
        TreeEnsemble {
            trees,
            n_features,
            feature_names: None,
            categorical_features: vec![],
            base_score: 0.25,
            objective: Objective {
                name: "test".into(),
                link: Link::Identity,
            },
            arithmetic: Arithmetic::F64,
            source: Source::Assay {
                version: "test".into(),
            },
        }
    }

    fn check_local_accuracy(m: &TreeEnsemble, x: &[f64], s: &ShapValues) {
        let d = m.n_features;
        for (i, row) in x.chunks(d).enumerate() {
            let margin = m.base_score + m.trees.iter().map(|t| t.value[t.leaf(row)]).sum::<f64>();
            let sum = s.row(i).iter().sum::<f64>() + s.base_value;
            assert!((sum - margin).abs() < 1e-12, "row {i}: {sum} vs {margin}");
        }
    }

    #[test]
    fn zero_weight_leaves_use_the_division_free_table() {
        // f0 splits twice on one path (merged), a leaf has cover 0 (z = 0).
        let t = tree(&[
            (1, 2, 0, 0.5, 0.0, 10.0),
            (-1, -1, 0, 0.0, 3.0, 0.0),
            (3, 4, 1, 0.5, 0.0, 10.0),
            (5, 6, 0, 2.0, 0.0, 4.0),
            (-1, -1, 0, 0.0, 2.0, 6.0),
            (-1, -1, 0, 0.0, -1.0, 1.0),
            (-1, -1, 0, 0.0, 5.0, 3.0),
        ]);
        let fast = FastTree::build(&t, t.cover.as_ref().unwrap()).unwrap();
        assert!(fast.elems.iter().any(|e| e.off[1] != e.off[0]));
        let m = ensemble(vec![t], 3);
        let x = [
            0.0,
            0.0,
            0.0,
            1.0,
            1.0,
            7.0,
            1.0,
            0.0,
            1.0,
            3.0,
            0.0,
            0.0,
            f64::NAN,
            f64::NAN,
            0.0,
        ];
        let a = tree_shap(&m, &x, 5).unwrap();
        let b = tree_shap_with(&m, &x, 5, false).unwrap();
        for (u, v) in a.values.iter().zip(&b.values) {
            assert!((u - v).abs() < 1e-12, "{u} vs {v}");
        }
        check_local_accuracy(&m, &x, &a);
        // Feature 2 is never split on.
        assert!(a.values.chunks(3).all(|r| r[2] == 0.0));
    }

    #[test]
    fn deep_trees_fall_back_to_algorithm_2() {
        // A chain of 24 splits on distinct features: too many for the tables.
        let n = 24;
        let mut nodes = Vec::new();
        for k in 0..n {
            let i = nodes.len() as i32;
            nodes.push((i + 1, i + 2, k as u32, 0.5, 0.0, (n - k) as f64 * 2.0));
            nodes.push((-1, -1, 0, 0.0, k as f64 - 3.0, (n - k) as f64));
        }
        // The last split's right child is the final leaf (index 2n).
        nodes.push((-1, -1, 0, 0.0, 7.0, 2.0));
        let mut t = tree(&nodes);
        // Each split's cover is the sum of its children's.
        for k in (0..n).rev() {
            let c = t.cover.as_mut().unwrap();
            c[2 * k] = c[2 * k + 1] + if k + 1 < n { c[2 * k + 2] } else { c[2 * n] };
        }
        assert!(FastTree::build(&t, t.cover.as_ref().unwrap()).is_none());
        let m = ensemble(vec![t], n);
        let x: Vec<f64> = (0..3 * n).map(|i| ((i * 7) % 3) as f64 * 0.4).collect();
        let a = tree_shap(&m, &x, 3).unwrap();
        let b = tree_shap_with(&m, &x, 3, false).unwrap();
        assert_eq!(a, b);
        check_local_accuracy(&m, &x, &a);
    }

    #[test]
    fn shapley_weights_sum_to_one_per_size() {
        for m in 1..12 {
            let w = shapley_weights(m);
            // Σ_s C(m−1, s) · s!(m−s−1)!/m! = Σ_s 1/m = 1: the weights of one feature's
            // marginal contributions over all coalitions of the others sum to one.
            let mut c = 1.0;
            let mut total = 0.0;
            for (s, ws) in w.iter().enumerate().take(m) {
                total += c * ws;
                c = c * (m - 1 - s) as f64 / (s + 1) as f64;
            }
            assert!((total - 1.0).abs() < 1e-12, "m = {m}: {total}");
        }
    }
}
