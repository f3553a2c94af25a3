//! The tree-ensemble representation shared by every loader.
//!
//! A [`TreeEnsemble`] is a sum of [`Tree`]s plus a base score, in margin (raw score) space,
//! followed by the objective's inverse link. Each tree is stored flat, struct-of-arrays, one
//! entry per node with the root at index 0. Nothing is normalised away: each node keeps the
//! split rule of the library that trained it ([`Decision`]), its missing-value handling
//! ([`MissingType`] and `default_left`) and the per-node statistics the format stores, so exact
//! TreeSHAP can later be computed from the same structure.
//!
//! Sources for the semantics:
//! * XGBoost: the JSON model schema (<https://xgboost.readthedocs.io/en/stable/tutorials/saving_model.html>,
//!   `doc/model.schema`) and the CPU predictor (`src/predictor/predict_fn.h`,
//!   `src/common/categorical.h`).
//! * LightGBM: the text model written by `Tree::ToString` and evaluated by
//!   `Tree::NumericalDecision` / `Tree::CategoricalDecision` (`include/LightGBM/tree.h`);
//!   parameters at <https://lightgbm.readthedocs.io/en/stable/Parameters.html>.
//!
//! Every type is serde-serialisable, so a model can be saved as JSON (assay's own gradient
//! boosting learner does so).

use serde::{Deserialize, Serialize};

/// How one internal node compares a feature value with its split.
///
/// Numerical and categorical rules differ between libraries, so each keeps its own variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// A leaf: no split.
    Leaf,
    /// XGBoost numerical split. XGBoost stores features and thresholds as `f32`: the value goes
    /// left iff `(x as f32) < (threshold as f32)`. A NaN goes to the default child.
    LessF32,
    /// LightGBM numerical split: left iff `x <= threshold` in `f64`, after LightGBM's
    /// missing-value handling (see [`MissingType`]).
    LessEqual,
    /// XGBoost categorical split (`split_type` 1): the category `(x as f32) as i32` goes
    /// **right** iff it is in the node's set. NaN goes to the default child; a negative value,
    /// one of at least 2^24, or one past the end of the set's bit field goes left
    /// (`common::Decision` in `src/common/categorical.h`).
    CategoryInSetRight,
    /// LightGBM categorical split (`decision_type` bit 0): the category `x as i32` (truncated
    /// toward zero) goes **left** iff it is in the node's bitset; NaN and negative values go
    /// right, whatever the missing type (`Tree::CategoricalDecision`).
    CategoryInSetLeft,
}

/// LightGBM's missing-value type of a numerical split, bits 2–3 of `decision_type`.
///
/// XGBoost nodes use [`MissingType::NaN`]: NaN is the only missing value and goes to the default
/// child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MissingType {
    /// `0`: no missing values seen in training. A NaN input is replaced by 0.0 and then
    /// compared with the threshold.
    None,
    /// `1` (`zero_as_missing=true`): zero (|x| <= 1e-35) and NaN (replaced by 0.0 first) go to
    /// the default child.
    Zero,
    /// `2`: NaN goes to the default child; zero is an ordinary value.
    NaN,
}

/// A set of non-negative integer categories, stored as a little-endian bitset of 32-bit words
/// (LightGBM's `cat_threshold` layout; XGBoost's category lists are converted to it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CategorySet {
    /// Bit `c % 32` of word `c / 32` is set iff category `c` is in the set.
    pub words: Vec<u32>,
}

impl CategorySet {
    /// Builds the set of the given categories.
    pub fn from_categories(categories: &[u32]) -> CategorySet {
        let n_words = categories
            .iter()
            .map(|&c| c as usize / 32 + 1)
            .max()
            .unwrap_or(0);
        let mut words = vec![0u32; n_words];
        for &c in categories {
            words[c as usize / 32] |= 1 << (c % 32);
        }
        CategorySet { words }
    }

    /// Whether `category` is in the set (`Common::FindInBitset`: false past the last word).
    pub fn contains(&self, category: u32) -> bool {
        match self.words.get(category as usize / 32) {
            Some(w) => (w >> (category % 32)) & 1 == 1,
            None => false,
        }
    }

    /// The categories in the set, ascending.
    pub fn categories(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for (i, &w) in self.words.iter().enumerate() {
            for b in 0..32 {
                if (w >> b) & 1 == 1 {
                    out.push(i as u32 * 32 + b);
                }
            }
        }
        out
    }

