//! The range of privacy parameters ε and δ that the samplers and accountants handle exactly.
//!
//! **ε ∈ [2^-30, 2^16]** ([`MIN_EPSILON`] ≈ 9.31 × 10⁻¹⁰, [`MAX_EPSILON`] = 65536).
//! Below 2^-30 the noise scale Δ/ε exceeds 2^30·Δ: `exp(-ε)` is within 2^-30 of 1, so closed
//! forms such as the discrete Laplace interval (which needs 1 − e^{-ε/Δ}) keep fewer than half of
//! a double's 53 bits, and below about 2^-53 they break down entirely (`exp(-ε)` rounds to 1: an
//! interval search that never ends); a noisy count must stay exactly representable in a double
//! (below 2^53), which noise of scale 2^30·Δ does with probability 1 − exp(−2^23/Δ) (for
//! contribution bounds Δ up to 2^16 that is 1 − 10⁻⁵⁵); and at ε = 5 × 10⁻³²⁴ the scale is not
//! even a finite double. The upper end is where ε has long stopped meaning anything
//! (e^65536 ≈ 10^28462) while everything formed from it (ε², εσ/Δ, log-space tails of order
//! ε²) is still far inside the doubles, so a very large ε remains a legitimate "no noise"
//! setting (tests use ε = 6000·K).
//!
//! **δ ∈ [2^-1022, 1)** ([`MIN_DELTA`] = `f64::MIN_POSITIVE` ≈ 2.23 × 10⁻³⁰⁸, the smallest
//! normal double): a subnormal δ has fewer than 53 significant bits, so log δ and δ·α, which
//! every conversion takes, are not computed to double precision. δ = 0 is pure ε-DP and is not
//! a δ the Gaussian mechanism or an accountant can meet.
//!
//! [`check_epsilon`] and [`check_delta`] are called by every mechanism constructor and every
//! accountant entry point that takes a target ε or δ, so a caller (the CLI) that checks its
//! flags with them refuses out-of-range values before doing anything else.

use crate::PrivacyError;

/// The smallest ε accepted: 2^-30 ≈ 9.313225746154785 × 10⁻¹⁰.
pub const MIN_EPSILON: f64 = 1.0 / 1_073_741_824.0;

/// The largest ε accepted: 2^16 = 65536.
pub const MAX_EPSILON: f64 = 65_536.0;

/// The smallest δ accepted: 2^-1022 (the smallest normal double).
pub const MIN_DELTA: f64 = f64::MIN_POSITIVE;

/// Checks that `epsilon` lies in [[`MIN_EPSILON`], [`MAX_EPSILON`]] (NaN does not).
pub fn check_epsilon(epsilon: f64) -> Result<(), PrivacyError> {
    if (MIN_EPSILON..=MAX_EPSILON).contains(&epsilon) {
        Ok(())
    } else {
        Err(PrivacyError::EpsilonOutOfRange(epsilon))
    }
}

/// Checks that `delta` lies in [[`MIN_DELTA`], 1) (NaN does not).
pub fn check_delta(delta: f64) -> Result<(), PrivacyError> {
    if (MIN_DELTA..1.0).contains(&delta) {
        Ok(())
    } else {
        Err(PrivacyError::DeltaOutOfRange(delta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epsilon_boundaries() {
        assert_eq!(MIN_EPSILON, libm::scalbn(1.0, -30));
        assert!(check_epsilon(MIN_EPSILON).is_ok());
        assert!(check_epsilon(MAX_EPSILON).is_ok());
        assert!(check_epsilon(1.0).is_ok());
        for bad in [
            0.0,
            -1.0,
            5e-324,
            1e-17,
            MIN_EPSILON * (1.0 - f64::EPSILON),
            libm::nextafter(MAX_EPSILON, f64::INFINITY),
            f64::INFINITY,
            f64::NAN,
        ] {
            let e = check_epsilon(bad).unwrap_err();
            let m = e.to_string();
            assert!(
                m.contains("9.313225746154785e-10") && m.contains("65536"),
                "{m}"
            );
        }
    }

    #[test]
    fn delta_boundaries() {
        assert!(check_delta(MIN_DELTA).is_ok());
        assert!(check_delta(1e-300).is_ok());
        assert!(check_delta(libm::nextafter(1.0, 0.0)).is_ok());
        for bad in [0.0, 5e-324, MIN_DELTA / 2.0, 1.0, -0.1, f64::NAN] {
            let m = check_delta(bad).unwrap_err().to_string();
            assert!(
                m.contains("2.2250738585072014e-308") && m.contains(", 1)"),
                "{m}"
            );
        }
    }
}
