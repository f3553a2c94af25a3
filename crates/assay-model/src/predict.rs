//! Batched prediction over a dense row-major `f64` matrix, NaN meaning missing.
//!
//! Summation follows the library ([`Arithmetic`]): XGBoost adds `f32` leaf values to an `f32`
//! base score in tree order (`PredictByAllTrees` in `src/predictor/cpu_predictor.cc`), LightGBM
//! adds `f64` leaf values in tree order (`GBDT::PredictRaw`).
//!
//! [`TreeEnsemble::predict_into`] first compiles the ensemble into one flat array of compact
//! nodes (threshold, feature index with the routing flags in its top bits, both children; a
//! leaf is its own child and keeps its value in the threshold slot). Rows are split into chunks
//! evaluated in parallel with rayon; within a chunk, a block of rows goes through one tree at a
//! time so the tree stays in the L1 cache. Shallow trees are walked level by level for the
//! whole block (every row takes `depth` steps, a leaf stepping to itself), which has no
//! data-dependent branch and keeps many independent loads in flight; deep trees are walked row
//! by row. XGBoost rows are converted to `f32` once per block, as XGBoost does. Categorical
//! splits, rare, take the exact per-node rule of [`Tree::next_node`]. The result is identical,
//! bit for bit, to the row-at-a-time evaluation of [`TreeEnsemble::margin_row`].

use rayon::prelude::*;

use crate::error::ModelError;
use crate::tree::{Arithmetic, Decision, Link, MissingType, Tree, TreeEnsemble};

/// Rows per parallel task.
const CHUNK_ROWS: usize = 1024;
/// Rows that go through one tree together.
const BLOCK_ROWS: usize = 128;
/// Trees at most this deep are walked level by level for a whole block.
const MAX_LEVEL_DEPTH: u32 = 12;

/// Flag bits in the top of [`Node::feature`].
const DEFAULT_LEFT: u32 = 1 << 31;
const CATEGORICAL: u32 = 1 << 30;
const MISSING_NAN: u32 = 1 << 29;
const MISSING_ZERO: u32 = 1 << 28;
const FEATURE_MASK: u32 = (1 << 27) - 1;

/// A compact node. `T` is `f32` for XGBoost (thresholds and leaf values are `f32` values) and
/// `f64` for LightGBM.
#[derive(Clone, Copy)]
struct Node<T> {
    /// Threshold; for a leaf, the leaf value.
    value: T,
    /// Feature index, with the flag bits above [`FEATURE_MASK`].
    feature: u32,
    /// Global indices of the right (0) and left (1) children, indexed by the comparison's
    /// outcome so that no branch is needed (the node itself for a leaf).
    child: [u32; 2],
}

/// The ensemble compiled for batched evaluation: every tree's nodes in one array.
struct Flat<T> {
    nodes: Vec<Node<T>>,
    /// First node (the root) of each tree.
    roots: Vec<u32>,
    /// Depth (edges on the longest root-to-leaf path) of each tree.
    depths: Vec<u32>,
    /// Trees at most this deep are walked level by level ([`MAX_LEVEL_DEPTH`]).
    level_depth: u32,
}

/// The two node kinds, with the library's comparison.
trait Kind: Copy + Send + Sync + 'static {
    fn from_f64(v: f64) -> Self;
    /// Flag bits the kind derives from a numerical node's threshold.
    fn threshold_flags(threshold: f64) -> u32;
    /// 1 if `x` goes left at internal numerical node `node`, else 0. Computed with integer
    /// operations so that the compiler emits no data-dependent branch.
    fn go_left(node: &Node<Self>, x: Self) -> u32;
    /// The decision each tree node of this kind must have (besides leaves and categorical).
    const NUMERICAL: Decision;
    const CATEGORICAL: Decision;
}

/// LightGBM nodes: whether 0.0 goes left by the threshold (`0.0 <= threshold`), for a NaN
/// replaced by zero.
const ZERO_LEFT: u32 = 1 << 27;

impl Kind for f32 {
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    fn threshold_flags(_: f64) -> u32 {
        0
    }
    /// XGBoost: `x < threshold` in `f32`, NaN to the default child.
    #[inline(always)]
    fn go_left(node: &Node<f32>, x: f32) -> u32 {
        let less = (x < node.value) as u32;
        let nan = x.is_nan() as u32;
        less | (nan & (node.feature >> 31))
    }
    const NUMERICAL: Decision = Decision::LessF32;
    const CATEGORICAL: Decision = Decision::CategoryInSetRight;
}

