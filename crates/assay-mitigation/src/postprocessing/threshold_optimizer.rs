//! The threshold optimizer of Hardt, Price & Srebro (2016, "Equality of Opportunity in
//! Supervised Learning", NeurIPS), as Fairlearn 0.15's `ThresholdOptimizer` with
//! `prefit=True`: it post-processes the scores of an already fitted model with group-specific,
//! randomised thresholds.
//!
//! The algorithm, step by step as Fairlearn's `_threshold_optimizer.py` and
//! `_tradeoff_curve_utilities.py`:
//!
//! 1. For each group, sort its rows by decreasing score and walk every threshold between
//!    distinct scores (the first at `+∞`, then the midpoints `(s_i + s_{i+1}) / 2`, the last at
//!    `−∞`). Each threshold with operation `score > t` gives a point (x, y): x is the
//!    constraint metric (selection rate for demographic parity, FPR for equalized odds and
//!    FPR parity, TPR, TNR or FNR for the other parities), y the objective (TPR for equalized
//!    odds). With `flip`, the complementary operation `score < t` adds a second point.
//! 2. Sort the points by (x, y) (stable) and keep the upper convex hull (Andrew's monotone
//!    chain; a middle point on the line is dropped).
//! 3. Interpolate the hull at the grid `x_k = k / grid_size`, `k = 0..=grid_size`: between
//!    hull points `i` and `i + 1` with `x_i < x_k ≤ x_{i+1}` (at `x_0 = 0`: the last hull
//!    point with `x = 0`), `p0 = (x_{i+1} − x_k) / (x_{i+1} − x_i)`, `p1 = 1 − p0`,
//!    `y = p0·y_i + p1·y_{i+1}`.
//! 4. Simple constraints: pick the first grid index maximising `Σ_g (n_g / n) · y_g(x_k)` (or,
//!    with `tol`, Fairlearn's sliding-window search where per-group x may differ by at most
//!    `tol`). Equalized odds: with `y_min(x_k) = min_g y_g(x_k)`, pick the first index
//!    maximising the objective of the confusion matrix `FP = N·x_k`, `TN = N·(1 − x_k)`,
//!    `TP = P·y_min`, `FN = P·(1 − y_min)`, rounded to 15 decimals; each group then ignores its
//!    own decision with probability `p_ignore = (y_g − y_min) / (y_g − x_k)` and predicts
//!    positive with probability `x_k` instead.
//!
//! The floating-point operations follow Fairlearn's order so that the fitted parameters agree
//! with it to the last bits (see `tests/postprocessing_reference.rs`).
//!
//! Differences from Fairlearn, none affecting unweighted fits: optional sample weights (every
//! count becomes a sum of weights, group proportions become weight shares); group order is the
//! order of group codes (Fairlearn sorts the group values; the golden data names groups so
//! that both agree); randomised predictions use `rand_chacha` (see
//! [`GroupThresholds::predict`]).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::common::{apply_all, apply_one, check_fit_inputs, extended_f64, recode_groups};
use crate::error::MitigationError;
use crate::groups::Groups;

/// The fairness constraint of the threshold optimizer (Fairlearn's `constraints`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// Equal selection rates `P(ŷ = 1 | g)` (Fairlearn's `demographic_parity`, synonym
    /// `selection_rate_parity`).
    #[serde(alias = "selection_rate_parity")]
    DemographicParity,
    /// Equal true- and false-positive rates (Hardt et al. 2016, definition 1).
    EqualizedOdds,
    /// Equal true-positive rates ("equal opportunity", Hardt et al. 2016, definition 2).
    TruePositiveRateParity,
    /// Equal false-positive rates.
    FalsePositiveRateParity,
    /// Equal true-negative rates.
    TrueNegativeRateParity,
    /// Equal false-negative rates.
    FalseNegativeRateParity,
}

/// The objective the threshold optimizer maximises on the training data (Fairlearn's
/// `objective`). Equalized odds allows only the two accuracies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// `(TP + TN) / n`.
    AccuracyScore,
    /// `(TPR + TNR) / 2`.
    BalancedAccuracyScore,
    /// `(TP + FP) / n`.
    SelectionRate,
    /// `TP / (TP + FN)`.
    TruePositiveRate,
    /// `TN / (TN + FP)`.
    TrueNegativeRate,
}

/// A rate of the confusion matrix, as Fairlearn's `METRIC_DICT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RateMetric {
    /// `(TP + FP) / n`.
    SelectionRate,
    /// `FP / (FP + TN)`.
    FalsePositiveRate,
    /// `FN / (TP + FN)`.
    FalseNegativeRate,
    /// `TP / (TP + FN)`.
    TruePositiveRate,
    /// `TN / (TN + FP)`.
    TrueNegativeRate,
    /// `(TP + TN) / n`.
    AccuracyScore,
    /// `0.5·TP / (TP + FN) + 0.5·TN / (TN + FP)`.
    BalancedAccuracyScore,
}

