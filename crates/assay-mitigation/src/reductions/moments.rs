//! Moments: the fairness constraints and the objective of the reductions, as Fairlearn's
//! `fairlearn.reductions` moments (Agarwal et al. 2018, section 2 and Examples 3–4; Agarwal,
//! Dudík & Wu 2019 for [`Constraint::BoundedGroupLoss`]).
//!
//! A classification constraint is a vector `γ(h)` of moments of the predictions `h(x) ∈ {0, 1}`
//! with one entry per sign (`+`, `−`), event and group, required to satisfy `γ(h) ≤ bound`. For
//! an event `e` (all rows for demographic parity, `Y = y` for equalized odds) and a group `g`,
//! with `m_e` the mean utility over the rows of event `e` and `m_eg` that over the rows of event
//! `e` in group `g`, and `r` the ratio bound (1 for difference bounds):
//!
//! * `γ(+, e, g) = r·m_eg − m_e`, `γ(−, e, g) = r·m_e − m_eg`, both bounded by `ε` (the
//!   difference bound, or the ratio bound's slack).
//!
//! The utility of a row is `h(x)` (demographic parity, TPR/FPR parity, equalized odds) or
//! `1[h(x) ≠ y]` (error-rate parity). Fairlearn builds a matrix `U` (one row per example, one
//! column per constraint) with `γ = −Uᵀ·utility / n`; its signed weights (the costs of the
//! cost-sensitive problem, Agarwal et al. 2018 section 3.2) are `(utility(1) − utility(0))·U·λ`.
//! The code here computes the same numbers from per-(event, group) sums without building `U`.
//!
//! Sample weights (an assay extension; Fairlearn's reductions take none) turn every count into a
//! sum of weights and every mean into a weighted mean; with all weights 1 the numbers are
//! Fairlearn's.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{check_len, MitigationError};
use crate::groups::Groups;

/// How a parity constraint is bounded: Fairlearn's `difference_bound`, or `ratio_bound` with
/// `ratio_bound_slack` (`UtilityParity.__init__`). Fairlearn's default is a difference bound of
/// 0.01.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParityBound {
    /// `|m_eg − m_e| ≤ bound` for every event and group (Fairlearn's `difference_bound`).
    Difference(f64),
    /// `ratio·m_eg − m_e ≤ slack` and `ratio·m_e − m_eg ≤ slack` (Fairlearn's `ratio_bound` in
    /// (0, 1] and `ratio_bound_slack`).
    Ratio {
        /// The ratio bound `r`, in (0, 1].
        ratio: f64,
        /// The additive slack `ε` (Fairlearn's `ratio_bound_slack`, default 0).
        slack: f64,
    },
}

impl Default for ParityBound {
    fn default() -> Self {
        ParityBound::Difference(0.01)
    }
}

impl ParityBound {
    /// The ratio `r` and the bound `ε` of every constraint entry.
    fn ratio_eps(&self) -> Result<(f64, f64), MitigationError> {
        match *self {
            ParityBound::Difference(d) => {
                if !(d.is_finite() && d >= 0.0) {
                    return Err(MitigationError::Parameter(format!(
                        "difference bound {d} must be a finite number >= 0 (0 demands exact \
                         parity; Fairlearn's default is 0.01)"
                    )));
                }
                Ok((1.0, d))
            }
            ParityBound::Ratio { ratio, slack } => {
                if !(ratio > 0.0 && ratio <= 1.0) {
                    return Err(MitigationError::Parameter(format!(
                        "ratio bound {ratio} must be in (0, 1] (1 demands equal rates; 0.8 is \
                         the four-fifths rule)"
                    )));
                }
                if !(slack.is_finite() && slack >= 0.0) {
                    return Err(MitigationError::Parameter(format!(
                        "ratio bound slack {slack} must be a finite number >= 0 (default 0)"
                    )));
                }
                Ok((ratio, slack))
            }
        }
    }
}

/// The loss of a regression under [`Constraint::BoundedGroupLoss`] (Fairlearn's `SquareLoss`,
/// `AbsoluteLoss`, `ZeroOneLoss`): labels and predictions are clipped to `[min_val, max_val]`
/// before the loss is taken.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "loss", rename_all = "snake_case")]
pub enum RegressionLoss {
    /// `(clip(y) − clip(ŷ))²`.
    Square {
        /// Lower clipping value.
        min_val: f64,
        /// Upper clipping value.
        max_val: f64,
    },
    /// `|clip(y) − clip(ŷ)|`.
    Absolute {
        /// Lower clipping value.
        min_val: f64,
        /// Upper clipping value.
        max_val: f64,
    },
    /// `|clip(y) − clip(ŷ)|` with clipping to [0, 1] (Fairlearn's `ZeroOneLoss`).
    ZeroOne,
}

