//! Reject-option classification (Kamiran, Karim & Zhang 2012, "Decision Theory for
//! Discrimination-Aware Classification", ICDM), as AIF360 0.6's
//! `RejectOptionClassification`.
//!
//! A row is predicted favourable (1) when its score exceeds the classification threshold θ.
//! In the critical region around θ, `θ − margin < score ≤ θ + margin` (AIF360's half-open
//! interval), the decision is overridden: rows of the unprivileged groups get the favourable
//! outcome and rows of the privileged groups the unfavourable one. Rows of groups in neither
//! list keep the plain threshold.
//!
//! [`RejectOptionClassifier::fit`] runs AIF360's search: θ over
//! `np.linspace(low_class_thresh, high_class_thresh, num_class_thresh)`, and for each θ the
//! margin over `np.linspace(0, min(θ, 1 − θ), num_roc_margin)` (θ when θ ≤ 0.5, else 1 − θ);
//! of the settings whose fairness metric lies in `[metric_lb, metric_ub]` it keeps the first
//! with the highest balanced accuracy `(TPR + TNR) / 2` on all rows. The metrics, with sample
//! weights as AIF360's instance weights (unprivileged minus privileged):
//!
//! * statistical parity difference: `P(ŷ = 1 | unpriv) − P(ŷ = 1 | priv)`;
//! * average odds difference: `((FPR_u − FPR_p) + (TPR_u − TPR_p)) / 2`;
//! * equal opportunity difference: `TPR_u − TPR_p`.
//!
//! Where AIF360 warns and falls back to the setting with the *smallest* (most negative) metric
//! when no setting meets the bounds, assay returns [`MitigationError::Infeasible`] naming the
//! setting closest to the bounds.

use serde::{Deserialize, Serialize};

use super::common::{check_fit_inputs, check_scores, quote_list};
use crate::error::{check_len, MitigationError};
use crate::groups::Groups;

/// The fairness metric the search constrains (AIF360's `metric_name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FairnessMetric {
    /// "Statistical parity difference": `P(ŷ=1 | unpriv) − P(ŷ=1 | priv)`.
    StatisticalParityDifference,
    /// "Average odds difference": `((FPR_u − FPR_p) + (TPR_u − TPR_p)) / 2`.
    AverageOddsDifference,
    /// "Equal opportunity difference": `TPR_u − TPR_p`.
    EqualOpportunityDifference,
}

/// Settings of the reject-option search, with AIF360's defaults (thresholds 0.01..0.99 in 100
/// steps, 50 margins, statistical parity difference within ±0.05). `privileged` and
/// `unprivileged` are group names; they must be non-empty and disjoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectOptionClassifier {
    /// Groups that get the unfavourable outcome in the critical region.
    pub privileged: Vec<String>,
    /// Groups that get the favourable outcome in the critical region.
    pub unprivileged: Vec<String>,
    /// Smallest classification threshold tried.
    pub low_class_thresh: f64,
    /// Largest classification threshold tried.
    pub high_class_thresh: f64,
    /// Number of thresholds tried.
    pub num_class_thresh: usize,
    /// Number of margins tried per threshold.
    pub num_roc_margin: usize,
    /// The constrained fairness metric.
    pub metric: FairnessMetric,
    /// Lower bound on the metric.
    pub metric_lb: f64,
    /// Upper bound on the metric.
    pub metric_ub: f64,
}

impl Default for RejectOptionClassifier {
    fn default() -> Self {
        RejectOptionClassifier {
            privileged: Vec::new(),
            unprivileged: Vec::new(),
            low_class_thresh: 0.01,
            high_class_thresh: 0.99,
            num_class_thresh: 100,
            num_roc_margin: 50,
            metric: FairnessMetric::StatisticalParityDifference,
            metric_lb: -0.05,
            metric_ub: 0.05,
        }
    }
}