impl RateMetric {
    /// The metric of the counts, with Fairlearn's operations in Fairlearn's order.
    fn eval(self, c: &Counts) -> f64 {
        let n = c.tp + c.tn + c.fp + c.fn_;
        let positives = c.tp + c.fn_;
        let negatives = c.tn + c.fp;
        match self {
            RateMetric::SelectionRate => (c.tp + c.fp) / n,
            RateMetric::FalsePositiveRate => c.fp / negatives,
            RateMetric::FalseNegativeRate => c.fn_ / positives,
            RateMetric::TruePositiveRate => c.tp / positives,
            RateMetric::TrueNegativeRate => c.tn / negatives,
            RateMetric::AccuracyScore => (c.tp + c.tn) / n,
            RateMetric::BalancedAccuracyScore => 0.5 * c.tp / positives + 0.5 * c.tn / negatives,
        }
    }
}

impl From<Objective> for RateMetric {
    fn from(o: Objective) -> RateMetric {
        match o {
            Objective::AccuracyScore => RateMetric::AccuracyScore,
            Objective::BalancedAccuracyScore => RateMetric::BalancedAccuracyScore,
            Objective::SelectionRate => RateMetric::SelectionRate,
            Objective::TruePositiveRate => RateMetric::TruePositiveRate,
            Objective::TrueNegativeRate => RateMetric::TrueNegativeRate,
        }
    }
}

/// Confusion-matrix counts (sums of weights).
#[derive(Debug, Clone, Copy)]
struct Counts {
    tp: f64,
    fp: f64,
    tn: f64,
    fn_: f64,
}

/// The comparison of a [`ThresholdOperation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Operator {
    /// Positive when `score > threshold`.
    #[serde(rename = ">")]
    Greater,
    /// Positive when `score < threshold` (the flipped operation).
    #[serde(rename = "<")]
    Less,
}

/// A deterministic thresholding rule, as Fairlearn's `ThresholdOperation`: positive when
/// `score > threshold` (or `score < threshold`). The threshold may be `±∞` (serialised as
/// the strings `"inf"` / `"-inf"`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ThresholdOperation {
    /// `>` or `<`.
    pub operator: Operator,
    /// The threshold.
    #[serde(with = "extended_f64")]
    #[schemars(with = "ExtendedF64")]
    pub threshold: f64,
}

/// The JSON Schema of a threshold as [`extended_f64`] writes it: a number, or `"inf"` /
/// `"-inf"`.
struct ExtendedF64;

impl schemars::JsonSchema for ExtendedF64 {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ExtendedF64".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number, or \"inf\" / \"-inf\"",
            "anyOf": [{"type": "number"}, {"enum": ["inf", "-inf"]}]
        })
    }
}

impl ThresholdOperation {
    /// Whether the rule predicts positive for `score`.
    pub fn apply(&self, score: f64) -> bool {
        match self.operator {
            Operator::Greater => score > self.threshold,
            Operator::Less => score < self.threshold,
        }
    }
}

/// One group's randomised rule, exactly one entry of Fairlearn's `interpolation_dict`: with
/// probability `p0` apply `operation0`, with probability `p1` apply `operation1`; for
/// equalized odds the result is then replaced, with probability `p_ignore`, by a positive
/// prediction with probability `prediction_constant`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GroupInterpolation {
    /// Probability of `operation0`.
    pub p0: f64,
    /// The rule of the hull point left of the chosen x.
    pub operation0: ThresholdOperation,
    /// Probability of `operation1` (`1 − p0`).
    pub p1: f64,
    /// The rule of the hull point right of the chosen x.
    pub operation1: ThresholdOperation,
    /// Equalized odds only: probability of ignoring the thresholded decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_ignore: Option<f64>,
    /// Equalized odds only: probability of a positive prediction when ignoring (the chosen
    /// false-positive rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prediction_constant: Option<f64>,
}

impl GroupInterpolation {
    /// `P(ŷ = 1 | score)`: Fairlearn's `_pmf_predict` column 1,
    /// `p0·[op0(s)] + p1·[op1(s)]`, then `p_ignore·c + (1 − p_ignore)·that` for equalized odds.
    pub fn positive_probability(&self, score: f64) -> f64 {
        let a = if self.operation0.apply(score) {
            self.p0
        } else {
            0.0
        };
        let b = if self.operation1.apply(score) {
            self.p1
        } else {
            0.0
        };
        let interpolated = a + b;
        match (self.p_ignore, self.prediction_constant) {
            (Some(pi), Some(c)) => pi * c + (1.0 - pi) * interpolated,
            _ => interpolated,
        }
    }
}

/// The trade-off point the optimizer chose on the training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Tradeoff {
    /// The constraint metric (x axis): selection rate for demographic parity, false-positive
    /// rate for equalized odds, the named rate for the other parities.
    pub constraint_metric: RateMetric,
    /// The chosen value of the constraint metric per group (in group order). All equal unless
    /// `tol` lets them differ (Fairlearn's `_x_best_per_group`).
    pub constraint_value: Vec<f64>,
    /// Largest minus smallest of `constraint_value` (Fairlearn's `_between_groups`).
    pub between_groups: f64,
    /// Equalized odds only: the common true-positive rate (Fairlearn's `_y_best`).
    pub true_positive_rate: Option<f64>,
    /// The training objective at the chosen point: the group-share-weighted objective for
    /// simple constraints (Fairlearn's `_y_best`), the objective of the equalized-odds
    /// confusion matrix rounded to 15 decimals otherwise.
    pub objective_value: f64,
}