impl RegressionLoss {
    fn range(&self) -> (f64, f64) {
        match *self {
            RegressionLoss::Square { min_val, max_val }
            | RegressionLoss::Absolute { min_val, max_val } => (min_val, max_val),
            RegressionLoss::ZeroOne => (0.0, 1.0),
        }
    }

    /// The loss of predicting `pred` for label `y`.
    pub fn eval(&self, y: f64, pred: f64) -> f64 {
        let (lo, hi) = self.range();
        let d = y.clamp(lo, hi) - pred.clamp(lo, hi);
        match self {
            RegressionLoss::Square { .. } => d * d,
            _ => d.abs(),
        }
    }

    fn validate(&self) -> Result<(), MitigationError> {
        let (lo, hi) = self.range();
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(MitigationError::Parameter(format!(
                "loss clipping range [{lo}, {hi}] must be finite with min_val < max_val (use \
                 the range of the labels)"
            )));
        }
        Ok(())
    }
}

/// A fairness constraint of the reductions (Fairlearn's moments).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "constraint", rename_all = "snake_case")]
pub enum Constraint {
    /// `P[h(X) = 1 | A = a] = P[h(X) = 1]` for every group `a` (Fairlearn's
    /// `DemographicParity`; Agarwal et al. 2018, Example 3). One event, `all`.
    DemographicParity {
        /// Difference or ratio bound.
        bound: ParityBound,
    },
    /// `P[h(X) = 1 | A = a, Y = y] = P[h(X) = 1 | Y = y]` for every group and label (Fairlearn's
    /// `EqualizedOdds`; Agarwal et al. 2018, Example 4). Events `label=0`, `label=1`; every
    /// group needs rows of both labels.
    EqualizedOdds {
        /// Difference or ratio bound.
        bound: ParityBound,
    },
    /// `P[h(X) = 1 | A = a, Y = 1] = P[h(X) = 1 | Y = 1]` ("equal opportunity"; Fairlearn's
    /// `TruePositiveRateParity`). One event, `label=1`; rows with `Y = 0` carry no constraint
    /// weight. Every group needs positive rows.
    TruePositiveRateParity {
        /// Difference or ratio bound.
        bound: ParityBound,
    },
    /// `P[h(X) = 1 | A = a, Y = 0] = P[h(X) = 1 | Y = 0]` (Fairlearn's
    /// `FalsePositiveRateParity`). One event, `label=0`. Every group needs negative rows.
    FalsePositiveRateParity {
        /// Difference or ratio bound.
        bound: ParityBound,
    },
    /// `P[h(X) ≠ Y | A = a] = P[h(X) ≠ Y]` (Fairlearn's `ErrorRateParity`): the utility is the
    /// error indicator `|h(x) − y|`. One event, `all`.
    ErrorRateParity {
        /// Difference or ratio bound.
        bound: ParityBound,
    },
    /// `E[loss(Y, h(X)) | A = a] ≤ upper_bound` for every group (Fairlearn's
    /// `BoundedGroupLoss`; Agarwal, Dudík & Wu 2019, section 2). A regression constraint: the
    /// objective is the mean loss (Fairlearn's `MeanLoss`) and labels may be any finite numbers.
    BoundedGroupLoss {
        /// The loss.
        loss: RegressionLoss,
        /// The bound `ζ` on every group's mean loss.
        upper_bound: f64,
    },
}

impl Constraint {
    /// Demographic parity with Fairlearn's default difference bound 0.01.
    pub fn demographic_parity() -> Constraint {
        Constraint::DemographicParity {
            bound: ParityBound::default(),
        }
    }

    /// Equalized odds with Fairlearn's default difference bound 0.01.
    pub fn equalized_odds() -> Constraint {
        Constraint::EqualizedOdds {
            bound: ParityBound::default(),
        }
    }

    /// Whether this is a classification constraint (labels 0/1, hard predictions).
    pub fn is_classification(&self) -> bool {
        !matches!(self, Constraint::BoundedGroupLoss { .. })
    }