/// A fitted reject-option classifier: threshold, margin and the groups it favours /
/// disfavours in the critical region. Saved inside mitigated model files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectOption {
    /// The classification threshold θ.
    pub classification_threshold: f64,
    /// The half-width of the critical region.
    pub roc_margin: f64,
    /// Groups that get the unfavourable outcome in the critical region.
    pub privileged: Vec<String>,
    /// Groups that get the favourable outcome in the critical region.
    pub unprivileged: Vec<String>,
    /// The metric the setting was chosen under.
    pub metric: FairnessMetric,
    /// The metric's value on the training data.
    pub metric_value: f64,
    /// Balanced accuracy `(TPR + TNR) / 2` on the training data.
    pub balanced_accuracy: f64,
}

/// What the critical region does to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Privileged,
    Unprivileged,
    Other,
}

/// Reject-option decisions: 1 when `score > θ`, except that in `θ − margin < score ≤ θ +
/// margin` privileged rows get 0 and unprivileged rows 1.
fn decide(score: f64, role: Role, theta: f64, margin: f64) -> f64 {
    let critical = score <= theta + margin && score > theta - margin;
    match (critical, role) {
        (true, Role::Privileged) => 0.0,
        (true, Role::Unprivileged) => 1.0,
        _ => f64::from(u8::from(score > theta)),
    }
}

/// `np.linspace(start, stop, num)`: `start + k·step`, the last point exactly `stop`.
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    if num == 1 {
        return vec![start];
    }
    let step = (stop - start) / (num - 1) as f64;
    let mut v: Vec<f64> = (0..num).map(|k| k as f64 * step + start).collect();
    v[num - 1] = stop;
    v
}

/// Role of every row from group names; errors name unknown or overlapping groups.
fn roles(
    groups: &Groups,
    privileged: &[String],
    unprivileged: &[String],
) -> Result<Vec<Role>, MitigationError> {
    if privileged.is_empty() || unprivileged.is_empty() {
        return Err(MitigationError::Parameter(
            "reject-option classification needs at least one privileged and one unprivileged \
             group"
                .into(),
        ));
    }
    if let Some(both) = privileged.iter().find(|p| unprivileged.contains(p)) {
        return Err(MitigationError::Parameter(format!(
            "group '{both}' is listed as both privileged and unprivileged"
        )));
    }
    let per_group: Vec<Role> = groups
        .names
        .iter()
        .map(|n| {
            if privileged.contains(n) {
                Role::Privileged
            } else if unprivileged.contains(n) {
                Role::Unprivileged
            } else {
                Role::Other
            }
        })
        .collect();
    let unknown: Vec<&str> = privileged
        .iter()
        .chain(unprivileged)
        .filter(|n| !groups.names.contains(n))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(MitigationError::Data(format!(
            "group(s) {} are not in the data (groups: {})",
            quote_list(&unknown),
            quote_list(&groups.names.iter().map(String::as_str).collect::<Vec<_>>())
        )));
    }
    groups
        .codes
        .iter()
        .enumerate()
        .map(|(row, &c)| {
            per_group.get(c as usize).copied().ok_or_else(|| {
                MitigationError::Data(format!("row {row}: group code {c} has no name"))
            })
        })
        .collect()
}

/// Weighted confusion counts of one set of rows.
#[derive(Debug, Clone, Copy, Default)]
struct Cells {
    tp: f64,
    fp: f64,
    tn: f64,
    fn_: f64,
}

impl Cells {
    fn add(&mut self, y: f64, pred: f64, w: f64) {
        match (y == 1.0, pred == 1.0) {
            (true, true) => self.tp += w,
            (false, true) => self.fp += w,
            (false, false) => self.tn += w,
            (true, false) => self.fn_ += w,
        }
    }
    fn tpr(&self) -> f64 {
        self.tp / (self.tp + self.fn_)
    }
    fn fpr(&self) -> f64 {
        self.fp / (self.fp + self.tn)
    }
    fn tnr(&self) -> f64 {
        self.tn / (self.tn + self.fp)
    }
    fn selection_rate(&self) -> f64 {
        (self.tp + self.fp) / (self.tp + self.fp + self.tn + self.fn_)
    }
}

/// One evaluated (θ, margin) setting.
#[derive(Debug, Clone, Copy)]
struct Setting {
    theta: f64,
    margin: f64,
    balanced_accuracy: f64,
    metric: f64,
}

