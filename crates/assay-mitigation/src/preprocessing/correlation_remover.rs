//! Fairlearn's `CorrelationRemover(alpha)` (`fairlearn.preprocessing`, since 0.6), with the
//! sensitive features being the one-hot encoding of the group.
//!
//! Fairlearn takes numeric sensitive columns `S` (a categorical column must be one-hot encoded
//! first, e.g. with `pd.get_dummies`), centres them with their means `s̄`, fits for every
//! non-sensitive column `z_j` the least-squares coefficients `β_j` of `z_j` on `S − 1 s̄ᵀ`
//! (`numpy.linalg.lstsq`, no intercept), drops the sensitive columns, and returns
//!
//! ```text
//! X_out = alpha · (Z − (S − 1 s̄ᵀ) β) + (1 − alpha) · Z
//! ```
//!
//! assay gives Fairlearn the full one-hot matrix of the group (one 0/1 column per group, none
//! dropped), so `s̄_g = n_g / n`. The centred one-hot columns span exactly the group indicators
//! orthogonal to the constant, so the least-squares fit is the projection onto them: for a
//! row of group `g`,
//!
//! ```text
//! (e_g − s̄)ᵀ β_j = mean_g(z_j) − mean(z_j)
//! ```
//!
//! whichever least-squares solution is taken (the centred one-hot matrix has rank `k − 1`;
//! `lstsq` returns the minimum-norm `β`, [`FittedCorrelationRemover::beta`]). assay evaluates
//! this closed form — the group mean minus the overall mean, computed from the fit data — instead
//! of an SVD. Dropping one one-hot column (`drop_first=True`) gives the same output, because the
//! remaining centred columns span the same space; the golden script checks both.
//!
//! The fitted state is [`FittedCorrelationRemover`] (serde): it is saved with a model and
//! applied at prediction time, which therefore needs every row's group. A group without rows in
//! the fit data has no fitted shift; transforming a row of it is an error. Rows are unweighted,
//! as in Fairlearn.

use serde::{Deserialize, Serialize};

use assay_model::learners::Matrix;

use super::check_groups;
use crate::error::{check_len, MitigationError};
use crate::groups::Groups;

/// Fairlearn's `CorrelationRemover(alpha)` on the one-hot encoded group (see the module
/// documentation). `alpha = 1` removes all linear correlation with the group, `alpha = 0`
/// leaves the features unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CorrelationRemover {
    /// How much of the correlation to remove, in `[0, 1]`.
    pub alpha: f64,
}

/// A fitted [`CorrelationRemover`]: everything needed to transform rows at prediction time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedCorrelationRemover {
    /// The `alpha` it was fitted with.
    pub alpha: f64,
    /// Number of (non-sensitive) feature columns.
    pub n_features: usize,
    /// Names of the groups with rows in the fit data, in the order of `sensitive_mean` and of
    /// the rows of `shift`.
    pub group_names: Vec<String>,
    /// Fraction of fit rows in each group: Fairlearn's `sensitive_mean_` for the one-hot
    /// columns.
    pub sensitive_mean: Vec<f64>,
    /// Mean of every feature over the fit rows.
    pub feature_mean: Vec<f64>,
    /// `group_names.len() × n_features`, row-major: mean of the feature in the group minus its
    /// overall mean, `(e_g − s̄)ᵀ β`, the amount removed (times `alpha`) from a row of the group.
    pub shift: Vec<f64>,
}

impl CorrelationRemover {
    /// A correlation remover; an error unless `alpha` is in `[0, 1]`.
    pub fn new(alpha: f64) -> Result<CorrelationRemover, MitigationError> {
        if !(0.0..=1.0).contains(&alpha) {
            return Err(MitigationError::Parameter(format!(
                "correlation remover alpha is {alpha}; it must be between 0 (no change) and 1 \
                 (remove all correlation)"
            )));
        }
        Ok(CorrelationRemover { alpha })
    }

