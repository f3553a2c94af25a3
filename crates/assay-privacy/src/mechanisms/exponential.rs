//! The exponential mechanism (McSherry and Talwar 2007) and report-noisy-max with Gumbel noise,
//! sampled exactly.
//!
//! The exponential mechanism picks candidate i with probability ∝ exp(ε·u_i/(2Δ)) for
//! utilities u_i of sensitivity Δ; it is ε-DP. Report-noisy-max with Gumbel(2Δ/ε) noise has
//! exactly the same output distribution (the Gumbel-max trick), so both are the one exact
//! sampler below instead of floating-point exponentials or Gumbel draws: a uniformly chosen
//! candidate i is accepted with probability exp(-ε(u_max - u_i)/(2Δ)), evaluated by the exact
//! Bernoulli(exp(-γ)) procedure on the rational γ (the f64 utilities are exact rationals).
//! Accepted draws have exactly the target distribution; the expected number of trials is
//! n / Σ_i exp(-ε(u_max - u_i)/(2Δ)) ≤ n.

use num_bigint::BigInt;
use num_rational::BigRational;
use rand::RngCore;

use super::exact::{bernoulli_exp_neg, rational, uniform_below_u64};
use crate::PrivacyError;

/// Index chosen by the ε-DP exponential mechanism: P(i) ∝ exp(ε·u_i/(2Δ)).
pub fn exponential_mechanism<R: RngCore + ?Sized>(
    rng: &mut R,
    utilities: &[f64],
    epsilon: f64,
    sensitivity: f64,
) -> Result<usize, PrivacyError> {
    crate::params::check_epsilon(epsilon)?;
    if !(sensitivity.is_finite() && sensitivity > 0.0) {
        return Err(PrivacyError::Unsupported(format!(
            "utility sensitivity must be a positive finite number, got {sensitivity}"
        )));
    }
    if utilities.is_empty() {
        return Err(PrivacyError::Unsupported(
            "the exponential mechanism needs at least one candidate".into(),
        ));
    }
    let us = utilities
        .iter()
        .map(|&u| rational(u))
        .collect::<Result<Vec<_>, _>>()?;
    let max = us.iter().max().cloned().unwrap_or_default();
    let factor =
        rational(epsilon)? / (rational(sensitivity)? * BigRational::from_integer(BigInt::from(2)));
    let n = us.len() as u64;
    loop {
        let i = uniform_below_u64(rng, n) as usize;
        let gamma = (&max - &us[i]) * &factor;
        if bernoulli_exp_neg(rng, &gamma) {
            return Ok(i);
        }
    }
}

/// Report-noisy-max with Gumbel noise of scale 2Δ/ε: the index of the largest u_i + G_i.
/// Its distribution is exactly the exponential mechanism's, which is what is sampled.
pub fn report_noisy_max_gumbel<R: RngCore + ?Sized>(
    rng: &mut R,
    scores: &[f64],
    epsilon: f64,
    sensitivity: f64,
) -> Result<usize, PrivacyError> {
    exponential_mechanism(rng, scores, epsilon, sensitivity)
}

/// The exact probabilities of the exponential mechanism (for tests and error statements):
/// softmax of ε·u/(2Δ).
pub fn exponential_mechanism_probabilities(
    utilities: &[f64],
    epsilon: f64,
    sensitivity: f64,
) -> Vec<f64> {
    let m = utilities.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = utilities
        .iter()
        .map(|&u| (epsilon * (u - m) / (2.0 * sensitivity)).exp())
        .collect();
    let s: f64 = w.iter().sum();
    w.into_iter().map(|x| x / s).collect()
}
