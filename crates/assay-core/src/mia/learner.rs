//! The learners a membership-inference audit trains (the target model and every shadow model), through
//! `assay_model`'s learners and `assay_privacy::dpsgd`, and their margins (log-odds of the
//! positive class) on encoded rows.

use assay_model::learners::{
    FittedLogistic, GradientBoosting, LearnError, LogisticRegression, Matrix,
};
use assay_model::TreeEnsemble;
use assay_privacy::dpsgd::{self, Config};

/// How to train a model: the learner and its settings (the same for the target and every
/// shadow model, so that the shadows imitate the target's training).
#[derive(Clone, Debug)]
pub enum Spec {
    /// L2-regularised logistic regression.
    Logistic(LogisticRegression),
    /// Histogram gradient boosting (binary log-loss); its `seed` is replaced per model.
    Gbdt(GradientBoosting),
    /// DP-SGD logistic regression; σ, q and the steps fixed from the target's training set,
    /// the seed replaced per model.
    DpLogistic(Config),
}

/// A fitted model.
pub enum Fitted {
    /// A logistic regression.
    Logistic(FittedLogistic),
    /// Gradient-boosted trees.
    Gbdt(TreeEnsemble),
    /// A DP-SGD logistic regression.
    Dp(dpsgd::Model),
}

fn learn_err(e: LearnError) -> String {
    match e {
        LearnError::Parameter(m) => m,
        e => e.to_string(),
    }
}

impl Spec {
    /// Fits on the row-major `x` (`y.len() × d`) with labels in {0, 1}; `seed` seeds the
    /// learner's randomness (gbdt subsampling, DP-SGD sampling and noise).
    pub fn fit(&self, x: &[f64], d: usize, y: &[f64], seed: u64) -> Result<Fitted, String> {
        let n = y.len();
        match self {
            Spec::Logistic(l) => {
                let m = Matrix::with_rows(x, n, d).map_err(learn_err)?;
                l.fit(&m, y, None).map(Fitted::Logistic).map_err(learn_err)
            }
            Spec::Gbdt(g) => {
                let m = Matrix::with_rows(x, n, d).map_err(learn_err)?;
                let g = GradientBoosting { seed, ..*g };
                g.fit(&m, y, None).map(Fitted::Gbdt).map_err(learn_err)
            }
            Spec::DpLogistic(c) => {
                let c = Config { seed, ..c.clone() };
                dpsgd::train(x, y, d, &c)
                    .map(|t| Fitted::Dp(t.model))
                    .map_err(|e| e.to_string())
            }
        }
    }
}

impl Fitted {
    /// Margins (log-odds of the positive class) of the rows of `x` (`n × d`).
    pub fn margins(&self, x: &[f64], n: usize, d: usize) -> Result<Vec<f64>, String> {
        match self {
            Fitted::Logistic(f) => {
                let m = Matrix::with_rows(x, n, d).map_err(learn_err)?;
                f.decision_function(&m).map_err(learn_err)
            }
            Fitted::Gbdt(e) => e.predict_margin(x, d).map_err(|e| e.to_string()),
            Fitted::Dp(m) => Ok(x.chunks(d).take(n).map(|r| m.logit(r)).collect()),
        }
    }
}

/// The rows of `x` (`d` columns) whose `mask` entry is true, and their labels.
pub fn subset(x: &[f64], y: &[f64], d: usize, mask: &[bool]) -> (Vec<f64>, Vec<f64>) {
    let k = mask.iter().filter(|&&b| b).count();
    let (mut xs, mut ys) = (Vec::with_capacity(k * d), Vec::with_capacity(k));
    for (i, _) in mask.iter().enumerate().filter(|(_, &b)| b) {
        xs.extend_from_slice(&x[i * d..(i + 1) * d]);
        ys.push(y[i]);
    }
    (xs, ys)
}

/// A per-model seed derived from the audit's seed (SplitMix64 of `seed` and `index`).
pub fn derive_seed(seed: u64, index: u64) -> u64 {
    use assay_numerics::random::{mix64, GOLDEN_GAMMA};
    mix64(seed ^ index.wrapping_add(1).wrapping_mul(GOLDEN_GAMMA))
}
