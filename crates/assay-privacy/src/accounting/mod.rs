//! Privacy accountants: how much (ε, δ) a sequence of noisy releases spends.
//!
//! * [`rdp`]: Rényi DP curves (Poisson- and fixed-size-subsampled Gaussian, Gaussian, Laplace,
//!   zCDP), their composition and conversion to (ε, δ).
//! * [`pld`]: privacy loss distributions of the Poisson-subsampled Gaussian with pessimistic
//!   connect-the-dots discretisation and FFT composition (tight ε).
//! * [`zcdp`]: zero-concentrated DP (ρ), its composition and conversion to (ε, δ).
//! * [`calibrate`]: the noise multiplier that reaches a target (ε, δ).
//!
//! [`epsilon`] is the one-call entry point for DP-SGD-style training (Poisson sampling rate q,
//! noise multiplier σ, T steps).

pub mod calibrate;
pub mod pld;
pub mod rdp;
pub mod zcdp;

use crate::PrivacyError;

/// Which accountant computes ε.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Accountant {
    /// Rényi DP with `dp_accounting`'s default orders (Mironov et al. 2019): fast, an upper
    /// bound that is loose by roughly 5–15 %.
    Rdp,
    /// Privacy loss distribution (Koskela et al. 2020; Doroshenko et al. 2022) on a grid of
    /// privacy-loss values spaced by `discretization`: tight up to discretisation.
    Pld {
        /// The value discretisation interval Δ ([`pld::DEFAULT_DISCRETIZATION`] in
        /// `dp_accounting`); smaller is tighter, slower and needs more memory.
        discretization: f64,
    },
}

impl Accountant {
    /// The PLD accountant with `dp_accounting`'s default discretisation interval.
    pub fn pld() -> Accountant {
        Accountant::Pld {
            discretization: pld::DEFAULT_DISCRETIZATION,
        }
    }
}

/// ε after `steps` steps of the Poisson-subsampled Gaussian mechanism (sampling rate q, noise
/// multiplier σ) at the given δ, by the chosen accountant.
pub fn epsilon(
    accountant: Accountant,
    sampling_rate: f64,
    noise_multiplier: f64,
    steps: u64,
    delta: f64,
) -> Result<f64, PrivacyError> {
    validate::sampling_rate(sampling_rate)?;
    validate::noise_multiplier(noise_multiplier)?;
    validate::steps(steps)?;
    validate::delta(delta)?;
    match accountant {
        Accountant::Rdp => {
            let mut acc = rdp::RdpAccountant::new();
            acc.compose(
                rdp::Mechanism::PoissonGaussian {
                    sampling_rate,
                    noise_multiplier,
                },
                steps,
            )?;
            acc.epsilon(delta)
        }
        Accountant::Pld { discretization } => pld::poisson_gaussian_epsilon(
            sampling_rate,
            noise_multiplier,
            steps,
            delta,
            discretization,
        ),
    }
}

/// Parameter checks shared by the accountants.
pub(crate) mod validate {
    use crate::PrivacyError;

    pub(crate) fn sampling_rate(q: f64) -> Result<(), PrivacyError> {
        if q > 0.0 && q <= 1.0 {
            Ok(())
        } else {
            Err(PrivacyError::InvalidSamplingRate(q))
        }
    }

    pub(crate) fn noise_multiplier(s: f64) -> Result<(), PrivacyError> {
        if s.is_finite() && s > 0.0 {
            Ok(())
        } else {
            Err(PrivacyError::InvalidNoiseMultiplier(s))
        }
    }

    /// A target δ: in the range of [`crate::params::check_delta`].
    pub(crate) fn delta(d: f64) -> Result<(), PrivacyError> {
        crate::params::check_delta(d)
    }

    /// A target ε: in the range of [`crate::params::check_epsilon`].
    pub(crate) fn epsilon(e: f64) -> Result<(), PrivacyError> {
        crate::params::check_epsilon(e)
    }

    pub(crate) fn steps(t: u64) -> Result<(), PrivacyError> {
        if t == 0 {
            Err(PrivacyError::ZeroSteps)
        } else {
            Ok(())
        }
    }

    pub(crate) fn orders(orders: &[f64]) -> Result<(), PrivacyError> {
        if orders.is_empty() {
            return Err(PrivacyError::InvalidOrder(f64::NAN));
        }
        match orders.iter().find(|&&a| !(a > 1.0 && a.is_finite())) {
            Some(&a) => Err(PrivacyError::InvalidOrder(a)),
            None => Ok(()),
        }
    }
}
