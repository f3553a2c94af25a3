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

/// How a metric's group values are aggregated into one disparity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    /// max − min.
    Difference,
    /// min / max.
    Ratio,
    /// max |group − overall|.
    DifferenceToOverall,
    /// min of group/overall, each inverted when above 1.
    RatioToOverall,
}

impl Agg {
    fn kind(self) -> Kind {
        match self {
            Agg::Difference | Agg::DifferenceToOverall => Kind::Difference,
            Agg::Ratio | Agg::RatioToOverall => Kind::Ratio,
        }
    }
}

/// One reported disparity: its name and the (metric, aggregate) parts it is
/// the worst case of (two parts for equalized odds, one otherwise).
#[derive(Debug, Clone)]
pub struct Spec {
    /// Key in the report.
    pub name: String,
    /// Difference or ratio.
    pub kind: Kind,
    /// The parts; with two, a difference takes Python's `max` of them and a
    /// ratio its `min`, as Fairlearn's `equalized_odds_*` do.
    pub parts: Vec<(Metric, Agg)>,
}

/// Every disparity reported for `metrics`, in report order: the named
/// fairness criteria first, then each metric's four aggregates.
pub fn specs(metrics: &[Metric]) -> Vec<Spec> {
    use Agg::*;
    use Metric::*;
    let named: [(&str, &[(Metric, Agg)]); 9] = [
        (
            "demographic_parity_difference",
            &[(SelectionRate, Difference)],
        ),
        ("demographic_parity_ratio", &[(SelectionRate, Ratio)]),
        ("disparate_impact_ratio", &[(SelectionRate, Ratio)]),
        (
            "equalized_odds_difference",
            &[(Tpr, Difference), (Fpr, Difference)],
        ),
        ("equalized_odds_ratio", &[(Tpr, Ratio), (Fpr, Ratio)]),
        ("equal_opportunity_difference", &[(Tpr, Difference)]),
        ("equal_opportunity_ratio", &[(Tpr, Ratio)]),
        ("predictive_parity_difference", &[(Precision, Difference)]),
        ("predictive_parity_ratio", &[(Precision, Ratio)]),
    ];
    let mut v: Vec<Spec> = named
        .iter()
        .map(|(n, parts)| Spec {
            name: n.to_string(),
            kind: parts[0].1.kind(),
            parts: parts.to_vec(),
        })
        .collect();
    for &m in metrics {
        for (suffix, agg) in [
            ("difference", Difference),
            ("ratio", Ratio),
            ("difference_to_overall", DifferenceToOverall),
            ("ratio_to_overall", RatioToOverall),
        ] {
            v.push(Spec {
                name: format!("{}_{suffix}", m.key()),
                kind: agg.kind(),
                parts: vec![(m, agg)],
            });
        }
    }
    v
}

/// Where a disparity's point estimate was attained, as positions in the
/// list of compared groups. Bootstrap replicates evaluate the same
/// comparison ([`evaluate_fixed`]): the gap between the same two groups, or
/// between the same group and everyone, signed so that the estimate is
/// positive. (Re-taking max − min in every replicate would give a
/// distribution that never reaches 0, so no gap could ever look like chance.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Attained {
    /// No group had a defined value.
    Undefined,
    /// Between the groups with the highest (`hi`) and lowest (`lo`) values of part `part`.
    Pair {
        /// Which part of the spec.
        part: usize,
        /// Group with the highest value.
        hi: usize,
        /// Group with the lowest value.
        lo: usize,
    },
    /// Between group `g` and the overall value of part `part`; `flip` when
    /// the group is below the overall value (difference) or the ratio was inverted.
    Overall {
        /// Which part of the spec.
        part: usize,
        /// The group.
        g: usize,
        /// Whether the comparison is taken the other way round.
        flip: bool,
    },
}