    /// Number of bits the set spans (`32 ×` words); categories beyond it are not in the set.
    pub fn span(&self) -> usize {
        self.words.len() * 32
    }
}

/// One decision tree, flat: every vector has one entry per node, the root is node 0.
///
/// Leaves have `left == right == -1` and [`Decision::Leaf`]; their `split_feature`,
/// `threshold`, `default_left` and `missing` entries are meaningless (0, 0.0, false,
/// [`MissingType::None`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Left child of each node, `-1` for a leaf.
    pub left: Vec<i32>,
    /// Right child of each node, `-1` for a leaf.
    pub right: Vec<i32>,
    /// Feature index (column of the input) each internal node splits on.
    pub split_feature: Vec<u32>,
    /// Numerical threshold of each internal node. For XGBoost the exact `f32` value of
    /// `split_conditions`; for LightGBM the `f64` `threshold`. Categorical nodes do not compare
    /// with it (LightGBM's holds the index of the node's set, as written in the file).
    pub threshold: Vec<f64>,
    /// Whether a missing value goes left (XGBoost `default_left`; LightGBM `decision_type` bit 1).
    pub default_left: Vec<bool>,
    /// Missing-value type of each node (LightGBM `decision_type` bits 2–3; always NaN for XGBoost).
    pub missing: Vec<MissingType>,
    /// Split rule of each node.
    pub decision: Vec<Decision>,
    /// For categorical nodes, the index into [`Tree::category_sets`]; `None` otherwise.
    pub category_set: Vec<Option<u32>>,
    /// The category sets of this tree's categorical nodes.
    pub category_sets: Vec<CategorySet>,
    /// Node value. Leaves: the leaf's contribution to the margin, learning rate included
    /// (XGBoost leaf `split_conditions`; LightGBM `leaf_value`). Internal nodes: XGBoost
    /// `base_weights`, LightGBM `internal_value` (written with 6 significant digits).
    pub value: Vec<f64>,
    /// Sum of hessians of the training rows reaching each node: XGBoost `sum_hessian`,
    /// LightGBM `internal_weight` / `leaf_weight`. `None` for LightGBM trees that lack them
    /// (single-leaf trees, or models older than LightGBM 3).
    pub cover: Option<Vec<f64>>,
    /// Number of training rows reaching each node: LightGBM `internal_count` / `leaf_count`.
    /// XGBoost does not store counts (`None`).
    pub count: Option<Vec<u64>>,
    /// Loss reduction of each split (XGBoost `loss_changes`, LightGBM `split_gain`; 0 for leaves).
    pub gain: Vec<f64>,
    /// LightGBM `shrinkage` of the tree, already folded into the leaf values. XGBoost does not
    /// store it per tree (`None`).
    pub shrinkage: Option<f64>,
}

impl Tree {
    /// Number of nodes.
    pub fn n_nodes(&self) -> usize {
        self.left.len()
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.left.iter().filter(|&&l| l < 0).count()
    }

