//! The regularized incomplete beta function and its inverse, for binomial confidence bounds
//! (Clopper–Pearson) and binomial tests: [`beta_inc`] is SciPy's `betainc` (the CDF of the
//! Beta(a, b) distribution), [`beta_inc_inv`] is `betaincinv` (`scipy.stats.beta.ppf`).
//!
//! `beta_inc` evaluates the continued fraction of DLMF 8.17.22 by the modified Lentz method
//! (Press et al., *Numerical Recipes*, 3rd ed., §6.4), on the side of the symmetry
//! I_x(a, b) = 1 − I_{1−x}(b, a) where it converges fast, with the prefactor
//! x^a (1−x)^b / (a B(a, b)) taken in logarithms. `beta_inc_inv` brackets the root and refines
//! it by Newton steps on the density, falling back to bisection whenever a step leaves the
//! bracket, until the bracket or the step is at the last bit. Hand-written for the reason the
//! module [`crate::special`] gives.

use crate::special::ln_gamma;

/// The remainder of Stirling's series, δ(x) = ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π], for
/// x ≥ 10 (eight terms of the asymptotic series, DLMF 5.11.1: below 1e-17 there).
fn stirling_remainder(x: f64) -> f64 {
    const C: [f64; 8] = [
        1.0 / 12.0,
        -1.0 / 360.0,
        1.0 / 1260.0,
        -1.0 / 1680.0,
        1.0 / 1188.0,
        -691.0 / 360_360.0,
        1.0 / 156.0,
        -3617.0 / 122_400.0,
    ];
    let r = 1.0 / (x * x);
    C.iter().rev().fold(0.0, |acc, c| acc * r + c) / x
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), without the cancellation of the three
/// log-gammas when an argument is large: for arguments of 10 or more the leading Stirling
/// terms are combined analytically (as R's and Cephes' `lbeta` do), which keeps the result
/// accurate to a few ulps where the plain sum loses `ln Γ(a + b) · ε` (1e-10 at 10⁵).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    let (p, q) = if a < b { (a, b) } else { (b, a) };
    let s = p + q;
    if q < 10.0 {
        ln_gamma(p) + ln_gamma(q) - ln_gamma(s)
    } else if p < 10.0 {
        ln_gamma(p) + (q - 0.5) * (-p / s).ln_1p() - p * s.ln() + p + stirling_remainder(q)
            - stirling_remainder(s)
    } else {
        0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 * s.ln()
            + (p - 0.5) * (p / s).ln()
            + (q - 0.5) * (-p / s).ln_1p()
            + stirling_remainder(p)
            + stirling_remainder(q)
            - stirling_remainder(s)
    }
}

/// Values this small stand for zero in the Lentz recurrences (which divide by them).
const TINY: f64 = 1e-300;

/// `v`, or [`TINY`] when it is nearer zero.
fn nonzero(v: f64) -> f64 {
    if v.abs() < TINY {
        TINY
    } else {
        v
    }
}

/// One step of the modified Lentz method with partial numerator `aa` (denominator 1):
/// updates `c` and `d` and returns the factor the convergent is multiplied by.
fn lentz_step(aa: f64, c: &mut f64, d: &mut f64) -> f64 {
    *d = 1.0 / nonzero(1.0 + aa * *d);
    *c = nonzero(1.0 + aa / *c);
    *d * *c
}

/// The continued fraction of I_x(a, b) (DLMF 8.17.22), by the modified Lentz method.
fn continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / nonzero(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..10_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &mut c, &mut d);
        let del = lentz_step(
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
            &mut c,
            &mut d,
        );
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// I_x(a, b), the regularized incomplete beta function, for a, b > 0 and x in [0, 1]
/// (NaN outside).
pub fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if !(a > 0.0 && b > 0.0 && (0.0..=1.0).contains(&x)) {
        return f64::NAN;
    }
    if x == 0.0 || x == 1.0 {
        return x;
    }
    let ln_front = a * x.ln() + b * (-x).ln_1p() - ln_beta(a, b);
    if x < (a + 1.0) / (a + b + 2.0) {
        (ln_front.exp() / a) * continued_fraction(a, b, x)
    } else {
        1.0 - (ln_front.exp() / b) * continued_fraction(b, a, 1.0 - x)
    }
}