    /// Fairlearn's class name of the constraint.
    pub fn name(&self) -> &'static str {
        match self {
            Constraint::DemographicParity { .. } => "DemographicParity",
            Constraint::EqualizedOdds { .. } => "EqualizedOdds",
            Constraint::TruePositiveRateParity { .. } => "TruePositiveRateParity",
            Constraint::FalsePositiveRateParity { .. } => "FalsePositiveRateParity",
            Constraint::ErrorRateParity { .. } => "ErrorRateParity",
            Constraint::BoundedGroupLoss { .. } => "BoundedGroupLoss",
        }
    }
}

/// The objective of a classification reduction: the (cost-weighted) error rate
/// `c_FP·P[h(X) = 1, Y = 0] + c_FN·P[h(X) = 0, Y = 1]` (Fairlearn's `ErrorRate(costs=...)`).
/// Regression constraints use the mean loss instead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorRate {
    /// Cost of a false positive (default 1).
    pub fp_cost: f64,
    /// Cost of a false negative (default 1).
    pub fn_cost: f64,
}

impl Default for ErrorRate {
    fn default() -> Self {
        ErrorRate {
            fp_cost: 1.0,
            fn_cost: 1.0,
        }
    }
}

/// One entry of a constraint vector: Fairlearn's index `(sign, event, group_id)` for parity
/// constraints, the group alone for bounded group loss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintLabel {
    /// `'+'` or `'-'` for parity constraints; `None` for bounded group loss.
    pub sign: Option<char>,
    /// The event (`all`, `label=0`, `label=1`); `None` for bounded group loss.
    pub event: Option<String>,
    /// The group's name.
    pub group: String,
}

impl fmt::Display for ConstraintLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.sign, &self.event) {
            (Some(s), Some(e)) => write!(f, "({s}, {e}, {})", self.group),
            _ => write!(f, "{}", self.group),
        }
    }
}

/// Utility of a row for the parity constraints.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Utility {
    /// `h(x)`.
    Prediction,
    /// `|h(x) − y|` for 0/1 labels: `(1 − 2y)·h + y`.
    Error,
}

/// A parity constraint with its data loaded (Fairlearn's `UtilityParity` after `load_data`).
#[derive(Debug, Clone)]
struct Parity {
    ratio: f64,
    utility: Utility,
    /// Event names, sorted.
    events: Vec<String>,
    /// Event of every row (`None`: the row is in no event).
    row_event: Vec<Option<usize>>,
    /// `P(e)`: weight of the event over the total weight.
    p_event: Vec<f64>,
    /// Constraint pairs `(event, group)` with positive weight, sorted.
    pairs: Vec<(usize, usize)>,
    /// `P(e, g)` of every pair.
    p_pair: Vec<f64>,
    /// Pair index of every row with an event.
    row_pair: Vec<Option<usize>>,
}

/// Bounded group loss with its data loaded (Fairlearn's `ConditionalLossMoment`).
#[derive(Debug, Clone)]
struct GroupLoss {
    loss: RegressionLoss,
    /// Groups with positive weight, in code order (the constraint entries).
    groups: Vec<usize>,
    /// Entry of every row's group.
    row_entry: Vec<usize>,
    /// `P(g)` of every entry.
    p_group: Vec<f64>,
}

#[derive(Debug, Clone)]
enum Kind {
    Parity(Parity),
    GroupLoss(GroupLoss),
}

/// Fairlearn's lower-dimensional description of the multipliers (`pos_basis`, `neg_basis`,
/// `neg_basis_present`, and whether `default_objective_lambda_vec` is set): column `c` of the
/// grid maps coefficient `v` to `max(v, 0)·pos[c] + max(−v, 0)·neg[c]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Basis {
    pub pos: Vec<Vec<f64>>,
    pub neg: Vec<Vec<f64>>,
    pub neg_allowed: Vec<bool>,
    pub objective_in_span: bool,
}

/// A constraint and its objective loaded with training labels, groups and weights: what the
/// reductions evaluate (`gamma`), bound (`bound`) and reweight with (`signed_weights`).
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub y: Vec<f64>,
    pub w: Vec<f64>,
    pub total_w: f64,
    pub labels: Vec<ConstraintLabel>,
    pub bound: Vec<f64>,
    pub objective: ErrorRate,
    kind: Kind,
    /// Event indices in order of first appearance (Fairlearn's `unique()`), for the grid basis.
    events_seen: Vec<usize>,
    /// Group codes in order of first appearance, for the grid basis.
    groups_seen: Vec<usize>,
}

