//! Exponentiated gradient (Agarwal et al. 2018, Algorithm 1), as Fairlearn 0.15's
//! `ExponentiatedGradient`: a saddle-point search over randomized classifiers `Q` (mixtures of
//! base predictors) and Lagrange multipliers `λ` with `‖λ‖₁ ≤ B = 1/eps`.
//!
//! Each iteration sets `λ = B·exp(θ)/(1 + Σ exp(θ))`, asks the base learner for the best
//! response to `λ` (a cost-sensitive fit: labels `1[c > 0]`, weights `|c|` normalised to sum
//! to the total weight, where `c` are the objective's plus the constraints' signed weights),
//! evaluates the duality gap of the averaged play and — with `run_linprog_step` — of the best
//! mixture of the predictors found so far (a linear program and its dual), keeps the better
//! one, stops once a gap is below `nu` after at least 5 iterations, shrinks the step size when
//! the gap stalls, and moves `θ` by `η·(γ(h) − bound)`. The result is the mixture of the
//! iteration with the smallest gap (the last such, within 1e-8).
//!
//! Fairlearn's constants: `_PRECISION = 1e-8`, `_ACCURACY_MUL = 0.5`,
//! `_REGRET_CHECK_START_T = 5`, `_REGRET_CHECK_INCREASE_T = 1.6`, `_SHRINK_REGRET = 0.8`,
//! `_SHRINK_ETA = 0.8`, `_MIN_ITER = 5`.

use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

use assay_model::learners::{Loss, Matrix};

use crate::base::{BaseLearner, Fitter, Predictor};
use crate::error::{check_len, MitigationError};
use crate::groups::Groups;

use super::moments::{Constraint, ConstraintLabel, ErrorRate, Loaded};

const PRECISION: f64 = 1e-8;
const ACCURACY_MUL: f64 = 0.5;
const REGRET_CHECK_START_T: usize = 5;
const REGRET_CHECK_INCREASE_T: f64 = 1.6;
const SHRINK_REGRET: f64 = 0.8;
const SHRINK_ETA: f64 = 0.8;
const MIN_ITER: usize = 5;

/// Settings of exponentiated gradient (Fairlearn's `ExponentiatedGradient`; defaults are
/// Fairlearn's).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ExponentiatedGradient {
    /// The fairness constraint.
    pub constraint: Constraint,
    /// The objective's error costs (classification only; regression uses the mean loss).
    pub objective: ErrorRate,
    /// Bound on the L1 norm of `λ` is `1/eps`; the constraint violation of the result is at most
    /// `2·(eps + best_gap)` (Fairlearn's `eps`). Must be > 0. Default 0.01.
    pub eps: f64,
    /// Maximum number of iterations (Fairlearn's `max_iter`). Default 50.
    pub max_iter: usize,
    /// Convergence threshold of the duality gap; `None` for Fairlearn's automatic setting
    /// `0.5·std(|h₀(x) − y|)/√n` with `h₀` the first best response (sample standard deviation).
    pub nu: Option<f64>,
    /// Initial step size multiplier: `η = eta0/B` (Fairlearn's `eta0`). Default 2.0.
    pub eta0: f64,
    /// Whether each iteration also solves the linear program over the predictors found so far
    /// (Fairlearn's `run_linprog_step`). Default true.
    pub run_linprog_step: bool,
}

impl ExponentiatedGradient {
    /// Fairlearn's defaults for `constraint`: eps 0.01, max_iter 50, automatic nu, eta0 2.0,
    /// linear-program step on, unit error costs.
    pub fn new(constraint: Constraint) -> ExponentiatedGradient {
        ExponentiatedGradient {
            constraint,
            objective: ErrorRate::default(),
            eps: 0.01,
            max_iter: 50,
            nu: None,
            eta0: 2.0,
            run_linprog_step: true,
        }
    }
}

