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

/// The most integer steps [`DiscreteLaplaceMechanism::interval_half_width`] moves its closed
/// form to correct floating-point rounding (one is all it ever needs; the bound guarantees an
/// end even where w is too large for unit steps to change it).
pub const HALF_WIDTH_STEPS: usize = 4;

/// The ε-DP discrete Laplace (geometric) mechanism for an integer-valued query of integer L1
/// sensitivity Δ: value + Z, Z ~ discrete Laplace(Δ/ε), exact on the integers (pmf ratio of
/// neighbouring outputs ≤ exp(Δ/scale) = exp(ε)).
#[derive(Debug, Clone)]
pub struct DiscreteLaplaceMechanism {
    epsilon: f64,
    sensitivity: u64,
    scale: BigRational,
}

impl DiscreteLaplaceMechanism {
    /// The mechanism for integer sensitivity ≥ 1 and ε > 0.
    pub fn new(sensitivity: u64, epsilon: f64) -> Result<Self, PrivacyError> {
        crate::params::check_epsilon(epsilon)?;
        if sensitivity == 0 {
            return Err(PrivacyError::Unsupported(
                "sensitivity must be at least 1".into(),
            ));
        }
        let scale =
            BigRational::from_integer(BigInt::from(sensitivity)) / super::exact::rational(epsilon)?;
        Ok(DiscreteLaplaceMechanism {
            epsilon,
            sensitivity,
            scale,
        })
    }

    /// ε.
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }

    /// The sensitivity Δ.
    pub fn sensitivity(&self) -> u64 {
        self.sensitivity
    }

    /// The scale Δ/ε.
    pub fn scale(&self) -> f64 {
        self.sensitivity as f64 / self.epsilon
    }

    /// Releases `value` + noise.
    pub fn release<R: RngCore + ?Sized>(
        &self,
        rng: &mut R,
        value: i64,
    ) -> Result<i64, PrivacyError> {
        let z = sample_discrete_laplace(rng, &self.scale)? + BigInt::from(value);
        i64::try_from(z)
            .map_err(|_| PrivacyError::Unsupported("noisy value overflows a 64-bit integer".into()))
    }

    /// The smallest integer w with P(|Z| ≤ w) ≥ `confidence`: P(|Z| > w) = 2p^{w+1}/(1 + p),
    /// p = exp(-ε/Δ).
    ///
    /// The closed form is evaluated with ln p = -ε/Δ taken directly (not as the logarithm of
    /// a rounded `exp(-ε/Δ)`, which is exactly 1 for ε/Δ below 2^-53) and then corrected by at
    /// most [`HALF_WIDTH_STEPS`] integer steps each way, so the computation always ends.
    pub fn interval_half_width(&self, confidence: f64) -> f64 {
        let ln_p = -self.epsilon / self.sensitivity as f64;
        let p = ln_p.exp();
        let alpha = 1.0 - confidence;
        let tail = |w: f64| 2.0 * ((w + 1.0) * ln_p).exp() / (1.0 + p);
        let mut w = ((alpha * (1.0 + p) / 2.0).ln() / ln_p - 1.0)
            .ceil()
            .max(0.0);
        for _ in 0..HALF_WIDTH_STEPS {
            if w > 0.0 && tail(w - 1.0) <= alpha {
                w -= 1.0;
            } else {
                break;
            }
        }
        for _ in 0..HALF_WIDTH_STEPS {
            if tail(w) > alpha {
                w += 1.0;
            } else {
                break;
            }
        }
        w
    }
}
