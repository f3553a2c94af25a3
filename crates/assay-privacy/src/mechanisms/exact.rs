//! Exact random primitives on rationals: uniform integers, Bernoulli(p) for a rational p, and
//! Bernoulli(exp(-γ)) for a rational γ ≥ 0 (Canonne, Kamath and Steinke 2020, Algorithm 1).
//!
//! Every sampler here consumes only uniformly random bits and does exact integer arithmetic
//! (`num-bigint`), so its output distribution is exactly the stated one: there is no
//! floating-point rounding for an attacker to exploit (Mironov 2012). Floating-point inputs
//! (ε, scales, utilities) are converted to the rational they exactly represent.

use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_rational::{BigRational, Ratio};
use num_traits::{One, Signed, ToPrimitive, Zero};
use rand::RngCore;

use crate::PrivacyError;

/// The exact rational value of a finite `f64`.
pub fn rational(x: f64) -> Result<BigRational, PrivacyError> {
    Ratio::from_float(x)
        .ok_or_else(|| PrivacyError::Unsupported(format!("not a finite number: {x}")))
}

/// 2^k as an exact rational (k may be negative).
pub fn pow2(k: i32) -> BigRational {
    let p = BigInt::one() << k.unsigned_abs();
    if k >= 0 {
        BigRational::from_integer(p)
    } else {
        BigRational::new(BigInt::one(), p)
    }
}

/// A uniform integer in `[0, n)`, `n > 0` (rejection sampling on random bits: exact).
pub fn uniform_below<R: RngCore + ?Sized>(rng: &mut R, n: &BigUint) -> BigUint {
    debug_assert!(!n.is_zero());
    if let Some(m) = n.to_u64() {
        // Lemire's multiply-and-reject, exact (no modulo bias).
        return BigUint::from(uniform_below_u64(rng, m));
    }
    // Rejection sampling on ⌈log2 n⌉ random bits: accepts with probability > 1/2.
    let bits = n.bits();
    let nbytes = bits.div_ceil(8) as usize;
    let excess = (nbytes as u64) * 8 - bits;
    let mut buf = vec![0u8; nbytes];
    loop {
        rng.fill_bytes(&mut buf);
        // Little-endian: the last byte holds the top bits.
        buf[nbytes - 1] &= 0xffu8 >> excess;
        let x = BigUint::from_bytes_le(&buf);
        if &x < n {
            return x;
        }
    }
}

/// A uniform integer in `[0, n)`, `n > 0`, exactly (widening multiply with rejection).
pub fn uniform_below_u64<R: RngCore + ?Sized>(rng: &mut R, n: u64) -> u64 {
    debug_assert!(n > 0);
    let threshold = n.wrapping_neg() % n; // 2^64 mod n
    loop {
        let x = rng.next_u64();
        let m = (x as u128) * (n as u128);
        if (m as u64) >= threshold {
            return (m >> 64) as u64;
        }
    }
}

/// Bernoulli(num / den) for integers `0 ≤ num ≤ den`, `den > 0`.
pub fn bernoulli_ratio<R: RngCore + ?Sized>(rng: &mut R, num: &BigUint, den: &BigUint) -> bool {
    &uniform_below(rng, den) < num
}

/// Bernoulli(1/2) from one random bit.
pub fn fair_coin<R: RngCore + ?Sized>(rng: &mut R) -> bool {
    rng.next_u32() & 1 == 1
}

/// Bernoulli(exp(-γ)) for a rational `γ` in `[0, 1]` (CKS20 Algorithm 1: K ← 1; while
/// Bernoulli(γ/K) { K ← K + 1 }; return K odd).
fn bernoulli_exp_neg_le1<R: RngCore + ?Sized>(rng: &mut R, num: &BigUint, den: &BigUint) -> bool {
    let mut k = BigUint::one();
    loop {
        let d = den * &k;
        if bernoulli_ratio(rng, num, &d) {
            k += 1u32;
        } else {
            return k.is_odd();
        }
    }
}

/// Bernoulli(exp(-γ)) for any rational `γ ≥ 0` (CKS20 Algorithm 1: ⌊γ⌋ independent
/// Bernoulli(exp(-1)) draws, all of which must succeed, then one Bernoulli(exp(-(γ - ⌊γ⌋)))).
pub fn bernoulli_exp_neg<R: RngCore + ?Sized>(rng: &mut R, gamma: &BigRational) -> bool {
    debug_assert!(!gamma.is_negative());
    let num = gamma.numer().magnitude();
    let den = gamma.denom().magnitude();
    let (whole, frac) = num.div_rem(den);
    let one = BigUint::one();
    let mut i = BigUint::zero();
    while i < whole {
        if !bernoulli_exp_neg_le1(rng, &one, &one) {
            return false;
        }
        i += 1u32;
    }
    bernoulli_exp_neg_le1(rng, &frac, den)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn bernoulli_exp_neg_frequencies() {
        // Binomial check: |freq - p| within 5 standard errors (false alarm < 1e-6 each).
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        for (num, den) in [(0i64, 1i64), (1, 3), (1, 1), (5, 2), (7, 1)] {
            let g = BigRational::new(num.into(), den.into());
            let p = (-(num as f64) / den as f64).exp();
            let n = 100_000;
            let hits = (0..n).filter(|_| bernoulli_exp_neg(&mut rng, &g)).count();
            let f = hits as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt().max(1e-9);
            assert!((f - p).abs() <= 5.0 * se, "gamma {num}/{den}: {f} vs {p}");
        }
    }

    #[test]
    fn uniform_below_is_uniform() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let n = BigUint::from(6u32);
        let mut c = [0usize; 6];
        for _ in 0..60_000 {
            c[uniform_below(&mut rng, &n).to_usize().unwrap()] += 1;
        }
        // Each count is Binomial(60000, 1/6): sd ≈ 91; 5 sd.
        assert!(
            c.iter().all(|&x| (x as f64 - 10_000.0).abs() < 460.0),
            "{c:?}"
        );
        let big = BigUint::one() << 100u32;
        for _ in 0..100 {
            assert!(uniform_below(&mut rng, &big) < big);
        }
    }
}
