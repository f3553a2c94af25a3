//! Histogram-based gradient-boosted decision trees.
//!
//! Gradient boosting (Friedman 2001, "Greedy function approximation: a gradient boosting
//! machine") fits an additive model `F(x) = base + Σ_t η · f_t(x)` stage-wise: each tree `f_t`
//! is fitted to the first and second derivatives of the loss at the current margins, with the
//! second-order split gain and leaf values of Chen & Guestrin (2016, "XGBoost: a scalable tree
//! boosting system", eqs. 5–7) and an L2 penalty `λ` on leaf values. Trees are grown on
//! histograms of binned features, leaf-wise, with histogram subtraction, as in LightGBM (Ke et
//! al. 2017, "LightGBM: a highly efficient gradient boosting decision tree"); missing values
//! (NaN) get a bin of their own and every split learns which side they go to.
//!
//! Losses: binary logistic (labels 0/1, margin = log-odds, base = log-odds of the weighted mean
//! label) and squared error (base = weighted mean label). Sample weights multiply gradients and
//! hessians and weight the quantiles of the bin edges.
//!
//! The result is a [`TreeEnsemble`] with LightGBM's numerical rule ([`Decision::LessEqual`]
//! with [`MissingType::NaN`], `f64` arithmetic): a value goes left iff `x <= threshold`, NaN to
//! the learned default child; every node records its hessian sum (`cover`) and row count
//! (`count`), so [`TreeEnsemble::predict`] evaluates it and TreeSHAP can explain it.
//!
//! Fitting is deterministic: histograms are built per feature in row order (features in
//! parallel), gradients elementwise, so the same data give a bit-identical model for any
//! thread count. Row subsampling (`subsample < 1`) draws rows per tree from a generator seeded
//! with `seed` and the tree index.
//!
//! [`Decision::LessEqual`]: crate::tree::Decision::LessEqual
//! [`MissingType::NaN`]: crate::tree::MissingType::NaN

mod binning;
mod grow;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{LearnError, Matrix};
use crate::tree::{Arithmetic, Link, Objective, Source, TreeEnsemble};

/// The loss minimised by [`GradientBoosting`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Binary log-loss on the log-odds margin (labels 0/1): gradient `p − y`, hessian
    /// `p(1 − p)` (Friedman 2001, section 4.5; Chen & Guestrin 2016, section 2.2).
    BinaryLogistic,
    /// Squared error `½(F − y)²`: gradient `F − y`, hessian 1.
    SquaredError,
}

/// Settings of histogram-based gradient boosting (Friedman 2001; Ke et al. 2017 for the
/// histogram and leaf-wise growth; Chen & Guestrin 2016 for the second-order split gain). See
/// the [module documentation](self).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GradientBoosting {
    /// The loss. Default binary logistic.
    pub loss: Loss,
    /// Number of boosting rounds (trees). Default 100.
    pub n_trees: usize,
    /// Shrinkage `η` applied to every leaf value. Default 0.1.
    pub learning_rate: f64,
    /// Maximum depth of a tree (root at depth 0); `None` for no limit. Default `None`.
    pub max_depth: Option<usize>,
    /// Maximum leaves per tree, grown best-first (LightGBM's `num_leaves`); `None` for no
    /// limit (then `max_depth` must be set). Default 31.
    pub max_leaves: Option<usize>,
    /// Minimum hessian sum in a child (LightGBM's `min_sum_hessian_in_leaf`, XGBoost's
    /// `min_child_weight`). Default 1e-3.
    pub min_child_weight: f64,
    /// Minimum number of training rows in a child (LightGBM's `min_data_in_leaf`). Default 20.
    pub min_samples_leaf: usize,
    /// L2 penalty `λ` on leaf values (LightGBM's `lambda_l2`, XGBoost's `lambda`). Default 0.
    pub lambda: f64,
    /// Maximum number of bins per feature, 2 to 255, besides the missing-value bin. Default 255.
    pub max_bins: usize,
    /// Fraction of rows each tree is grown on (drawn without replacement per row, Friedman
    /// 2002 "stochastic gradient boosting"); 1 uses every row. Default 1.
    pub subsample: f64,
    /// Seed of the row subsampling (unused when `subsample == 1`). Default 0.
    pub seed: u64,
}

impl Default for GradientBoosting {
    fn default() -> Self {
        GradientBoosting {
            loss: Loss::BinaryLogistic,
            n_trees: 100,
            learning_rate: 0.1,
            max_depth: None,
            max_leaves: Some(31),
            min_child_weight: 1e-3,
            min_samples_leaf: 20,
            lambda: 0.0,
            max_bins: 255,
            subsample: 1.0,
            seed: 0,
        }
    }
}