fn check_inputs(
    y: &[f64],
    groups: &Groups,
    sample_weight: Option<&[f64]>,
) -> Result<Vec<f64>, MitigationError> {
    let n = y.len();
    if n == 0 {
        return Err(MitigationError::Empty);
    }
    check_len("groups", n, groups.len())?;
    let k = groups.n_groups();
    if let Some(row) = groups.codes.iter().position(|&c| c as usize >= k) {
        return Err(MitigationError::Data(format!(
            "row {row}: group code {} has no name ({k} groups)",
            groups.codes[row]
        )));
    }
    if let Some(row) = y.iter().position(|v| !v.is_finite()) {
        return Err(MitigationError::Data(format!(
            "row {row}: label {} is not a finite number; remove or fill missing labels",
            y[row]
        )));
    }
    let w = match sample_weight {
        None => vec![1.0; n],
        Some(w) => {
            check_len("sample weights", n, w.len())?;
            if let Some(row) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
                return Err(MitigationError::Data(format!(
                    "row {row}: sample weight {} must be a finite number >= 0",
                    w[row]
                )));
            }
            if w.iter().sum::<f64>() <= 0.0 {
                return Err(MitigationError::Data(
                    "all sample weights are 0; give some rows a positive weight".into(),
                ));
            }
            w.to_vec()
        }
    };
    Ok(w)
}

fn first_appearance(values: impl Iterator<Item = Option<usize>>, len: usize) -> Vec<usize> {
    let mut seen = vec![false; len];
    let mut order = Vec::new();
    for v in values.flatten() {
        if !seen[v] {
            seen[v] = true;
            order.push(v);
        }
    }
    order
}