/// A fitted exponentiated gradient: the base predictors and their mixture weights, plus
/// Fairlearn's diagnostics. Serializable so that a mitigated model can be saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExponentiatedGradientResult {
    /// Every predictor the Lagrangian kept (Fairlearn's `predictors_`), in the order found.
    pub predictors: Vec<Predictor>,
    /// Mixture weight of every predictor (Fairlearn's `weights_`, zeros included); sums to 1.
    pub weights: Vec<f64>,
    /// The multipliers each predictor was the best response to (Fairlearn's `lambda_vecs_`).
    pub lambda_vecs: Vec<Vec<f64>>,
    /// The multipliers of every iteration (Fairlearn's `lambda_vecs_EG_`).
    pub lambda_vecs_eg: Vec<Vec<f64>>,
    /// The dual solutions of the linear programs, with their iteration (Fairlearn's
    /// `lambda_vecs_LP_`).
    pub lambda_vecs_lp: Vec<(usize, Vec<f64>)>,
    /// Objective (error rate or mean loss) of every predictor on the training rows.
    pub errors: Vec<f64>,
    /// Constraint vector `γ` of every predictor on the training rows.
    pub gammas: Vec<Vec<f64>>,
    /// The constraint entries, in the order of `γ` and `λ`.
    pub constraint_labels: Vec<ConstraintLabel>,
    /// The bound of every constraint entry.
    pub bound: Vec<f64>,
    /// Duality gap of the result (Fairlearn's `best_gap_`).
    pub best_gap: f64,
    /// Iteration whose mixture is the result (Fairlearn's `best_iter_`).
    pub best_iter: usize,
    /// Last iteration run (Fairlearn's `last_iter_`).
    pub last_iter: usize,
    /// Base-learner calls (Fairlearn's `n_oracle_calls_`).
    pub n_oracle_calls: usize,
    /// Calls whose relabelled rows all had one label, answered by a constant (Fairlearn's
    /// `n_oracle_calls_dummy_returned_`).
    pub n_oracle_calls_dummy_returned: usize,
    /// The gap threshold used.
    pub nu: f64,
    /// Whether the predictors are classifiers (hard 0/1 predictions) or regressors.
    pub classification: bool,
}

/// Outputs `h(x)` of a predictor as the reductions use them: hard 0/1 predictions of a
/// classifier, predicted values of a regressor.
pub(crate) fn outputs(
    p: &Predictor,
    x: &Matrix,
    classifier: bool,
) -> Result<Vec<f64>, MitigationError> {
    if classifier {
        p.predict(x)
    } else {
        p.score(x)
    }
}

/// Checks the learner fits the constraint's kind of problem and the matrix has one row per
/// label; returns whether the learner is a classifier.
pub(crate) fn check_learner(
    learner: &BaseLearner,
    constraint: &Constraint,
    x: &Matrix,
    y: &[f64],
) -> Result<bool, MitigationError> {
    check_len("labels", x.n_rows(), y.len())?;
    let classifier = match learner {
        BaseLearner::Logistic(_) => true,
        BaseLearner::Gbdt(g) => g.loss == Loss::BinaryLogistic,
    };
    if constraint.is_classification() && !classifier {
        return Err(MitigationError::Parameter(format!(
            "{} is a classification constraint but the base learner is a regressor; use a \
             logistic regression or a binary-logistic gbdt",
            constraint.name()
        )));
    }
    Ok(classifier)
}

/// The labels of the cost-sensitive problem of signed weights `c` (Fairlearn's `_call_oracle`
/// and `GridSearch.fit`): `1[c > 0]` for classification, the labels `y` for regression.
pub(crate) fn reduction_labels(c: &[f64], y: &[f64], classification: bool) -> Vec<f64> {
    if classification {
        c.iter().map(|&v| f64::from(u8::from(v > 0.0))).collect()
    } else {
        y.to_vec()
    }
}

/// The single label when all `labels` agree (Fairlearn then fits a constant `DummyClassifier`).
pub(crate) fn single_label(labels: &[f64]) -> Option<f64> {
    let first = *labels.first()?;
    labels.iter().all(|&v| v == first).then_some(first)
}

struct GapResult {
    l: f64,
    l_low: f64,
    l_high: f64,
}

impl GapResult {
    fn gap(&self) -> f64 {
        (self.l - self.l_low).max(self.l_high - self.l)
    }
}

struct Lagrangian<'a> {
    x: &'a Matrix<'a>,
    fitter: Fitter<'a>,
    /// The last predictor the oracle fitted: the next fit starts from it.
    last_fit: Option<Predictor>,
    moment: &'a Loaded,
    classifier: bool,
    b: f64,
    obj_sw: Vec<f64>,
    hs: Vec<Predictor>,
    errors: Vec<f64>,
    gammas: Vec<Vec<f64>>,
    lambdas: Vec<Vec<f64>>,
    first_outputs: Option<Vec<f64>>,
    n_oracle_calls: usize,
    n_dummy: usize,
    last_lp_n_hs: usize,
    last_lp: Option<(Vec<f64>, Vec<f64>, f64)>,
}

