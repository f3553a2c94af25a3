//! The numerics every assay crate shares, written once (issue #16): special functions of the
//! normal distribution and log-gamma ([`special`]), the logistic function in its stable form
//! ([`sigmoid`]), and the seeded SplitMix64 streams that make every random procedure
//! reproducible whatever the batch size or thread count ([`random`]).
//!
//! The crate has no dependency but `libm` (correctly rounded `erf`, `erfc` and `lgamma`), so
//! any crate, front end or binding can use it.

pub mod beta;
pub mod random;
pub mod special;

/// The logistic function `1 / (1 + e^{−z})`, computed without overflow: for `z < 0` as
/// `e^z / (1 + e^z)`, so that large negative `z` gives a tiny positive value, not `1 / ∞`
/// rounding problems, and never NaN for finite `z`.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_values_and_extremes() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!((sigmoid(2.0) - 0.8807970779778823).abs() < 1e-16);
        assert!((sigmoid(-2.0) - 0.11920292202211755).abs() < 1e-16);
        assert_eq!(sigmoid(1000.0), 1.0);
        let tiny = sigmoid(-700.0);
        assert!(tiny > 0.0 && tiny < 1e-300, "{tiny}");
        assert_eq!(sigmoid(-1e6), 0.0);
    }
}
