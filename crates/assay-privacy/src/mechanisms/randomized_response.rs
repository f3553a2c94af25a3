//! Randomized response (Warner 1965), k-ary: report the true category with probability
//! e^ε/(e^ε + k - 1), else one of the k - 1 others uniformly. ε-DP for one categorical value.
//!
//! Sampled exactly: a uniformly chosen category is accepted at once if it is the true one and
//! with probability exp(-ε) (exact Bernoulli(exp(-γ)) on the rational ε) otherwise, so the true
//! category has weight 1 and each other weight e^{-ε}.

use rand::RngCore;

use super::exact::{bernoulli_exp_neg, rational, uniform_below_u64};
use crate::PrivacyError;

/// The randomized response to the true category `truth` among `k` ≥ 2 categories.
pub fn randomized_response<R: RngCore + ?Sized>(
    rng: &mut R,
    truth: usize,
    k: usize,
    epsilon: f64,
) -> Result<usize, PrivacyError> {
    crate::params::check_epsilon(epsilon)?;
    if k < 2 || truth >= k {
        return Err(PrivacyError::Unsupported(format!(
            "randomized response needs k >= 2 categories and truth < k, got truth {truth}, k {k}"
        )));
    }
    let gamma = rational(epsilon)?;
    loop {
        let j = uniform_below_u64(rng, k as u64) as usize;
        if j == truth || bernoulli_exp_neg(rng, &gamma) {
            return Ok(j);
        }
    }
}

/// Binary randomized response: the true bit with probability e^ε/(1 + e^ε).
pub fn randomized_response_bool<R: RngCore + ?Sized>(
    rng: &mut R,
    truth: bool,
    epsilon: f64,
) -> Result<bool, PrivacyError> {
    Ok(randomized_response(rng, truth as usize, 2, epsilon)? == 1)
}

/// Probability that randomized response over k categories reports the truth.
pub fn truth_probability(k: usize, epsilon: f64) -> f64 {
    1.0 / (1.0 + (k as f64 - 1.0) * (-epsilon).exp())
}