impl RejectOptionClassifier {
    fn validate(&self) -> Result<(), MitigationError> {
        let ok = |v: f64| v.is_finite() && (0.0..=1.0).contains(&v);
        if !ok(self.low_class_thresh)
            || !ok(self.high_class_thresh)
            || self.low_class_thresh > self.high_class_thresh
        {
            return Err(MitigationError::Parameter(format!(
                "class thresholds must satisfy 0 ≤ low ≤ high ≤ 1, got low {} high {} \
                 (AIF360's defaults: 0.01, 0.99)",
                self.low_class_thresh, self.high_class_thresh
            )));
        }
        if self.num_class_thresh == 0 || self.num_roc_margin == 0 {
            return Err(MitigationError::Parameter(
                "num_class_thresh and num_roc_margin must be at least 1 (AIF360's defaults: \
                 100, 50)"
                    .into(),
            ));
        }
        if self.metric_lb.is_nan() || self.metric_ub.is_nan() || self.metric_lb > self.metric_ub {
            return Err(MitigationError::Parameter(format!(
                "metric bounds must satisfy lb ≤ ub, got [{}, {}]",
                self.metric_lb, self.metric_ub
            )));
        }
        Ok(())
    }

    /// Searches the threshold and margin on `scores` (probabilities of the favourable label
    /// 1), true 0/1 labels `y`, `groups` and optional weights, as AIF360's
    /// `RejectOptionClassification.fit`.
    pub fn fit(
        &self,
        scores: &[f64],
        y: &[f64],
        groups: &Groups,
        sample_weight: Option<&[f64]>,
    ) -> Result<RejectOption, MitigationError> {
        self.validate()?;
        check_fit_inputs(scores, y, groups, sample_weight)?;
        let role = roles(groups, &self.privileged, &self.unprivileged)?;
        let w = |i: usize| sample_weight.map_or(1.0, |w| w[i]);
        self.check_metric_defined(y, &role, &w)?;

        let mut settings = Vec::with_capacity(self.num_class_thresh * self.num_roc_margin);
        for theta in linspace(
            self.low_class_thresh,
            self.high_class_thresh,
            self.num_class_thresh,
        ) {
            let high_margin = if theta <= 0.5 { theta } else { 1.0 - theta };
            for margin in linspace(0.0, high_margin, self.num_roc_margin) {
                let (mut all, mut priv_, mut unpriv) =
                    (Cells::default(), Cells::default(), Cells::default());
                for i in 0..scores.len() {
                    let pred = decide(scores[i], role[i], theta, margin);
                    all.add(y[i], pred, w(i));
                    match role[i] {
                        Role::Privileged => priv_.add(y[i], pred, w(i)),
                        Role::Unprivileged => unpriv.add(y[i], pred, w(i)),
                        Role::Other => {}
                    }
                }
                let metric = match self.metric {
                    FairnessMetric::StatisticalParityDifference => {
                        unpriv.selection_rate() - priv_.selection_rate()
                    }
                    FairnessMetric::AverageOddsDifference => {
                        0.5 * ((unpriv.fpr() - priv_.fpr()) + (unpriv.tpr() - priv_.tpr()))
                    }
                    FairnessMetric::EqualOpportunityDifference => unpriv.tpr() - priv_.tpr(),
                };
                settings.push(Setting {
                    theta,
                    margin,
                    balanced_accuracy: 0.5 * (all.tpr() + all.tnr()),
                    metric,
                });
            }
        }
        let mut best: Option<Setting> = None;
        for s in &settings {
            if s.metric >= self.metric_lb
                && s.metric <= self.metric_ub
                && best.is_none_or(|b| s.balanced_accuracy > b.balanced_accuracy)
            {
                best = Some(*s);
            }
        }
        match best {
            Some(s) => Ok(RejectOption {
                classification_threshold: s.theta,
                roc_margin: s.margin,
                privileged: self.privileged.clone(),
                unprivileged: self.unprivileged.clone(),
                metric: self.metric,
                metric_value: s.metric,
                balanced_accuracy: s.balanced_accuracy,
            }),
            None => {
                let distance = |m: f64| {
                    if m < self.metric_lb {
                        self.metric_lb - m
                    } else {
                        m - self.metric_ub
                    }
                };
                let closest = settings
                    .iter()
                    .filter(|s| s.metric.is_finite())
                    .min_by(|a, b| distance(a.metric).total_cmp(&distance(b.metric)));
                Err(MitigationError::Infeasible(match closest {
                    Some(c) => format!(
                        "no threshold/margin keeps {:?} within [{}, {}]; the closest setting \
                         is threshold {} margin {} with {:?} = {} (widen the bounds to include \
                         it or add thresholds/margins)",
                        self.metric,
                        self.metric_lb,
                        self.metric_ub,
                        c.theta,
                        c.margin,
                        self.metric,
                        c.metric
                    ),
                    None => format!("{:?} is undefined for every setting", self.metric),
                }))
            }
        }
    }

