//! The Gaussian mechanism with the analytic calibration of Balle and Wang (2018), sampled as
//! discrete Gaussian noise on a fine power-of-two grid.
//!
//! **Calibration.** For L2 sensitivity Δ, the Gaussian mechanism with standard deviation σ is
//! (ε, δ)-DP exactly when (Balle and Wang 2018, Theorem 8)
//!
//! δ(σ) = Φ(Δ/(2σ) - εσ/Δ) - e^ε Φ(-Δ/(2σ) - εσ/Δ) ≤ δ,
//!
//! and δ(σ) decreases in σ. [`analytic_gaussian_sigma`] bisects σ (in log space, to 1e-12
//! relative) and returns the upper end of the final bracket, so δ(σ) ≤ δ holds for the returned
//! σ as evaluated. This is tighter than the classical σ = Δ√(2 ln(1.25/δ))/ε and valid for any ε.
//!
//! **Sampling.** As for [`super::laplace`], floating-point Gaussian noise is not sound (the
//! Mironov attack applies to any noise whose set of outputs depends on the input), so the value
//! is rounded to the grid 2^k·ℤ, k = ⌊log2 Δ⌋ - [`super::laplace::GRID_BITS`], and exact discrete
//! Gaussian noise N_Z(0, (σ/2^k)²) (Canonne, Kamath and Steinke 2020) is added. The grid
//! sensitivity is Δ_Z = ⌈Δ/2^k⌉ and σ is calibrated for Δ_Z·2^k ≥ Δ. The discrete Gaussian is
//! exactly ρ-zCDP with ρ = Δ_Z²/(2σ_Z²) (CKS20 Theorem 4), the same ρ as the continuous
//! mechanism; its exact (ε, δ) curve (CKS20 Theorem 7) is the continuous one with the normal
//! tails replaced by discrete-Gaussian tails, which differ by a relative amount of order
//! e^{-2π²σ_Z²} (Poisson summation) with σ_Z ≥ 2^39 here: far below double precision.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::ToPrimitive;
use rand::RngCore;

use super::discrete_gaussian::sample_discrete_gaussian;
use super::exact::{pow2, rational};
use super::laplace::{from_grid, grid_exponent, to_grid};
use crate::PrivacyError;
use assay_numerics::special::{log_ndtr, ndtr, ndtri};

/// The δ of the Gaussian mechanism with standard deviation `sigma` at `epsilon` for L2
/// sensitivity `sensitivity` (Balle and Wang 2018, Theorem 8), evaluated as
/// Φ(a)·(1 - exp(ε + log Φ(b) - log Φ(a))) to keep precision when both terms are small.
pub fn analytic_gaussian_delta(sigma: f64, epsilon: f64, sensitivity: f64) -> f64 {
    let a = sensitivity / (2.0 * sigma) - epsilon * sigma / sensitivity;
    let b = -sensitivity / (2.0 * sigma) - epsilon * sigma / sensitivity;
    let la = log_ndtr(a);
    let lb = log_ndtr(b);
    let r = epsilon + lb - la;
    if r >= 0.0 {
        // Only at σ → 0 in floating point; the exact value is ≥ 0.
        return 0.0f64.max(ndtr(a) - (epsilon + lb).exp());
    }
    la.exp() * -(r.exp_m1())
}

