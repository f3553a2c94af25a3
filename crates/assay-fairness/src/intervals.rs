//! Confidence intervals: Wilson score intervals for proportions (Wilson
//! 1927; Brown, Cai & DasGupta 2001), with Kish's effective sample size for
//! weighted data (Kish 1965), and percentile intervals from bootstrap
//! replicates (Efron & Tibshirani 1993, ch. 13).

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// How it was computed: `wilson` or `bootstrap`.
    #[serde(deserialize_with = "interval_method")]
    #[schemars(with = "IntervalMethod")]
    pub method: crate::model::StaticName,
}

/// The names [`Interval::method`] takes (for its JSON Schema).
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum IntervalMethod {
    Wilson,
    Bootstrap,
}

/// Reads [`Interval::method`]: one of the method names this crate writes.
fn interval_method<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    crate::model::one_of(d, &["wilson", "bootstrap"])
}

/// The standard normal quantile Φ⁻¹(p), shared with the privacy accountants
/// ([`assay_numerics::special::normal_quantile`]: Acklam's approximation refined to a few ulps).
pub use assay_numerics::special::normal_quantile;

/// Wilson score interval for a proportion `p` observed on `n` (effective) trials.
pub fn wilson(p: f64, n: f64, confidence: f64) -> Option<Interval> {
    if n.is_nan() || n <= 0.0 || !p.is_finite() {
        return None;
    }
    let z = normal_quantile(0.5 + confidence / 2.0);
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).max(0.0).sqrt() / denom;
    Some(Interval {
        lower: (centre - half).max(0.0),
        upper: (centre + half).min(1.0),
        method: "wilson",
    })
}

/// Linear-interpolation quantile of sorted values (numpy's default method).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

/// Percentile bootstrap interval from replicate values (NaN replicates,
/// where the statistic is undefined in a resample, are left out; `None` if
/// fewer than half the replicates are defined). `shift` moves the interval
/// by the difference between the estimate and the statistic on the
/// un-resampled, binned data (zero unless scores were coarsened).
pub fn percentile(values: &mut Vec<f64>, confidence: f64, shift: f64) -> Option<Interval> {
    let total = values.len();
    values.retain(|v| v.is_finite());
    if values.is_empty() || values.len() * 2 < total {
        return None;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let a = (1.0 - confidence) / 2.0;
    Some(Interval {
        lower: quantile_sorted(values, a) + shift,
        upper: quantile_sorted(values, 1.0 - a) + shift,
        method: "bootstrap",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_reference() {
        // The Wilson formula evaluated in Python with scipy.stats.norm.ppf(0.975):
        // p = 0.3, n = 100.
        let i = wilson(0.3, 100.0, 0.95).unwrap();
        assert!((i.lower - 0.2189488529493276).abs() < 1e-12, "{}", i.lower);
        assert!((i.upper - 0.3958485463334666).abs() < 1e-12, "{}", i.upper);
    }

    #[test]
    fn quantile_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert!((quantile_sorted(&v, 0.025) - 1.075).abs() < 1e-15);
    }
}
