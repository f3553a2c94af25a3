//! L2-regularised logistic regression, fitted by Newton's method to scikit-learn's optimum.
//!
//! # Objective
//!
//! As in the scikit-learn User Guide, section 1.1.11 "Logistic regression" (L2 penalty, `r(w) =
//! ½‖w‖²`), with `C` the inverse regularisation strength and `w_i` the sample weights (1 when not
//! given):
//!
//! * binary (two classes, the second one positive, `z_i = x_iᵀβ + b`):
//!   `C · Σ_i w_i · [log(1 + e^{z_i}) − y_i z_i] + ½‖β‖²`;
//! * multinomial (K ≥ 3 classes, `z_ik = x_iᵀβ_k + b_k`, full K-class parametrisation):
//!   `C · Σ_i w_i · [log Σ_k e^{z_ik} − z_{i,y_i}] + ½ Σ_k ‖β_k‖²`.
//!
//! Intercepts are never penalised. scikit-learn ≥ 1.2 (`LinearModelLoss` in
//! `sklearn/linear_model/_logistic.py`) minimises this objective divided by `C · Σ_i w_i` (mean
//! weighted loss plus `‖β‖² / (2 C Σ_i w_i)`), which has the same minimiser; the convergence
//! test uses the gradient of that scaled form, so `tol` means what scikit-learn's does.
//!
//! In the multinomial case the intercepts are identifiable only up to a common shift (the loss is
//! unchanged when the same constant is added to every `b_k`); like scikit-learn's `lbfgs`, which
//! starts from zero and only moves in directions orthogonal to that shift, the fitted intercepts
//! sum to zero. The penalised coefficients are unique (and sum to zero over classes).
//!
//! # Solver
//!
//! Newton's method from zero (or from a previous fit's coefficients,
//! [`LogisticRegression::fit_design`]): the gradient and Hessian are accumulated over fixed row
//! chunks in parallel (rayon) and reduced in chunk order, so results are identical run to run and
//! independent of the thread count; the Newton system is solved by a Cholesky factorisation and
//! the step is damped by a backtracking (Armijo) line search. The loop stops when the max-norm of
//! the scaled gradient is below `tol`. The Hessian, the expensive part (`O(nnz²)` per row against
//! `O(nnz)` for the gradient), is computed only where a step starts.

use std::path::Path;

use assay_numerics::sigmoid;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{LearnError, Matrix};

/// Minimum rows per parallel chunk.
const MIN_CHUNK_ROWS: usize = 2048;
/// Maximum number of chunks (bounds the memory of the per-chunk Hessians).
const MAX_CHUNKS: usize = 64;
/// Armijo sufficient-decrease constant.
const ARMIJO: f64 = 1e-4;
/// Halvings of the step before the line search gives up.
const MAX_HALVINGS: usize = 60;

/// L2-regularised logistic regression, scikit-learn's `LogisticRegression(penalty="l2", C=c,
/// fit_intercept=fit_intercept, solver="lbfgs")` (scikit-learn User Guide, section 1.1.11
/// "Logistic regression"); see the [module documentation](self) for the objective.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogisticRegression {
    /// Inverse regularisation strength (scikit-learn's `C`): the loss is multiplied by `C`, the
    /// penalty is `½‖β‖²`. Must be positive and finite. Default 1.0.
    pub c: f64,
    /// Whether to fit (unpenalised) intercepts. Default true.
    pub fit_intercept: bool,
    /// Maximum number of Newton iterations. Default 100.
    pub max_iter: usize,
    /// Stop when the max-norm of the gradient of the scikit-learn-scaled objective (divided by
    /// `C · Σ w_i`) is below `tol`. Default 1e-10.
    pub tol: f64,
}

impl Default for LogisticRegression {
    fn default() -> Self {
        LogisticRegression {
            c: 1.0,
            fit_intercept: true,
            max_iter: 100,
            tol: 1e-10,
        }
    }
}

/// A fitted logistic regression: scikit-learn's `coef_`, `intercept_` and `classes_`, plus how the
/// fit went. Saved and loaded as JSON ([`FittedLogistic::save`], [`FittedLogistic::load`]).
///
/// Decision values are `x·β_k + b_k` (scikit-learn User Guide, section 1.1.11 "Logistic
/// regression"); probabilities are the logistic function of the one decision value (binary) or
/// the softmax of the K decision values (multinomial).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLogistic {
    /// Coefficients, one row per decision function: 1 row for two classes (for the second
    /// class), K rows for K ≥ 3 classes; each row has one value per feature.
    pub coef: Vec<Vec<f64>>,
    /// Intercepts, one per row of `coef` (zeros when not fitted).
    pub intercept: Vec<f64>,
    /// The distinct label values, sorted ascending; class `k` of the probabilities is
    /// `classes[k]`.
    pub classes: Vec<f64>,
    /// The settings the model was fitted with.
    pub params: LogisticRegression,
    /// Newton iterations run.
    pub n_iter: usize,
    /// Max-norm of the scaled gradient at the solution (see [`LogisticRegression::tol`]).
    pub gradient_max_norm: f64,
    /// Whether `gradient_max_norm < tol` was reached within `max_iter` iterations.
    pub converged: bool,
}

