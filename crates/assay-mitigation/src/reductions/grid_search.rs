//! Grid search (Agarwal et al. 2018, section 3.4), as Fairlearn 0.15's `GridSearch`: one
//! cost-sensitive fit per Lagrange-multiplier vector of a grid, and the predictor minimising
//! `constraint_weight·max(γ) + (1 − constraint_weight)·objective` on the training rows.
//!
//! The grid is Fairlearn's `_GridGenerator`: integer points of bounded L1 norm in the
//! constraints' lower-dimensional basis (for parity constraints one coordinate per event and
//! group except the group that appears last in the rows, each of either sign; for bounded
//! group loss one non-negative coordinate per group with the L1 norm forced to the limit),
//! enumerated in lexicographic order, the first `grid_size` of the smallest enumeration that has
//! that many, scaled so that the largest L1 norm is `grid_limit`.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use assay_model::learners::Matrix;

use crate::base::{BaseLearner, Predictor};
use crate::error::{check_len, MitigationError};
use crate::groups::Groups;

use super::exponentiated_gradient::{check_learner, outputs, reduction_labels, single_label};
use super::moments::{Basis, Constraint, ConstraintLabel, ErrorRate, Loaded};

/// Settings of grid search (Fairlearn's `GridSearch`; defaults are Fairlearn's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridSearch {
    /// The fairness constraint.
    pub constraint: Constraint,
    /// The objective's error costs (classification only; Fairlearn always uses unit costs).
    pub objective: ErrorRate,
    /// Weight of the constraint violation in the selection rule, in [0, 1]. Default 0.5.
    pub constraint_weight: f64,
    /// Number of multiplier vectors. Default 10.
    pub grid_size: usize,
    /// The largest L1 norm of the multipliers (Fairlearn's `grid_limit`). Default 2.0.
    pub grid_limit: f64,
    /// Added to every multiplier vector (Fairlearn's `grid_offset`), one value per constraint
    /// entry in the order of the constraint labels; `None` for zeros.
    pub grid_offset: Option<Vec<f64>>,
    /// Explicit multiplier vectors instead of a generated grid (Fairlearn's `grid`).
    pub grid: Option<Vec<Vec<f64>>>,
}

impl GridSearch {
    /// Fairlearn's defaults for `constraint`: grid_size 10, grid_limit 2.0, constraint_weight
    /// 0.5, no offset.
    pub fn new(constraint: Constraint) -> GridSearch {
        GridSearch {
            constraint,
            objective: ErrorRate::default(),
            constraint_weight: 0.5,
            grid_size: 10,
            grid_limit: 2.0,
            grid_offset: None,
            grid: None,
        }
    }
}

/// A fitted grid search: every predictor with its multipliers, objective and constraint vector
/// on the training rows (Fairlearn's `predictors_`, `lambda_vecs_`, `objectives_`, `gammas_`),
/// and the selected one (`best_idx_`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridSearchResult {
    /// One predictor per grid point.
    pub predictors: Vec<Predictor>,
    /// The multipliers of every grid point.
    pub lambda_vecs: Vec<Vec<f64>>,
    /// Objective (error rate or mean loss) of every predictor on the training rows.
    pub objectives: Vec<f64>,
    /// Constraint vector of every predictor on the training rows.
    pub gammas: Vec<Vec<f64>>,
    /// Index of the predictor the selection rule picks (the first on ties).
    pub best_idx: usize,
    /// The constraint entries, in the order of `γ` and `λ`.
    pub constraint_labels: Vec<ConstraintLabel>,
    /// Whether the predictors are classifiers (hard 0/1 predictions) or regressors.
    pub classification: bool,
}

impl GridSearchResult {
    /// The selected predictor.
    pub fn best(&self) -> &Predictor {
        &self.predictors[self.best_idx]
    }

    /// Predictions of the selected predictor (Fairlearn's `GridSearch.predict`): hard 0/1 for a
    /// classifier, values for a regressor.
    pub fn predict(&self, x: &Matrix) -> Result<Vec<f64>, MitigationError> {
        outputs(self.best(), x, self.classification)
    }
}

/// Integer points of the grid in Fairlearn's enumeration order (`accumulate_integer_grid`).
fn integer_grid(dim: usize, n_units: i64, neg_allowed: &[bool], force_l1: bool) -> Vec<Vec<i64>> {
    fn rec(
        index: usize,
        max_val: i64,
        entry: &mut Vec<i64>,
        out: &mut Vec<Vec<i64>>,
        neg_allowed: &[bool],
        force_l1: bool,
    ) {
        let dim = entry.len();
        if index == dim {
            out.push(entry.clone());
            return;
        }
        let values: Vec<i64> = if index == dim - 1 && force_l1 {
            if neg_allowed[index] && max_val > 0 {
                vec![-max_val, max_val]
            } else {
                vec![max_val]
            }
        } else {
            let lo = if neg_allowed[index] { -max_val } else { 0 };
            (lo..=max_val).collect()
        };
        for v in values {
            entry[index] = v;
            rec(
                index + 1,
                max_val - v.abs(),
                entry,
                out,
                neg_allowed,
                force_l1,
            );
        }
    }
    let mut entry = vec![0; dim];
    let mut out = Vec::new();
    rec(0, n_units, &mut entry, &mut out, neg_allowed, force_l1);
    out
}