impl Loaded {
    /// Loads `constraint` (and the objective `objective`, ignored for regression) with the
    /// training labels, groups and optional sample weights, validating them.
    pub fn new(
        constraint: &Constraint,
        objective: ErrorRate,
        y: &[f64],
        groups: &Groups,
        sample_weight: Option<&[f64]>,
    ) -> Result<Loaded, MitigationError> {
        let w = check_inputs(y, groups, sample_weight)?;
        let n = y.len();
        let total_w: f64 = w.iter().sum();
        let n_groups = groups.n_groups();
        let codes: Vec<usize> = groups.codes.iter().map(|&c| c as usize).collect();
        let groups_seen = first_appearance(
            codes
                .iter()
                .zip(&w)
                .map(|(&g, &wi)| (wi > 0.0).then_some(g)),
            n_groups,
        );
        if constraint.is_classification() {
            if !(objective.fp_cost.is_finite()
                && objective.fn_cost.is_finite()
                && objective.fp_cost >= 0.0
                && objective.fn_cost >= 0.0
                && objective.fp_cost + objective.fn_cost > 0.0)
            {
                return Err(MitigationError::Parameter(format!(
                    "error-rate costs fp {} and fn {} must be finite, >= 0 and not both 0 \
                     (default 1 and 1)",
                    objective.fp_cost, objective.fn_cost
                )));
            }
            if let Some(row) = y.iter().position(|&v| v != 0.0 && v != 1.0) {
                return Err(MitigationError::Data(format!(
                    "row {row}: label {} is not 0 or 1; {} needs binary 0/1 labels",
                    y[row],
                    constraint.name()
                )));
            }
        }
        let (kind, bound, labels, events_seen) = match *constraint {
            Constraint::BoundedGroupLoss { loss, upper_bound } => {
                loss.validate()?;
                if !(upper_bound.is_finite() && upper_bound >= 0.0) {
                    return Err(MitigationError::Parameter(format!(
                        "bounded group loss upper bound {upper_bound} must be a finite number \
                         >= 0 (losses are >= 0)"
                    )));
                }
                let mut weight = vec![0.0; n_groups];
                for (&g, &wi) in codes.iter().zip(&w) {
                    weight[g] += wi;
                }
                let present: Vec<usize> = (0..n_groups).filter(|&g| weight[g] > 0.0).collect();
                let mut entry_of = vec![usize::MAX; n_groups];
                for (e, &g) in present.iter().enumerate() {
                    entry_of[g] = e;
                }
                let row_entry = codes.iter().map(|&g| entry_of[g]).collect();
                let p_group = present.iter().map(|&g| weight[g] / total_w).collect();
                let labels = present
                    .iter()
                    .map(|&g| ConstraintLabel {
                        sign: None,
                        event: None,
                        group: groups.names[g].clone(),
                    })
                    .collect();
                let bound = vec![upper_bound; present.len()];
                (
                    Kind::GroupLoss(GroupLoss {
                        loss,
                        groups: present,
                        row_entry,
                        p_group,
                    }),
                    bound,
                    labels,
                    Vec::new(),
                )
            }
            Constraint::DemographicParity { bound }
            | Constraint::EqualizedOdds { bound }
            | Constraint::TruePositiveRateParity { bound }
            | Constraint::FalsePositiveRateParity { bound }
            | Constraint::ErrorRateParity { bound } => {
                let (ratio, eps) = bound.ratio_eps()?;
                let (events, row_event, utility): (Vec<String>, Vec<Option<usize>>, Utility) =
                    match constraint {
                        Constraint::DemographicParity { .. } => {
                            (vec!["all".into()], vec![Some(0); n], Utility::Prediction)
                        }
                        Constraint::ErrorRateParity { .. } => {
                            (vec!["all".into()], vec![Some(0); n], Utility::Error)
                        }
                        Constraint::EqualizedOdds { .. } => (
                            vec!["label=0".into(), "label=1".into()],
                            y.iter().map(|&v| Some(v as usize)).collect(),
                            Utility::Prediction,
                        ),
                        Constraint::TruePositiveRateParity { .. } => (
                            vec!["label=1".into()],
                            y.iter().map(|&v| (v == 1.0).then_some(0)).collect(),
                            Utility::Prediction,
                        ),
                        _ => (
                            vec!["label=0".into()],
                            y.iter().map(|&v| (v == 0.0).then_some(0)).collect(),
                            Utility::Prediction,
                        ),
                    };
                let n_events = events.len();
                let mut w_event = vec![0.0; n_events];
                let mut w_pair = vec![vec![0.0; n_groups]; n_events];
                let mut w_group = vec![0.0; n_groups];
                for i in 0..n {
                    w_group[codes[i]] += w[i];
                    if let Some(e) = row_event[i] {
                        w_event[e] += w[i];
                        w_pair[e][codes[i]] += w[i];
                    }
                }
                // Conditioning on the label: every group with rows needs rows of every event.
                let conditional = !matches!(
                    constraint,
                    Constraint::DemographicParity { .. } | Constraint::ErrorRateParity { .. }
                );
                for (e, name) in events.iter().enumerate() {
                    if w_event[e] <= 0.0 {
                        return Err(MitigationError::Data(format!(
                            "{} conditions on {name} but no row (with positive weight) has it",
                            constraint.name()
                        )));
                    }
                    if conditional {
                        for g in 0..n_groups {
                            if w_group[g] > 0.0 && w_pair[e][g] <= 0.0 {
                                return Err(MitigationError::Data(format!(
                                    "group '{}' has no rows with {name} (with positive weight), \
                                     so {} cannot compare its rate; merge the group with \
                                     another or use DemographicParity",
                                    groups.names[g],
                                    constraint.name()
                                )));
                            }
                        }
                    }
                }
                let mut pairs = Vec::new();
                let mut pair_of = vec![vec![None; n_groups]; n_events];
                for e in 0..n_events {
                    for g in 0..n_groups {
                        if w_pair[e][g] > 0.0 {
                            pair_of[e][g] = Some(pairs.len());
                            pairs.push((e, g));
                        }
                    }
                }
                let p_event = w_event.iter().map(|v| v / total_w).collect();
                let p_pair = pairs.iter().map(|&(e, g)| w_pair[e][g] / total_w).collect();
                let row_pair = (0..n)
                    .map(|i| row_event[i].and_then(|e| pair_of[e][codes[i]]))
                    .collect();
                let mut labels = Vec::with_capacity(2 * pairs.len());
                for sign in ['+', '-'] {
                    for &(e, g) in &pairs {
                        labels.push(ConstraintLabel {
                            sign: Some(sign),
                            event: Some(events[e].clone()),
                            group: groups.names[g].clone(),
                        });
                    }
                }
                let events_seen = first_appearance(
                    row_event
                        .iter()
                        .zip(&w)
                        .map(|(&e, &wi)| if wi > 0.0 { e } else { None }),
                    n_events,
                );
                let bound = vec![eps; 2 * pairs.len()];
                (
                    Kind::Parity(Parity {
                        ratio,
                        utility,
                        events,
                        row_event,
                        p_event,
                        pairs,
                        p_pair,
                        row_pair,
                    }),
                    bound,
                    labels,
                    events_seen,
                )
            }
        };
        Ok(Loaded {
            y: y.to_vec(),
            w,
            total_w,
            labels,
            bound,
            objective,
            kind,
            events_seen,
            groups_seen,
        })
    }

