//! ROC analysis of membership scores: members are the positives, non-members the negatives, and
//! a higher score means "more likely a member".
//!
//! [`roc_curve`] follows `sklearn.metrics.roc_curve` exactly (thresholds at the distinct scores
//! in decreasing order, a first point `(0, 0)` at threshold `+∞`, optionally
//! `drop_intermediate`); [`auc`] is the trapezoidal area under it, as `roc_auc_score` (ties count
//! one half). [`evaluate`] gathers what a membership-inference audit reports: AUC, balanced
//! accuracy at the best threshold, and the true-positive rate at a low false-positive rate.
//!
//! **TPR at a fixed FPR α** is read off the empirical ROC curve *without interpolation*: the
//! largest TPR among the curve's points whose FPR is at most α (a threshold the attacker can
//! actually pick; the step convention of Carlini et al. 2022's code, with `≤` instead of `<`).
//! With `m` non-members the smallest non-zero FPR is `1/m`, so the figure is only estimable when
//! `m ≥ ⌈1/α⌉` (1,000 non-members for 0.1 %); otherwise it is reported as not estimable rather
//! than as a number that means "FPR 0".

use serde::Serialize;

/// An empirical ROC curve: parallel vectors, FPR and TPR non-decreasing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Roc {
    /// False-positive rates.
    pub fpr: Vec<f64>,
    /// True-positive rates.
    pub tpr: Vec<f64>,
    /// The threshold of each point (score ≥ threshold is "member"); the first is `+∞`.
    pub thresholds: Vec<f64>,
}

/// `sklearn.metrics.roc_curve(y, scores, drop_intermediate=...)` with `members[i]` the label.
///
/// Scores must be finite or ±∞ (no NaN); both classes must be present.
pub fn roc_curve(members: &[bool], scores: &[f64], drop_intermediate: bool) -> Option<Roc> {
    assert_eq!(members.len(), scores.len(), "one score per example");
    assert!(
        scores.iter().all(|s| !s.is_nan()),
        "membership scores must not be NaN"
    );
    let mut order: Vec<usize> = (0..scores.len()).collect();
    // Decreasing score; ties in any order (the counts at distinct scores do not depend on it).
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (mut tps, mut fps, mut thr) = (Vec::new(), Vec::new(), Vec::new());
    let (mut tp, mut fp) = (0u64, 0u64);
    for (k, &i) in order.iter().enumerate() {
        if members[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        let last = k + 1 == order.len() || scores[order[k + 1]] != scores[i];
        if last {
            tps.push(tp as f64);
            fps.push(fp as f64);
            thr.push(scores[i]);
        }
    }
    if tp == 0 || fp == 0 {
        return None;
    }
    if drop_intermediate && tps.len() > 2 {
        // sklearn: keep points where the second difference of fps or tps is non-zero, and the
        // two ends.
        let n = tps.len();
        let mut keep = Vec::with_capacity(n);
        keep.push(0);
        for k in 1..n - 1 {
            let d2f = fps[k + 1] - 2.0 * fps[k] + fps[k - 1];
            let d2t = tps[k + 1] - 2.0 * tps[k] + tps[k - 1];
            if d2f != 0.0 || d2t != 0.0 {
                keep.push(k);
            }
        }
        keep.push(n - 1);
        tps = keep.iter().map(|&k| tps[k]).collect();
        fps = keep.iter().map(|&k| fps[k]).collect();
        thr = keep.iter().map(|&k| thr[k]).collect();
    }
    let (p, n) = (tp as f64, fp as f64);
    let mut roc = Roc {
        fpr: vec![0.0],
        tpr: vec![0.0],
        thresholds: vec![f64::INFINITY],
    };
    roc.fpr.extend(fps.iter().map(|f| f / n));
    roc.tpr.extend(tps.iter().map(|t| t / p));
    roc.thresholds.extend(thr);
    Some(roc)
}

/// Trapezoidal area under an ROC curve (`sklearn.metrics.auc`).
pub fn auc(roc: &Roc) -> f64 {
    let mut a = 0.0;
    for k in 1..roc.fpr.len() {
        a += (roc.fpr[k] - roc.fpr[k - 1]) * (roc.tpr[k] + roc.tpr[k - 1]) / 2.0;
    }
    a
}

/// TPR at FPR ≤ `alpha`, or `None` when fewer than `⌈1/alpha⌉` non-members make it not
/// estimable (see the module documentation).
pub fn tpr_at_fpr(roc: &Roc, n_non_members: usize, alpha: f64) -> Option<f64> {
    if (n_non_members as f64) < (1.0 / alpha).ceil() - 1e-9 {
        return None;
    }
    roc.fpr
        .iter()
        .zip(&roc.tpr)
        .filter(|(f, _)| **f <= alpha + 1e-15)
        .map(|(_, t)| *t)
        .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.max(t))))
}

/// Balanced accuracy `(TPR + TNR) / 2` at the best threshold, and that threshold.
pub fn best_balanced_accuracy(roc: &Roc) -> (f64, f64) {
    let mut best = (0.5, f64::INFINITY);
    for k in 0..roc.fpr.len() {
        let b = (roc.tpr[k] + 1.0 - roc.fpr[k]) / 2.0;
        if b > best.0 {
            best = (b, roc.thresholds[k]);
        }
    }
    best
}