/// The data of one fit, shared by the chunk kernels.
struct Problem<'a> {
    x: Matrix<'a>,
    /// Class index of every row.
    y: &'a [u32],
    w: Option<&'a [f64]>,
    /// Decision functions: 1 (binary) or K.
    k_out: usize,
    /// Parameters per decision function: d (+1 with an intercept).
    p: usize,
    fit_intercept: bool,
    c: f64,
    chunk_rows: usize,
    /// The non-zero cells of every row (compressed sparse rows) when the model is binary and
    /// under half of the cells are non-zero (one-hot designs); built once per
    /// [`LogisticDesign`].
    sparse: Option<&'a Csr>,
}

/// A design matrix prepared once for many fits on the same rows (the reductions of
/// assay-mitigation fit dozens of times on one matrix with new labels and weights): its cells
/// checked to be finite, and, for the binary model, its non-zero cells compressed (built on
/// first use).
pub struct LogisticDesign<'a> {
    x: Matrix<'a>,
    sparse: std::sync::OnceLock<Option<Csr>>,
}

impl<'a> LogisticDesign<'a> {
    /// Checks that every cell of `x` is finite.
    pub fn new(x: &Matrix<'a>) -> Result<LogisticDesign<'a>, LearnError> {
        let d = x.n_cols();
        if let Some(i) = x.data().iter().position(|v| !v.is_finite()) {
            return Err(LearnError::NonFinite {
                row: i / d,
                col: i % d,
                value: x.data()[i],
            });
        }
        Ok(LogisticDesign {
            x: *x,
            sparse: std::sync::OnceLock::new(),
        })
    }

    /// The matrix.
    pub fn matrix(&self) -> &Matrix<'a> {
        &self.x
    }

    fn sparse(&self) -> Option<&Csr> {
        self.sparse.get_or_init(|| Csr::of(&self.x)).as_ref()
    }
}

/// Compressed sparse rows: row `i`'s non-zero cells are `idx[ptr[i]..ptr[i + 1]]` (ascending
/// column indices) with values `val[..]` at the same positions.
struct Csr {
    ptr: Vec<usize>,
    idx: Vec<u32>,
    val: Vec<f64>,
}

impl Csr {
    /// The non-zero cells of `x`, or `None` when half or more of them are non-zero.
    fn of(x: &Matrix) -> Option<Csr> {
        let nnz = x.data().iter().filter(|v| **v != 0.0).count();
        if 2 * nnz >= x.data().len() {
            return None;
        }
        let mut ptr = Vec::with_capacity(x.n_rows() + 1);
        let (mut idx, mut val) = (Vec::with_capacity(nnz), Vec::with_capacity(nnz));
        ptr.push(0);
        for i in 0..x.n_rows() {
            for (j, &v) in x.row(i).iter().enumerate() {
                if v != 0.0 {
                    idx.push(j as u32);
                    val.push(v);
                }
            }
            ptr.push(idx.len());
        }
        Some(Csr { ptr, idx, val })
    }
}

/// Loss, gradient and Hessian (lower triangle, packed: entry `(a, b)`, `b ≤ a`, at
/// `a(a+1)/2 + b`) of a set of rows.
struct Acc {
    loss: f64,
    grad: Vec<f64>,
    hess: Vec<f64>,
}

impl LogisticRegression {
    /// Fits the model to `x` (n × d) and labels `y` (n values: 0/1, or class indices, or any
    /// finite numbers; the distinct values sorted are the classes), with optional non-negative
    /// `sample_weight`s, minimising the objective of the scikit-learn User Guide, section 1.1.11
    /// "Logistic regression" (see the [module documentation](self)).
    ///
    /// Not converging within `max_iter` iterations is not an error: see
    /// [`FittedLogistic::converged`].
    pub fn fit(
        &self,
        x: &Matrix,
        y: &[f64],
        sample_weight: Option<&[f64]>,
    ) -> Result<FittedLogistic, LearnError> {
        self.fit_design(&LogisticDesign::new(x)?, y, sample_weight, None)
    }

