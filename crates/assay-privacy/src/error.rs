//! The one error type of the crate.

use thiserror::Error;

/// An invalid privacy parameter or an accounting that cannot be carried out.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum PrivacyError {
    /// ε must be a positive finite number.
    #[error("epsilon must be a positive finite number, got {0}")]
    InvalidEpsilon(f64),
    /// δ must lie strictly between 0 and 1.
    #[error("delta must be in the open interval (0, 1), got {0}")]
    InvalidDelta(f64),
    /// ε outside the range the samplers and accountants handle exactly ([`crate::params`]).
    #[error("epsilon must be in [2^-30 = 9.313225746154785e-10, 65536] (the range assay's samplers and accountants handle exactly), got {0:e}")]
    EpsilonOutOfRange(f64),
    /// δ outside the range the samplers and accountants handle exactly ([`crate::params`]).
    #[error("delta must be in [2^-1022 = 2.2250738585072014e-308, 1) (the range assay's samplers and accountants handle exactly), got {0:e}")]
    DeltaOutOfRange(f64),
    /// The sampling rate q must lie in (0, 1].
    #[error("sampling rate must be in (0, 1], got {0}")]
    InvalidSamplingRate(f64),
    /// The noise multiplier σ (noise standard deviation over L2 sensitivity) must be positive.
    #[error("noise multiplier must be a positive finite number, got {0}")]
    InvalidNoiseMultiplier(f64),
    /// A mechanism must run at least once.
    #[error("steps must be at least 1, got 0")]
    ZeroSteps,
    /// Fixed-size sampling needs 1 ≤ sample size ≤ dataset size.
    #[error("sample size must be between 1 and the dataset size, got sample size {sample_size} of {dataset_size}")]
    InvalidSampleSize {
        /// The sample (batch) size.
        sample_size: u64,
        /// The dataset size.
        dataset_size: u64,
    },
    /// The Laplace scale (noise multiplier) must be positive.
    #[error("Laplace noise multiplier must be a positive finite number, got {0}")]
    InvalidLaplaceScale(f64),
    /// zCDP parameters must be non-negative.
    #[error("zCDP parameters must be non-negative and finite, got rho = {rho}, xi = {xi}")]
    InvalidZcdp {
        /// ρ.
        rho: f64,
        /// ξ.
        xi: f64,
    },
    /// Rényi orders must exceed 1.
    #[error("Renyi orders must be finite and greater than 1, got {0}")]
    InvalidOrder(f64),
    /// The PLD discretisation interval must be positive.
    #[error("PLD value discretisation interval must be a positive finite number, got {0}")]
    InvalidDiscretization(f64),
    /// The mechanism's PLD needs more grid points than the accountant allows.
    #[error("the privacy loss distribution needs {points} grid points (limit {limit}); use a coarser discretisation or the RDP accountant")]
    PldTooLarge {
        /// Grid points needed.
        points: usize,
        /// The limit.
        limit: usize,
    },
    /// The mechanism is not supported by the chosen accountant.
    #[error("{0}")]
    Unsupported(String),
    /// No noise multiplier in the search range reaches the target.
    #[error("calibration failed: {0}")]
    CalibrationFailed(String),
}