    /// Number of constraint entries.
    pub fn n_constraints(&self) -> usize {
        self.bound.len()
    }

    /// Whether this is a classification problem.
    pub fn is_classification(&self) -> bool {
        matches!(self.kind, Kind::Parity(_))
    }

    /// The constraint vector `γ(h)` of predictions `pred` on the training rows.
    pub fn gamma(&self, pred: &[f64]) -> Vec<f64> {
        match &self.kind {
            Kind::Parity(p) => {
                let mut s_event = vec![0.0; p.events.len()];
                let mut s_pair = vec![0.0; p.pairs.len()];
                for (i, &pi) in pred.iter().enumerate() {
                    let (Some(e), Some(k)) = (p.row_event[i], p.row_pair[i]) else {
                        continue;
                    };
                    let u = match p.utility {
                        Utility::Prediction => pi,
                        Utility::Error => (1.0 - 2.0 * self.y[i]) * pi + self.y[i],
                    };
                    let v = self.w[i] * u;
                    s_event[e] += v;
                    s_pair[k] += v;
                }
                let m = p.pairs.len();
                let mut g = vec![0.0; 2 * m];
                for (k, &(e, _)) in p.pairs.iter().enumerate() {
                    let m_e = s_event[e] / (self.total_w * p.p_event[e]);
                    let m_eg = s_pair[k] / (self.total_w * p.p_pair[k]);
                    g[k] = p.ratio * m_eg - m_e;
                    g[m + k] = p.ratio * m_e - m_eg;
                }
                g
            }
            Kind::GroupLoss(l) => {
                let mut s = vec![0.0; l.groups.len()];
                for (i, &pi) in pred.iter().enumerate() {
                    if self.w[i] > 0.0 {
                        s[l.row_entry[i]] += self.w[i] * l.loss.eval(self.y[i], pi);
                    }
                }
                s.iter()
                    .zip(&l.p_group)
                    .map(|(v, p)| v / (self.total_w * p))
                    .collect()
            }
        }
    }

    /// The objective of predictions `pred`: the cost-weighted error rate, or the mean loss.
    pub fn objective_value(&self, pred: &[f64]) -> f64 {
        match &self.kind {
            Kind::Parity(_) => {
                let (mut fn_sum, mut fp_sum) = (0.0, 0.0);
                for ((&yi, &pi), &wi) in self.y.iter().zip(pred).zip(&self.w) {
                    let d = yi - pi;
                    if d > 0.0 {
                        fn_sum += wi * d * self.objective.fn_cost;
                    } else if d < 0.0 {
                        fp_sum -= wi * d * self.objective.fp_cost;
                    }
                }
                (fn_sum + fp_sum) / self.total_w
            }
            Kind::GroupLoss(l) => {
                let s: f64 = (0..self.y.len())
                    .filter(|&i| self.w[i] > 0.0)
                    .map(|i| self.w[i] * l.loss.eval(self.y[i], pred[i]))
                    .sum();
                s / self.total_w
            }
        }
    }

    /// The objective's signed weights (Fairlearn's `ErrorRate.signed_weights()`:
    /// `−c_FP + (c_FP + c_FN)·y`; `MeanLoss.signed_weights()`: 1), times the sample weights.
    pub fn objective_signed_weights(&self) -> Vec<f64> {
        match &self.kind {
            Kind::Parity(_) => {
                let ErrorRate { fp_cost, fn_cost } = self.objective;
                self.y
                    .iter()
                    .zip(&self.w)
                    .map(|(&y, &w)| w * (-fp_cost + (fp_cost + fn_cost) * y))
                    .collect()
            }
            Kind::GroupLoss(_) => self.w.clone(),
        }
    }