    /// [`LogisticRegression::fit`] on a prepared design, starting Newton's method from `start`'s
    /// coefficients and intercepts when given (and of the same shape: features and classes),
    /// from zero otherwise. The objective is strictly convex, so the optimum does not depend on
    /// the start; a start near it (the previous fit of a reduction, whose labels and weights
    /// change little between calls) saves iterations. The result is the optimum to `tol`, not
    /// bit for bit the cold start's.
    pub fn fit_design(
        &self,
        design: &LogisticDesign,
        y: &[f64],
        sample_weight: Option<&[f64]>,
        start: Option<&FittedLogistic>,
    ) -> Result<FittedLogistic, LearnError> {
        let x = design.matrix();
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(LearnError::Parameter(format!(
                "C must be positive and finite, got {}",
                self.c
            )));
        }
        if self.tol.is_nan() || self.tol < 0.0 {
            return Err(LearnError::Parameter(format!(
                "tol must be non-negative, got {}",
                self.tol
            )));
        }
        let n = x.n_rows();
        let d = x.n_cols();
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
        if let Some((row, &value)) = y.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(LearnError::BadLabel { row, value });
        }
        let sw_sum = match sample_weight {
            None => n as f64,
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
                w.iter().sum()
            }
        };
        if sw_sum <= 0.0 {
            return Err(LearnError::Parameter(
                "the sample weights sum to zero".into(),
            ));
        }
        let mut classes: Vec<f64> = y.to_vec();
        classes.sort_by(f64::total_cmp);
        classes.dedup();
        if classes.len() < 2 {
            return Err(LearnError::OneClass {
                found: classes.len(),
            });
        }
        let labels: Vec<u32> = y
            .iter()
            .map(|v| classes.partition_point(|c| c < v) as u32)
            .collect();
        let k = classes.len();
        let k_out = if k == 2 { 1 } else { k };
        let p = d + usize::from(self.fit_intercept);
        let chunk_rows = MIN_CHUNK_ROWS.max(n.div_ceil(MAX_CHUNKS));
        let prob = Problem {
            x: *x,
            y: &labels,
            w: sample_weight,
            k_out,
            p,
            fit_intercept: self.fit_intercept,
            c: self.c,
            chunk_rows,
            sparse: if k_out == 1 { design.sparse() } else { None },
        };
        let m = k_out * p;
        let scale = 1.0 / (self.c * sw_sum);
        let mut theta = vec![0.0; m];
        let (mut f, mut grad) = prob.evaluate(&theta);
        if let Some(s) = start.filter(|s| s.classes.len() == k && s.n_features() == d) {
            let mut warm = vec![0.0; m];
            for a in 0..k_out {
                warm[a * p..a * p + d].copy_from_slice(&s.coef[a]);
                if self.fit_intercept {
                    warm[a * p + d] = s.intercept[a];
                }
            }
            // A start worse than zero (a reduction's labels can flip between calls) is not
            // taken.
            let (f_warm, g_warm) = prob.evaluate(&warm);
            if f_warm < f {
                (theta, f, grad) = (warm, f_warm, g_warm);
            }
        }
        let mut trial = vec![0.0; m];
        let mut step = vec![0.0; m];
        // The Hessian, the expensive part, is computed only where a step starts: never at the
        // point where the gradient test stops the loop, nor at rejected line-search points.
        let mut n_iter = 0;
        let mut gnorm = max_abs(&grad) * scale;
        while gnorm >= self.tol && n_iter < self.max_iter {
            n_iter += 1;
            // Newton direction: solve H·step = −grad.
            let h = self.newton_factor(&prob, &theta, sw_sum, k, n_iter)?;
            for (s, g) in step.iter_mut().zip(&grad) {
                *s = -g;
            }
            cholesky_solve(&h, m, &mut step);
            if k_out > 1 && self.fit_intercept {
                let mean = (0..k_out).map(|a| step[a * p + d]).sum::<f64>() / k_out as f64;
                for a in 0..k_out {
                    step[a * p + d] -= mean;
                }
            }
            let slope: f64 = step.iter().zip(&grad).map(|(s, g)| s * g).sum();
            let mut t = 1.0;
            let mut accepted = None;
            for _ in 0..MAX_HALVINGS {
                for ((tr, th), s) in trial.iter_mut().zip(&theta).zip(&step) {
                    *tr = th + t * s;
                }
                let (f_new, g_new) = prob.evaluate(&trial);
                // Armijo, with room for rounding in f once the decrease is at its level.
                if f_new <= f + ARMIJO * t * slope + 1e-13 * f.abs() {
                    accepted = Some((f_new, g_new));
                    break;
                }
                t *= 0.5;
            }
            let Some((f_new, g_new)) = accepted else {
                break;
            };
            let g_new_norm = max_abs(&g_new) * scale;
            if f_new >= f && g_new_norm >= gnorm {
                // Rounding level reached: the step no longer improves anything.
                break;
            }
            std::mem::swap(&mut theta, &mut trial);
            (f, grad, gnorm) = (f_new, g_new, g_new_norm);
        }
        let mut coef = Vec::with_capacity(k_out);
        let mut intercept = Vec::with_capacity(k_out);
        for a in 0..k_out {
            coef.push(theta[a * p..a * p + d].to_vec());
            intercept.push(if self.fit_intercept {
                theta[a * p + d]
            } else {
                0.0
            });
        }
        if k_out > 1 && self.fit_intercept {
            let mean = intercept.iter().sum::<f64>() / k_out as f64;
            intercept.iter_mut().for_each(|b| *b -= mean);
        }
        Ok(FittedLogistic {
            coef,
            intercept,
            classes,
            params: *self,
            n_iter,
            gradient_max_norm: gnorm,
            converged: gnorm < self.tol,
        })
    }
}