    /// The metric needs both privileged and unprivileged rows, and for the odds metrics the
    /// labels it conditions on; the error names the set that lacks them.
    fn check_metric_defined(
        &self,
        y: &[f64],
        role: &[Role],
        w: &dyn Fn(usize) -> f64,
    ) -> Result<(), MitigationError> {
        for (which, names, r) in [
            ("privileged", &self.privileged, Role::Privileged),
            ("unprivileged", &self.unprivileged, Role::Unprivileged),
        ] {
            let (mut pos, mut neg) = (0.0, 0.0);
            for (i, &ri) in role.iter().enumerate() {
                if ri == r {
                    if y[i] == 1.0 {
                        pos += w(i);
                    } else {
                        neg += w(i);
                    }
                }
            }
            let list = quote_list(&names.iter().map(String::as_str).collect::<Vec<_>>());
            let need_pos = self.metric != FairnessMetric::StatisticalParityDifference;
            let need_neg = self.metric == FairnessMetric::AverageOddsDifference;
            if pos + neg <= 0.0 {
                return Err(MitigationError::Data(format!(
                    "the {which} group(s) {list} have no rows with positive weight"
                )));
            }
            if need_pos && pos <= 0.0 {
                return Err(MitigationError::Data(format!(
                    "the {which} group(s) {list} have no positive labels: {:?} needs their \
                     true-positive rate",
                    self.metric
                )));
            }
            if need_neg && neg <= 0.0 {
                return Err(MitigationError::Data(format!(
                    "the {which} group(s) {list} have no negative labels: {:?} needs their \
                     false-positive rate",
                    self.metric
                )));
            }
        }
        let (mut pos, mut neg) = (0.0, 0.0);
        for (i, &label) in y.iter().enumerate() {
            if label == 1.0 {
                pos += w(i);
            } else {
                neg += w(i);
            }
        }
        if pos <= 0.0 || neg <= 0.0 {
            return Err(MitigationError::Data(
                "the labels are all equal: balanced accuracy needs both labels".into(),
            ));
        }
        Ok(())
    }
}

impl RejectOption {
    /// Decisions for new rows (groups matched by name; groups in neither list keep the plain
    /// threshold `score > θ`).
    pub fn predict(&self, scores: &[f64], groups: &Groups) -> Result<Vec<f64>, MitigationError> {
        check_scores(scores)?;
        check_len("groups", scores.len(), groups.codes.len())?;
        let per_group: Vec<Role> = groups
            .names
            .iter()
            .map(|n| {
                if self.privileged.contains(n) {
                    Role::Privileged
                } else if self.unprivileged.contains(n) {
                    Role::Unprivileged
                } else {
                    Role::Other
                }
            })
            .collect();
        scores
            .iter()
            .zip(&groups.codes)
            .enumerate()
            .map(|(row, (&s, &c))| match per_group.get(c as usize) {
                Some(&r) => Ok(decide(s, r, self.classification_threshold, self.roc_margin)),
                None => Err(MitigationError::Data(format!(
                    "row {row}: group code {c} has no name"
                ))),
            })
            .collect()
    }