impl Kind for f64 {
    fn from_f64(v: f64) -> Self {
        v
    }
    fn threshold_flags(threshold: f64) -> u32 {
        if 0.0 <= threshold {
            ZERO_LEFT
        } else {
            0
        }
    }
    /// LightGBM's `NumericalDecision` (see `lightgbm_numerical` in `tree.rs`): with missing
    /// type None a NaN is read as 0.0; with Zero, NaN and |x| <= 1e-35 go to the default
    /// child; with NaN, NaN does.
    #[inline(always)]
    fn go_left(node: &Node<f64>, x: f64) -> u32 {
        const ZERO: f64 = 1e-35f32 as f64;
        let f = node.feature;
        let nan = x.is_nan() as u32;
        let mt_nan = (f >> 29) & 1;
        let mt_zero = (f >> 28) & 1;
        let small = (x.abs() <= ZERO) as u32;
        let missing = (mt_zero & (nan | small)) | (mt_nan & nan);
        // Not missing: `v <= threshold`, v being x, or 0.0 for a NaN (missing type None).
        let le = (x <= node.value) as u32 | (nan & (f >> 27) & 1);
        (missing & (f >> 31)) | ((missing ^ 1) & le)
    }
    const NUMERICAL: Decision = Decision::LessEqual;
    const CATEGORICAL: Decision = Decision::CategoryInSetLeft;
}

impl<T: Kind> Flat<T> {
    /// Compiles the trees, or `None` when a node's rule does not belong to this kind (then the
    /// row-at-a-time path is used).
    fn compile(e: &TreeEnsemble) -> Option<Flat<T>> {
        if e.n_features > FEATURE_MASK as usize {
            return None;
        }
        let total: usize = e.trees.iter().map(Tree::n_nodes).sum();
        if total > u32::MAX as usize {
            return None;
        }
        let mut nodes = Vec::with_capacity(total);
        let mut roots = Vec::with_capacity(e.trees.len());
        let mut depths = Vec::with_capacity(e.trees.len());
        for t in &e.trees {
            let base = nodes.len() as u32;
            roots.push(base);
            for n in 0..t.n_nodes() {
                let me = base + n as u32;
                let d = t.decision[n];
                if d == Decision::Leaf {
                    nodes.push(Node {
                        value: T::from_f64(t.value[n]),
                        feature: 0,
                        child: [me, me],
                    });
                    continue;
                }
                let mut feature = t.split_feature[n];
                if d == T::CATEGORICAL {
                    feature |= CATEGORICAL;
                } else if d != T::NUMERICAL {
                    return None;
                }
                if t.default_left[n] {
                    feature |= DEFAULT_LEFT;
                }
                if d == T::NUMERICAL {
                    feature |= T::threshold_flags(t.threshold[n]);
                }
                match t.missing[n] {
                    MissingType::None => {}
                    MissingType::NaN => feature |= MISSING_NAN,
                    MissingType::Zero => feature |= MISSING_ZERO,
                }
                nodes.push(Node {
                    value: T::from_f64(t.threshold[n]),
                    feature,
                    child: [base + t.right[n] as u32, base + t.left[n] as u32],
                });
            }
            depths.push(depth(t));
        }
        Some(Flat {
            nodes,
            roots,
            depths,
            level_depth: MAX_LEVEL_DEPTH,
        })
    }

    /// Walks `rows` rows of `x` (row-major, `T` values, `nf` columns) through tree `t` and
    /// leaves each row's leaf (global index) in `at`. `x64` holds the same rows in `f64`, for
    /// categorical nodes.
    #[inline]
    fn leaves(&self, e: &TreeEnsemble, t: usize, x: &[T], x64: &[f64], nf: usize, at: &mut [u32]) {
        let root = self.roots[t];
        let nodes = &self.nodes[..];
        let depth = self.depths[t];
        let tree = &e.trees[t];
        let step = |n: u32, r: usize| -> u32 {
            let node = &nodes[n as usize];
            let f = (node.feature & FEATURE_MASK) as usize;
            if node.feature & CATEGORICAL != 0 {
                let local = (n - root) as usize;
                return root + tree.next_node(local, x64[r * nf + f]) as u32;
            }
            node.child[(T::go_left(node, x[r * nf + f]) & 1) as usize]
        };
        if depth <= self.level_depth {
            at.fill(root);
            for _ in 0..depth {
                for (r, n) in at.iter_mut().enumerate() {
                    *n = step(*n, r);
                }
            }
        } else {
            for (r, slot) in at.iter_mut().enumerate() {
                let mut n = root;
                while nodes[n as usize].child[1] != n {
                    n = step(n, r);
                }
                *slot = n;
            }
        }
    }
}

