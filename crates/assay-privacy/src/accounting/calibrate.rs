//! Calibration: the smallest noise multiplier σ whose ε, after `steps` steps of the
//! Poisson-subsampled Gaussian mechanism at sampling rate q, is at most the target at δ.
//!
//! ε(σ) is non-increasing in σ for both accountants, so the root is bracketed by doubling from
//! σ = 1 (as `dp_accounting.calibrate_dp_mechanism` with `LowerEndpointAndGuess(0, 1)`) and
//! found by bisection; the answer is the upper end of the final bracket, so the returned σ always
//! meets the target (Mironov et al. 2019 for the RDP accountant, Doroshenko et al. 2022 for PLD).

use super::{epsilon, validate, Accountant};
use crate::PrivacyError;

/// The largest noise multiplier the search will try.
pub const MAX_NOISE_MULTIPLIER: f64 = 1e6;

/// The outcome of a calibration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// The calibrated noise multiplier (within `tolerance` above the exact root).
    pub noise_multiplier: f64,
    /// The ε it achieves (≤ the target).
    pub epsilon: f64,
}

/// The smallest noise multiplier (to within `tolerance`, absolute, in σ) for which `steps`
/// steps of the Poisson-subsampled Gaussian at rate q are (ε, δ)-DP by the chosen accountant.
pub fn noise_multiplier(
    accountant: Accountant,
    target_epsilon: f64,
    delta: f64,
    sampling_rate: f64,
    steps: u64,
    tolerance: f64,
) -> Result<Calibration, PrivacyError> {
    validate::epsilon(target_epsilon)?;
    validate::delta(delta)?;
    validate::sampling_rate(sampling_rate)?;
    validate::steps(steps)?;
    if !(tolerance.is_finite() && tolerance > 0.0) {
        return Err(PrivacyError::CalibrationFailed(format!(
            "tolerance must be a positive finite number, got {tolerance}"
        )));
    }
    let eps = |s: f64| epsilon(accountant, sampling_rate, s, steps, delta);
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut eps_hi = eps(hi)?;
    while eps_hi > target_epsilon {
        lo = hi;
        hi *= 2.0;
        if hi > MAX_NOISE_MULTIPLIER {
            return Err(PrivacyError::CalibrationFailed(format!(
                "even noise multiplier {MAX_NOISE_MULTIPLIER} gives epsilon above {target_epsilon}"
            )));
        }
        eps_hi = eps(hi)?;
    }
    while hi - lo > tolerance {
        let mid = 0.5 * (lo + hi);
        let e = eps(mid)?;
        if e > target_epsilon {
            lo = mid;
        } else {
            hi = mid;
            eps_hi = e;
        }
    }
    Ok(Calibration {
        noise_multiplier: hi,
        epsilon: eps_hi,
    })
}
