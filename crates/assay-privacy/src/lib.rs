//! Differential privacy for assay.
//!
//! [`accounting`] holds the privacy accountants: Rényi differential privacy of the
//! Poisson-subsampled and fixed-size-subsampled Gaussian mechanism (Mironov, Talwar and Zhang
//! 2019; Wang, Balle and Kasiviswanathan 2019), composition of heterogeneous mechanisms,
//! conversion to (ε, δ) (Balle et al. 2020), privacy loss distributions with connect-the-dots
//! discretisation and FFT composition (Koskela et al. 2020; Doroshenko et al. 2022), and
//! calibration of the noise multiplier for a target (ε, δ). The numbers agree with Google's
//! `dp_accounting` (see `tests/reference/dp_accounting_golden.py`).
//!
//! [`mechanisms`] holds noise samplers that are sound on floating-point hardware (exact
//! discrete Laplace and Gaussian samplers, continuous noise on a power-of-two grid, the
//! exponential mechanism and randomized response); [`ledger`] is the persistent per-dataset
//! privacy budget. [`params`] is the range of ε and δ they all accept.
//!
//! Nothing here prints or exits; every invalid input is a [`PrivacyError`].

pub mod accounting;
pub mod audit;
pub mod dpsgd;
mod error;
pub mod ledger;
pub mod mechanisms;
pub mod mia;
pub mod params;

pub use error::PrivacyError;
