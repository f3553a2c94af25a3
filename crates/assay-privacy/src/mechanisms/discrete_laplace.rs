//! The discrete Laplace (two-sided geometric) distribution on the integers:
//! P(x) ∝ exp(-|x| / scale), sampled exactly (Canonne, Kamath and Steinke 2020, Algorithm 2).

use num_bigint::{BigInt, BigUint, Sign};
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use rand::RngCore;

use super::exact::{bernoulli_exp_neg, fair_coin, uniform_below};
use crate::PrivacyError;

/// One draw from the discrete Laplace distribution with a positive rational `scale` = t/s:
/// P(x) = (1 - p)/(1 + p) p^|x| with p = exp(-1/scale).
///
/// CKS20 Algorithm 2: U uniform on {0, …, t-1} kept with probability exp(-U/t), V ~
/// Geometric(1 - e^{-1}) by repeated Bernoulli(e^{-1}), X = U + tV (geometric with ratio
/// e^{-1/t}), Y = ⌊X/s⌋ (geometric with ratio e^{-s/t}), a random sign, and (sign -, Y = 0)
/// rejected so that 0 is not counted twice.
pub fn sample_discrete_laplace<R: RngCore + ?Sized>(
    rng: &mut R,
    scale: &BigRational,
) -> Result<BigInt, PrivacyError> {
    if !scale.is_positive() {
        return Err(PrivacyError::Unsupported(format!(
            "discrete Laplace scale must be positive, got {scale}"
        )));
    }
    let t = scale.numer().magnitude().clone();
    let s = scale.denom().magnitude().clone();
    let one = BigRational::one();
    Ok(loop {
        let u = uniform_below(rng, &t);
        let gamma = BigRational::new(
            BigInt::from_biguint(Sign::Plus, u.clone()),
            BigInt::from_biguint(Sign::Plus, t.clone()),
        );
        if !bernoulli_exp_neg(rng, &gamma) {
            continue;
        }
        let mut v = BigUint::zero();
        while bernoulli_exp_neg(rng, &one) {
            v += 1u32;
        }
        let x = u + &t * v;
        let y = x / &s;
        let negative = fair_coin(rng);
        if negative && y.is_zero() {
            continue;
        }
        let y = BigInt::from_biguint(Sign::Plus, y);
        break if negative { -y } else { y };
    })
}
