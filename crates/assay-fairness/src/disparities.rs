//! Disparity measures over groups, as Fairlearn's `MetricFrame.difference`,
//! `.ratio` and its `fairlearn.metrics` disparity functions define them
//! (Fairlearn 0.15), plus the four-fifths rule of the US Uniform Guidelines
//! on Employee Selection Procedures (29 CFR 1607.4(D)).
//!
//! NaN group values are skipped (pandas `skipna`); a statistic is NaN only
//! when every group is NaN. Ratios follow pandas float division: min/max is
//! NaN when max is 0; a group-to-overall ratio above 1 is inverted, and
//! x/0 = inf inverts to 0.

use crate::metrics::Metric;

/// Max − min over groups (NaN skipped).
pub fn difference_between(values: &[f64]) -> f64 {
    let (lo, hi) = min_max(values);
    hi - lo
}

/// min / max over groups (NaN skipped).
pub fn ratio_between(values: &[f64]) -> f64 {
    let (lo, hi) = min_max(values);
    lo / hi
}

/// max |group − overall| (NaN skipped).
pub fn difference_to_overall(values: &[f64], overall: f64) -> f64 {
    nan_max(values.iter().map(|v| (v - overall).abs()))
}

/// min over groups of (group / overall), each inverted when above 1 (NaN skipped).
pub fn ratio_to_overall(values: &[f64], overall: f64) -> f64 {
    nan_min(values.iter().map(|v| {
        let r = v / overall;
        if r > 1.0 {
            1.0 / r
        } else {
            r
        }
    }))
}

fn nan_min(it: impl Iterator<Item = f64>) -> f64 {
    it.filter(|v| !v.is_nan())
        .fold(f64::NAN, |a, b| if a.is_nan() || b < a { b } else { a })
}

fn nan_max(it: impl Iterator<Item = f64>) -> f64 {
    it.filter(|v| !v.is_nan())
        .fold(f64::NAN, |a, b| if a.is_nan() || b > a { b } else { a })
}

/// (min, max) over non-NaN values; (NaN, NaN) if none.
pub fn min_max(values: &[f64]) -> (f64, f64) {
    (
        nan_min(values.iter().copied()),
        nan_max(values.iter().copied()),
    )
}

/// Python's `max(a, b)`: returns `a` unless `b > a` (so NaN handling depends on order,
/// which Fairlearn's `equalized_odds_difference` inherits).
pub fn py_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// Python's `min(a, b)`: returns `a` unless `b < a`.
pub fn py_min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// Whether a disparity is a difference (reference 0) or a ratio (reference 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A difference; parity is 0.
    Difference,
    /// A ratio; parity is 1.
    Ratio,
}

impl Kind {
    /// The value at parity.
    pub fn reference(self) -> f64 {
        match self {
            Kind::Difference => 0.0,
            Kind::Ratio => 1.0,
        }
    }
}

/// The name and kind of every disparity reported for `metrics`, in order:
/// the named fairness criteria first, then each metric's four aggregates.
pub fn disparity_names(metrics: &[Metric]) -> Vec<(String, Kind)> {
    let mut v: Vec<(String, Kind)> = [
        ("demographic_parity_difference", Kind::Difference),
        ("demographic_parity_ratio", Kind::Ratio),
        ("disparate_impact_ratio", Kind::Ratio),
        ("equalized_odds_difference", Kind::Difference),
        ("equalized_odds_ratio", Kind::Ratio),
        ("equal_opportunity_difference", Kind::Difference),
        ("equal_opportunity_ratio", Kind::Ratio),
        ("predictive_parity_difference", Kind::Difference),
        ("predictive_parity_ratio", Kind::Ratio),
    ]
    .into_iter()
    .map(|(n, k)| (n.to_string(), k))
    .collect();
    for m in metrics {
        let k = m.key();
        v.push((format!("{k}_difference"), Kind::Difference));
        v.push((format!("{k}_ratio"), Kind::Ratio));
        v.push((format!("{k}_difference_to_overall"), Kind::Difference));
        v.push((format!("{k}_ratio_to_overall"), Kind::Ratio));
    }
    v
}

/// Computes every disparity of [`disparity_names`] (same order) from the
/// groups' metric values. `group_values(m)` gives the values of metric `m`
/// over the groups compared, `overall(m)` the overall value.
pub fn compute(
    metrics: &[Metric],
    group_values: impl Fn(Metric) -> Vec<f64>,
    overall: impl Fn(Metric) -> f64,
    out: &mut Vec<f64>,
) {
    let sel = group_values(Metric::SelectionRate);
    let tpr = group_values(Metric::Tpr);
    let fpr = group_values(Metric::Fpr);
    let prec = group_values(Metric::Precision);
    out.push(difference_between(&sel));
    out.push(ratio_between(&sel));
    out.push(ratio_between(&sel));
    out.push(py_max(difference_between(&tpr), difference_between(&fpr)));
    out.push(py_min(ratio_between(&tpr), ratio_between(&fpr)));
    out.push(difference_between(&tpr));
    out.push(ratio_between(&tpr));
    out.push(difference_between(&prec));
    out.push(ratio_between(&prec));
    for &m in metrics {
        let v = group_values(m);
        let o = overall(m);
        out.push(difference_between(&v));
        out.push(ratio_between(&v));
        out.push(difference_to_overall(&v, o));
        out.push(ratio_to_overall(&v, o));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fairlearn_zero_semantics() {
        assert!(ratio_between(&[0.0, 0.0]).is_nan());
        assert_eq!(ratio_between(&[0.0, 0.5]), 0.0);
        assert_eq!(ratio_to_overall(&[0.5, 0.0], 0.0), 0.0);
        assert!(ratio_to_overall(&[0.0, 0.0], 0.0).is_nan());
        assert_eq!(difference_between(&[f64::NAN, 0.2, 0.5]), 0.3);
        assert!(py_max(f64::NAN, 1.0).is_nan());
        assert_eq!(py_max(1.0, f64::NAN), 1.0);
    }
}