/// The density of Beta(a, b) at x.
fn beta_pdf(a: f64, b: f64, x: f64) -> f64 {
    ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_beta(a, b)).exp()
}

/// The x in [0, 1] with I_x(a, b) = p (SciPy's `betaincinv`, the Beta(a, b) quantile), for
/// a, b > 0 and p in [0, 1] (NaN outside).
pub fn beta_inc_inv(a: f64, b: f64, p: f64) -> f64 {
    if !(a > 0.0 && b > 0.0 && (0.0..=1.0).contains(&p)) {
        return f64::NAN;
    }
    if p == 0.0 || p == 1.0 {
        return p;
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    // Start at the mean, inside the bracket.
    let mut x = a / (a + b);
    for _ in 0..200 {
        let f = beta_inc(a, b, x) - p;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let pdf = beta_pdf(a, b, x);
        let mut next = x - f / pdf;
        if !(next > lo && next < hi && next.is_finite()) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= f64::EPSILON * x.abs().max(f64::MIN_POSITIVE) * 0.5
            || hi - lo <= f64::EPSILON * lo.abs().max(f64::MIN_POSITIVE)
        {
            return next;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_beta_is_accurate_for_large_arguments() {
        // B(n, 1) = 1/n and B(n, 2) = 1/(n(n+1)) exactly.
        for n in [10.0, 123.0, 1e5, 1e9] {
            assert!((ln_beta(n, 1.0) + f64::ln(n)).abs() < 4.0 * f64::EPSILON * n.ln());
            let want = -(n.ln() + (n + 1.0).ln());
            assert!((ln_beta(2.0, n) - want).abs() < 4.0 * f64::EPSILON * want.abs());
        }
        // Both large: against the plain sum where it is still exact enough.
        let plain = ln_gamma(30.0) + ln_gamma(71.0) - ln_gamma(101.0);
        assert!((ln_beta(30.0, 71.0) - plain).abs() < 1e-12);
    }

    #[test]
    fn closed_forms() {
        // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b.
        for x in [1e-9, 0.1, 0.37, 0.5, 0.9, 0.999] {
            assert!((beta_inc(1.0, 1.0, x) - x).abs() < 1e-15);
            assert!(
                (beta_inc(3.5, 1.0, x) - x.powf(3.5)).abs()
                    < 1e-14 * x.powf(3.5).max(1e-300) + 1e-16
            );
            let want = 1.0 - (1.0 - x).powf(7.0);
            assert!((beta_inc(1.0, 7.0, x) - want).abs() < 1e-14, "{x}");
            assert!(
                (beta_inc_inv(3.5, 1.0, x.powf(3.5)) - x).abs() < 1e-13 * x,
                "{x}"
            );
        }
        assert!(beta_inc(0.0, 1.0, 0.5).is_nan());
        assert!(beta_inc_inv(2.0, 3.0, 1.5).is_nan());
        assert_eq!(beta_inc_inv(2.0, 3.0, 0.0), 0.0);
    }

    #[test]
    fn inverse_round_trips() {
        for (a, b) in [
            (0.5, 0.5),
            (2.0, 5.0),
            (990.0, 11.0),
            (99_999.0, 2.0),
            (1.0, 100_000.0),
        ] {
            for p in [1e-6, 0.001, 0.05, 0.5, 0.95, 0.999] {
                // The root to the last bits: p lies between the function's values two ulps
                // either side of it (to rounding: the function is evaluated in floating point).
                let x = beta_inc_inv(a, b, p);
                let ulp = f64::EPSILON * x;
                let (below, above) = (beta_inc(a, b, x - 2.0 * ulp), beta_inc(a, b, x + 2.0 * ulp));
                let tol = 4.0 * f64::EPSILON * p;
                assert!(
                    below <= p + tol && p <= above + tol,
                    "{a} {b} {p}: {below} {above}"
                );
            }
        }
    }
}