impl Lagrangian<'_> {
    fn call_oracle(&mut self, lambda: &[f64]) -> Result<Predictor, MitigationError> {
        let cons = self.moment.signed_weights(lambda);
        let c: Vec<f64> = self.obj_sw.iter().zip(&cons).map(|(a, b)| a + b).collect();
        let classification = self.moment.is_classification();
        let labels = reduction_labels(&c, &self.moment.y, classification);
        self.n_oracle_calls += 1;
        if let Some(v) = single_label(&labels) {
            self.n_dummy += 1;
            return Ok(Predictor::Constant { value: v });
        }
        let abs_sum: f64 = c.iter().map(|v| v.abs()).sum();
        if !(abs_sum > 0.0 && abs_sum.is_finite()) {
            return Err(MitigationError::Data(
                "the reweighted problem has no positive weight (all signed weights are 0)".into(),
            ));
        }
        let scale = self.moment.total_w / abs_sum;
        let weights: Vec<f64> = c.iter().map(|v| v.abs() * scale).collect();
        let h = self.fitter.fit(&labels, &weights, self.last_fit.as_ref())?;
        if matches!(h, Predictor::Logistic(_)) {
            self.last_fit = Some(h.clone());
        }
        Ok(h)
    }

    fn value(&self, j: usize, lambda: &[f64]) -> f64 {
        self.errors[j] + dot(&self.gammas[j], lambda)
    }

    /// Best response to `lambda`: fits a new predictor and keeps it when it improves the
    /// Lagrangian on the kept ones by more than 1e-8; returns the index of the best kept one.
    fn best_h(&mut self, lambda: &[f64]) -> Result<usize, MitigationError> {
        let h = self.call_oracle(lambda)?;
        let out = outputs(&h, self.x, self.classifier)?;
        let h_error = self.moment.objective_value(&out);
        let h_gamma = self.moment.gamma(&out);
        let h_value = h_error + dot(&h_gamma, lambda);
        let (mut best_idx, mut best_value) = (usize::MAX, f64::INFINITY);
        for j in 0..self.hs.len() {
            let v = self.value(j, lambda);
            if v < best_value {
                best_value = v;
                best_idx = j;
            }
        }
        if h_value < best_value - PRECISION {
            if self.hs.is_empty() {
                self.first_outputs = Some(out);
            }
            self.hs.push(h);
            self.errors.push(h_error);
            self.gammas.push(h_gamma);
            self.lambdas.push(lambda.to_vec());
            best_idx = self.hs.len() - 1;
        }
        Ok(best_idx)
    }

    /// `(L, L_high, γ, error)` of the mixture `q` (dense over the kept predictors).
    fn eval(&self, q: &[f64], lambda: &[f64]) -> (f64, f64, Vec<f64>, f64) {
        let k = self.moment.n_constraints();
        let mut error = 0.0;
        let mut gamma = vec![0.0; k];
        for (j, &qj) in q.iter().enumerate() {
            if qj != 0.0 {
                error += qj * self.errors[j];
                for (g, v) in gamma.iter_mut().zip(&self.gammas[j]) {
                    *g += qj * v;
                }
            }
        }
        let proj = self.moment.project_lambda(lambda);
        let bound = &self.moment.bound;
        let l = error
            + proj
                .iter()
                .zip(gamma.iter().zip(bound))
                .map(|(l, (g, b))| l * (g - b))
                .sum::<f64>();
        let max_violation = gamma
            .iter()
            .zip(bound)
            .map(|(g, b)| g - b)
            .fold(f64::NEG_INFINITY, f64::max);
        let mut l_high = error;
        if max_violation > 0.0 {
            l_high += self.b * max_violation;
        }
        (l, l_high, gamma, error)
    }

    fn eval_gap(
        &mut self,
        q: &[f64],
        lambda_hat: &[f64],
        nu: f64,
    ) -> Result<(GapResult, Vec<f64>, f64), MitigationError> {
        let (l, l_high, gamma, error) = self.eval(q, lambda_hat);
        let mut result = GapResult {
            l,
            l_low: l,
            l_high,
        };
        for mul in [1.0, 2.0, 5.0, 10.0] {
            let scaled: Vec<f64> = lambda_hat.iter().map(|v| mul * v).collect();
            let idx = self.best_h(&scaled)?;
            let mut single = vec![0.0; self.hs.len()];
            single[idx] = 1.0;
            let (l_low_mul, _, _, _) = self.eval(&single, lambda_hat);
            if l_low_mul < result.l_low {
                result.l_low = l_low_mul;
            }
            if result.gap() > nu + PRECISION {
                break;
            }
        }
        Ok((result, gamma, error))
    }

    /// The best mixture of the kept predictors and its multipliers (Fairlearn's
    /// `solve_linprog`: the primal `min_Q,z errors·Q + B·z` s.t. `(γ − bound)ᵀQ ≤ z`, `ΣQ = 1`,
    /// and its dual), with the gap of that pair; cached while no predictor is added.
    fn solve_linprog(&mut self, nu: f64) -> Result<(Vec<f64>, Vec<f64>, f64), MitigationError> {
        let n_hs = self.hs.len();
        if self.last_lp_n_hs == n_hs {
            if let Some(r) = &self.last_lp {
                return Ok(r.clone());
            }
        }
        let k = self.moment.n_constraints();
        let bound = &self.moment.bound;
        let mut primal = Problem::new(OptimizationDirection::Minimize);
        let q: Vec<_> = (0..n_hs)
            .map(|j| primal.add_var(self.errors[j], (0.0, f64::INFINITY)))
            .collect();
        let z = primal.add_var(self.b, (0.0, f64::INFINITY));
        for (c, &bc) in bound.iter().enumerate() {
            let mut e = LinearExpr::empty();
            for (&qj, gj) in q.iter().zip(&self.gammas) {
                e.add(qj, gj[c] - bc);
            }
            e.add(z, -1.0);
            primal.add_constraint(e, ComparisonOp::Le, 0.0);
        }
        let mut e = LinearExpr::empty();
        for &v in &q {
            e.add(v, 1.0);
        }
        primal.add_constraint(e, ComparisonOp::Eq, 1.0);
        let sol = solve(&primal, "primal")?;
        let q_lp: Vec<f64> = q.iter().map(|&v| sol.var_value(v).max(0.0)).collect();

        let mut dual = Problem::new(OptimizationDirection::Minimize);
        let lam: Vec<_> = (0..k)
            .map(|_| dual.add_var(0.0, (0.0, f64::INFINITY)))
            .collect();
        let mu = dual.add_var(-1.0, (f64::NEG_INFINITY, f64::INFINITY));
        for j in 0..n_hs {
            let mut e = LinearExpr::empty();
            for c in 0..k {
                e.add(lam[c], -(self.gammas[j][c] - bound[c]));
            }
            e.add(mu, 1.0);
            dual.add_constraint(e, ComparisonOp::Le, self.errors[j]);
        }
        let mut e = LinearExpr::empty();
        for &v in &lam {
            e.add(v, 1.0);
        }
        dual.add_constraint(e, ComparisonOp::Le, self.b);
        let sol = solve(&dual, "dual")?;
        let lambda_lp: Vec<f64> = lam.iter().map(|&v| sol.var_value(v).max(0.0)).collect();
        let (gap, _, _) = self.eval_gap(&q_lp, &lambda_lp, nu)?;
        // eval_gap may have added predictors; the mixture is over the ones the LP saw.
        let result = (q_lp, lambda_lp, gap.gap());
        self.last_lp_n_hs = n_hs;
        self.last_lp = Some(result.clone());
        Ok(result)
    }
}