/// Settings of the threshold optimizer, with Fairlearn's defaults
/// (`ThresholdOptimizer(constraints="demographic_parity", objective="accuracy_score",
/// grid_size=1000, flip=False, tol=None)`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThresholdOptimizer {
    /// The fairness constraint.
    pub constraint: Constraint,
    /// The objective to maximise.
    pub objective: Objective,
    /// Number of grid intervals on [0, 1] for the constraint metric (`grid_size + 1` points).
    pub grid_size: usize,
    /// Also consider the flipped rules `score < t`.
    pub flip: bool,
    /// Simple constraints only: the largest allowed difference between groups' constraint
    /// metric (Fairlearn's `tol`; `None` or `0` enforce equality).
    pub tol: Option<f64>,
}

impl Default for ThresholdOptimizer {
    fn default() -> Self {
        ThresholdOptimizer {
            constraint: Constraint::DemographicParity,
            objective: Objective::AccuracyScore,
            grid_size: 1000,
            flip: false,
            tol: None,
        }
    }
}

/// A fitted threshold optimizer: per group, Fairlearn's interpolation (`interpolation_dict`),
/// plus the settings and the chosen trade-off. Saved inside mitigated model files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupThresholds {
    /// The settings it was fitted with.
    pub settings: ThresholdOptimizer,
    /// Group names, indexed by the fit-time group code.
    pub groups: Vec<String>,
    /// The randomised rule of every group (same order as `groups`).
    pub interpolation: Vec<GroupInterpolation>,
    /// The chosen trade-off point on the training data.
    pub tradeoff: Tradeoff,
}

/// The chosen grid index per group, the trade-off, and equalized odds' `(p_ignore, constant)`.
type Choice = (Vec<usize>, Tradeoff, Option<Vec<(f64, f64)>>);

/// The interpolated hull of one group at one grid point.
#[derive(Debug, Clone, Copy)]
struct GridPoint {
    y: f64,
    interpolation: GroupInterpolation,
}

impl ThresholdOptimizer {
    /// Checks the settings as Fairlearn does: equalized odds allows only the accuracy
    /// objectives and no `tol`; `grid_size ≥ 1`; `tol` finite and non-negative.
    pub fn validate(&self) -> Result<(), MitigationError> {
        if self.grid_size == 0 {
            return Err(MitigationError::Parameter(
                "grid_size must be at least 1 (Fairlearn's default is 1000)".into(),
            ));
        }
        if let Some(t) = self.tol {
            if !t.is_finite() || t < 0.0 {
                return Err(MitigationError::Parameter(format!(
                    "tol must be a finite number ≥ 0, got {t} (0 or none enforce equality)"
                )));
            }
        }
        if self.constraint == Constraint::EqualizedOdds {
            if !matches!(
                self.objective,
                Objective::AccuracyScore | Objective::BalancedAccuracyScore
            ) {
                return Err(MitigationError::Parameter(format!(
                    "equalized_odds supports only the objectives accuracy_score and \
                     balanced_accuracy_score, not {:?}",
                    self.objective
                )));
            }
            if self.tol.is_some() {
                return Err(MitigationError::Parameter(
                    "tol (relaxed constraints) is not supported for equalized_odds; leave it \
                     unset"
                        .into(),
                ));
            }
        }
        Ok(())
    }

    /// The constraint metric (x axis of the trade-off curves).
    pub fn constraint_metric(&self) -> RateMetric {
        match self.constraint {
            Constraint::DemographicParity => RateMetric::SelectionRate,
            Constraint::EqualizedOdds | Constraint::FalsePositiveRateParity => {
                RateMetric::FalsePositiveRate
            }
            Constraint::TruePositiveRateParity => RateMetric::TruePositiveRate,
            Constraint::TrueNegativeRateParity => RateMetric::TrueNegativeRate,
            Constraint::FalseNegativeRateParity => RateMetric::FalseNegativeRate,
        }
    }