/// Edges on the longest root-to-leaf path (the tree is validated: finite, no cycles).
fn depth(t: &Tree) -> u32 {
    let mut deepest = 0;
    let mut stack = vec![(0usize, 0u32)];
    while let Some((n, d)) = stack.pop() {
        if t.is_leaf(n) {
            deepest = deepest.max(d);
        } else {
            stack.push((t.left[n] as usize, d + 1));
            stack.push((t.right[n] as usize, d + 1));
        }
    }
    deepest
}

/// Per-task scratch buffers.
#[derive(Default)]
struct Scratch {
    x32: Vec<f32>,
    at: Vec<u32>,
    acc32: Vec<f32>,
    acc64: Vec<f64>,
}

enum Compiled {
    F32(Flat<f32>),
    F64(Flat<f64>),
}

impl TreeEnsemble {
    /// Raw margins (XGBoost `output_margin=True`, LightGBM `raw_score=True`) of the rows of
    /// `x`, a row-major matrix with [`TreeEnsemble::n_features`] columns.
    pub fn predict_margin(&self, x: &[f64], n_cols: usize) -> Result<Vec<f64>, ModelError> {
        let mut out = vec![0.0; self.n_rows(x, n_cols)?];
        self.predict_into(x, n_cols, &mut out, false)?;
        Ok(out)
    }

    /// Predictions: the margin through the objective's inverse link (the probability for
    /// binary logistic models), as the library's default `predict` returns.
    pub fn predict(&self, x: &[f64], n_cols: usize) -> Result<Vec<f64>, ModelError> {
        let mut out = vec![0.0; self.n_rows(x, n_cols)?];
        self.predict_into(x, n_cols, &mut out, true)?;
        Ok(out)
    }

    /// Writes margins (`transform == false`) or predictions (`transform == true`) of the rows
    /// of `x` into `out`, which must have one slot per row.
    pub fn predict_into(
        &self,
        x: &[f64],
        n_cols: usize,
        out: &mut [f64],
        transform: bool,
    ) -> Result<(), ModelError> {
        let n_rows = self.n_rows(x, n_cols)?;
        if out.len() != n_rows {
            return Err(ModelError::OutputLength {
                expected: n_rows,
                found: out.len(),
            });
        }
        let compiled = match self.arithmetic {
            Arithmetic::F32 => Flat::<f32>::compile(self).map(Compiled::F32),
            Arithmetic::F64 => Flat::<f64>::compile(self).map(Compiled::F64),
        };
        match compiled {
            Some(c) => self.predict_compiled(&c, x, n_cols, out, transform),
            None => out
                .par_chunks_mut(CHUNK_ROWS)
                .enumerate()
                .for_each(|(c, chunk)| {
                    let first = c * CHUNK_ROWS;
                    for (i, slot) in chunk.iter_mut().enumerate() {
                        let row = &x[(first + i) * n_cols..(first + i + 1) * n_cols];
                        *slot = if transform {
                            self.predict_row(row)
                        } else {
                            self.margin_row(row)
                        };
                    }
                }),
        }
        Ok(())
    }

    /// [`TreeEnsemble::predict_into`] with the compiled trees (shapes already checked).
    fn predict_compiled(
        &self,
        compiled: &Compiled,
        x: &[f64],
        n_cols: usize,
        out: &mut [f64],
        transform: bool,
    ) {
        out.par_chunks_mut(CHUNK_ROWS).enumerate().for_each_init(
            Scratch::default,
            |s, (c, chunk)| {
                let first = c * CHUNK_ROWS;
                for (b, block) in chunk.chunks_mut(BLOCK_ROWS).enumerate() {
                    let start = (first + b * BLOCK_ROWS) * n_cols;
                    let rows = &x[start..start + block.len() * n_cols];
                    match compiled {
                        Compiled::F32(flat) => {
                            self.block_f32(flat, rows, n_cols, block, transform, s)
                        }
                        Compiled::F64(flat) => {
                            self.block_f64(flat, rows, n_cols, block, transform, s)
                        }
                    }
                }
            },
        );
    }