    /// Depth: the number of splits on the longest path from the root to a leaf (0 for a
    /// single leaf).
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(0usize, 0usize)];
        while let Some((n, d)) = stack.pop() {
            if n >= self.n_nodes() || self.is_leaf(n) {
                deepest = deepest.max(d);
            } else {
                stack.push((self.left[n] as usize, d + 1));
                stack.push((self.right[n] as usize, d + 1));
            }
        }
        deepest
    }

    /// Whether node `n` is a leaf.
    pub fn is_leaf(&self, n: usize) -> bool {
        self.left[n] < 0
    }

    /// The child node that feature value `x` goes to from internal node `n`, with the missing
    /// value and categorical semantics of the library that trained the tree.
    #[inline]
    pub fn next_node(&self, n: usize, x: f64) -> usize {
        let go_left = match self.decision[n] {
            Decision::Leaf => return n,
            Decision::LessF32 => {
                let v = x as f32;
                if v.is_nan() {
                    self.default_left[n]
                } else {
                    v < self.threshold[n] as f32
                }
            }
            Decision::LessEqual => {
                lightgbm_numerical(x, self.threshold[n], self.missing[n], self.default_left[n])
            }
            Decision::CategoryInSetRight => {
                let v = x as f32;
                if v.is_nan() {
                    self.default_left[n]
                } else if !(0.0..16_777_216.0).contains(&v) {
                    true
                } else {
                    !self.set_of(n).contains(v as i32 as u32)
                }
            }
            Decision::CategoryInSetLeft => {
                if x.is_nan() {
                    false
                } else {
                    // `static_cast<int>`: truncation toward zero; out-of-range values are
                    // negative on x86 and saturate here, both of which miss the set.
                    let c = x as i32;
                    c >= 0 && self.set_of(n).contains(c as u32)
                }
            }
        };
        let child = if go_left { self.left[n] } else { self.right[n] };
        child as usize
    }

    /// The leaf reached by a row (`row[f]` is feature `f`; NaN is missing).
    #[inline]
    pub fn leaf(&self, row: &[f64]) -> usize {
        let mut n = 0;
        while self.left[n] >= 0 {
            n = self.next_node(n, row[self.split_feature[n] as usize]);
        }
        n
    }

    fn set_of(&self, n: usize) -> &CategorySet {
        // Validated at load: every categorical node has a set.
        &self.category_sets[self.category_set[n].unwrap_or(0) as usize]
    }

    /// Checks the tree's internal consistency: equal lengths, children in range and each node
    /// reached at most once from the root (so traversal terminates), feature indices below
    /// `n_features`, a category set for every categorical node.
    pub fn validate(&self, n_features: usize) -> Result<(), String> {
        let n = self.n_nodes();
        if n == 0 {
            return Err("tree has no nodes".into());
        }
        let lens = [
            ("right", self.right.len()),
            ("split_feature", self.split_feature.len()),
            ("threshold", self.threshold.len()),
            ("default_left", self.default_left.len()),
            ("missing", self.missing.len()),
            ("decision", self.decision.len()),
            ("category_set", self.category_set.len()),
            ("value", self.value.len()),
            ("gain", self.gain.len()),
            ("cover", self.cover.as_ref().map_or(n, Vec::len)),
            ("count", self.count.as_ref().map_or(n, Vec::len)),
        ];
        for (name, len) in lens {
            if len != n {
                return Err(format!("{name} has {len} entries for {n} nodes"));
            }
        }
        let mut seen = vec![false; n];
        let mut stack = vec![0usize];
        seen[0] = true;
        while let Some(i) = stack.pop() {
            let (l, r) = (self.left[i], self.right[i]);
            if (l < 0) != (r < 0) {
                return Err(format!("node {i} has one child"));
            }
            if l < 0 {
                if self.decision[i] != Decision::Leaf {
                    return Err(format!("leaf {i} has a split rule"));
                }
                continue;
            }
            if self.decision[i] == Decision::Leaf {
                return Err(format!("internal node {i} has no split rule"));
            }
            if self.split_feature[i] as usize >= n_features {
                return Err(format!(
                    "node {i} splits on feature {} but the model has {n_features} features",
                    self.split_feature[i]
                ));
            }
            let categorical = matches!(
                self.decision[i],
                Decision::CategoryInSetLeft | Decision::CategoryInSetRight
            );
            match self.category_set[i] {
                Some(s) if !categorical || s as usize >= self.category_sets.len() => {
                    return Err(format!("node {i} has an invalid category set {s}"));
                }
                None if categorical => {
                    return Err(format!("categorical node {i} has no category set"))
                }
                _ => {}
            }
            for c in [l, r] {
                let c = c as usize;
                if c >= n {
                    return Err(format!("node {i} has child {c} but the tree has {n} nodes"));
                }
                if std::mem::replace(&mut seen[c], true) {
                    return Err(format!("node {c} is reached twice"));
                }
                stack.push(c);
            }
        }
        Ok(())
    }
}

/// LightGBM's `Tree::NumericalDecision`: whether `x` goes left.
#[inline]
fn lightgbm_numerical(x: f64, threshold: f64, missing: MissingType, default_left: bool) -> bool {
    /// `kZeroThreshold`, a `float` literal promoted to `double`.
    const ZERO: f64 = 1e-35f32 as f64;
    let mut v = x;
    if v.is_nan() && missing != MissingType::NaN {
        v = 0.0;
    }
    let is_missing = match missing {
        MissingType::None => false,
        MissingType::Zero => (-ZERO..=ZERO).contains(&v),
        MissingType::NaN => v.is_nan(),
    };
    if is_missing {
        default_left
    } else {
        v <= threshold
    }
}

/// The inverse link from margin to prediction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Link {
    /// Prediction = margin (regression objectives).
    Identity,
    /// Prediction = 1 / (1 + exp(−scale · margin)): XGBoost `binary:logistic` (scale 1),
    /// LightGBM `binary sigmoid:<scale>`.
    Logistic {
        /// LightGBM's `sigmoid` parameter; 1 for XGBoost.
        scale: f64,
    },
}

