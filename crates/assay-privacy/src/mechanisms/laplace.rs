//! The Laplace mechanism, sampled as discrete Laplace noise on a fine power-of-two grid.
//!
//! Textbook floating-point Laplace noise (`-b·sgn(u)·ln(1-2|u|)` on a uniform double) is not
//! private on real hardware: the set of doubles it can output depends on the true value, so
//! some outputs reveal it exactly (Mironov 2012). Following OpenDP's approach, the value and the
//! noise live on the grid 2^k·ℤ instead: the input is rounded to the nearest grid point
//! (exactly, in rational arithmetic), integer noise from the *exact* discrete Laplace sampler
//! of [`super::discrete_laplace`] with scale b/2^k is added, and the grid integer is turned
//! back into a double (post-processing, which cannot weaken privacy).
//!
//! Privacy: inputs at distance ≤ Δ round to grid integers at distance ≤ ⌈Δ/2^k⌉ =: Δ_Z (rounding
//! is monotone and commutes with integer shifts), and discrete Laplace noise of scale Δ_Z/ε on ℤ
//! is exactly ε-DP for integer sensitivity Δ_Z. The mechanism therefore uses the scale
//! b = Δ_Z·2^k/ε, which is at least Δ/ε and exceeds it by less than 2^-[`GRID_BITS`] relative,
//! with k = ⌊log2 Δ⌋ - [`GRID_BITS`]. The noise is then within 2^k of a continuous Laplace draw
//! in distribution (a Kolmogorov–Smirnov test cannot tell them apart).

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive};
use rand::RngCore;

use super::discrete_laplace::sample_discrete_laplace;
use super::exact::{pow2, rational};
use crate::PrivacyError;

/// Bits of resolution of the noise grid below the sensitivity (or the scale): the grid is
/// 2^k with k = ⌊log2 Δ⌋ - `GRID_BITS`.
pub const GRID_BITS: i32 = 40;

/// The grid exponent k for a reference magnitude (sensitivity or scale): ⌊log2 x⌋ - GRID_BITS,
/// never below the smallest subnormal's exponent.
pub fn grid_exponent(reference: f64) -> i32 {
    (libm::ilogb(reference) - GRID_BITS).max(-1074)
}

/// `x` rounded to the nearest multiple of 2^k, as the integer ⌊x/2^k + 1/2⌋ (ties upwards).
///
/// Ties go upwards, not away from zero: ⌊y + 1/2⌋ is monotone and commutes with integer shifts,
/// so inputs at distance ≤ d land at most ⌈d⌉ grid steps apart, which the mechanisms' grid
/// sensitivity relies on (rounding half away from zero maps -1/2 and 1/2, at distance 1, to -1
/// and 1).
pub fn to_grid(x: f64, k: i32) -> Result<BigInt, PrivacyError> {
    let half = BigRational::new(BigInt::from(1), BigInt::from(2));
    Ok((rational(x)? / pow2(k) + half).floor().to_integer())
}

/// The double nearest 2^k·z (post-processing of a grid integer).
pub fn from_grid(z: &BigInt, k: i32) -> f64 {
    let v = z.to_f64().unwrap_or(if z.is_negative() {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    });
    libm::scalbn(v, k)
}

fn positive(name: &str, v: f64) -> Result<(), PrivacyError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(PrivacyError::Unsupported(format!(
            "{name} must be a positive finite number, got {v}"
        )))
    }
}

/// `shift` plus Laplace noise of scale `scale`, snapped to the grid 2^k with
/// k = [`grid_exponent`]`(scale)`: 2^k·(round(shift/2^k) + Z), Z ~ discrete Laplace(scale/2^k).
pub fn sample_laplace<R: RngCore + ?Sized>(
    rng: &mut R,
    shift: f64,
    scale: f64,
) -> Result<f64, PrivacyError> {
    positive("Laplace scale", scale)?;
    let k = grid_exponent(scale);
    let z = sample_discrete_laplace(rng, &(rational(scale)? / pow2(k)))?;
    Ok(from_grid(&(to_grid(shift, k)? + z), k))
}

/// The ε-DP Laplace mechanism for a query of L1 sensitivity Δ, on the grid described in the
/// module documentation.
#[derive(Debug, Clone)]
pub struct LaplaceMechanism {
    epsilon: f64,
    sensitivity: f64,
    k: i32,
    grid_scale: BigRational,
    scale: f64,
}

impl LaplaceMechanism {
    /// The mechanism for sensitivity `sensitivity` > 0 and privacy parameter `epsilon` > 0.
    pub fn new(sensitivity: f64, epsilon: f64) -> Result<Self, PrivacyError> {
        crate::params::check_epsilon(epsilon)?;
        positive("sensitivity", sensitivity)?;
        let k = grid_exponent(sensitivity);
        // Δ_Z = ⌈Δ / 2^k⌉ grid steps; scale on the grid Δ_Z / ε.
        let dz = (rational(sensitivity)? / pow2(k)).ceil();
        let grid_scale = dz / rational(epsilon)?;
        let scale = (&grid_scale * pow2(k)).to_f64().unwrap_or(f64::INFINITY);
        if !scale.is_finite() {
            return Err(PrivacyError::Unsupported(format!(
                "the Laplace noise scale sensitivity / epsilon = {sensitivity:e} / {epsilon:e} is not a finite number"
            )));
        }
        Ok(LaplaceMechanism {
            epsilon,
            sensitivity,
            k,
            grid_scale,
            scale,
        })
    }

    /// ε.
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }

    /// The sensitivity Δ.
    pub fn sensitivity(&self) -> f64 {
        self.sensitivity
    }

    /// The noise scale b actually used (≥ Δ/ε, within 2^-40 relative of it).
    pub fn scale(&self) -> f64 {
        self.scale
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
        let z = sample_discrete_laplace(rng, &self.grid_scale)?;
        Ok(from_grid(&(to_grid(value, self.k)? + z), self.k))
    }

    /// Half-width w of the central interval holding the noise with probability `confidence`:
    /// P(|noise| ≤ w) = confidence for Laplace(b), w = b·ln(1/(1 - confidence)).
    pub fn interval_half_width(&self, confidence: f64) -> f64 {
        self.scale * (1.0 / (1.0 - confidence)).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_rounding_preserves_distances() {
        let k = -3;
        let g = libm::scalbn(1.0, k);
        // Ties at ±1/2 step: one step apart, as their distance.
        let a = to_grid(-0.5 * g, k).unwrap();
        let b = to_grid(0.5 * g, k).unwrap();
        assert_eq!(b - a, BigInt::from(1));
        for &(x, d) in &[(0.3, 1.0), (-1.7, 0.25), (-0.0625, 0.125), (5.5, 2.0)] {
            let diff = to_grid(x + d, k).unwrap() - to_grid(x, k).unwrap();
            assert!(diff <= BigInt::from((d / g).ceil() as i64), "{x} {d}");
        }
        assert_eq!(from_grid(&to_grid(2.625, k).unwrap(), k), 2.625);
    }
}