    /// The constraints' signed weights for multipliers `lambda` (Fairlearn's
    /// `UtilityParity.signed_weights`: `(utility(1) − utility(0))·U·λ`;
    /// `ConditionalLossMoment.signed_weights`: `λ_g / P(g)`), times the sample weights.
    pub fn signed_weights(&self, lambda: &[f64]) -> Vec<f64> {
        match &self.kind {
            Kind::Parity(p) => {
                let m = p.pairs.len();
                let r = p.ratio;
                let mut per_event = vec![0.0; p.events.len()];
                for (k, &(e, _)) in p.pairs.iter().enumerate() {
                    per_event[e] += lambda[k] - r * lambda[m + k];
                }
                for (v, pe) in per_event.iter_mut().zip(&p.p_event) {
                    *v /= pe;
                }
                let per_pair: Vec<f64> = (0..m)
                    .map(|k| (lambda[m + k] - r * lambda[k]) / p.p_pair[k])
                    .collect();
                (0..self.y.len())
                    .map(|i| match (p.row_event[i], p.row_pair[i]) {
                        (Some(e), Some(k)) => {
                            let diff = match p.utility {
                                Utility::Prediction => 1.0,
                                Utility::Error => 1.0 - 2.0 * self.y[i],
                            };
                            self.w[i] * diff * (per_event[e] + per_pair[k])
                        }
                        _ => 0.0,
                    })
                    .collect()
            }
            Kind::GroupLoss(l) => (0..self.y.len())
                .map(|i| {
                    if self.w[i] > 0.0 {
                        let e = l.row_entry[i];
                        self.w[i] * lambda[e] / l.p_group[e]
                    } else {
                        0.0
                    }
                })
                .collect(),
        }
    }

    /// Fairlearn's `project_lambda`: for difference-bounded parity, the multipliers with the
    /// smallest L1 norm giving the same Lagrangian for every classifier (within every event,
    /// `Σ_g P(g|e)·γ(+,e,g) = 0`, so shifting `λ₊ − λ₋` by a multiple of `P(g|e)` changes
    /// nothing; the weighted median shift minimises the norm). Otherwise `lambda` itself.
    pub fn project_lambda(&self, lambda: &[f64]) -> Vec<f64> {
        let Kind::Parity(p) = &self.kind else {
            return lambda.to_vec();
        };
        if p.ratio != 1.0 {
            return lambda.to_vec();
        }
        let m = p.pairs.len();
        let mut signed: Vec<f64> = (0..m).map(|k| lambda[k] - lambda[m + k]).collect();
        for e in 0..p.events.len() {
            let ks: Vec<usize> = (0..m).filter(|&k| p.pairs[k].0 == e).collect();
            if ks.is_empty() {
                continue;
            }
            let prob: Vec<f64> = ks.iter().map(|&k| p.p_pair[k] / p.p_event[e]).collect();
            let norm: Vec<f64> = ks.iter().zip(&prob).map(|(&k, &q)| signed[k] / q).collect();
            let mut order: Vec<usize> = (0..ks.len()).collect();
            order.sort_by(|&a, &b| norm[a].total_cmp(&norm[b]));
            let half = prob.iter().sum::<f64>() / 2.0;
            let mut cum = 0.0;
            let mut pos = order.len() - 1;
            for (j, &o) in order.iter().enumerate() {
                cum += prob[o];
                if cum >= half {
                    pos = j;
                    break;
                }
            }
            let shift = norm[order[pos]];
            for (j, &k) in ks.iter().enumerate() {
                signed[k] -= prob[j] * shift;
            }
        }
        let mut out = vec![0.0; 2 * m];
        for k in 0..m {
            out[k] = signed[k].max(0.0);
            out[m + k] = (-signed[k]).max(0.0);
        }
        out
    }

