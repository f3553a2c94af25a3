//! Noise mechanisms whose sampling is sound on floating-point hardware.
//!
//! | family | module | distribution |
//! |---|---|---|
//! | Laplace | [`laplace`] | Laplace(Δ/ε) on a 2^k grid (exact discrete Laplace noise) |
//! | Gaussian | [`gaussian`] | analytic Balle–Wang σ, N(0, σ²) on a 2^k grid (exact discrete Gaussian) |
//! | discrete Laplace / geometric | [`discrete_laplace`] | CKS20 Algorithm 2 |
//! | discrete Gaussian | [`discrete_gaussian`] | CKS20 Algorithm 3 |
//! | exponential mechanism, report-noisy-max (Gumbel) | [`exponential`] | exact rejection sampler |
//! | randomized response | [`randomized_response()`] | k-ary, exact |
//!
//! **Why hand-written and not OpenDP.** The issue prefers the samplers of the `opendp` crate.
//! `opendp` 0.16 draws all its randomness from a process-global source (`fill_bytes`: OpenSSL's
//! `RAND_priv_bytes`, or `rand` 0.7's `thread_rng` without the `use-openssl` feature) with no way
//! to pass a generator, so its draws cannot be seeded: assay's releases must be reproducible for
//! a given `--seed` and its statistical tests need fixed seeds. It would also bring `rand` 0.7,
//! `dashu`, `statrs` 0.13, `num` 0.3 and OpenSSL next to the workspace's `rand` 0.9. The samplers
//! here follow the same published algorithms OpenDP uses (Canonne, Kamath and Steinke 2020 for
//! the discrete distributions; continuous noise as discrete noise on a power-of-two grid), on
//! exact integer/rational arithmetic ([`exact`]), and `tests/samplers.rs` tests each one
//! statistically against its exact distribution.
//!
//! **Randomness.** Every sampler takes any `rand::RngCore`. [`rng`] gives ChaCha20 (a CSPRNG)
//! seeded from the operating system, or from an explicit seed for reproducible output (the
//! same seed gives the same draws on every platform). A seeded release is only as private as
//! the seed is secret.

pub mod discrete_gaussian;
pub mod discrete_laplace;
pub mod exact;
pub mod exponential;
pub mod gaussian;
pub mod laplace;
pub mod randomized_response;

pub use discrete_gaussian::sample_discrete_gaussian;
pub use discrete_laplace::{sample_discrete_laplace, DiscreteLaplaceMechanism};
pub use exponential::{exponential_mechanism, report_noisy_max_gumbel};
pub use gaussian::{
    analytic_gaussian_delta, analytic_gaussian_sigma, sample_gaussian, GaussianMechanism,
};
pub use laplace::{sample_laplace, LaplaceMechanism};
pub use randomized_response::{randomized_response, randomized_response_bool};

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// The generator for releases: ChaCha20 seeded from `seed` if given, else from the operating
/// system's entropy source.
pub fn rng(seed: Option<u64>) -> ChaCha20Rng {
    match seed {
        Some(s) => ChaCha20Rng::seed_from_u64(s),
        None => ChaCha20Rng::from_os_rng(),
    }
}