/// The training objective: the library's own name and the inverse link it implies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    /// Objective as written in the model file (`binary:logistic`, `binary sigmoid:1`, ...).
    pub name: String,
    /// Inverse link applied by the library's default prediction.
    pub link: Link,
}

/// The floating-point arithmetic the library predicts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arithmetic {
    /// XGBoost: features are converted to `f32`, leaf values summed in `f32` starting from
    /// the base score, and the link computed in `f32`.
    F32,
    /// LightGBM: everything in `f64`.
    F64,
}

/// Which library and format a model was loaded from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// XGBoost JSON, with the `version` triple stored in the file.
    XGBoost {
        /// `version` of the file, e.g. `[3, 2, 0]`.
        version: Vec<u32>,
    },
    /// LightGBM text, with the `version=` header (e.g. `v4`).
    LightGBM {
        /// The `version=` line of the header.
        version: String,
    },
    /// Trained by assay itself ([`crate::learners::gbdt`]), with the crate version that
    /// trained it.
    Assay {
        /// `assay-model`'s version (`CARGO_PKG_VERSION`).
        version: String,
    },
    /// Converted from an ONNX-ML TreeEnsemble node ([`crate::onnx::to_ensemble`]).
    Onnx {
        /// The graph's producer and its version (e.g. `skl2onnx 1.20.0`).
        producer: String,
    },
}

/// A tree ensemble: margin = `base_score` + Σ trees, prediction = link⁻¹(margin).
///
/// Only single-output models (binary classification, regression) are represented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeEnsemble {
    /// The trees, in boosting order (the order matters for [`Arithmetic::F32`] sums).
    pub trees: Vec<Tree>,
    /// Number of input features (columns).
    pub n_features: usize,
    /// Feature names, when the file stores them.
    pub feature_names: Option<Vec<String>>,
    /// Features the model declares categorical (XGBoost `feature_types` `"c"`; LightGBM
    /// features used by a categorical split).
    pub categorical_features: Vec<usize>,
    /// Initial margin added before the trees. XGBoost stores it in prediction space and it is
    /// converted here with the objective's `ProbToMargin`; LightGBM folds it into the first
    /// tree, so it is 0.
    pub base_score: f64,
    /// Objective and link.
    pub objective: Objective,
    /// Arithmetic of the library's predictor.
    pub arithmetic: Arithmetic,
    /// Format and version the model came from.
    pub source: Source,
}

impl TreeEnsemble {
    /// Checks every tree against [`Tree::validate`], naming the tree on error.
    pub fn validate(&self) -> Result<(), String> {
        for (i, t) in self.trees.iter().enumerate() {
            t.validate(self.n_features)
                .map_err(|e| format!("tree {i}: {e}"))?;
        }
        if let Some(names) = &self.feature_names {
            if names.len() != self.n_features {
                return Err(format!(
                    "{} feature names for {} features",
                    names.len(),
                    self.n_features
                ));
            }
        }
        Ok(())
    }
}

/// A one-split tree (node 0 splits feature 0 at `threshold`; leaves −1 left, +1 right) in an
/// identity-link ensemble: the fixture of the routing tests in `predict` and `onnx`.
#[cfg(test)]
pub(crate) fn stump_ensemble(
    decision: Decision,
    missing: MissingType,
    default_left: bool,
    threshold: f64,
    arithmetic: Arithmetic,
) -> TreeEnsemble {
    TreeEnsemble {
        trees: vec![Tree {
            left: vec![1, -1, -1],
            right: vec![2, -1, -1],
            split_feature: vec![0; 3],
            threshold: vec![threshold, 0.0, 0.0],
            default_left: vec![default_left, false, false],
            missing: vec![missing, MissingType::None, MissingType::None],
            decision: vec![decision, Decision::Leaf, Decision::Leaf],
            category_set: vec![None; 3],
            category_sets: vec![],
            value: vec![0.0, -1.0, 1.0],
            cover: None,
            count: None,
            gain: vec![0.0; 3],
            shrinkage: None,
        }],
        n_features: 1,
        feature_names: None,
        categorical_features: vec![],
        base_score: 0.0,
        objective: Objective {
            name: "test".into(),
            link: Link::Identity,
        },
        arithmetic,
        source: Source::LightGBM {
            version: "v4".into(),
        },
    }
}