    fn block_f32(
        &self,
        flat: &Flat<f32>,
        x: &[f64],
        nf: usize,
        out: &mut [f64],
        transform: bool,
        s: &mut Scratch,
    ) {
        let rows = out.len();
        s.x32.clear();
        s.x32.extend(x.iter().map(|&v| v as f32));
        s.at.resize(rows, 0);
        s.acc32.clear();
        s.acc32.resize(rows, self.base_score as f32);
        for t in 0..self.trees.len() {
            flat.leaves(self, t, &s.x32, x, nf, &mut s.at[..rows]);
            for (acc, &n) in s.acc32.iter_mut().zip(&s.at[..rows]) {
                *acc += flat.nodes[n as usize].value;
            }
        }
        for (o, &m) in out.iter_mut().zip(&s.acc32) {
            *o = if transform {
                self.link_f32(m)
            } else {
                m as f64
            };
        }
    }

    fn block_f64(
        &self,
        flat: &Flat<f64>,
        x: &[f64],
        nf: usize,
        out: &mut [f64],
        transform: bool,
        s: &mut Scratch,
    ) {
        let rows = out.len();
        s.at.resize(rows, 0);
        s.acc64.clear();
        // `Sum for f64` starts from -0.0, as `margin_row` does.
        s.acc64.resize(rows, -0.0);
        for t in 0..self.trees.len() {
            flat.leaves(self, t, x, x, nf, &mut s.at[..rows]);
            for (acc, &n) in s.acc64.iter_mut().zip(&s.at[..rows]) {
                *acc += flat.nodes[n as usize].value;
            }
        }
        for (o, &sum) in out.iter_mut().zip(&s.acc64) {
            let m = self.base_score + sum;
            *o = if transform { self.link_f64(m) } else { m };
        }
    }

    /// Margin of one row (`row.len()` must be at least `n_features`).
    pub fn margin_row(&self, row: &[f64]) -> f64 {
        match self.arithmetic {
            Arithmetic::F32 => self.margin_f32(row) as f64,
            Arithmetic::F64 => {
                self.base_score + self.trees.iter().map(|t| leaf_value(t, row)).sum::<f64>()
            }
        }
    }

    /// Prediction of one row: the margin through the inverse link.
    pub fn predict_row(&self, row: &[f64]) -> f64 {
        match self.arithmetic {
            Arithmetic::F32 => self.link_f32(self.margin_f32(row)),
            Arithmetic::F64 => self.link_f64(self.margin_row(row)),
        }
    }

    /// The prediction of a margin from [`TreeEnsemble::predict_margin`]: the objective's
    /// inverse link in the ensemble's arithmetic, so that `link(predict_margin(x)[i])` is
    /// `predict(x)[i]` bit for bit (an `f32` margin survives the round trip through `f64`).
    /// Lets a caller that needs both score a matrix once.
    pub fn link(&self, margin: f64) -> f64 {
        match self.arithmetic {
            Arithmetic::F32 => self.link_f32(margin as f32),
            Arithmetic::F64 => self.link_f64(margin),
        }
    }

    /// The inverse link in XGBoost's `f32` arithmetic (`common::Sigmoid`:
    /// `1.0f / (1.0f + expf(-x))`).
    pub(crate) fn link_f32(&self, margin: f32) -> f64 {
        match self.objective.link {
            Link::Identity => margin as f64,
            Link::Logistic { scale } => {
                let m = margin * scale as f32;
                (1.0f32 / (1.0f32 + (-m).exp())) as f64
            }
        }
    }

    /// The inverse link in `f64` (LightGBM `BinaryLogloss::ConvertOutput`:
    /// `1.0 / (1.0 + exp(-sigmoid * x))`).
    pub(crate) fn link_f64(&self, margin: f64) -> f64 {
        match self.objective.link {
            Link::Identity => margin,
            Link::Logistic { scale } => 1.0 / (1.0 + (-scale * margin).exp()),
        }
    }

    fn margin_f32(&self, row: &[f64]) -> f32 {
        let mut acc = self.base_score as f32;
        for t in &self.trees {
            acc += leaf_value(t, row) as f32;
        }
        acc
    }

    fn n_rows(&self, x: &[f64], n_cols: usize) -> Result<usize, ModelError> {
        if n_cols != self.n_features {
            return Err(ModelError::ColumnCount {
                expected: self.n_features,
                found: n_cols,
            });
        }
        if n_cols == 0 || x.len() % n_cols != 0 {
            return Err(ModelError::Ragged {
                len: x.len(),
                n_cols,
            });
        }
        Ok(x.len() / n_cols)
    }
}