    /// Fits the remover on features `x` (the non-sensitive columns) and the rows' groups.
    pub fn fit(
        &self,
        x: &Matrix,
        groups: &Groups,
    ) -> Result<FittedCorrelationRemover, MitigationError> {
        CorrelationRemover::new(self.alpha)?;
        let (n, p) = (x.n_rows(), x.n_cols());
        if n == 0 {
            return Err(MitigationError::Empty);
        }
        check_groups(groups, n)?;
        check_finite(x)?;
        let k_all = groups.n_groups();
        let mut count = vec![0usize; k_all];
        let mut sums = vec![0.0; k_all * p];
        let mut total = vec![0.0; p];
        for i in 0..n {
            let g = groups.codes[i] as usize;
            count[g] += 1;
            let acc = &mut sums[g * p..(g + 1) * p];
            for ((a, t), &v) in acc.iter_mut().zip(total.iter_mut()).zip(x.row(i)) {
                *a += v;
                *t += v;
            }
        }
        let feature_mean: Vec<f64> = total.iter().map(|t| t / n as f64).collect();
        let mut group_names = Vec::new();
        let mut sensitive_mean = Vec::new();
        let mut shift = Vec::new();
        for g in (0..k_all).filter(|&g| count[g] > 0) {
            group_names.push(groups.names[g].clone());
            sensitive_mean.push(count[g] as f64 / n as f64);
            let c = count[g] as f64;
            shift.extend(
                sums[g * p..(g + 1) * p]
                    .iter()
                    .zip(&feature_mean)
                    .map(|(s, m)| s / c - m),
            );
        }
        Ok(FittedCorrelationRemover {
            alpha: self.alpha,
            n_features: p,
            group_names,
            sensitive_mean,
            feature_mean,
            shift,
        })
    }

    /// Fits on `x` and transforms it; see [`CorrelationRemover::fit`] and
    /// [`FittedCorrelationRemover::transform`].
    pub fn fit_transform(
        &self,
        x: &Matrix,
        groups: &Groups,
    ) -> Result<(FittedCorrelationRemover, Vec<f64>), MitigationError> {
        let fitted = self.fit(x, groups)?;
        let out = fitted.transform(x, groups)?;
        Ok((fitted, out))
    }
}

impl FittedCorrelationRemover {
    /// The transformed features (row-major, same shape as `x`):
    /// `alpha · (x − shift_g) + (1 − alpha) · x` for a row of group `g`, as Fairlearn's
    /// `transform`. Groups are matched to the fitted ones by name; a row whose group was not in
    /// the fit data is an error.
    pub fn transform(&self, x: &Matrix, groups: &Groups) -> Result<Vec<f64>, MitigationError> {
        let (n, p) = (x.n_rows(), x.n_cols());
        check_len("feature columns", self.n_features, p)?;
        check_groups(groups, n)?;
        check_finite(x)?;
        let index: Vec<Option<usize>> = groups
            .names
            .iter()
            .map(|name| self.group_names.iter().position(|f| f == name))
            .collect();
        let (alpha, keep) = (self.alpha, 1.0 - self.alpha);
        let mut out = Vec::with_capacity(n * p);
        for i in 0..n {
            let code = groups.codes[i] as usize;
            let g = index[code].ok_or_else(|| {
                MitigationError::Data(format!(
                    "row {i}: group '{}' was not in the data the correlation remover was fitted \
                     on (fitted groups: {}); refit with rows of that group",
                    groups.names[code],
                    self.group_names.join(", ")
                ))
            })?;
            let shift = &self.shift[g * p..(g + 1) * p];
            out.extend(
                x.row(i)
                    .iter()
                    .zip(shift)
                    .map(|(&v, &d)| alpha * (v - d) + keep * v),
            );
        }
        Ok(out)
    }

    /// Fairlearn's `beta_` (`group_names.len() × n_features`, row-major): the minimum-norm
    /// least-squares coefficients of every feature on the centred one-hot group columns, which
    /// `numpy.linalg.lstsq` returns. The centred one-hot matrix has the constant vector as its
    /// null space, so this is `shift` with its mean over the groups subtracted per feature.
    pub fn beta(&self) -> Vec<f64> {
        let (k, p) = (self.group_names.len(), self.n_features);
        let mut mean = vec![0.0; p];
        for g in 0..k {
            for (m, s) in mean.iter_mut().zip(&self.shift[g * p..(g + 1) * p]) {
                *m += s / k as f64;
            }
        }
        (0..k * p).map(|c| self.shift[c] - mean[c % p]).collect()
    }
}

