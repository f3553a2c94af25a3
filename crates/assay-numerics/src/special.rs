//! Special functions in the precision the privacy accountants need: log-gamma, log erfc, the
//! normal CDF and its logarithm and inverse, and log-space addition. Written to match SciPy's
//! `gammaln`, `log_ndtr`, `ndtr` and `ndtri` (which `dp_accounting` calls) to a few ulps.
//! Hand-written because the crates that provide them (statrs) pull in a linear-algebra stack
//! and do not offer `log_ndtr`; `libm` supplies the correctly rounded `erf`, `erfc`, `lgamma`.

use std::f64::consts::{LN_2, PI, SQRT_2};

/// log|Γ(x)| (SciPy's `gammaln`).
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// log C(n, k) through log-gamma, for real n (`dp_accounting`'s `_log_comb`).
pub fn log_comb(n: f64, k: f64) -> f64 {
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
}

/// log(exp(a) + exp(b)), exact for -∞ arguments (`dp_accounting.rdp`'s `_log_add`).
pub fn log_add(a: f64, b: f64) -> f64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        return hi;
    }
    (lo - hi).exp().ln_1p() + hi
}

/// log Φ(x) for the standard normal Φ, accurate far into both tails (SciPy's `log_ndtr`).
pub fn log_ndtr(x: f64) -> f64 {
    if x > 6.0 {
        // Φ(x) = 1 - Φ(-x), Φ(-x) tiny.
        return (-ndtr(-x)).ln_1p();
    }
    if x > -30.0 {
        return ndtr(x).ln();
    }
    // Asymptotic series of Mills' ratio: Φ(x) = φ(x)/|x| (1 - 1/x² + 3/x⁴ - 15/x⁶ + ...).
    let x2 = x * x;
    let inv = 1.0 / x2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..8 {
        term *= -((2 * k - 1) as f64) * inv;
        sum += term;
    }
    -0.5 * x2 - (-x).ln() - 0.5 * (2.0 * PI).ln() + sum.ln()
}

/// log erfc(x) (`dp_accounting.rdp`'s `_log_erfc`: log 2 + log Φ(-x √2)).
pub fn log_erfc(x: f64) -> f64 {
    LN_2 + log_ndtr(-x * SQRT_2)
}

/// The standard normal CDF Φ(x) (SciPy's `ndtr`).
pub fn ndtr(x: f64) -> f64 {
    let t = x / SQRT_2;
    if t < -std::f64::consts::FRAC_1_SQRT_2 {
        0.5 * libm::erfc(-t)
    } else if t < std::f64::consts::FRAC_1_SQRT_2 {
        0.5 + 0.5 * libm::erf(t)
    } else {
        1.0 - 0.5 * libm::erfc(t)
    }
}

/// The standard normal quantile Φ⁻¹(p) for any p: −∞ at p ≤ 0, +∞ at p ≥ 1 (and NaN for
/// NaN), else [`ndtri`].
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() {
        f64::NAN
    } else if p <= 0.0 {
        f64::NEG_INFINITY
    } else if p >= 1.0 {
        f64::INFINITY
    } else {
        ndtri(p)
    }
}

/// The standard normal quantile Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation
/// refined by Halley steps on `erfc`, accurate to a few ulps.
pub fn ndtri(p: f64) -> f64 {
    debug_assert!(p > 0.0 && p < 1.0);
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
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
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let plow = 0.02425;
    let mut x = if p < plow {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - plow {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (-p).ln_1p()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // Halley refinement; in the lower tail work with relative error through log Φ.
    for _ in 0..3 {
        let e = if x < 0.0 {
            // f = log Φ(x) - log p; f' = φ(x)/Φ(x).
            let lp = log_ndtr(x);
            let ratio = (-0.5 * x * x - 0.5 * (2.0 * PI).ln() - lp).exp();
            let f = lp - p.ln();
            f / ratio
        } else {
            let u = (ndtr(x) - p) * (2.0 * PI).sqrt() * (0.5 * x * x).exp();
            u / (1.0 + 0.5 * x * u)
        };
        x -= e;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_functions() {
        // Values from SciPy 1.17.1.
        assert!((ndtr(1.0) - 0.8413447460685429).abs() < 1e-15);
        assert!((log_ndtr(-40.0) - (-804.6084420137539)).abs() < 1e-12);
        assert!((log_ndtr(-10.0) - (-53.23128515051248)).abs() < 1e-12);
        assert!((ndtri(0.975) - 1.959963984540054).abs() < 1e-13);
        let p = 0.5 * (-50f64).exp();
        let x = ndtri(p);
        assert!((log_ndtr(x) - p.ln()).abs() < 1e-12, "{x}");
        assert!((ln_gamma(0.5) - PI.sqrt().ln()).abs() < 1e-15);
    }

    #[test]
    fn normal_quantile_matches_tables_and_edges() {
        // SciPy 1.17.1 `norm.ppf`.
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-13);
        assert!(normal_quantile(0.5).abs() < 1e-15);
        assert!((normal_quantile(0.995) - 2.5758293035489004).abs() < 1e-13);
        assert!((normal_quantile(0.001) + 3.090232306167813).abs() < 1e-13);
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert!(normal_quantile(f64::NAN).is_nan());
    }
}