    /// Fits group-specific randomised thresholds to the `scores` of an already fitted model,
    /// labels `y` (0/1) and `groups`, optionally with sample weights (Fairlearn has none; with
    /// `None` the result equals Fairlearn's). Every group needs both labels (Fairlearn's
    /// "Degenerate labels" error), for every constraint.
    pub fn fit(
        &self,
        scores: &[f64],
        y: &[f64],
        groups: &Groups,
        sample_weight: Option<&[f64]>,
    ) -> Result<GroupThresholds, MitigationError> {
        self.validate()?;
        check_fit_inputs(scores, y, groups, sample_weight)?;
        let n_groups = groups.n_groups();
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); n_groups];
        for (i, &c) in groups.codes.iter().enumerate() {
            rows[c as usize].push(i);
        }
        if let Some(g) = rows.iter().position(Vec::is_empty) {
            return Err(MitigationError::Data(format!(
                "group '{}' has no rows",
                groups.names[g]
            )));
        }
        let w = |i: usize| sample_weight.map_or(1.0, |w| w[i]);

        let x_metric = self.constraint_metric();
        let y_metric = if self.constraint == Constraint::EqualizedOdds {
            RateMetric::TruePositiveRate
        } else {
            RateMetric::from(self.objective)
        };
        let grid = linspace01(self.grid_size);

        // Per group: interpolated hull at every grid point; weight share; label totals.
        let mut curves: Vec<Vec<GridPoint>> = Vec::with_capacity(n_groups);
        let mut shares = Vec::with_capacity(n_groups);
        let total_weight: f64 = (0..scores.len()).map(w).sum();
        for (g, group_rows) in rows.iter().enumerate() {
            let hull = group_hull(
                scores,
                y,
                group_rows,
                &w,
                self.flip,
                x_metric,
                y_metric,
                &groups.names[g],
            )?;
            curves.push(interpolate(&hull, &grid));
            let gw: f64 = group_rows.iter().map(|&i| w(i)).sum();
            shares.push(gw / total_weight);
        }

        let (indices, tradeoff, p_ignore) = if self.constraint == Constraint::EqualizedOdds {
            self.choose_equalized_odds(scores, y, &w, &curves, &grid)
        } else {
            self.choose_simple(&curves, &shares, &grid, x_metric)
        };

        let interpolation = curves
            .iter()
            .zip(&indices)
            .enumerate()
            .map(|(g, (curve, &k))| {
                let mut it = curve[k].interpolation;
                if let Some((pi, c)) = p_ignore.as_ref().map(|v| v[g]) {
                    it.p_ignore = Some(pi);
                    it.prediction_constant = Some(c);
                }
                it
            })
            .collect();
        Ok(GroupThresholds {
            settings: *self,
            groups: groups.names.clone(),
            interpolation,
            tradeoff,
        })
    }

    /// Simple constraints: maximise the share-weighted objective at a common x (or within
    /// `tol`).
    fn choose_simple(
        &self,
        curves: &[Vec<GridPoint>],
        shares: &[f64],
        grid: &[f64],
        x_metric: RateMetric,
    ) -> Choice {
        let m = grid.len();
        let (indices, objective) = match self.tol {
            Some(tol) if tol != 0.0 => maximize_with_tolerance(curves, shares, grid, tol),
            _ => {
                let mut best = 0;
                let mut best_value = f64::NEG_INFINITY;
                for k in 0..m {
                    let mut total = 0.0;
                    for (curve, &p) in curves.iter().zip(shares) {
                        total += p * curve[k].y;
                    }
                    if total > best_value {
                        best_value = total;
                        best = k;
                    }
                }
                (vec![best; curves.len()], best_value)
            }
        };
        let values: Vec<f64> = indices.iter().map(|&k| grid[k]).collect();
        let between = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - values.iter().cloned().fold(f64::INFINITY, f64::min);
        (
            indices,
            Tradeoff {
                constraint_metric: x_metric,
                constraint_value: values,
                between_groups: between,
                true_positive_rate: None,
                objective_value: objective,
            },
            None,
        )
    }

    /// Equalized odds: the best point under the lowest group ROC curve, then per-group
    /// `p_ignore`.
    fn choose_equalized_odds(
        &self,
        scores: &[f64],
        y: &[f64],
        w: &dyn Fn(usize) -> f64,
        curves: &[Vec<GridPoint>],
        grid: &[f64],
    ) -> Choice {
        let mut n_pos = 0.0;
        let mut n_all = 0.0;
        for (i, &label) in y.iter().enumerate().take(scores.len()) {
            n_all += w(i);
            if label == 1.0 {
                n_pos += w(i);
            }
        }
        let n_neg = n_all - n_pos;
        let metric = RateMetric::from(self.objective);
        let mut best = 0;
        let mut best_value = f64::NEG_INFINITY;
        let mut y_min_best = 0.0;
        for (k, &x) in grid.iter().enumerate() {
            let y_min = curves.iter().map(|c| c[k].y).fold(f64::INFINITY, f64::min);
            let counts = Counts {
                fp: n_neg * x,
                tn: n_neg * (1.0 - x),
                tp: n_pos * y_min,
                fn_: n_pos * (1.0 - y_min),
            };
            let value = round_decimals_15(metric.eval(&counts));
            if value > best_value {
                best_value = value;
                best = k;
                y_min_best = y_min;
            }
        }
        let x_best = grid[best];
        let p_ignore = curves
            .iter()
            .map(|c| {
                let gy = c[best].y;
                let pi = if gy == x_best {
                    0.0
                } else {
                    (gy - y_min_best) / (gy - x_best)
                };
                (pi, x_best)
            })
            .collect();
        (
            vec![best; curves.len()],
            Tradeoff {
                constraint_metric: RateMetric::FalsePositiveRate,
                constraint_value: vec![x_best; curves.len()],
                between_groups: 0.0,
                true_positive_rate: Some(y_min_best),
                objective_value: best_value,
            },
            Some(p_ignore),
        )
    }
}

/// `np.around(v, 15)`: multiply by 10¹⁵, round half to even, divide.
fn round_decimals_15(v: f64) -> f64 {
    (v * 1e15).round_ties_even() / 1e15
}

/// `np.linspace(0, 1, grid_size + 1)`: `k · (1 / grid_size)`, the last point exactly 1.
fn linspace01(grid_size: usize) -> Vec<f64> {
    let step = 1.0 / grid_size as f64;
    let mut g: Vec<f64> = (0..=grid_size).map(|k| k as f64 * step).collect();
    g[grid_size] = 1.0;
    g
}