impl LogisticRegression {
    /// The Cholesky factor of the Newton system's matrix at `theta`: the Hessian, made definite
    /// along the multinomial intercepts' flat direction.
    fn newton_factor(
        &self,
        prob: &Problem,
        theta: &[f64],
        sw_sum: f64,
        k: usize,
        iteration: usize,
    ) -> Result<Vec<f64>, LearnError> {
        let (k_out, p, d) = (prob.k_out, prob.p, prob.x.n_cols());
        let m = k_out * p;
        let mut h = prob.hessian(theta);
        if k_out > 1 && self.fit_intercept {
            // The loss is flat along "add the same constant to every intercept" (u), so H is
            // singular there; the gradient is orthogonal to u. Adding s·uuᵀ/K leaves the
            // solution in u's orthogonal complement unchanged and makes H definite.
            let s = 0.25 * self.c * sw_sum / k as f64;
            for a in 0..k_out {
                for b in 0..=a {
                    h[(a * p + d) * m + b * p + d] += s;
                }
            }
        }
        cholesky(&mut h, m).map_err(|_| LearnError::Singular { iteration })?;
        Ok(h)
    }
}

impl Problem<'_> {
    /// The unscaled sums over all rows: fixed chunks, collected in order and summed in order
    /// (deterministic for any thread count).
    fn sums(&self, theta: &[f64], with_hess: bool) -> Acc {
        let n = self.x.n_rows();
        let n_chunks = n.div_ceil(self.chunk_rows);
        let parts: Vec<Acc> = (0..n_chunks)
            .into_par_iter()
            .map(|c| {
                let lo = c * self.chunk_rows;
                let hi = (lo + self.chunk_rows).min(n);
                self.chunk(theta, lo, hi, with_hess)
            })
            .collect();
        let mut parts = parts.into_iter();
        let mut total = parts.next().expect("at least one row");
        for part in parts {
            total.loss += part.loss;
            add(&mut total.grad, &part.grad);
            add(&mut total.hess, &part.hess);
        }
        total
    }

    /// Objective and gradient at `theta` (see the module documentation).
    fn evaluate(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let total = self.sums(theta, false);
        let d = self.x.n_cols();
        let mut f = self.c * total.loss;
        let mut grad = total.grad;
        grad.iter_mut().for_each(|g| *g *= self.c);
        for a in 0..self.k_out {
            for j in 0..d {
                let i = a * self.p + j;
                f += 0.5 * theta[i] * theta[i];
                grad[i] += theta[i];
            }
        }
        (f, grad)
    }

    /// The full symmetric Hessian of the objective at `theta`.
    fn hessian(&self, theta: &[f64]) -> Vec<f64> {
        let m = self.k_out * self.p;
        let d = self.x.n_cols();
        let tri = self.sums(theta, true).hess;
        let mut hess = vec![0.0; m * m];
        for a in 0..m {
            for b in 0..=a {
                let v = self.c * tri[a * (a + 1) / 2 + b];
                hess[a * m + b] = v;
                hess[b * m + a] = v;
            }
        }
        for a in 0..self.k_out {
            for j in 0..d {
                let i = a * self.p + j;
                hess[i * m + i] += 1.0;
            }
        }
        hess
    }

    /// Unscaled weighted loss, its gradient and, when `with_hess`, the lower triangle of its
    /// Hessian (packed: entry `(a, b)`, `b ≤ a`, at `a(a+1)/2 + b`) over rows `lo..hi`.
    /// Allocates once per chunk, never per row.
    fn chunk(&self, theta: &[f64], lo: usize, hi: usize, with_hess: bool) -> Acc {
        let (p, k_out, d) = (self.p, self.k_out, self.x.n_cols());
        let m = k_out * p;
        let mut acc = Acc {
            loss: 0.0,
            grad: vec![0.0; m],
            hess: vec![0.0; if with_hess { m * (m + 1) / 2 } else { 0 }],
        };
        if let Some(csr) = self.sparse {
            self.sparse_chunk(csr, theta, lo, hi, &mut acc);
            return acc;
        }
        let mut xt = vec![1.0; p];
        let mut z = vec![0.0; k_out];
        for i in lo..hi {
            let w = self.w.map_or(1.0, |w| w[i]);
            if w == 0.0 {
                continue;
            }
            xt[..d].copy_from_slice(self.x.row(i));
            for (a, za) in z.iter_mut().enumerate() {
                let beta = &theta[a * p..(a + 1) * p];
                *za = dot(&xt[..d], &beta[..d]) + if self.fit_intercept { beta[d] } else { 0.0 };
            }
            let yi = self.y[i] as usize;
            if k_out == 1 {
                let zi = z[0];
                let yv = yi as f64;
                let (sp, pr) = softplus_sigmoid(zi);
                acc.loss += w * (sp - yv * zi);
                let r = w * (pr - yv);
                let s = w * pr * (1.0 - pr);
                for a in 0..p {
                    acc.grad[a] += r * xt[a];
                    if !with_hess {
                        continue;
                    }
                    let sa = s * xt[a];
                    let at = a * (a + 1) / 2;
                    for (h, xb) in acc.hess[at..at + a + 1].iter_mut().zip(&xt) {
                        *h += sa * xb;
                    }
                }
            } else {
                let zmax = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                // loss = log Σ_k e^{z_k} − z_y, computed shifted by zmax.
                let zy = z[yi] - zmax;
                let mut sum = 0.0;
                for za in z.iter_mut() {
                    *za = (*za - zmax).exp();
                    sum += *za;
                }
                acc.loss += w * (sum.ln() - zy);
                z.iter_mut().for_each(|e| *e /= sum);
                for ka in 0..k_out {
                    let pa = z[ka];
                    let r = w * (pa - f64::from(u8::from(ka == yi)));
                    let g = &mut acc.grad[ka * p..(ka + 1) * p];
                    for (ga, xa) in g.iter_mut().zip(&xt) {
                        *ga += r * xa;
                    }
                    if !with_hess {
                        continue;
                    }
                    for (kb, &pb) in z[..=ka].iter().enumerate() {
                        let coef = w * (if ka == kb { pa } else { 0.0 } - pa * pb);
                        for a in 0..p {
                            let ca = coef * xt[a];
                            let width = if ka == kb { a + 1 } else { p };
                            let r = ka * p + a;
                            let start = r * (r + 1) / 2 + kb * p;
                            for (h, xb) in acc.hess[start..start + width].iter_mut().zip(&xt) {
                                *h += ca * xb;
                            }
                        }
                    }
                }
            }
        }
        acc
    }

    /// [`Problem::chunk`] for a binary model on compressed sparse rows: the same sums as the
    /// dense path without their zero terms (which add ±0 and change no sum: identical bits),
    /// `O(nnz²)` instead of `O(p²)` per row for the Hessian and `O(nnz)` for the gradient.
    fn sparse_chunk(&self, csr: &Csr, theta: &[f64], lo: usize, hi: usize, acc: &mut Acc) {
        let d = self.x.n_cols();
        let beta = &theta[..self.p];
        let with_hess = !acc.hess.is_empty();
        // The current row's non-zero cells, intercept included.
        let mut nz: Vec<(usize, f64)> = Vec::with_capacity(self.p);
        for i in lo..hi {
            let w = self.w.map_or(1.0, |w| w[i]);
            if w == 0.0 {
                continue;
            }
            let cells = csr.ptr[i]..csr.ptr[i + 1];
            let (idx, val) = (&csr.idx[cells.clone()], &csr.val[cells]);
            let mut zi = 0.0;
            for (&j, &v) in idx.iter().zip(val) {
                zi += v * beta[j as usize];
            }
            if self.fit_intercept {
                zi += beta[d];
            }
            let yv = self.y[i] as f64;
            let (sp, pr) = softplus_sigmoid(zi);
            acc.loss += w * (sp - yv * zi);
            let r = w * (pr - yv);
            if !with_hess {
                for (&j, &v) in idx.iter().zip(val) {
                    acc.grad[j as usize] += r * v;
                }
                if self.fit_intercept {
                    acc.grad[d] += r;
                }
                continue;
            }
            let s = w * pr * (1.0 - pr);
            nz.clear();
            nz.extend(idx.iter().zip(val).map(|(&j, &v)| (j as usize, v)));
            if self.fit_intercept {
                nz.push((d, 1.0));
            }
            for (ia, &(a, xa)) in nz.iter().enumerate() {
                acc.grad[a] += r * xa;
                let sa = s * xa;
                let row = &mut acc.hess[a * (a + 1) / 2..][..=a];
                for &(b, xb) in &nz[..=ia] {
                    row[b] += sa * xb;
                }
            }
        }
    }
}