/// The smallest σ (to 1e-12 relative, rounded up) for which the Gaussian mechanism with L2
/// sensitivity `sensitivity` is (`epsilon`, `delta`)-DP, by the exact criterion of Balle and
/// Wang (2018).
pub fn analytic_gaussian_sigma(
    epsilon: f64,
    delta: f64,
    sensitivity: f64,
) -> Result<f64, PrivacyError> {
    crate::params::check_epsilon(epsilon)?;
    crate::params::check_delta(delta)?;
    if !(sensitivity.is_finite() && sensitivity > 0.0) {
        return Err(PrivacyError::Unsupported(format!(
            "sensitivity must be a positive finite number, got {sensitivity}"
        )));
    }
    let f = |s: f64| analytic_gaussian_delta(s, epsilon, sensitivity);
    // Bracket [lo, hi] with f(lo) > δ ≥ f(hi), in units of Δ.
    let mut lo = sensitivity;
    let mut hi = sensitivity;
    while f(lo) <= delta {
        lo /= 2.0;
        if lo < sensitivity * 1e-300 {
            return Err(PrivacyError::CalibrationFailed("delta too large".into()));
        }
    }
    while f(hi) > delta {
        hi *= 2.0;
        if !hi.is_finite() || hi > sensitivity * 1e300 {
            return Err(PrivacyError::CalibrationFailed("delta too small".into()));
        }
    }
    while hi / lo - 1.0 > 1e-12 {
        let mid = (lo * hi).sqrt();
        if f(mid) > delta {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(hi)
}

/// `shift` plus Gaussian noise of standard deviation `sigma`, snapped to the grid 2^k with
/// k = `grid_exponent(sigma)`: 2^k·(round(shift/2^k) + Z), Z ~ N_Z(0, (σ/2^k)²).
pub fn sample_gaussian<R: RngCore + ?Sized>(
    rng: &mut R,
    shift: f64,
    sigma: f64,
) -> Result<f64, PrivacyError> {
    if !(sigma.is_finite() && sigma > 0.0) {
        return Err(PrivacyError::InvalidNoiseMultiplier(sigma));
    }
    let k = grid_exponent(sigma);
    let s = rational(sigma)? / pow2(k);
    let z = sample_discrete_gaussian(rng, &(&s * &s))?;
    Ok(from_grid(&(to_grid(shift, k)? + z), k))
}

/// The (ε, δ)-DP Gaussian mechanism with the analytic calibration, for a query of L2
/// sensitivity Δ, on the grid described in the module documentation.
#[derive(Debug, Clone)]
pub struct GaussianMechanism {
    epsilon: f64,
    delta: f64,
    sensitivity: f64,
    k: i32,
    sigma: f64,
    grid_variance: BigRational,
}

impl GaussianMechanism {
    /// The mechanism for L2 sensitivity `sensitivity`, `epsilon` > 0 and `delta` in (0, 1).
    pub fn new(sensitivity: f64, epsilon: f64, delta: f64) -> Result<Self, PrivacyError> {
        if !(sensitivity.is_finite() && sensitivity > 0.0) {
            return Err(PrivacyError::Unsupported(format!(
                "sensitivity must be a positive finite number, got {sensitivity}"
            )));
        }
        let k = grid_exponent(sensitivity);
        let dz: BigInt = (rational(sensitivity)? / pow2(k)).ceil().to_integer();
        // Δ_Z·2^k is exact in f64 (Δ_Z < 2^42).
        let effective = libm::scalbn(dz.to_f64().unwrap_or(f64::INFINITY), k);
        let sigma = analytic_gaussian_sigma(epsilon, delta, effective)?;
        let s = rational(sigma)? / pow2(k);
        Ok(GaussianMechanism {
            epsilon,
            delta,
            sensitivity,
            k,
            sigma,
            grid_variance: &s * &s,
        })
    }

    /// ε.
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }

    /// δ.
    pub fn delta(&self) -> f64 {
        self.delta
    }

    /// The L2 sensitivity Δ.
    pub fn sensitivity(&self) -> f64 {
        self.sensitivity
    }

    /// The noise standard deviation σ (the analytic calibration for the grid sensitivity).
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The grid spacing 2^k of the released values.
    pub fn granularity(&self) -> f64 {
        libm::scalbn(1.0, self.k)
    }

    /// Releases `value` + noise.
    pub fn release<R: RngCore + ?Sized>(
        &self,
        rng: &mut R,
        value: f64,
    ) -> Result<f64, PrivacyError> {
        let z = sample_discrete_gaussian(rng, &self.grid_variance)?;
        Ok(from_grid(&(to_grid(value, self.k)? + z), self.k))
    }

    /// Half-width of the central interval holding the noise with probability `confidence`:
    /// σ·Φ⁻¹((1 + confidence)/2).
    pub fn interval_half_width(&self, confidence: f64) -> f64 {
        self.sigma * ndtri(0.5 + 0.5 * confidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_meets_delta_and_is_tight() {
        for &(eps, delta, sens) in &[
            (1.0, 1e-5, 1.0),
            (0.1, 1e-6, 2.0),
            (5.0, 1e-9, 0.5),
            (20.0, 1e-3, 1.0),
        ] {
            let s = analytic_gaussian_sigma(eps, delta, sens).unwrap();
            assert!(analytic_gaussian_delta(s, eps, sens) <= delta);
            assert!(analytic_gaussian_delta(s * (1.0 - 1e-9), eps, sens) > delta);
            // Scale invariance: σ/Δ depends only on (ε, δ).
            let s1 = analytic_gaussian_sigma(eps, delta, 1.0).unwrap();
            assert!((s / sens - s1).abs() <= 1e-11 * s1);
        }
    }

    #[test]
    fn tighter_than_classical_for_small_epsilon() {
        let (eps, delta) = (0.5, 1e-5);
        let classical = (2.0 * (1.25f64 / delta).ln()).sqrt() / eps;
        let s = analytic_gaussian_sigma(eps, delta, 1.0).unwrap();
        assert!(s < classical, "{s} vs {classical}");
    }
}