fn argmin_max(v: &[f64]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for (i, &x) in v.iter().enumerate() {
        if x.is_nan() {
            continue;
        }
        best = Some(match best {
            None => (i, i),
            Some((lo, hi)) => (
                if x < v[lo] { i } else { lo },
                if x > v[hi] { i } else { hi },
            ),
        });
    }
    best
}

fn part_value(values: &[f64], overall: f64, agg: Agg, part: usize) -> (f64, Attained) {
    match agg {
        Agg::Difference | Agg::Ratio => match argmin_max(values) {
            None => (f64::NAN, Attained::Undefined),
            Some((lo, hi)) => {
                let v = if agg == Agg::Difference {
                    values[hi] - values[lo]
                } else {
                    values[lo] / values[hi]
                };
                (v, Attained::Pair { part, hi, lo })
            }
        },
        Agg::DifferenceToOverall => {
            let d: Vec<f64> = values.iter().map(|v| (v - overall).abs()).collect();
            match argmin_max(&d) {
                None => (f64::NAN, Attained::Undefined),
                Some((_, g)) => (
                    d[g],
                    Attained::Overall {
                        part,
                        g,
                        flip: values[g] < overall,
                    },
                ),
            }
        }
        Agg::RatioToOverall => {
            let r: Vec<f64> = values
                .iter()
                .map(|v| {
                    let r = v / overall;
                    if r > 1.0 {
                        1.0 / r
                    } else {
                        r
                    }
                })
                .collect();
            match argmin_max(&r) {
                None => (f64::NAN, Attained::Undefined),
                Some((g, _)) => (
                    r[g],
                    Attained::Overall {
                        part,
                        g,
                        flip: values[g] / overall > 1.0,
                    },
                ),
            }
        }
    }
}

/// The point estimate of `spec` and where it was attained. `values(m)`
/// gives metric `m` over the compared groups, `overall(m)` its overall value.
/// Values are those of Fairlearn's `MetricFrame.difference`/`.ratio` and
/// `equalized_odds_*` (NaN skipped; Python's `max`/`min` order for equalized odds).
pub fn evaluate(
    spec: &Spec,
    values: &dyn Fn(Metric) -> Vec<f64>,
    overall: &dyn Fn(Metric) -> f64,
) -> (f64, Attained) {
    let mut best: Option<(f64, Attained)> = None;
    for (i, &(m, agg)) in spec.parts.iter().enumerate() {
        let cand = part_value(&values(m), overall(m), agg, i);
        best = Some(match best {
            None => cand,
            Some(b) => {
                // Python's max(a, b) / min(a, b): b only when strictly better.
                let better = match spec.kind {
                    Kind::Difference => cand.0 > b.0,
                    Kind::Ratio => cand.0 < b.0,
                };
                if better {
                    cand
                } else {
                    b
                }
            }
        });
    }
    let (v, at) = best.unwrap_or((f64::NAN, Attained::Undefined));
    if v.is_nan() {
        (v, Attained::Undefined)
    } else {
        (v, at)
    }
}

/// The statistic of `spec` with the comparison fixed at `at` (for bootstrap replicates).
pub fn evaluate_fixed(
    spec: &Spec,
    at: Attained,
    values: &dyn Fn(Metric) -> Vec<f64>,
    overall: &dyn Fn(Metric) -> f64,
) -> f64 {
    match at {
        Attained::Undefined => f64::NAN,
        Attained::Pair { part, hi, lo } => {
            let (m, agg) = spec.parts[part];
            let v = values(m);
            match agg {
                Agg::Ratio => v[lo] / v[hi],
                _ => v[hi] - v[lo],
            }
        }
        Attained::Overall { part, g, flip } => {
            let (m, agg) = spec.parts[part];
            let (v, o) = (values(m)[g], overall(m));
            match (agg, flip) {
                (Agg::RatioToOverall, false) => v / o,
                (Agg::RatioToOverall, true) => o / v,
                (_, false) => v - o,
                (_, true) => o - v,
            }
        }
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