fn check_finite(x: &Matrix) -> Result<(), MitigationError> {
    let p = x.n_cols().max(1);
    match x.data().iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(at) => Err(MitigationError::Data(format!(
            "row {}, column {}: feature value {} is not a finite number; impute missing values \
             before the correlation remover",
            at / p,
            at % p,
            x.data()[at]
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(codes: &[u32]) -> Groups {
        Groups {
            codes: codes.to_vec(),
            names: vec!["a".into(), "b".into(), "c".into()],
        }
    }

    #[test]
    fn hand_computed() {
        // one feature; group a: 1, 3 (mean 2); group b: 10 (mean 10); overall mean 14/3
        let x = [1.0, 3.0, 10.0];
        let m = Matrix::new(&x, 1).unwrap();
        let g = Groups {
            codes: vec![0, 0, 1],
            names: vec!["a".into(), "b".into()],
        };
        let (f, out) = CorrelationRemover::new(1.0)
            .unwrap()
            .fit_transform(&m, &g)
            .unwrap();
        let mean = 14.0 / 3.0;
        let expect = [1.0 - (2.0 - mean), 3.0 - (2.0 - mean), 10.0 - (10.0 - mean)];
        for (a, b) in out.iter().zip(expect) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
        // group means are equal afterwards
        assert!(((out[0] + out[1]) / 2.0 - out[2]).abs() < 1e-12);
        assert_eq!(f.sensitive_mean, vec![2.0 / 3.0, 1.0 / 3.0]);
        // beta: shifts (2 - 14/3, 10 - 14/3) minus their mean
        let beta = f.beta();
        assert!((beta[0] + 4.0).abs() < 1e-12 && (beta[1] - 4.0).abs() < 1e-12);
        // alpha 0.5 is half way
        let (_, half) = CorrelationRemover::new(0.5)
            .unwrap()
            .fit_transform(&m, &g)
            .unwrap();
        for i in 0..3 {
            assert!((half[i] - (x[i] + out[i]) / 2.0).abs() < 1e-12);
        }
    }

    #[test]
    fn transform_matches_groups_by_name_and_round_trips_json() {
        let x = [1.0, 0.0, 2.0, 1.0, 5.0, 2.0, 7.0, 3.0];
        let m = Matrix::new(&x, 2).unwrap();
        let fitted = CorrelationRemover::new(1.0)
            .unwrap()
            .fit(&m, &groups(&[0, 0, 2, 2]))
            .unwrap();
        assert_eq!(fitted.group_names, vec!["a", "c"]);
        let json = serde_json::to_string(&fitted).unwrap();
        let back: FittedCorrelationRemover = serde_json::from_str(&json).unwrap();
        assert_eq!(back, fitted);
        // same rows, groups coded differently at prediction time
        let other = Groups {
            codes: vec![1, 1, 0, 0],
            names: vec!["c".into(), "a".into()],
        };
        assert_eq!(
            back.transform(&m, &other).unwrap(),
            fitted.transform(&m, &groups(&[0, 0, 2, 2])).unwrap()
        );
        // a group not seen at fit time
        assert!(fitted.transform(&m, &groups(&[0, 1, 2, 2])).is_err());
        // wrong width
        let m3 = Matrix::new(&x[..6], 3).unwrap();
        assert!(fitted.transform(&m3, &groups(&[0, 2])).is_err());
    }

    #[test]
    fn rejects_bad_input() {
        assert!(CorrelationRemover::new(1.5).is_err());
        assert!(CorrelationRemover::new(f64::NAN).is_err());
        let x = [1.0, f64::NAN];
        let m = Matrix::new(&x, 1).unwrap();
        assert!(CorrelationRemover::new(1.0)
            .unwrap()
            .fit(&m, &groups(&[0, 1]))
            .is_err());
    }
}
