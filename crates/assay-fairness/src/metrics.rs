//! Classification metrics computed from (weighted) confusion counts, with the
//! definitions and zero-division behaviour of Fairlearn 0.15 and
//! scikit-learn 1.9:
//!
//! * rates whose denominator is zero are `0.0`, not NaN (Fairlearn's
//!   `true_positive_rate` & co. call `confusion_matrix(normalize="true")`,
//!   which maps 0/0 to 0; `precision_score` with `zero_division="warn"`
//!   returns 0);
//! * balanced accuracy is the mean recall over the classes present in
//!   `y_true` (scikit-learn drops absent classes), so a group whose labels are
//!   all positive gets its TPR;
//! * ROC AUC is NaN when a group holds a single class (scikit-learn ≥ 1.6
//!   returns NaN with a warning);
//! * selection rate and base rate are NaN on zero total weight (0/0), where
//!   scikit-learn's weighted metrics would raise.
//!
//! Where assay differs: nowhere for these metrics; the expected calibration
//! error (ECE, Naeini et al. 2015; Guo et al. 2017) has no Fairlearn
//! counterpart and uses 10 equal-width bins with bin index
//! `min(floor(10 p), 9)`.

use serde::Serialize;

/// A per-group metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of positive predictions (Fairlearn `selection_rate`).
    SelectionRate,
    /// Share of correct predictions (`accuracy_score`).
    Accuracy,
    /// Mean recall over classes present (`balanced_accuracy_score`).
    BalancedAccuracy,
    /// TP / (TP + FP) (`precision_score`).
    Precision,
    /// True positive rate, recall: TP / P.
    Tpr,
    /// False positive rate: FP / N.
    Fpr,
    /// False negative rate: FN / P.
    Fnr,
    /// True negative rate, specificity: TN / N.
    Tnr,
    /// Share of positive labels (prevalence).
    BaseRate,
    /// Area under the ROC curve of the score (`roc_auc_score`).
    Auc,
    /// Mean squared error of a probability score (`brier_score_loss`).
    Brier,
    /// Expected calibration error with 10 equal-width bins.
    Ece,
}

impl Metric {
    /// Every metric, in report order.
    pub const ALL: [Metric; 12] = [
        Metric::SelectionRate,
        Metric::Accuracy,
        Metric::BalancedAccuracy,
        Metric::Precision,
        Metric::Tpr,
        Metric::Fpr,
        Metric::Fnr,
        Metric::Tnr,
        Metric::BaseRate,
        Metric::Auc,
        Metric::Brier,
        Metric::Ece,
    ];

    /// The key used in JSON output and policy files.
    pub fn key(self) -> &'static str {
        match self {
            Metric::SelectionRate => "selection_rate",
            Metric::Accuracy => "accuracy",
            Metric::BalancedAccuracy => "balanced_accuracy",
            Metric::Precision => "precision",
            Metric::Tpr => "tpr",
            Metric::Fpr => "fpr",
            Metric::Fnr => "fnr",
            Metric::Tnr => "tnr",
            Metric::BaseRate => "base_rate",
            Metric::Auc => "auc",
            Metric::Brier => "brier",
            Metric::Ece => "ece",
        }
    }

    /// A readable name for reports.
    pub fn title(self) -> &'static str {
        match self {
            Metric::SelectionRate => "Selection rate",
            Metric::Accuracy => "Accuracy",
            Metric::BalancedAccuracy => "Balanced accuracy",
            Metric::Precision => "Precision",
            Metric::Tpr => "True positive rate",
            Metric::Fpr => "False positive rate",
            Metric::Fnr => "False negative rate",
            Metric::Tnr => "True negative rate",
            Metric::BaseRate => "Base rate",
            Metric::Auc => "ROC AUC",
            Metric::Brier => "Brier score",
            Metric::Ece => "Expected calibration error",
        }
    }

    /// Parses a metric key.
    pub fn from_key(key: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.key() == key)
    }

    /// Whether the metric needs a score column.
    pub fn needs_score(self) -> bool {
        matches!(self, Metric::Auc | Metric::Brier | Metric::Ece)
    }

    /// Whether the metric needs a probability score in [0, 1].
    pub fn needs_probability(self) -> bool {
        matches!(self, Metric::Brier | Metric::Ece)
    }

    /// Whether a higher value is better for the people in the group
    /// (`None` for descriptive metrics such as the base rate); the "worst
    /// group" of a metric is the one it disadvantages most. For the rates of
    /// positive decisions (selection rate, TPR, FPR) and their complements
    /// (FNR, TNR) this depends on whether the positive decision is favourable
    /// (hired, approved: more is better) or harmful (flagged as high risk:
    /// less is better). For accuracy, balanced accuracy, precision and AUC
    /// higher is better; for Brier score and calibration error lower is.
    pub fn higher_is_better(self, positive_is_favorable: bool) -> Option<bool> {
        match self {
            // Rates of positive decisions: good for the people when the decision is favourable.
            Metric::SelectionRate | Metric::Tpr | Metric::Fpr => Some(positive_is_favorable),
            Metric::Fnr | Metric::Tnr => Some(!positive_is_favorable),
            // How well the model serves the group.
            Metric::Accuracy | Metric::BalancedAccuracy | Metric::Precision | Metric::Auc => {
                Some(true)
            }
            Metric::Brier | Metric::Ece => Some(false),
            Metric::BaseRate => None,
        }
    }

    /// Whether the metric is a proportion of rows (a Wilson interval applies).
    pub fn is_proportion(self) -> bool {
        !matches!(
            self,
            Metric::BalancedAccuracy | Metric::Auc | Metric::Brier | Metric::Ece
        )
    }
}