/// Fairlearn's `_GridGenerator(...).grid`: `grid_size` multiplier vectors.
pub(crate) fn generate_grid(
    grid_size: usize,
    grid_limit: f64,
    basis: &Basis,
    offset: &[f64],
) -> Result<Vec<Vec<f64>>, MitigationError> {
    let (pos_basis, neg_basis, neg_allowed) = (&basis.pos, &basis.neg, &basis.neg_allowed);
    let force_l1 = &basis.objective_in_span;
    let dim = pos_basis.len();
    let true_dim = if *force_l1 {
        dim.saturating_sub(1)
    } else {
        dim
    };
    if true_dim == 0 {
        return Err(MitigationError::Data(
            "grid search needs at least two groups (with positive weight) to compare".into(),
        ));
    }
    let n_neg = neg_allowed.iter().filter(|&&a| a).count() as i32;
    let start = ((grid_size as f64 / 2f64.powi(n_neg)).powf(1.0 / true_dim as f64) - 1.0).floor();
    let mut n_units = if start > 0.0 { start as i64 } else { 0 };
    loop {
        let int_grid = integer_grid(dim, n_units, neg_allowed, *force_l1);
        if int_grid.len() >= grid_size {
            let scale = grid_limit / n_units as f64;
            return Ok(int_grid[..grid_size]
                .iter()
                .map(|point| {
                    let mut lambda = offset.to_vec();
                    for (col, &v) in point.iter().enumerate() {
                        let c = v as f64 * scale;
                        for (l, (p, n)) in lambda
                            .iter_mut()
                            .zip(pos_basis[col].iter().zip(&neg_basis[col]))
                        {
                            *l += p * c.max(0.0) + n * (-c).max(0.0);
                        }
                    }
                    lambda
                })
                .collect());
        }
        n_units += 1;
    }
}

impl GridSearch {
    fn validate(&self) -> Result<(), MitigationError> {
        if !(0.0..=1.0).contains(&self.constraint_weight) {
            return Err(MitigationError::Parameter(format!(
                "constraint_weight {} must be in [0, 1] (default 0.5)",
                self.constraint_weight
            )));
        }
        if self.grid.is_none() {
            if self.grid_size < 2 {
                return Err(MitigationError::Parameter(format!(
                    "grid_size {} must be at least 2 (default 10)",
                    self.grid_size
                )));
            }
            if !(self.grid_limit.is_finite() && self.grid_limit > 0.0) {
                return Err(MitigationError::Parameter(format!(
                    "grid_limit {} must be a finite number > 0 (default 2.0)",
                    self.grid_limit
                )));
            }
        }
        Ok(())
    }

