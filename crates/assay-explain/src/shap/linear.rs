//! LinearSHAP: exact Shapley values of a linear model `f(x) = β·x + b` with independent
//! features (Lundberg & Lee 2017, Corollary 1), as shap's `LinearExplainer` with
//! `feature_perturbation="interventional"`: `φ_j = β_j (x_j − μ_j)`, with `μ` the (weighted)
//! mean of the background, and base value `E[f] = β·μ + b`. For a logistic regression the
//! explained output is the margin (log-odds). A feature group gets the sum over its columns
//! (exact: the model is additive).
//!
//! shap subsamples a background of more than 100 rows to 100 (its `Independent` masker's
//! `max_samples`) before taking the mean; here the mean is over the whole background.

use assay_model::learners::FittedLogistic;
use serde::{Deserialize, Serialize};

use crate::error::{check_len, ExplainError};
use crate::groups::FeatureGroups;

/// A linear model and the background mean it is explained against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearExplainer {
    /// Coefficients, one per column.
    pub coef: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
    /// Background mean of every column.
    pub mean: Vec<f64>,
    /// The groups explained (one per column when built without groups).
    pub groups: FeatureGroups,
}

/// LinearSHAP values of a set of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearShapValues {
    /// Row-major `n_rows × n_features` attributions.
    pub values: Vec<f64>,
    /// Rows explained.
    pub n_rows: usize,
    /// Features (groups) explained.
    pub n_features: usize,
    /// `E[f] = β·μ + b`.
    pub base_value: f64,
    /// `f(x)` of every row (the margin).
    pub predictions: Vec<f64>,
}

impl LinearExplainer {
    /// An explainer of `β·x + b` against the background rows (row-major, `coef.len()` columns),
    /// weighted by `weights` (equal when `None`).
    pub fn new(
        coef: Vec<f64>,
        intercept: f64,
        background: &[f64],
        n_rows: usize,
        weights: Option<&[f64]>,
        groups: Option<FeatureGroups>,
    ) -> Result<LinearExplainer, ExplainError> {
        let p = coef.len();
        if n_rows == 0 {
            return Err(ExplainError::Empty("background data"));
        }
        check_len("background data", n_rows * p, background.len())?;
        if let Some(w) = weights {
            check_len("background weights", n_rows, w.len())?;
            if w.iter().any(|v| !v.is_finite() || *v < 0.0) || w.iter().sum::<f64>() <= 0.0 {
                return Err(ExplainError::Parameter(
                    "background weights must be finite, non-negative and not all zero".into(),
                ));
            }
        }
        if let Some(j) = coef.iter().position(|c| !c.is_finite()) {
            return Err(ExplainError::Parameter(format!(
                "coefficient {j} is not finite"
            )));
        }
        if !intercept.is_finite() {
            return Err(ExplainError::Parameter(
                "the intercept is not finite".into(),
            ));
        }
        let mut mean = vec![0.0; p];
        match weights {
            None => {
                // numpy's mean: sum then divide.
                for row in background.chunks(p.max(1)).take(n_rows) {
                    for (m, v) in mean.iter_mut().zip(row) {
                        *m += v;
                    }
                }
                for m in &mut mean {
                    *m /= n_rows as f64;
                }
            }
            Some(w) => {
                let tot: f64 = w.iter().sum();
                for (row, wi) in background.chunks(p.max(1)).zip(w) {
                    for (m, v) in mean.iter_mut().zip(row) {
                        *m += wi * v;
                    }
                }
                for m in &mut mean {
                    *m /= tot;
                }
            }
        }
        if let Some(j) = mean.iter().position(|m| !m.is_finite()) {
            return Err(ExplainError::Data(format!(
                "the background mean of column {j} is not finite"
            )));
        }
        let groups = match groups {
            Some(g) => {
                check_len("feature group columns", p, g.n_columns())?;
                FeatureGroups::new(g.names, g.members, p)?
            }
            None => FeatureGroups::singletons(&(0..p).map(|j| format!("x{j}")).collect::<Vec<_>>()),
        };
        Ok(LinearExplainer {
            coef,
            intercept,
            mean,
            groups,
        })
    }

    /// An explainer of a binary logistic regression's margin (log-odds of the second class).
    pub fn from_logistic(
        model: &FittedLogistic,
        background: &[f64],
        n_rows: usize,
        weights: Option<&[f64]>,
        groups: Option<FeatureGroups>,
    ) -> Result<LinearExplainer, ExplainError> {
        if model.coef.len() != 1 {
            return Err(ExplainError::Parameter(format!(
                "LinearSHAP explains one margin; the model has {} decision functions (binary models only)",
                model.coef.len()
            )));
        }
        LinearExplainer::new(
            model.coef[0].clone(),
            model.intercept[0],
            background,
            n_rows,
            weights,
            groups,
        )
    }

    /// `E[f] = β·μ + b`.
    pub fn base_value(&self) -> f64 {
        self.coef
            .iter()
            .zip(&self.mean)
            .map(|(c, m)| c * m)
            .sum::<f64>()
            + self.intercept
    }

    /// LinearSHAP values of the `n_rows` rows of the row-major `x`.
    pub fn explain(&self, x: &[f64], n_rows: usize) -> Result<LinearShapValues, ExplainError> {
        let p = self.coef.len();
        check_len("rows to explain", n_rows * p, x.len())?;
        let m = self.groups.len();
        let mut values = vec![0.0; n_rows * m];
        let mut predictions = Vec::with_capacity(n_rows);
        for (i, row) in x.chunks(p.max(1)).take(n_rows).enumerate() {
            for (g, cols) in self.groups.members.iter().enumerate() {
                values[i * m + g] = cols
                    .iter()
                    .map(|&c| self.coef[c] * (row[c] - self.mean[c]))
                    .sum();
            }
            predictions
                .push(row.iter().zip(&self.coef).map(|(v, c)| v * c).sum::<f64>() + self.intercept);
        }
        Ok(LinearShapValues {
            values,
            n_rows,
            n_features: m,
            base_value: self.base_value(),
            predictions,
        })
    }
}