fn solve(problem: &Problem, which: &str) -> Result<microlp::Solution, MitigationError> {
    let hint = "the constraint cannot be met by any mixture of the predictors found; raise eps \
                or the constraint's bound (e.g. difference_bound 0.05), or give the base learner \
                more capacity";
    match problem.solve() {
        Ok(outcome) => outcome.into_solution().map_err(|_| {
            MitigationError::Infeasible(format!(
                "the {which} linear program of exponentiated gradient was interrupted; {hint}"
            ))
        }),
        Err(microlp::Error::Infeasible) => Err(MitigationError::Infeasible(format!(
            "the {which} linear program of exponentiated gradient has no solution; {hint}"
        ))),
        Err(e) => Err(MitigationError::Infeasible(format!(
            "the {which} linear program of exponentiated gradient failed ({e}); {hint}"
        ))),
    }
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Sample standard deviation (pandas' `std`, ddof 1), weighted by `w` with the weights scaled
/// to sum to the number of rows (plain with unit weights).
fn weighted_std(v: &[f64], w: &[f64]) -> f64 {
    let n = v.len() as f64;
    let sw: f64 = w.iter().sum();
    let mean = v.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / sw;
    let ss = v
        .iter()
        .zip(w)
        .map(|(a, b)| b * (a - mean) * (a - mean))
        .sum::<f64>()
        * (n / sw);
    (ss / (n - 1.0)).sqrt()
}

impl ExponentiatedGradient {
    fn validate(&self) -> Result<(), MitigationError> {
        if !(self.eps.is_finite() && self.eps > 0.0) {
            return Err(MitigationError::Parameter(format!(
                "eps {} must be a finite number > 0 (the multipliers are bounded by 1/eps; \
                 Fairlearn's default is 0.01)",
                self.eps
            )));
        }
        if self.max_iter == 0 {
            return Err(MitigationError::Parameter(
                "max_iter must be at least 1 (Fairlearn's default is 50)".into(),
            ));
        }
        if !(self.eta0.is_finite() && self.eta0 > 0.0) {
            return Err(MitigationError::Parameter(format!(
                "eta0 {} must be a finite number > 0 (Fairlearn's default is 2.0)",
                self.eta0
            )));
        }
        if let Some(nu) = self.nu {
            if !(nu.is_finite() && nu >= 0.0) {
                return Err(MitigationError::Parameter(format!(
                    "nu {nu} must be a finite number >= 0, or unset for Fairlearn's automatic \
                     setting"
                )));
            }
        }
        Ok(())
    }

    /// Runs exponentiated gradient with `learner` on features `x` (one copy, borrowed by every
    /// base-learner fit), labels `y` (0/1 for classification constraints), sensitive `groups`
    /// and optional sample weights (an assay extension; `None` is Fairlearn's behaviour).
    ///
    /// Constraint entries follow the group codes; Fairlearn sorts the group values, so groups
    /// built with [`Groups::from_labels`] give Fairlearn's order. One difference in a
    /// degenerate case: when the relabelled rows with positive weight all share one label but
    /// a zero-weight row has the other, Fairlearn fits the base learner and assay's
    /// [`BaseLearner::fit`] returns a constant.
    pub fn fit(
        &self,
        learner: &BaseLearner,
        x: &Matrix,
        y: &[f64],
        groups: &Groups,
        sample_weight: Option<&[f64]>,
    ) -> Result<ExponentiatedGradientResult, MitigationError> {
        self.validate()?;
        let classifier = check_learner(learner, &self.constraint, x, y)?;
        let moment = Loaded::new(&self.constraint, self.objective, y, groups, sample_weight)?;
        let k = moment.n_constraints();
        let b = 1.0 / self.eps;
        let mut lag = Lagrangian {
            x,
            fitter: learner.fitter(x)?,
            last_fit: None,
            moment: &moment,
            classifier,
            b,
            obj_sw: moment.objective_signed_weights(),
            hs: Vec::new(),
            errors: Vec::new(),
            gammas: Vec::new(),
            lambdas: Vec::new(),
            first_outputs: None,
            n_oracle_calls: 0,
            n_dummy: 0,
            last_lp_n_hs: 0,
            last_lp: None,
        };
        let mut theta = vec![0.0f64; k];
        let mut q_sum: Vec<f64> = Vec::new();
        let mut gaps_eg: Vec<f64> = Vec::new();
        let mut gaps: Vec<f64> = Vec::new();
        let mut qs: Vec<Vec<f64>> = Vec::new();
        let mut lambda_vecs_eg = Vec::new();
        let mut lambda_vecs_lp = Vec::new();
        let mut last_regret_checked = REGRET_CHECK_START_T;
        let mut last_gap = f64::INFINITY;
        let mut lambda_cumsum = vec![0.0; k];
        let mut nu = self.nu.unwrap_or(f64::NAN);
        let mut eta = self.eta0 / b;
        // At most max_iter iterations; the bar ends early when the gap closes.
        let step = assay_progress::step(
            "exponentiated-gradient iterations",
            Some(self.max_iter as u64),
        );
        for t in 0..self.max_iter {
            step.tick();
            let exp: Vec<f64> = theta.iter().map(|v| v.exp()).collect();
            let denom = 1.0 + exp.iter().sum::<f64>();
            let lambda: Vec<f64> = exp.iter().map(|v| b * v / denom).collect();
            for (c, l) in lambda_cumsum.iter_mut().zip(&lambda) {
                *c += l;
            }
            let lambda_eg: Vec<f64> = lambda_cumsum.iter().map(|v| v / (t + 1) as f64).collect();
            let h_idx = lag.best_h(&lambda)?;
            lambda_vecs_eg.push(lambda);
            if t == 0 && self.nu.is_none() {
                let first = lag
                    .first_outputs
                    .as_ref()
                    .expect("first best response kept");
                let resid: Vec<f64> = first
                    .iter()
                    .zip(&moment.y)
                    .map(|(h, y)| (h - y).abs())
                    .collect();
                nu =
                    ACCURACY_MUL * weighted_std(&resid, &moment.w) / (moment.y.len() as f64).sqrt();
            }
            if q_sum.len() < lag.hs.len() {
                q_sum.resize(lag.hs.len(), 0.0);
            }
            q_sum[h_idx] += 1.0;
            let gamma = lag.gammas[h_idx].clone();
            let total: f64 = q_sum.iter().sum();
            let q_eg: Vec<f64> = q_sum.iter().map(|v| v / total).collect();
            let (result_eg, _, _) = lag.eval_gap(&q_eg, &lambda_eg, nu)?;
            let gap_eg = result_eg.gap();
            gaps_eg.push(gap_eg);
            let (gap_lp, q_lp) = if t == 0 || !self.run_linprog_step {
                (f64::INFINITY, None)
            } else {
                let (q_lp, lambda_lp, gap_lp) = lag.solve_linprog(nu)?;
                lambda_vecs_lp.push((t, lambda_lp));
                (gap_lp, Some(q_lp))
            };
            match q_lp {
                Some(q_lp) if gap_eg >= gap_lp => {
                    qs.push(q_lp);
                    gaps.push(gap_lp);
                }
                _ => {
                    qs.push(q_eg);
                    gaps.push(gap_eg);
                }
            }
            if gaps[t] < nu && t >= MIN_ITER {
                break;
            }
            if t as f64 >= last_regret_checked as f64 * REGRET_CHECK_INCREASE_T {
                let best_gap = gaps_eg.iter().copied().fold(f64::INFINITY, f64::min);
                if best_gap > last_gap * SHRINK_REGRET {
                    eta *= SHRINK_ETA;
                }
                last_regret_checked = t;
                last_gap = best_gap;
            }
            for ((th, g), bd) in theta.iter_mut().zip(&gamma).zip(&moment.bound) {
                *th += eta * (g - bd);
            }
        }
        let min_gap = gaps.iter().copied().fold(f64::INFINITY, f64::min);
        let best_iter = gaps
            .iter()
            .rposition(|&g| g <= min_gap + PRECISION)
            .expect("at least one iteration");
        let mut weights = qs[best_iter].clone();
        weights.resize(lag.hs.len(), 0.0);
        let Lagrangian {
            hs,
            errors,
            gammas,
            lambdas,
            n_oracle_calls,
            n_dummy,
            ..
        } = lag;
        Ok(ExponentiatedGradientResult {
            predictors: hs,
            weights,
            lambda_vecs: lambdas,
            lambda_vecs_eg,
            lambda_vecs_lp,
            errors,
            gammas,
            constraint_labels: moment.labels.clone(),
            bound: moment.bound.clone(),
            best_gap: gaps[best_iter],
            best_iter,
            last_iter: qs.len() - 1,
            n_oracle_calls,
            n_oracle_calls_dummy_returned: n_dummy,
            nu,
            classification: classifier,
        })
    }
}

impl ExponentiatedGradientResult {
    /// Outputs of every predictor with non-zero weight: `(index, h(x))`.
    fn weighted_outputs(&self, x: &Matrix) -> Result<Vec<(usize, Vec<f64>)>, MitigationError> {
        self.weights
            .iter()
            .enumerate()
            .filter(|(_, &w)| w != 0.0)
            .map(|(j, _)| Ok((j, outputs(&self.predictors[j], x, self.classification)?)))
            .collect()
    }

    /// `P(ŷ = 1 | x)` of the randomized classifier for every row (Fairlearn's
    /// `_pmf_predict(X)[:, 1]`): the weighted sum of the predictors' hard 0/1 predictions. For
    /// a regression result, the weighted mean of the predictions (Fairlearn has no such
    /// method; its `_pmf_predict` returns every predictor's predictions).
    pub fn pmf_predict(&self, x: &Matrix) -> Result<Vec<f64>, MitigationError> {
        let mut p = vec![0.0; x.n_rows()];
        for (j, out) in self.weighted_outputs(x)? {
            let w = self.weights[j];
            for (pi, o) in p.iter_mut().zip(&out) {
                *pi += w * o;
            }
        }
        Ok(p)
    }

    /// Randomized predictions, deterministic for `seed`: a ChaCha20 generator
    /// (`rand_chacha::ChaCha20Rng::seed_from_u64(seed)`) draws one uniform `u ∈ [0, 1)` per row,
    /// in row order (`rand`'s standard `f64`). A classifier predicts 1 when
    /// `P(ŷ = 1 | x) ≥ u` (Fairlearn's rule); a regressor uses the prediction of the predictor
    /// whose cumulative weight interval (in predictor order) holds `u`.
    pub fn predict(&self, x: &Matrix, seed: u64) -> Result<Vec<f64>, MitigationError> {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        if self.classification {
            let p = self.pmf_predict(x)?;
            return Ok(p
                .iter()
                .map(|&pi| f64::from(u8::from(pi >= rng.random::<f64>())))
                .collect());
        }
        let outs = self.weighted_outputs(x)?;
        let total: f64 = outs.iter().map(|(j, _)| self.weights[*j]).sum();
        Ok((0..x.n_rows())
            .map(|i| {
                let u = rng.random::<f64>() * total;
                let mut cum = 0.0;
                for (j, out) in &outs {
                    cum += self.weights[*j];
                    if u < cum {
                        return out[i];
                    }
                }
                outs.last().map_or(f64::NAN, |(_, out)| out[i])
            })
            .collect())
    }

    /// Objective of the mixture on the training rows (`Σ_j w_j·error_j`).
    pub fn training_error(&self) -> f64 {
        dot(&self.weights, &self.errors)
    }

    /// Constraint vector of the mixture on the training rows (`Σ_j w_j·γ_j`).
    pub fn training_gamma(&self) -> Vec<f64> {
        let mut g = vec![0.0; self.bound.len()];
        for (w, gj) in self.weights.iter().zip(&self.gammas) {
            for (a, b) in g.iter_mut().zip(gj) {
                *a += w * b;
            }
        }
        g
    }

    /// The largest constraint violation of the mixture on the training rows,
    /// `max_k(γ_k − bound_k)` (positive: the bound is exceeded). Agarwal et al. (2018,
    /// Theorem 1) bound it by about `2·(eps + best_gap)` for difference bounds near 0; report
    /// it with the result.
    pub fn max_violation(&self) -> f64 {
        self.training_gamma()
            .iter()
            .zip(&self.bound)
            .map(|(g, b)| g - b)
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// A deterministic stand-in for the mixture (assay's; Fairlearn has none): among the
    /// predictors with positive weight, the one with the smallest training objective among
    /// those meeting every constraint on the training rows (`γ ≤ bound`); when none does, the
    /// one with the largest weight (the first on ties). Returns its index into `predictors`.
    pub fn best_deterministic(&self) -> usize {
        let support = || (0..self.predictors.len()).filter(|&j| self.weights[j] > 0.0);
        let feasible = support()
            .filter(|&j| self.gammas[j].iter().zip(&self.bound).all(|(g, b)| g <= b))
            .fold(None, |best: Option<usize>, j| match best {
                Some(b) if self.errors[b] <= self.errors[j] => Some(b),
                _ => Some(j),
            });
        feasible.unwrap_or_else(|| {
            support()
                .fold(None, |best: Option<usize>, j| match best {
                    Some(b) if self.weights[b] >= self.weights[j] => Some(b),
                    _ => Some(j),
                })
                .unwrap_or(0)
        })
    }

    /// The predictor [`Self::best_deterministic`] picks.
    pub fn best_deterministic_predictor(&self) -> &Predictor {
        &self.predictors[self.best_deterministic()]
    }
}