    /// The decision for one row of the named group.
    pub fn predict_one(&self, score: f64, group: &str) -> f64 {
        let role = if self.privileged.iter().any(|p| p == group) {
            Role::Privileged
        } else if self.unprivileged.iter().any(|u| u == group) {
            Role::Unprivileged
        } else {
            Role::Other
        };
        decide(score, role, self.classification_threshold, self.roc_margin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fitted(theta: f64, margin: f64) -> RejectOption {
        RejectOption {
            classification_threshold: theta,
            roc_margin: margin,
            privileged: vec!["m".into()],
            unprivileged: vec!["f".into()],
            metric: FairnessMetric::StatisticalParityDifference,
            metric_value: 0.0,
            balanced_accuracy: 0.0,
        }
    }

    #[test]
    fn critical_region_overrides_by_group() {
        let r = fitted(0.5, 0.1);
        // Outside the region: plain threshold for everyone.
        assert_eq!(r.predict_one(0.7, "m"), 1.0);
        assert_eq!(r.predict_one(0.3, "f"), 0.0);
        // Inside (0.4, 0.6]: unprivileged favourable, privileged unfavourable.
        assert_eq!(r.predict_one(0.55, "m"), 0.0);
        assert_eq!(r.predict_one(0.45, "f"), 1.0);
        assert_eq!(r.predict_one(0.6, "m"), 0.0); // upper end included
        assert_eq!(r.predict_one(0.4, "f"), 0.0); // lower end excluded (AIF360)
                                                  // A group in neither list keeps the threshold.
        assert_eq!(r.predict_one(0.55, "x"), 1.0);
        assert_eq!(r.predict_one(0.45, "x"), 0.0);
        // Margin 0: no critical region.
        let r0 = fitted(0.5, 0.0);
        assert_eq!(r0.predict_one(0.5, "f"), 0.0);
        assert_eq!(r0.predict_one(0.51, "m"), 1.0);
    }

    fn toy() -> (Vec<f64>, Vec<f64>, Groups) {
        // Privileged "m" scores high, unprivileged "f" low, same labels.
        let mut s = Vec::new();
        let mut y = Vec::new();
        let mut g = Vec::new();
        for i in 0..40 {
            let base = i as f64 / 40.0;
            let label = f64::from(u8::from(i % 4 != 0 && i > 12));
            s.push((base * 0.8 + 0.2).min(0.99));
            y.push(label);
            g.push("m");
            s.push(base * 0.8);
            y.push(label);
            g.push("f");
        }
        (s, y, Groups::from_labels(&g))
    }

    /// Balanced accuracy and metric of a setting, recomputed from its predictions by hand.
    fn evaluate(
        r: &RejectOption,
        metric: FairnessMetric,
        s: &[f64],
        y: &[f64],
        groups: &Groups,
    ) -> (f64, f64) {
        let pred = r.predict(s, groups).unwrap();
        // Mean prediction over the rows of `name` (all groups when None) with label filter.
        let rate = |name: Option<&str>, label: Option<f64>| {
            let (mut k, mut n) = (0.0, 0.0);
            for i in 0..s.len() {
                let g = groups.names[groups.codes[i] as usize].as_str();
                if name.is_none_or(|nm| nm == g) && label.is_none_or(|l| l == y[i]) {
                    n += 1.0;
                    k += pred[i];
                }
            }
            k / n
        };
        let bal = 0.5 * (rate(None, Some(1.0)) + (1.0 - rate(None, Some(0.0))));
        let spd = rate(Some("f"), None) - rate(Some("m"), None);
        let tprd = rate(Some("f"), Some(1.0)) - rate(Some("m"), Some(1.0));
        let fprd = rate(Some("f"), Some(0.0)) - rate(Some("m"), Some(0.0));
        let value = match metric {
            FairnessMetric::StatisticalParityDifference => spd,
            FairnessMetric::EqualOpportunityDifference => tprd,
            FairnessMetric::AverageOddsDifference => 0.5 * (fprd + tprd),
        };
        (bal, value)
    }

    #[test]
    fn search_picks_the_best_setting_within_bounds() {
        let (s, y, groups) = toy();
        for metric in [
            FairnessMetric::StatisticalParityDifference,
            FairnessMetric::AverageOddsDifference,
            FairnessMetric::EqualOpportunityDifference,
        ] {
            let roc = RejectOptionClassifier {
                privileged: vec!["m".into()],
                unprivileged: vec!["f".into()],
                metric,
                num_class_thresh: 30,
                num_roc_margin: 20,
                ..Default::default()
            };
            let fit = roc.fit(&s, &y, &groups, None).unwrap();
            let (bal, value) = evaluate(&fit, metric, &s, &y, &groups);
            assert!((-0.05..=0.05).contains(&value), "{metric:?} {value}");
            assert!((value - fit.metric_value).abs() < 1e-12);
            assert!((bal - fit.balanced_accuracy).abs() < 1e-12);
            // Unconstrained, the best threshold is unfair: the constraint binds.
            let (_, plain) = evaluate(&fitted(0.5, 0.0), metric, &s, &y, &groups);
            assert!(plain.abs() > 0.05, "{metric:?} {plain}");
            // Brute force over the same grid: nothing feasible is better.
            for t in linspace(0.01, 0.99, 30) {
                let hm = if t <= 0.5 { t } else { 1.0 - t };
                for m in linspace(0.0, hm, 20) {
                    let (b, v) = evaluate(&fitted(t, m), metric, &s, &y, &groups);
                    if (-0.05..=0.05).contains(&v) {
                        assert!(b <= fit.balanced_accuracy + 1e-12, "{metric:?} {t} {m}");
                    }
                }
            }
        }
    }

    #[test]
    fn infeasible_bounds_name_the_closest_setting() {
        let (s, y, groups) = toy();
        let roc = RejectOptionClassifier {
            privileged: vec!["m".into()],
            unprivileged: vec!["f".into()],
            // The largest reachable difference is 0.975 (θ = 0.5, margin 0.5; the "f" row with
            // score 0 stays outside the half-open region).
            metric_lb: 0.99,
            metric_ub: 1.0,
            num_class_thresh: 5,
            num_roc_margin: 3,
            ..Default::default()
        };
        let e = roc.fit(&s, &y, &groups, None).unwrap_err();
        assert!(matches!(e, MitigationError::Infeasible(_)));
        assert!(e.to_string().contains("closest setting"), "{e}");
        assert!(e.to_string().contains("= 0.975"), "{e}");
    }

    #[test]
    fn bad_settings_and_groups_are_errors() {
        let (s, y, groups) = toy();
        let base = RejectOptionClassifier {
            privileged: vec!["m".into()],
            unprivileged: vec!["f".into()],
            ..Default::default()
        };
        let unknown = RejectOptionClassifier {
            unprivileged: vec!["zz".into()],
            ..base.clone()
        };
        let e = unknown.fit(&s, &y, &groups, None).unwrap_err().to_string();
        assert!(e.contains("'zz'"), "{e}");
        let both = RejectOptionClassifier {
            unprivileged: vec!["m".into()],
            ..base.clone()
        };
        assert!(both.fit(&s, &y, &groups, None).is_err());
        let empty = RejectOptionClassifier {
            privileged: vec![],
            ..base.clone()
        };
        assert!(empty.fit(&s, &y, &groups, None).is_err());
        let bounds = RejectOptionClassifier {
            metric_lb: 0.1,
            metric_ub: -0.1,
            ..base.clone()
        };
        assert!(bounds.fit(&s, &y, &groups, None).is_err());
        // Unprivileged group without positives under equal opportunity.
        let mut y2 = y.clone();
        let f = groups.names.iter().position(|n| n == "f").unwrap() as u32;
        for (v, &c) in y2.iter_mut().zip(&groups.codes) {
            if c == f {
                *v = 0.0;
            }
        }
        let eo = RejectOptionClassifier {
            metric: FairnessMetric::EqualOpportunityDifference,
            ..base.clone()
        };
        let e = eo.fit(&s, &y2, &groups, None).unwrap_err().to_string();
        assert!(e.contains("unprivileged") && e.contains("'f'") && e.contains("no positive"));
        let mut s2 = s.clone();
        s2[4] = f64::INFINITY;
        let e = base.fit(&s2, &y, &groups, None).unwrap_err().to_string();
        assert!(e.contains("row 4"), "{e}");
    }

    #[test]
    fn linspace_matches_numpy() {
        assert_eq!(linspace(0.0, 1.0, 1), vec![0.0]);
        assert_eq!(
            linspace(0.0, 0.3, 4),
            vec![0.0, 0.09999999999999999, 0.19999999999999998, 0.3]
        );
    }
}