/// One candidate point of a group's trade-off curve.
#[derive(Debug, Clone, Copy)]
struct CurvePoint {
    x: f64,
    y: f64,
    op: ThresholdOperation,
}

/// The upper convex hull of a group's trade-off points (Fairlearn's `_tradeoff_curve`).
#[allow(clippy::too_many_arguments)]
fn group_hull(
    scores: &[f64],
    y: &[f64],
    rows: &[usize],
    w: &dyn Fn(usize) -> f64,
    flip: bool,
    x_metric: RateMetric,
    y_metric: RateMetric,
    name: &str,
) -> Result<Vec<CurvePoint>, MitigationError> {
    let mut sorted: Vec<usize> = rows.to_vec();
    sorted.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    // Label totals summed in the walk's order, so that the last point is exactly (1, ·).
    let (mut n_pos, mut n_neg) = (0.0, 0.0);
    let (mut c_pos, mut c_neg) = (0usize, 0usize);
    for &i in &sorted {
        if y[i] == 1.0 {
            n_pos += w(i);
            c_pos += 1;
        } else {
            n_neg += w(i);
            c_neg += 1;
        }
    }
    if c_pos == 0 || c_neg == 0 || n_pos <= 0.0 || n_neg <= 0.0 {
        let (missing, have) = if c_pos == 0 || n_pos <= 0.0 {
            ("positive", "negative")
        } else {
            ("negative", "positive")
        };
        return Err(MitigationError::Data(format!(
            "group '{name}' has no {missing} labels (only {have} ones, {} rows): the threshold \
             optimizer needs both labels in every group (Fairlearn: \"Degenerate labels\"); \
             merge or drop the group",
            rows.len()
        )));
    }
    let mut points: Vec<CurvePoint> = Vec::with_capacity(2 * sorted.len() + 2);
    let (mut cnt_neg, mut cnt_pos) = (0.0, 0.0);
    let mut i = 0;
    let n = sorted.len();
    let mut first = true;
    while i < n {
        let threshold = if first {
            first = false;
            f64::INFINITY
        } else {
            let t = scores[sorted[i]];
            while i < n && scores[sorted[i]] == t {
                let r = sorted[i];
                if y[r] == 1.0 {
                    cnt_pos += w(r);
                } else {
                    cnt_neg += w(r);
                }
                i += 1;
            }
            let next = if i < n {
                scores[sorted[i]]
            } else {
                f64::NEG_INFINITY
            };
            (t + next) / 2.0
        };
        let counts = Counts {
            fp: cnt_neg,
            tp: cnt_pos,
            tn: n_neg - cnt_neg,
            fn_: n_pos - cnt_pos,
        };
        points.push(CurvePoint {
            x: x_metric.eval(&counts),
            y: y_metric.eval(&counts),
            op: ThresholdOperation {
                operator: Operator::Greater,
                threshold,
            },
        });
        if flip {
            let flipped = Counts {
                fp: n_neg - cnt_neg,
                tp: n_pos - cnt_pos,
                tn: cnt_neg,
                fn_: cnt_pos,
            };
            points.push(CurvePoint {
                x: x_metric.eval(&flipped),
                y: y_metric.eval(&flipped),
                op: ThresholdOperation {
                    operator: Operator::Less,
                    threshold,
                },
            });
        }
    }
    // Stable sort by (x, y), as pandas' multi-column sort_values.
    points.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    let mut hull: Vec<CurvePoint> = Vec::with_capacity(points.len());
    for r2 in points {
        while hull.len() >= 2 {
            let r1 = hull[hull.len() - 1];
            let r0 = hull[hull.len() - 2];
            if (r1.y - r0.y) * (r2.x - r0.x) <= (r2.y - r0.y) * (r1.x - r0.x) {
                hull.pop();
            } else {
                break;
            }
        }
        hull.push(r2);
    }
    Ok(hull)
}

/// The hull interpolated at every grid point (Fairlearn's `_interpolate_curve`).
fn interpolate(hull: &[CurvePoint], grid: &[f64]) -> Vec<GridPoint> {
    let last = hull.len() - 1;
    grid.iter()
        .enumerate()
        .map(|(k, &g)| {
            // searchsorted(side="right") − 1: the last hull x ≤ g.
            let mut idx = hull.partition_point(|p| p.x <= g).saturating_sub(1);
            if k > 0 && idx > 0 && hull[idx].x == g {
                idx -= 1;
            }
            let idx = idx.min(last.saturating_sub(1));
            let (a, b) = if last == 0 {
                (hull[0], hull[0])
            } else {
                (hull[idx], hull[idx + 1])
            };
            let p0 = if last == 0 {
                1.0
            } else {
                (b.x - g) / (b.x - a.x)
            };
            let p1 = 1.0 - p0;
            GridPoint {
                y: p0 * a.y + p1 * b.y,
                interpolation: GroupInterpolation {
                    p0,
                    operation0: a.op,
                    p1,
                    operation1: b.op,
                    p_ignore: None,
                    prediction_constant: None,
                },
            }
        })
        .collect()
}