/// Weighted confusion counts of a binary classifier (unit weights give counts).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Confusion {
    /// Positive label, positive prediction.
    pub tp: f64,
    /// Negative label, positive prediction.
    pub fp: f64,
    /// Positive label, negative prediction.
    pub fn_: f64,
    /// Negative label, negative prediction.
    pub tn: f64,
}

fn div0(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

impl Confusion {
    /// Total weight.
    pub fn total(&self) -> f64 {
        self.tp + self.fp + self.fn_ + self.tn
    }
    /// Weight of positive labels.
    pub fn positives(&self) -> f64 {
        self.tp + self.fn_
    }
    /// Weight of negative labels.
    pub fn negatives(&self) -> f64 {
        self.fp + self.tn
    }
    /// Weight of positive predictions.
    pub fn predicted_positives(&self) -> f64 {
        self.tp + self.fp
    }

    /// The value of a count-based metric (`None` for score metrics).
    pub fn metric(&self, m: Metric) -> Option<f64> {
        let t = self.total();
        Some(match m {
            // 0/0 is NaN here, as in Fairlearn's selection_rate on zero weight.
            Metric::SelectionRate => self.predicted_positives() / t,
            Metric::BaseRate => self.positives() / t,
            Metric::Accuracy => (self.tp + self.tn) / t,
            Metric::BalancedAccuracy => {
                let (p, n) = (self.positives(), self.negatives());
                match (p > 0.0, n > 0.0) {
                    (true, true) => 0.5 * (self.tp / p + self.tn / n),
                    (true, false) => self.tp / p,
                    (false, true) => self.tn / n,
                    (false, false) => f64::NAN,
                }
            }
            Metric::Precision => div0(self.tp, self.predicted_positives()),
            Metric::Tpr => div0(self.tp, self.positives()),
            Metric::Fnr => div0(self.fn_, self.positives()),
            Metric::Fpr => div0(self.fp, self.negatives()),
            Metric::Tnr => div0(self.tn, self.negatives()),
            Metric::Auc | Metric::Brier | Metric::Ece => return None,
        })
    }

    /// Adds another confusion (merging groups).
    pub fn add(&mut self, o: &Confusion) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.tn += o.tn;
    }
}

/// ECE bin of a probability: `min(floor(10 p), 9)`.
#[inline]
pub fn ece_bin(p: f64) -> usize {
    ((p * 10.0).floor().max(0.0) as usize).min(9)
}

/// Area under the ROC curve from `(score, weight, label)` triples sorted by
/// score: the weighted Mann–Whitney statistic with ties counted one half,
/// which equals scikit-learn's trapezoidal `roc_auc_score`. NaN when either
/// class has zero weight.
pub fn auc_sorted(sorted: impl Iterator<Item = (f64, f64, bool)>) -> f64 {
    let (mut neg_below, mut area, mut pos_total) = (0.0f64, 0.0f64, 0.0f64);
    let (mut cur, mut tie_pos, mut tie_neg) = (f64::NAN, 0.0f64, 0.0f64);
    for (s, w, y) in sorted {
        if s != cur {
            area += tie_pos * (neg_below + 0.5 * tie_neg);
            neg_below += tie_neg;
            pos_total += tie_pos;
            tie_pos = 0.0;
            tie_neg = 0.0;
            cur = s;
        }
        if y {
            tie_pos += w;
        } else {
            tie_neg += w;
        }
    }
    area += tie_pos * (neg_below + 0.5 * tie_neg);
    neg_below += tie_neg;
    pos_total += tie_pos;
    if pos_total <= 0.0 || neg_below <= 0.0 {
        return f64::NAN;
    }
    area / (pos_total * neg_below)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_division_is_zero_like_fairlearn() {
        let c = Confusion {
            tp: 0.0,
            fp: 0.0,
            fn_: 0.0,
            tn: 3.0,
        };
        assert_eq!(c.metric(Metric::Tpr), Some(0.0));
        assert_eq!(c.metric(Metric::Fnr), Some(0.0));
        assert_eq!(c.metric(Metric::Precision), Some(0.0));
        assert_eq!(c.metric(Metric::Tnr), Some(1.0));
        assert_eq!(c.metric(Metric::BalancedAccuracy), Some(1.0));
    }

    #[test]
    fn auc_counts_ties_half() {
        let v = [
            (0.1, 1.0, false),
            (0.5, 1.0, false),
            (0.5, 1.0, true),
            (0.9, 1.0, true),
        ];
        assert!((auc_sorted(v.into_iter()) - 0.875).abs() < 1e-15);
        let one = [(0.1, 1.0, true)];
        assert!(auc_sorted(one.into_iter()).is_nan());
    }
}