impl FittedLogistic {
    /// Number of features the model expects.
    pub fn n_features(&self) -> usize {
        self.coef.first().map_or(0, Vec::len)
    }

    /// Decision values `x·β_k + b_k` (scikit-learn's `decision_function`): n values for two
    /// classes (the margin of the second class), row-major n × K otherwise.
    pub fn decision_function(&self, x: &Matrix) -> Result<Vec<f64>, LearnError> {
        self.check_columns(x)?;
        let k_out = self.coef.len();
        let mut out = vec![0.0; x.n_rows() * k_out];
        out.par_chunks_mut(k_out * MIN_CHUNK_ROWS)
            .enumerate()
            .for_each(|(c, chunk)| {
                for (r, slots) in chunk.chunks_mut(k_out).enumerate() {
                    let row = x.row(c * MIN_CHUNK_ROWS + r);
                    for ((s, beta), b) in slots.iter_mut().zip(&self.coef).zip(&self.intercept) {
                        *s = dot(row, beta) + b;
                    }
                }
            });
        Ok(out)
    }

    /// Class probabilities (scikit-learn's `predict_proba`): for two classes, n values, the
    /// probability of the second class `1 / (1 + e^{−z})`; otherwise row-major n × K, the
    /// softmax of the K decision values.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f64>, LearnError> {
        let mut out = self.decision_function(x)?;
        let k_out = self.coef.len();
        if k_out == 1 {
            out.par_iter_mut().for_each(|z| *z = sigmoid(*z));
        } else {
            out.par_chunks_mut(k_out).for_each(softmax_in_place);
        }
        Ok(out)
    }

    /// Index into [`FittedLogistic::classes`] of the most probable class of each row
    /// (scikit-learn's `predict`, ties to the first class).
    pub fn predict_class(&self, x: &Matrix) -> Result<Vec<usize>, LearnError> {
        let z = self.decision_function(x)?;
        let k_out = self.coef.len();
        Ok(if k_out == 1 {
            z.iter().map(|&v| usize::from(v > 0.0)).collect()
        } else {
            z.chunks(k_out)
                .map(|r| {
                    r.iter()
                        .enumerate()
                        .fold((0, f64::NEG_INFINITY), |best, (k, &v)| {
                            if v > best.1 {
                                (k, v)
                            } else {
                                best
                            }
                        })
                        .0
                })
                .collect()
        })
    }

    /// Writes the model as JSON to `path`.
    pub fn save(&self, path: &Path) -> Result<(), LearnError> {
        super::write_json(path, self)
    }

    /// Reads a model written by [`FittedLogistic::save`], checking that its arrays agree.
    pub fn load(path: &Path) -> Result<FittedLogistic, LearnError> {
        let name = path.display().to_string();
        let model: FittedLogistic = super::read_json(path)?;
        model.validate().map_err(|message| LearnError::Invalid {
            path: name,
            message,
        })?;
        Ok(model)
    }

    /// Checks that the arrays of the model agree with each other.
    pub fn validate(&self) -> Result<(), String> {
        let k = self.classes.len();
        let k_out = if k == 2 { 1 } else { k };
        if k < 2 {
            return Err(format!("{k} classes, need at least 2"));
        }
        if self.coef.len() != k_out || self.intercept.len() != k_out {
            return Err(format!(
                "{k} classes need {k_out} coefficient rows and intercepts, found {} and {}",
                self.coef.len(),
                self.intercept.len()
            ));
        }
        let d = self.n_features();
        if self.coef.iter().any(|r| r.len() != d) {
            return Err("coefficient rows of different lengths".into());
        }
        Ok(())
    }

    fn check_columns(&self, x: &Matrix) -> Result<(), LearnError> {
        if x.n_cols() != self.n_features() {
            return Err(LearnError::ColumnCount {
                expected: self.n_features(),
                found: x.n_cols(),
            });
        }
        Ok(())
    }
}