/// Fairlearn's `maximize_objective_with_tolerance`: a sliding window over the grid in which
/// the groups' x may differ by at most `tol`; in each window every group takes its best
/// (first maximal) y; the best weighted total wins, ties going to the smaller x-range (a later
/// window wins an exact tie with an equal range).
fn maximize_with_tolerance(
    curves: &[Vec<GridPoint>],
    shares: &[f64],
    grid: &[f64],
    tol: f64,
) -> (Vec<usize>, f64) {
    use std::collections::VecDeque;
    let m = curves.len();
    let cols: Vec<Vec<f64>> = curves
        .iter()
        .zip(shares)
        .map(|(c, &p)| c.iter().map(|pt| pt.y * p).collect())
        .collect();
    let mut deques: Vec<VecDeque<usize>> = vec![VecDeque::new(); m];
    let mut best: Vec<usize> = vec![0; m];
    let mut max_objective = f64::NEG_INFINITY;
    let mut min_violation = f64::INFINITY;
    let mut start = 0;
    for end in 0..grid.len() {
        for k in 0..m {
            while let Some(&back) = deques[k].back() {
                if cols[k][back] <= cols[k][end] {
                    deques[k].pop_back();
                } else {
                    break;
                }
            }
            deques[k].push_back(end);
        }
        while grid[end] - grid[start] > tol {
            for d in deques.iter_mut() {
                if d.front() == Some(&start) {
                    d.pop_front();
                }
            }
            start += 1;
        }
        let current: Vec<usize> = deques.iter().map(|d| d[0]).collect();
        let mut objective = 0.0;
        for k in 0..m {
            objective += cols[k][current[k]];
        }
        let xs = current.iter().map(|&i| grid[i]);
        let violation =
            xs.clone().fold(f64::NEG_INFINITY, f64::max) - xs.fold(f64::INFINITY, f64::min);
        if objective > max_objective || (objective == max_objective && violation <= min_violation) {
            max_objective = objective;
            best = current;
            min_violation = violation;
        }
    }
    (best, max_objective)
}

impl GroupThresholds {
    /// `P(ŷ = 1)` for one row: Fairlearn's `_pmf_predict(...)[:, 1]`. `group` is the fit-time
    /// group code (index into [`GroupThresholds::groups`]).
    pub fn positive_probability(&self, score: f64, group: u32) -> Result<f64, MitigationError> {
        apply_one(&self.interpolation, score, group, |it, s| {
            it.positive_probability(s)
        })
    }

    /// `P(ŷ = 1)` for every row (fit-time group codes).
    pub fn positive_probabilities(
        &self,
        scores: &[f64],
        group_codes: &[u32],
    ) -> Result<Vec<f64>, MitigationError> {
        apply_all(&self.interpolation, scores, group_codes, |it, s| {
            it.positive_probability(s)
        })
    }

    /// Fit-time group codes of new data, matched by group name; an error names every group
    /// that was not seen at fit time.
    pub fn codes_for(&self, groups: &Groups) -> Result<Vec<u32>, MitigationError> {
        recode_groups(&self.groups, groups)
    }

    /// Randomised 0/1 predictions, as Fairlearn's `InterpolatedThresholder.predict` but with a
    /// documented generator: one `rand_chacha::ChaCha8Rng` seeded with
    /// `seed_from_u64(seed)`, one uniform `u ∈ [0, 1)` (`rng.random::<f64>()`) per row in row
    /// order, and prediction 1 when `u < P(ŷ = 1)` (so probability 0 never and 1 always gives
    /// a positive; Fairlearn's `p ≥ u` differs only when `u` equals `p` exactly). Same seed,
    /// scores and groups → same predictions.
    pub fn predict(
        &self,
        scores: &[f64],
        group_codes: &[u32],
        seed: u64,
    ) -> Result<Vec<f64>, MitigationError> {
        let p = self.positive_probabilities(scores, group_codes)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Ok(p.into_iter()
            .map(|p| {
                let u: f64 = rng.random();
                f64::from(u8::from(u < p))
            })
            .collect())
    }