/// Points of the ROC curve for a log-scale FPR axis (Carlini et al. 2022, Fig. 1): at each FPR
/// of a logarithmic grid from `1/m` (one non-member) to 1, the TPR by the same step rule as
/// [`tpr_at_fpr`]; `per_decade` grid points per factor of ten.
pub fn log_roc_points(roc: &Roc, n_non_members: usize, per_decade: usize) -> Vec<(f64, f64)> {
    let lo = 1.0 / n_non_members.max(1) as f64;
    let decades = -lo.log10();
    let steps = ((decades * per_decade as f64).ceil() as usize).max(1);
    let mut out = Vec::with_capacity(steps + 1);
    let mut k = 0;
    let mut best = 0.0f64;
    for s in 0..=steps {
        let f = 10f64
            .powf(lo.log10() + decades * s as f64 / steps as f64)
            .min(1.0);
        while k < roc.fpr.len() && roc.fpr[k] <= f * (1.0 + 1e-12) {
            best = best.max(roc.tpr[k]);
            k += 1;
        }
        out.push((f, best));
    }
    out
}

/// What an audit reports for one set of membership scores.
#[derive(Debug, Clone, Serialize)]
pub struct AttackMetrics {
    /// Members (positives) scored.
    pub members: usize,
    /// Non-members (negatives) scored.
    pub non_members: usize,
    /// ROC AUC (0.5: the attack learns nothing).
    pub auc: f64,
    /// Balanced accuracy at the best threshold.
    pub balanced_accuracy: f64,
    /// TPR at FPR ≤ 0.1 % (`None`: fewer than 1,000 non-members).
    pub tpr_at_0_1pct_fpr: Option<f64>,
    /// TPR at FPR ≤ 1 % (`None`: fewer than 100 non-members).
    pub tpr_at_1pct_fpr: Option<f64>,
    /// ROC points `(fpr, tpr)` on a log-FPR grid, for plotting.
    pub roc_log_points: Vec<(f64, f64)>,
}

/// The audit metrics of membership `scores` (`members[i]`: example `i` was in the training set).
/// `None` when members or non-members are missing.
pub fn evaluate(members: &[bool], scores: &[f64]) -> Option<AttackMetrics> {
    let roc = roc_curve(members, scores, false)?;
    let m = members.iter().filter(|&&b| b).count();
    let n = members.len() - m;
    Some(AttackMetrics {
        members: m,
        non_members: n,
        auc: auc(&roc),
        balanced_accuracy: best_balanced_accuracy(&roc).0,
        tpr_at_0_1pct_fpr: tpr_at_fpr(&roc, n, 0.001),
        tpr_at_1pct_fpr: tpr_at_fpr(&roc, n, 0.01),
        roc_log_points: log_roc_points(&roc, n, 20),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sklearn_doc_example() {
        // sklearn.metrics.roc_curve([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8], pos_label=2)
        let roc = roc_curve(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8], true).unwrap();
        assert_eq!(roc.fpr, vec![0.0, 0.0, 0.5, 0.5, 1.0]);
        assert_eq!(roc.tpr, vec![0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_eq!(roc.thresholds[1..], [0.8, 0.4, 0.35, 0.1]);
        assert_eq!(auc(&roc), 0.75);
    }

    #[test]
    fn ties_count_half_and_perfect_separation() {
        let roc = roc_curve(&[true, false], &[1.0, 1.0], false).unwrap();
        assert_eq!(auc(&roc), 0.5);
        let roc = roc_curve(&[true, true, false], &[3.0, 2.0, 1.0], false).unwrap();
        assert_eq!(auc(&roc), 1.0);
        assert_eq!(best_balanced_accuracy(&roc).0, 1.0);
        assert!(roc_curve(&[true, true], &[1.0, 2.0], false).is_none());
    }

    #[test]
    fn tpr_at_low_fpr_needs_enough_non_members() {
        let members: Vec<bool> = (0..2000).map(|i| i < 1000).collect();
        // Members score 1000..2000 except member 0 scores lowest; non-members 0..1000.
        let scores: Vec<f64> = (0..2000)
            .map(|i| {
                if i == 0 {
                    -1.0
                } else if i < 1000 {
                    1000.0 + i as f64
                } else {
                    (i - 1000) as f64
                }
            })
            .collect();
        let roc = roc_curve(&members, &scores, false).unwrap();
        assert_eq!(tpr_at_fpr(&roc, 1000, 0.001), Some(0.999));
        assert_eq!(tpr_at_fpr(&roc, 999, 0.001), None);
        let m = evaluate(&members, &scores).unwrap();
        assert_eq!(m.tpr_at_1pct_fpr, Some(0.999));
        assert_eq!(m.roc_log_points.first().unwrap().1, 0.999);
        assert_eq!(m.roc_log_points.last().unwrap(), &(1.0, 1.0));
    }
}
