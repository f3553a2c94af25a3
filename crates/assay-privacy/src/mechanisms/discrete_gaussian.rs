//! The discrete Gaussian distribution on the integers: P(x) ∝ exp(-x² / (2σ²)), sampled
//! exactly (Canonne, Kamath and Steinke 2020, Algorithm 3).

use num_bigint::{BigInt, Sign};
use num_rational::BigRational;
use num_traits::{One, Signed};
use rand::RngCore;

use super::discrete_laplace::sample_discrete_laplace;
use super::exact::bernoulli_exp_neg;
use crate::PrivacyError;

/// One draw from the discrete Gaussian N_Z(0, σ²) for a positive rational variance
/// parameter `sigma2` = σ² (the variance of the draw is slightly below σ² for small σ).
///
/// CKS20 Algorithm 3: t = ⌊σ⌋ + 1, Y ~ discrete Laplace(t), accepted with probability
/// exp(-(|Y| - σ²/t)² / (2σ²)).
pub fn sample_discrete_gaussian<R: RngCore + ?Sized>(
    rng: &mut R,
    sigma2: &BigRational,
) -> Result<BigInt, PrivacyError> {
    if !sigma2.is_positive() {
        return Err(PrivacyError::Unsupported(format!(
            "discrete Gaussian variance must be positive, got {sigma2}"
        )));
    }
    // ⌊σ⌋ = ⌊√⌊σ²⌋⌋ for σ² ≥ 0.
    let floor_sigma = sigma2.to_integer().magnitude().sqrt();
    let t = BigInt::from_biguint(Sign::Plus, floor_sigma) + BigInt::one();
    let t_rat = BigRational::from_integer(t.clone());
    let center = sigma2 / &t_rat;
    let two_sigma2 = sigma2 * BigRational::from_integer(2.into());
    Ok(loop {
        let y = sample_discrete_laplace(rng, &t_rat)?;
        let d = BigRational::from_integer(y.abs()) - &center;
        let gamma = &d * &d / &two_sigma2;
        if bernoulli_exp_neg(rng, &gamma) {
            break y;
        }
    })
}