    /// [`GroupThresholds::predict`] for groups given by name (see
    /// [`GroupThresholds::codes_for`]).
    pub fn predict_groups(
        &self,
        scores: &[f64],
        groups: &Groups,
        seed: u64,
    ) -> Result<Vec<f64>, MitigationError> {
        let codes = self.codes_for(groups)?;
        self.predict(scores, &codes, seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> (Vec<f64>, Vec<f64>, Groups) {
        let scores = vec![
            0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1, 0.8, 0.6, 0.5, 0.3, 0.3, 0.2,
        ];
        let y = vec![1., 1., 0., 1., 0., 1., 0., 0., 1., 0., 1., 0., 1., 0.];
        let codes = vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        (
            scores,
            y,
            Groups::new(codes, vec!["a".into(), "b".into()]).unwrap(),
        )
    }

    #[test]
    fn hull_of_perfect_ranking_is_the_corner() {
        let scores = [0.9, 0.8, 0.2, 0.1];
        let y = [1.0, 1.0, 0.0, 0.0];
        let hull = group_hull(
            &scores,
            &y,
            &[0, 1, 2, 3],
            &|_| 1.0,
            false,
            RateMetric::FalsePositiveRate,
            RateMetric::TruePositiveRate,
            "g",
        )
        .unwrap();
        let pts: Vec<(f64, f64)> = hull.iter().map(|p| (p.x, p.y)).collect();
        assert_eq!(pts, vec![(0.0, 0.0), (0.0, 1.0), (1.0, 1.0)]);
        assert_eq!(hull[1].op.threshold, 0.5);
        assert_eq!(hull[0].op.threshold, f64::INFINITY);
        assert_eq!(hull[2].op.threshold, f64::NEG_INFINITY);
    }

    #[test]
    fn interpolation_splits_between_hull_points() {
        let op = |t| ThresholdOperation {
            operator: Operator::Greater,
            threshold: t,
        };
        let hull = vec![
            CurvePoint {
                x: 0.0,
                y: 0.0,
                op: op(f64::INFINITY),
            },
            CurvePoint {
                x: 0.5,
                y: 0.8,
                op: op(0.5),
            },
            CurvePoint {
                x: 1.0,
                y: 1.0,
                op: op(f64::NEG_INFINITY),
            },
        ];
        let pts = interpolate(&hull, &linspace01(4));
        // x = 0.25: halfway between the first two points.
        assert_eq!(pts[1].interpolation.p0, 0.5);
        assert_eq!(pts[1].interpolation.operation1.threshold, 0.5);
        assert!((pts[1].y - 0.4).abs() < 1e-15);
        // x = 0.5 lies on a hull point: the left segment with p1 = 1.
        assert_eq!(pts[2].interpolation.p0, 0.0);
        assert_eq!(pts[2].interpolation.p1, 1.0);
        assert_eq!(pts[2].interpolation.operation1.threshold, 0.5);
        // x = 1: last segment, p1 = 1.
        assert_eq!(pts[4].interpolation.p1, 1.0);
        assert_eq!(pts[4].interpolation.operation1.threshold, f64::NEG_INFINITY);
    }

    #[test]
    fn demographic_parity_equalises_selection_rates() {
        let (s, y, g) = toy();
        let fitted = ThresholdOptimizer::default().fit(&s, &y, &g, None).unwrap();
        let p = fitted.positive_probabilities(&s, &g.codes).unwrap();
        let rate = |code: u32| {
            let (sum, n) = p
                .iter()
                .zip(&g.codes)
                .filter(|(_, &c)| c == code)
                .fold((0.0, 0.0), |(a, n), (v, _)| (a + v, n + 1.0));
            sum / n
        };
        assert!((rate(0) - rate(1)).abs() < 1e-12);
        assert!((rate(0) - fitted.tradeoff.constraint_value[0]).abs() < 1e-12);
    }

    #[test]
    fn degenerate_group_is_named() {
        let (s, mut y, g) = toy();
        for (v, &c) in y.iter_mut().zip(&g.codes) {
            if c == 1 {
                *v = 0.0;
            }
        }
        for constraint in [
            Constraint::EqualizedOdds,
            Constraint::TruePositiveRateParity,
            Constraint::FalsePositiveRateParity,
            Constraint::DemographicParity,
        ] {
            let t = ThresholdOptimizer {
                constraint,
                ..Default::default()
            };
            let e = t.fit(&s, &y, &g, None).unwrap_err().to_string();
            assert!(e.contains("group 'b' has no positive labels"), "{e}");
        }
    }

    #[test]
    fn bad_inputs_are_rejected() {
        let (mut s, mut y, g) = toy();
        let t = ThresholdOptimizer::default();
        y[3] = 2.0;
        let e = t.fit(&s, &y, &g, None).unwrap_err().to_string();
        assert!(e.contains("row 3") && e.contains("not 0 or 1"), "{e}");
        y[3] = 1.0;
        s[5] = f64::NAN;
        let e = t.fit(&s, &y, &g, None).unwrap_err().to_string();
        assert!(e.contains("row 5") && e.contains("not a finite"), "{e}");
        s[5] = 0.3;
        let bad = ThresholdOptimizer {
            constraint: Constraint::EqualizedOdds,
            objective: Objective::SelectionRate,
            ..Default::default()
        };
        assert!(matches!(
            bad.fit(&s, &y, &g, None),
            Err(MitigationError::Parameter(_))
        ));
        let bad = ThresholdOptimizer {
            constraint: Constraint::EqualizedOdds,
            tol: Some(0.1),
            ..Default::default()
        };
        assert!(matches!(
            bad.fit(&s, &y, &g, None),
            Err(MitigationError::Parameter(_))
        ));
        let bad = ThresholdOptimizer {
            grid_size: 0,
            ..Default::default()
        };
        assert!(bad.fit(&s, &y, &g, None).is_err());
        assert!(t.fit(&s, &y[1..], &g, None).is_err());
    }

    #[test]
    fn unseen_group_at_predict_is_named() {
        let (s, y, g) = toy();
        let fitted = ThresholdOptimizer::default().fit(&s, &y, &g, None).unwrap();
        let new = Groups::new(vec![0, 1, 2], vec!["a".into(), "b".into(), "zz".into()]).unwrap();
        let e = fitted
            .predict_groups(&[0.1, 0.2, 0.3], &new, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("'zz'") && e.contains("not seen"), "{e}");
        assert!(fitted.predict(&[0.1], &[7], 1).is_err());
        // Same names in another order map by name.
        let swapped = Groups::new(vec![0, 1], vec!["b".into(), "a".into()]).unwrap();
        assert_eq!(fitted.codes_for(&swapped).unwrap(), vec![1, 0]);
    }

    #[test]
    fn predictions_are_deterministic_for_a_seed() {
        let (s, y, g) = toy();
        let t = ThresholdOptimizer {
            constraint: Constraint::EqualizedOdds,
            ..Default::default()
        };
        let fitted = t.fit(&s, &y, &g, None).unwrap();
        let many_s: Vec<f64> = (0..2000).map(|i| s[i % s.len()]).collect();
        let many_g: Vec<u32> = (0..2000).map(|i| g.codes[i % s.len()]).collect();
        let a = fitted.predict(&many_s, &many_g, 42).unwrap();
        let b = fitted.predict(&many_s, &many_g, 42).unwrap();
        let c = fitted.predict(&many_s, &many_g, 43).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        // The sample mean tracks the probabilities.
        let p = fitted.positive_probabilities(&many_s, &many_g).unwrap();
        let mean_p: f64 = p.iter().sum::<f64>() / 2000.0;
        let mean_a: f64 = a.iter().sum::<f64>() / 2000.0;
        assert!((mean_p - mean_a).abs() < 0.05, "{mean_p} vs {mean_a}");
        // Probability 0 and 1 are never randomised.
        for (pi, ai) in p.iter().zip(&a) {
            if *pi == 0.0 {
                assert_eq!(*ai, 0.0);
            }
            if *pi == 1.0 {
                assert_eq!(*ai, 1.0);
            }
        }
    }

    #[test]
    fn serde_round_trip_keeps_infinite_thresholds() {
        let (s, y, g) = toy();
        let fitted = ThresholdOptimizer {
            constraint: Constraint::EqualizedOdds,
            flip: true,
            ..Default::default()
        }
        .fit(&s, &y, &g, None)
        .unwrap();
        let text = serde_json::to_string(&fitted).unwrap();
        let back: GroupThresholds = serde_json::from_str(&text).unwrap();
        assert_eq!(back, fitted);
        let mut inf = fitted.clone();
        inf.interpolation[0].operation0.threshold = f64::INFINITY;
        inf.interpolation[1].operation1.threshold = f64::NEG_INFINITY;
        let text = serde_json::to_string(&inf).unwrap();
        assert!(!text.contains("\"threshold\":null"), "{text}");
        assert!(text.contains("\"threshold\":\"inf\""), "{text}");
        let back: GroupThresholds = serde_json::from_str(&text).unwrap();
        assert_eq!(back, inf);
        let op: ThresholdOperation =
            serde_json::from_str(r#"{"operator":"<","threshold":"-inf"}"#).unwrap();
        assert_eq!(op.threshold, f64::NEG_INFINITY);
        assert!(!op.apply(-1e308) && op.operator == Operator::Less);
    }

    #[test]
    fn weights_of_one_change_nothing() {
        let (s, y, g) = toy();
        let t = ThresholdOptimizer {
            constraint: Constraint::TruePositiveRateParity,
            objective: Objective::BalancedAccuracyScore,
            ..Default::default()
        };
        let a = t.fit(&s, &y, &g, None).unwrap();
        let b = t.fit(&s, &y, &g, Some(&vec![1.0; s.len()])).unwrap();
        assert_eq!(a, b);
        let c = t.fit(&s, &y, &g, Some(&vec![2.5; s.len()])).unwrap();
        assert_eq!(a.interpolation, c.interpolation);
    }

    /// Integer sample weights act as repeated rows (the weighted extension of Fairlearn).
    #[test]
    fn integer_weights_equal_repeated_rows() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let n = 400;
        let mut s = Vec::new();
        let mut y = Vec::new();
        let mut codes = Vec::new();
        let mut w = Vec::new();
        for _ in 0..n {
            let g: u32 = rng.random_range(0..3);
            let x: f64 = rng.random::<f64>();
            let score = (x * 40.0).round() / 40.0; // ties
            let label = f64::from(u8::from(rng.random::<f64>() < 0.2 + 0.6 * x));
            s.push(score);
            y.push(label);
            codes.push(g);
            w.push(f64::from(rng.random_range(1u8..4)));
        }
        let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let groups = Groups::new(codes.clone(), names.clone()).unwrap();
        let (mut rs, mut ry, mut rc) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..n {
            for _ in 0..w[i] as usize {
                rs.push(s[i]);
                ry.push(y[i]);
                rc.push(codes[i]);
            }
        }
        let repeated = Groups::new(rc, names).unwrap();
        for (constraint, objective, tol) in [
            (
                Constraint::DemographicParity,
                Objective::AccuracyScore,
                None,
            ),
            (
                Constraint::EqualizedOdds,
                Objective::BalancedAccuracyScore,
                None,
            ),
            (
                Constraint::TruePositiveRateParity,
                Objective::AccuracyScore,
                Some(0.05),
            ),
            (
                Constraint::FalsePositiveRateParity,
                Objective::BalancedAccuracyScore,
                None,
            ),
        ] {
            let t = ThresholdOptimizer {
                constraint,
                objective,
                tol,
                flip: true,
                grid_size: 300,
            };
            let weighted = t.fit(&s, &y, &groups, Some(&w)).unwrap();
            let dup = t.fit(&rs, &ry, &repeated, None).unwrap();
            assert_eq!(weighted, dup, "{constraint:?}");
        }
    }
}