    /// Fairlearn's lower-dimensional basis of the multipliers for GridSearch: columns
    /// `(positive part, negative part)`, whether a column may be negative, and whether the
    /// objective lies in the span of the constraints (bounded group loss).
    pub fn basis(&self) -> Basis {
        let k = self.n_constraints();
        match &self.kind {
            Kind::Parity(p) => {
                let m = p.pairs.len();
                let (mut pos, mut neg, mut allowed) = (Vec::new(), Vec::new(), Vec::new());
                let last = self.groups_seen.len().saturating_sub(1);
                for &e in &self.events_seen {
                    for &g in &self.groups_seen[..last] {
                        let mut pc = vec![0.0; k];
                        let mut nc = vec![0.0; k];
                        if let Some(j) = p.pairs.iter().position(|&pair| pair == (e, g)) {
                            pc[j] = 1.0;
                            nc[m + j] = 1.0;
                        }
                        pos.push(pc);
                        neg.push(nc);
                        allowed.push(true);
                    }
                }
                Basis {
                    pos,
                    neg,
                    neg_allowed: allowed,
                    objective_in_span: false,
                }
            }
            Kind::GroupLoss(l) => {
                let (mut pos, mut neg, mut allowed) = (Vec::new(), Vec::new(), Vec::new());
                for &g in &self.groups_seen {
                    let mut pc = vec![0.0; k];
                    if let Some(j) = l.groups.iter().position(|&x| x == g) {
                        pc[j] = 1.0;
                    }
                    pos.push(pc);
                    neg.push(vec![0.0; k]);
                    allowed.push(false);
                }
                Basis {
                    pos,
                    neg,
                    neg_allowed: allowed,
                    objective_in_span: true,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(codes: &[u32]) -> Groups {
        Groups::new(codes.to_vec(), vec!["a".into(), "b".into()]).unwrap()
    }

    #[test]
    fn demographic_parity_gamma_is_rate_difference() {
        let g = groups(&[0, 0, 1, 1, 1, 0]);
        let y = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
        let m = Loaded::new(
            &Constraint::demographic_parity(),
            ErrorRate::default(),
            &y,
            &g,
            None,
        )
        .unwrap();
        // group a: rows 0,1,5 predicted 1,1,0 -> 2/3; b: 0,0,1 -> 1/3; overall 1/2
        let pred = [1.0, 1.0, 0.0, 0.0, 1.0, 0.0];
        let gm = m.gamma(&pred);
        let want = [
            2.0 / 3.0 - 0.5,
            1.0 / 3.0 - 0.5,
            0.5 - 2.0 / 3.0,
            0.5 - 1.0 / 3.0,
        ];
        for (a, b) in gm.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{gm:?}");
        }
        assert_eq!(m.labels[1].to_string(), "(+, all, b)");
        // the signed weights are minus n times the coefficient of h_i in λ·γ
        let lambda = [0.3, 0.0, 0.1, 0.7];
        let sw = m.signed_weights(&lambda);
        for i in 0..6 {
            let mut e = pred;
            e[i] = 1.0 - e[i];
            let delta: f64 = m
                .gamma(&e)
                .iter()
                .zip(m.gamma(&pred))
                .zip(&lambda)
                .map(|((a, b), l)| l * (a - b))
                .sum();
            let coef = delta / (e[i] - pred[i]);
            assert!(
                (sw[i] + 6.0 * coef).abs() < 1e-12,
                "row {i}: {} {}",
                sw[i],
                coef
            );
        }
    }

    #[test]
    fn true_positive_rate_parity_needs_positives_in_every_group() {
        let g = groups(&[0, 0, 1, 1]);
        let err = Loaded::new(
            &Constraint::TruePositiveRateParity {
                bound: ParityBound::default(),
            },
            ErrorRate::default(),
            &[0.0, 1.0, 0.0, 0.0],
            &g,
            None,
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("group 'b'") && msg.contains("label=1"),
            "{msg}"
        );
    }

    #[test]
    fn labels_must_be_binary_and_bounds_valid() {
        let g = groups(&[0, 1]);
        let dp = Constraint::demographic_parity();
        assert!(Loaded::new(&dp, ErrorRate::default(), &[0.0, 2.0], &g, None).is_err());
        let bad = Constraint::DemographicParity {
            bound: ParityBound::Ratio {
                ratio: 1.5,
                slack: 0.0,
            },
        };
        assert!(matches!(
            Loaded::new(&bad, ErrorRate::default(), &[0.0, 1.0], &g, None),
            Err(MitigationError::Parameter(_))
        ));
    }

    #[test]
    fn projection_keeps_the_lagrangian() {
        let g = Groups::new(
            vec![0, 1, 2, 0, 1, 2, 0, 0],
            vec!["a".into(), "b".into(), "c".into()],
        )
        .unwrap();
        let y = [0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0];
        let m = Loaded::new(
            &Constraint::equalized_odds(),
            ErrorRate::default(),
            &y,
            &g,
            None,
        )
        .unwrap();
        let k = m.n_constraints();
        let lambda: Vec<f64> = (0..k).map(|j| 0.1 * (j as f64 + 1.0)).collect();
        let proj = m.project_lambda(&lambda);
        let pred = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0];
        let gm = m.gamma(&pred);
        let dot = |l: &[f64]| l.iter().zip(&gm).map(|(a, b)| a * b).sum::<f64>();
        assert!((dot(&lambda) - dot(&proj)).abs() < 1e-12);
        assert!(proj.iter().sum::<f64>() <= lambda.iter().sum::<f64>() + 1e-12);
    }
}