#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn add(acc: &mut [f64], other: &[f64]) {
    acc.iter_mut().zip(other).for_each(|(a, b)| *a += b);
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// `log(1 + e^z)` without overflow.
#[inline]
/// `log(1 + e^z)` and the logistic function `1/(1 + e^{−z})` from one exponential `e^{−|z|}`
/// (the same values, bit for bit, as computing them apart in their stable forms).
fn softplus_sigmoid(z: f64) -> (f64, f64) {
    let e = (-z.abs()).exp();
    let softplus = if z > 0.0 { z + e.ln_1p() } else { e.ln_1p() };
    let sigmoid = if z >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    };
    (softplus, sigmoid)
}

fn softmax_in_place(z: &mut [f64]) {
    let zmax = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - zmax).exp();
        sum += *v;
    }
    z.iter_mut().for_each(|v| *v /= sum);
}

// The Newton systems here are small ((K·(d+1))², a few hundred unknowns at most for the
// tabular data assay fits), dense and symmetric positive definite, so a textbook Cholesky
// factorisation in a few lines is exact enough and keeps the crate free of a linear-algebra
// dependency (nalgebra/faer would be far larger than the code they replace).

/// In-place Cholesky factorisation `A = L·Lᵀ` of the symmetric row-major `m × m` matrix `a`
/// (lower triangle read, `L` written there). An error if `A` is not positive definite.
fn cholesky(a: &mut [f64], m: usize) -> Result<(), ()> {
    for j in 0..m {
        let mut diag = a[j * m + j];
        for k in 0..j {
            diag -= a[j * m + k] * a[j * m + k];
        }
        if !(diag > 0.0 && diag.is_finite()) {
            return Err(());
        }
        let ljj = diag.sqrt();
        a[j * m + j] = ljj;
        for i in j + 1..m {
            let mut v = a[i * m + j];
            for k in 0..j {
                v -= a[i * m + k] * a[j * m + k];
            }
            a[i * m + j] = v / ljj;
        }
    }
    Ok(())
}