    /// The multiplier vectors this search fits, for data already loaded.
    fn lambdas(&self, moment: &Loaded) -> Result<Vec<Vec<f64>>, MitigationError> {
        let k = moment.n_constraints();
        let check = |what: &'static str, v: &[f64]| -> Result<(), MitigationError> {
            check_len(what, k, v.len())?;
            if v.iter().any(|x| !x.is_finite()) {
                return Err(MitigationError::Parameter(format!(
                    "{what} must be finite numbers, one per constraint entry"
                )));
            }
            Ok(())
        };
        if let Some(grid) = &self.grid {
            if grid.is_empty() {
                return Err(MitigationError::Parameter(
                    "the explicit grid has no multiplier vectors".into(),
                ));
            }
            for g in grid {
                check("grid multiplier vector", g)?;
            }
            return Ok(grid.clone());
        }
        let offset = match &self.grid_offset {
            Some(o) => {
                check("grid offset", o)?;
                o.clone()
            }
            None => vec![0.0; k],
        };
        generate_grid(self.grid_size, self.grid_limit, &moment.basis(), &offset)
    }

    /// The multiplier vectors the search would fit for these labels and groups (Fairlearn's
    /// `lambda_vecs_`), without fitting.
    pub fn grid_for(
        &self,
        y: &[f64],
        groups: &Groups,
        sample_weight: Option<&[f64]>,
    ) -> Result<Vec<Vec<f64>>, MitigationError> {
        self.validate()?;
        let moment = Loaded::new(&self.constraint, self.objective, y, groups, sample_weight)?;
        self.lambdas(&moment)
    }

    /// Runs the grid search with `learner` on features `x` (one copy, borrowed by every fit; the
    /// fits run in parallel), labels `y`, sensitive `groups` and optional sample weights (an
    /// assay extension; `None` is Fairlearn's behaviour). The reweighted problem of a grid point
    /// `λ` has signed weights `c` = the constraints' (plus the objective's, unless the
    /// objective is in the constraints' span as for bounded group loss), labels `1[c > 0]` and
    /// weights `|c|` (classification) or the labels and `c` (regression), unnormalised as in
    /// Fairlearn.
    pub fn fit(
        &self,
        learner: &BaseLearner,
        x: &Matrix,
        y: &[f64],
        groups: &Groups,
        sample_weight: Option<&[f64]>,
    ) -> Result<GridSearchResult, MitigationError> {
        self.validate()?;
        let classifier = check_learner(learner, &self.constraint, x, y)?;
        let moment = Loaded::new(&self.constraint, self.objective, y, groups, sample_weight)?;
        let lambdas = self.lambdas(&moment)?;
        let objective_in_span = moment.basis().objective_in_span;
        let obj_sw = moment.objective_signed_weights();
        let classification = moment.is_classification();
        let fitter = learner.fitter(x)?;
        let step = assay_progress::step("grid points", Some(lambdas.len() as u64));
        let fitted: Vec<(Predictor, f64, Vec<f64>)> = lambdas
            .par_iter()
            .map(|lambda| {
                let mut c = moment.signed_weights(lambda);
                if !objective_in_span {
                    for (a, b) in c.iter_mut().zip(&obj_sw) {
                        *a += b;
                    }
                }
                let labels = reduction_labels(&c, &moment.y, classification);
                let predictor = match single_label(&labels) {
                    Some(v) => Predictor::Constant { value: v },
                    None => {
                        let weights: Vec<f64> = if classification {
                            c.iter().map(|v| v.abs()).collect()
                        } else {
                            if let Some(row) = c.iter().position(|&v| v < 0.0) {
                                return Err(MitigationError::Parameter(format!(
                                    "grid multipliers {lambda:?} give row {row} the negative \
                                     weight {}; bounded group loss needs multipliers > -P(g) \
                                     (use a grid offset of 0 or more)",
                                    c[row]
                                )));
                            }
                            c
                        };
                        fitter.fit(&labels, &weights, None)?
                    }
                };
                let out = outputs(&predictor, x, classifier)?;
                let objective = moment.objective_value(&out);
                let gamma = moment.gamma(&out);
                step.tick();
                Ok((predictor, objective, gamma))
            })
            .collect::<Result<_, MitigationError>>()?;
        let mut predictors = Vec::with_capacity(fitted.len());
        let mut objectives = Vec::with_capacity(fitted.len());
        let mut gammas = Vec::with_capacity(fitted.len());
        for (p, o, g) in fitted {
            predictors.push(p);
            objectives.push(o);
            gammas.push(g);
        }
        let losses: Vec<f64> = objectives
            .iter()
            .zip(&gammas)
            .map(|(o, g)| {
                let max = g.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (1.0 - self.constraint_weight) * o + self.constraint_weight * max
            })
            .collect();
        let mut best_idx = 0;
        for (i, &l) in losses.iter().enumerate() {
            if l < losses[best_idx] {
                best_idx = i;
            }
        }
        Ok(GridSearchResult {
            predictors,
            lambda_vecs: lambdas,
            objectives,
            gammas,
            best_idx,
            constraint_labels: moment.labels.clone(),
            classification: classifier,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_dimensional_grid_is_symmetric() {
        // two groups, demographic parity: one basis column of either sign
        let basis = Basis {
            pos: vec![vec![1.0, 0.0, 0.0, 0.0]],
            neg: vec![vec![0.0, 0.0, 1.0, 0.0]],
            neg_allowed: vec![true],
            objective_in_span: false,
        };
        let g = generate_grid(7, 2.0, &basis, &[0.0; 4]).unwrap();
        let coefs: Vec<f64> = g.iter().map(|l| l[0] - l[2]).collect();
        let want = [-2.0, -4.0 / 3.0, -2.0 / 3.0, 0.0, 2.0 / 3.0, 4.0 / 3.0, 2.0];
        for (a, b) in coefs.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{coefs:?}");
        }
    }

    #[test]
    fn bounded_group_loss_grid_has_l1_norm_limit() {
        let basis = Basis {
            pos: vec![vec![1.0, 0.0], vec![0.0, 1.0]],
            neg: vec![vec![0.0, 0.0], vec![0.0, 0.0]],
            neg_allowed: vec![false, false],
            objective_in_span: true,
        };
        let g = generate_grid(5, 2.0, &basis, &[0.0; 2]).unwrap();
        assert_eq!(g.len(), 5);
        for l in &g {
            assert!((l[0] + l[1] - 2.0).abs() < 1e-12, "{g:?}");
        }
        assert_eq!(g[0], vec![0.0, 2.0]);
    }
}