impl GradientBoosting {
    fn check(&self) -> Result<(), LearnError> {
        let bad = |m: String| Err(LearnError::Parameter(m));
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return bad(format!(
                "learning rate must be positive, got {}",
                self.learning_rate
            ));
        }
        if self.max_depth.is_none() && self.max_leaves.is_none() {
            return bad("set max_depth or max_leaves (or both)".into());
        }
        if self.max_leaves.is_some_and(|l| l < 2) {
            return bad("max_leaves must be at least 2".into());
        }
        if !(self.min_child_weight >= 0.0 && self.min_child_weight.is_finite()) {
            return bad(format!(
                "min_child_weight must be non-negative, got {}",
                self.min_child_weight
            ));
        }
        if !(self.lambda >= 0.0 && self.lambda.is_finite()) {
            return bad(format!("lambda must be non-negative, got {}", self.lambda));
        }
        if !(2..=255).contains(&self.max_bins) {
            return bad(format!("max_bins must be 2 to 255, got {}", self.max_bins));
        }
        if !(self.subsample > 0.0 && self.subsample <= 1.0) {
            return bad(format!(
                "subsample must be in (0, 1], got {}",
                self.subsample
            ));
        }
        Ok(())
    }

    /// Fits `n_trees` trees to `x` (n × d, NaN = missing; infinities are an error), labels `y`
    /// (0/1 for [`Loss::BinaryLogistic`], any finite numbers for [`Loss::SquaredError`]) and
    /// optional non-negative `sample_weight`s. The ensemble has no feature names (set
    /// [`TreeEnsemble::feature_names`] to add them).
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
        if n > u32::MAX as usize {
            return Err(LearnError::Parameter(format!("{n} rows is too many")));
        }
        if let Some((i, &v)) = x.data().iter().enumerate().find(|(_, v)| v.is_infinite()) {
            return Err(LearnError::NonFinite {
                row: i / d,
                col: i % d,
                value: v,
            });
        }
        for (row, &v) in y.iter().enumerate() {
            let ok = match self.loss {
                Loss::BinaryLogistic => v == 0.0 || v == 1.0,
                Loss::SquaredError => v.is_finite(),
            };
            if !ok {
                return Err(LearnError::BadLabel { row, value: v });
            }
        }
        if let Some(w) = sample_weight {
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
        }
        let weight = |i: usize| sample_weight.map_or(1.0, |w| w[i]);
        let (sw, swy) = (0..n).fold((0.0, 0.0), |(a, b), i| {
            (a + weight(i), b + weight(i) * y[i])
        });
        if sw <= 0.0 {
            return Err(LearnError::Parameter(
                "the sample weights sum to zero".into(),
            ));
        }
        let mean = swy / sw;
        let (base_score, objective) = match self.loss {
            Loss::BinaryLogistic => {
                if mean <= 0.0 || mean >= 1.0 {
                    return Err(LearnError::OneClass { found: 1 });
                }
                (
                    (mean / (1.0 - mean)).ln(),
                    Objective {
                        name: "binary_logistic".into(),
                        link: Link::Logistic { scale: 1.0 },
                    },
                )
            }
            Loss::SquaredError => (
                mean,
                Objective {
                    name: "squared_error".into(),
                    link: Link::Identity,
                },
            ),
        };

        let binned = binning::bin(x, sample_weight, self.max_bins);
        let mut margin = vec![base_score; n];
        let mut g = vec![0.0; n];
        let mut h = vec![0.0; n];
        let mut rows: Vec<u32> = Vec::with_capacity(n);
        let mut trees = Vec::with_capacity(self.n_trees);
        for t in 0..self.n_trees {
            let loss = self.loss;
            (&mut g, &mut h, &margin)
                .into_par_iter()
                .with_min_len(4096)
                .enumerate()
                .for_each(|(i, (gi, hi, &m))| {
                    let w = weight(i);
                    let (a, b) = match loss {
                        Loss::BinaryLogistic => {
                            let p = 1.0 / (1.0 + (-m).exp());
                            (p - y[i], p * (1.0 - p))
                        }
                        Loss::SquaredError => (m - y[i], 1.0),
                    };
                    *gi = w * a;
                    *hi = w * b;
                });
            rows.clear();
            if self.subsample < 1.0 {
                // The row-subsampling stream of tree t (SplitMix64).
                let mut stream = assay_numerics::random::SplitMix64::new(
                    self.seed ^ (t as u64).wrapping_mul(0xd1b5_4a32_d192_ed03),
                );
                let cut = (self.subsample * (1u64 << 53) as f64) as u64;
                rows.extend((0..n as u32).filter(|_| stream.next_u64() >> 11 < cut));
                if rows.is_empty() {
                    rows.push(0);
                }
            } else {
                rows.extend(0..n as u32);
            }
            let grown = grow::grow(&binned, &mut rows, &g, &h, self);
            if self.subsample < 1.0 {
                // Rows outside the sample are routed through the tree.
                let tree = &grown.tree;
                margin.par_iter_mut().enumerate().for_each(|(i, m)| {
                    *m += tree.value[tree.leaf(x.row(i))];
                });
            } else {
                for &(node, start, end) in &grown.leaves {
                    let v = grown.tree.value[node];
                    for &r in &rows[start..end] {
                        margin[r as usize] += v;
                    }
                }
            }
            trees.push(grown.tree);
        }
        Ok(TreeEnsemble {
            trees,
            n_features: d,
            feature_names: None,
            categorical_features: vec![],
            base_score,
            objective,
            arithmetic: Arithmetic::F64,
            source: Source::Assay {
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
        })
    }
}

#[cfg(test)]
mod tests;