/// Solves `L·Lᵀ·x = b` in place (`b` becomes `x`) with the factor from [`cholesky`].
fn cholesky_solve(l: &[f64], m: usize, b: &mut [f64]) {
    for i in 0..m {
        let mut v = b[i];
        for k in 0..i {
            v -= l[i * m + k] * b[k];
        }
        b[i] = v / l[i * m + i];
    }
    for i in (0..m).rev() {
        let mut v = b[i];
        for k in i + 1..m {
            v -= l[k * m + i] * b[k];
        }
        b[i] = v / l[i * m + i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_rows_give_the_dense_bits() {
        // One-hot blocks (mostly zeros) plus a numeric column, weighted: the compressed-row
        // path must reproduce the dense path's loss, gradient and Hessian exactly.
        // Numeric columns first and last (one with exact 0s and 1s), one-hot blocks between.
        let n = 5000;
        let d = 13;
        let mut x = vec![0.0; n * d];
        for i in 0..n {
            x[i * d] = ((i as f64) * 0.731).sin() * 3.0;
            x[i * d + 1 + i % 6] = 1.0;
            x[i * d + 7 + (i / 3) % 5] = 1.0;
            x[i * d + 12] = (i % 3) as f64;
        }
        let m = Matrix::new(&x, d).unwrap();
        let csr = Csr::of(&m).unwrap();
        let y: Vec<u32> = (0..n).map(|i| u32::from((i * 7919) % 5 < 2)).collect();
        let w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 4) as f64 * 0.25).collect();
        for fit_intercept in [true, false] {
            let p = d + usize::from(fit_intercept);
            let problem = |sparse| Problem {
                x: m,
                y: &y,
                w: Some(&w),
                k_out: 1,
                p,
                fit_intercept,
                c: 0.7,
                chunk_rows: 2048,
                sparse,
            };
            let theta: Vec<f64> = (0..p).map(|j| (j as f64 * 0.37).cos() * 0.3).collect();
            let (dense, sparse) = (problem(None), problem(Some(&csr)));
            let (fd, gd) = dense.evaluate(&theta);
            let (fs, gs) = sparse.evaluate(&theta);
            assert_eq!(fd.to_bits(), fs.to_bits());
            assert_eq!(gd, gs);
            let (hd, hs) = (dense.hessian(&theta), sparse.hessian(&theta));
            assert!(hd.iter().zip(&hs).all(|(a, b)| a.to_bits() == b.to_bits()));
        }
    }

    #[test]
    fn a_warm_start_reaches_the_same_optimum_in_fewer_iterations() {
        let n = 3000;
        let d = 5;
        let x: Vec<f64> = (0..n * d)
            .map(|i| ((i as f64) * 0.917).sin() + ((i % 7) as f64) * 0.1)
            .collect();
        let m = Matrix::new(&x, d).unwrap();
        let y: Vec<f64> = (0..n)
            .map(|i| f64::from(u8::from(x[i * d] + 0.5 * x[i * d + 1] > 0.2)))
            .collect();
        let w1: Vec<f64> = (0..n).map(|i| 1.0 + (i % 3) as f64).collect();
        let w2: Vec<f64> = (0..n).map(|i| 1.0 + (i % 3) as f64 * 1.1).collect();
        let lr = LogisticRegression::default();
        let design = LogisticDesign::new(&m).unwrap();
        let first = lr.fit_design(&design, &y, Some(&w1), None).unwrap();
        let cold = lr.fit(&m, &y, Some(&w2)).unwrap();
        let warm = lr.fit_design(&design, &y, Some(&w2), Some(&first)).unwrap();
        assert!(cold.converged && warm.converged);
        assert!(
            warm.n_iter < cold.n_iter,
            "{} vs {}",
            warm.n_iter,
            cold.n_iter
        );
        // Both are the optimum to the gradient tolerance (the data are nearly separable, so
        // coefficients are large and the Hessian ill-conditioned: equal to 1e-8 relative).
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-8 * a.abs().max(1.0);
        for (a, b) in cold.coef[0].iter().zip(&warm.coef[0]) {
            assert!(close(*a, *b), "{a} vs {b}");
        }
        assert!(close(cold.intercept[0], warm.intercept[0]));
        // A start of another shape is ignored: the fit is the cold one, bit for bit.
        let x2: Vec<f64> = (0..n).flat_map(|i| [x[i * d], x[i * d + 1]]).collect();
        let small = lr.fit(&Matrix::new(&x2, 2).unwrap(), &y, None).unwrap();
        let ignored = lr.fit_design(&design, &y, Some(&w2), Some(&small)).unwrap();
        assert_eq!(ignored, cold);
    }

    #[test]
    fn one_exponential_gives_the_separate_values() {
        for k in -4000..=4000 {
            let z = k as f64 * 0.0173 + if k % 3 == 0 { 1e-12 } else { 0.0 };
            let softplus = if z > 0.0 {
                z + (-z).exp().ln_1p()
            } else {
                z.exp().ln_1p()
            };
            let (sp, pr) = softplus_sigmoid(z);
            assert_eq!(sp.to_bits(), softplus.to_bits(), "softplus at {z}");
            assert_eq!(pr.to_bits(), sigmoid(z).to_bits(), "sigmoid at {z}");
        }
        assert_eq!(softplus_sigmoid(0.0), (2f64.ln(), 0.5));
    }

    #[test]
    fn cholesky_solves() {
        let mut a = vec![4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0];
        let orig = a.clone();
        cholesky(&mut a, 3).unwrap();
        let mut b = vec![1.0, 2.0, 3.0];
        cholesky_solve(&a, 3, &mut b);
        for i in 0..3 {
            let r: f64 = (0..3).map(|j| orig[i * 3 + j] * b[j]).sum();
            assert!((r - [1.0, 2.0, 3.0][i]).abs() < 1e-12);
        }
    }

    #[test]
    fn gradient_is_zero_at_the_solution_and_fit_is_deterministic() {
        // Small separable-ish data; three classes and two.
        let x: Vec<f64> = (0..300)
            .flat_map(|i| {
                let t = i as f64 * 0.37;
                [t.sin(), (t * 1.3).cos(), (i % 7) as f64 / 7.0]
            })
            .collect();
        let x = Matrix::new(&x, 3).unwrap();
        let y3: Vec<f64> = (0..300).map(|i| (i % 3) as f64).collect();
        let y2: Vec<f64> = (0..300)
            .map(|i| {
                f64::from(u8::from(
                    (i as f64 * 0.37).sin() + 0.3 * ((i % 5) as f64) > 0.5,
                ))
            })
            .collect();
        for y in [&y2, &y3] {
            let lr = LogisticRegression::default();
            let a = lr.fit(&x, y, None).unwrap();
            let b = lr.fit(&x, y, None).unwrap();
            assert!(a.converged, "{a:?}");
            assert_eq!(a, b);
            let p = a.predict_proba(&x).unwrap();
            assert!(p.iter().all(|v| (0.0..=1.0).contains(v)));
        }
    }

    #[test]
    fn identical_with_any_thread_count() {
        // Several chunks (more than MIN_CHUNK_ROWS rows), three classes, weights, no intercept.
        let n = 3 * MIN_CHUNK_ROWS + 17;
        let x: Vec<f64> = (0..n)
            .flat_map(|i| {
                let t = i as f64 * 0.013;
                [t.sin(), (t * 2.1).cos(), ((i * 31) % 11) as f64 / 11.0]
            })
            .collect();
        let x = Matrix::new(&x, 3).unwrap();
        let y: Vec<f64> = (0..n).map(|i| ((i * 7 + i / 5) % 3) as f64).collect();
        let w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 4) as f64).collect();
        for fit_intercept in [true, false] {
            let lr = LogisticRegression {
                fit_intercept,
                ..LogisticRegression::default()
            };
            let fit_with = |threads: usize| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| lr.fit(&x, &y, Some(&w)).unwrap())
            };
            let one = fit_with(1);
            assert!(one.converged, "{one:?}");
            assert_eq!(one, fit_with(3));
            if fit_intercept {
                assert!(one.intercept.iter().sum::<f64>().abs() < 1e-12);
            }
        }
    }

    #[test]
    fn rejects_bad_input() {
        let x = [0.0, 1.0, 2.0];
        let x = Matrix::new(&x, 1).unwrap();
        let lr = LogisticRegression::default();
        assert!(matches!(
            lr.fit(&x, &[1.0, 1.0, 1.0], None),
            Err(LearnError::OneClass { found: 1 })
        ));
        assert!(matches!(
            lr.fit(&x, &[0.0, 1.0, 1.0], Some(&[1.0, -1.0, 1.0])),
            Err(LearnError::BadWeight { row: 1, .. })
        ));
        let bad = [0.0, f64::NAN, 2.0];
        assert!(matches!(
            lr.fit(&Matrix::new(&bad, 1).unwrap(), &[0.0, 1.0, 1.0], None),
            Err(LearnError::NonFinite { row: 1, col: 0, .. })
        ));
    }
}
