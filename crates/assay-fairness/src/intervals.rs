//! Confidence intervals: Wilson score intervals for proportions (Wilson
//! 1927; Brown, Cai & DasGupta 2001), with Kish's effective sample size for
//! weighted data (Kish 1965), and percentile intervals from bootstrap
//! replicates (Efron & Tibshirani 1993, ch. 13).

use serde::Serialize;

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// How it was computed: `wilson` or `bootstrap`.
    pub method: &'static str,
}

/// Standard normal quantile Φ⁻¹(p), by Acklam's rational approximation
/// (relative error 1.15e-9) refined with one Halley step against the
/// correctly rounded `erfc` of the `libm` crate, which brings it to full
/// double precision. Hand-written because the crates that provide it
/// (statrs) pull in a linear-algebra stack for this one function.
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239e0,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838e0,
        -2.549732539343734e0,
        4.374664141464968e0,
        2.938163982698783e0,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996e0,
        3.754408661907416e0,
    ];
    let pl = 0.02425;
    let x = if p < pl {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - pl {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step against the complementary error function.
    let e = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

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
    fn normal_quantile_matches_tables() {
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-12);
        assert!((normal_quantile(0.5)).abs() < 1e-15);
        assert!((normal_quantile(0.995) - 2.5758293035489004).abs() < 1e-12);
        assert!((normal_quantile(0.001) + 3.090232306167813).abs() < 1e-12);
    }

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