#[inline]
fn leaf_value(t: &Tree, row: &[f64]) -> f64 {
    t.value[t.leaf(row)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(path: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/reference")
            .join(path)
    }

    /// The golden feature rows, then seeded random rows around them (with NaN, zeros, tiny
    /// and negative values, non-integer category codes), row-major.
    fn rows() -> (Vec<f64>, usize) {
        let text = std::fs::read_to_string(reference("golden/trees_features.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let rows = v["rows"].as_array().unwrap();
        let n_cols = rows[0].as_array().unwrap().len();
        let mut x: Vec<f64> = rows
            .iter()
            .flat_map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_f64().unwrap_or(f64::NAN))
            })
            .collect();
        let n_golden = rows.len();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let base = (next() % n_golden as u64) as usize * n_cols;
            for j in 0..n_cols {
                let r = next();
                let v = match r % 10 {
                    0 => f64::NAN,
                    1 => 0.0,
                    2 => 1e-36 * if r & 16 == 0 { 1.0 } else { -1.0 },
                    3 => -x[base + j],
                    4 => x[base + j] + 0.5,
                    _ => x[base + j] * (1.0 + ((r >> 8) % 100) as f64 / 1000.0),
                };
                x.push(v);
            }
        }
        (x, n_cols)
    }

    /// Both block walks (level by level and row by row) equal the row-at-a-time evaluation
    /// bit for bit, for margins and predictions.
    #[test]
    fn block_walks_match_row_evaluation() {
        let (x, n_cols) = rows();
        for name in [
            "xgb_binary.json",
            "xgb_regression.json",
            "lgb_binary.txt",
            "lgb_regression.txt",
        ] {
            let path = reference("models").join(name);
            let model = if name.ends_with(".json") {
                crate::xgboost::load(&path).unwrap()
            } else {
                crate::lightgbm::load(&path).unwrap()
            };
            let want_margin: Vec<f64> = x.chunks(n_cols).map(|r| model.margin_row(r)).collect();
            let want_pred: Vec<f64> = x.chunks(n_cols).map(|r| model.predict_row(r)).collect();
            // A margin through `link` is the prediction, so one scoring gives both.
            for (i, (m, p)) in want_margin.iter().zip(&want_pred).enumerate() {
                let linked = model.link(*m);
                assert_eq!(linked.to_bits(), p.to_bits(), "{name} row {i}: link");
            }
            for level_depth in [MAX_LEVEL_DEPTH, 0] {
                let compiled = match model.arithmetic {
                    Arithmetic::F32 => {
                        let mut f = Flat::<f32>::compile(&model).unwrap();
                        f.level_depth = level_depth;
                        Compiled::F32(f)
                    }
                    Arithmetic::F64 => {
                        let mut f = Flat::<f64>::compile(&model).unwrap();
                        f.level_depth = level_depth;
                        Compiled::F64(f)
                    }
                };
                for (transform, want) in [(false, &want_margin), (true, &want_pred)] {
                    let mut out = vec![0.0; want.len()];
                    model.predict_compiled(&compiled, &x, n_cols, &mut out, transform);
                    for (i, (g, w)) in out.iter().zip(want.iter()).enumerate() {
                        assert_eq!(
                            g.to_bits(),
                            w.to_bits(),
                            "{name} level_depth {level_depth} transform {transform} row {i}: {g} vs {w}"
                        );
                    }
                }
            }
        }
    }

    /// Every LightGBM missing type and XGBoost rule on a stump, through both walks, equals
    /// [`Tree::leaf`] on awkward inputs (NaN, signed zeros, values around 1e-35, infinities).
    #[test]
    fn stump_routing_matches_tree_leaf() {
        let xs = [
            f64::NAN,
            0.0,
            -0.0,
            1e-36,
            -1e-36,
            1e-35f32 as f64,
            2e-35,
            -0.5,
            0.5,
            0.1f32 as f64,
            0.1,
            1.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        let x: Vec<f64> = xs.to_vec();
        for (decision, arithmetic) in [
            (Decision::LessF32, Arithmetic::F32),
            (Decision::LessEqual, Arithmetic::F64),
        ] {
            for missing in [MissingType::None, MissingType::Zero, MissingType::NaN] {
                for default_left in [false, true] {
                    for threshold in [-1.0, -1e-36, 0.0, 1e-36, 0.1f32 as f64, 0.5] {
                        let model = crate::tree::stump_ensemble(
                            decision,
                            missing,
                            default_left,
                            threshold,
                            arithmetic,
                        );
                        let got = model.predict_margin(&x, 1).unwrap();
                        for (i, &v) in xs.iter().enumerate() {
                            let want = model.trees[0].value[model.trees[0].leaf(&[v])];
                            assert_eq!(
                                got[i], want,
                                "{decision:?} {missing:?} default_left {default_left} threshold {threshold} x {v}"
                            );
                        }
                    }
                }
            }
        }
    }
}
