//! The flags of `assay dp`.

use assay_data::bounds::parse_finite;
use clap::{Args, Subcommand, ValueEnum};

use assay_privacy::accounting::{pld, Accountant};

/// Flags of `assay dp`.
#[derive(Args)]
pub struct DpArgs {
    #[command(subcommand)]
    pub command: DpCommand,
}

/// The `assay dp` subcommands.
#[derive(Subcommand)]
pub enum DpCommand {
    /// ε spent by T steps of the Poisson-subsampled Gaussian mechanism (DP-SGD): sampling rate
    /// q, noise multiplier σ, at the given δ; Rényi DP or privacy loss distribution accountant
    /// (both agree with Google's dp_accounting).
    Epsilon(EpsilonArgs),
    /// The smallest noise multiplier σ for which T steps at sampling rate q are (ε, δ)-DP.
    Calibrate(CalibrateArgs),
    /// A differentially private count, sum, mean, histogram or quantile of a table, grouped,
    /// with clamping, per-person contribution bounding and a budget ledger.
    Query(Box<super::query_args::QueryArgs>),
    /// DP-SGD (Poisson sampling, per-example clipping, Gaussian noise) of a logistic
    /// regression or one-hidden-layer MLP on a table; reports the test accuracy and ε.
    Train(super::train::TrainArgs),
    /// One-run privacy audit of DP-SGD (Steinke, Nasr and Jagielski 2023): an ε lower bound
    /// from canaries, to check a claimed ε.
    Audit(super::audit::AuditArgs),
}

/// The accountant on the command line.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AccountantArg {
    /// Rényi differential privacy (Mironov et al. 2019): fast, slightly loose.
    Rdp,
    /// Privacy loss distribution (connect-the-dots, FFT composition): tight.
    Pld,
}

impl AccountantArg {
    /// The library's accountant (the PLD one with discretisation interval `discretization`).
    pub fn accountant(self, discretization: f64) -> Accountant {
        match self {
            AccountantArg::Rdp => Accountant::Rdp,
            AccountantArg::Pld => Accountant::Pld { discretization },
        }
    }

    /// Name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            AccountantArg::Rdp => "rdp",
            AccountantArg::Pld => "pld",
        }
    }
}

pub use crate::output::Format;

/// Flags of `assay dp epsilon`.
#[derive(Args)]
pub struct EpsilonArgs {
    /// Poisson sampling rate q in (0, 1] (batch size / dataset size).
    #[arg(long, value_parser = parse_finite, value_name = "Q", allow_hyphen_values = true)]
    pub sampling_rate: f64,
    /// Noise multiplier σ: noise standard deviation over the L2 clipping norm (> 0).
    #[arg(long, value_parser = parse_finite, value_name = "SIGMA", allow_hyphen_values = true)]
    pub noise_multiplier: f64,
    /// Number of steps T (≥ 1).
    #[arg(long, value_name = "T")]
    pub steps: u64,
    /// δ in (0, 1), usually well below 1/n.
    #[arg(long, value_name = "DELTA", allow_hyphen_values = true)]
    pub delta: f64,
    /// The accountant.
    #[arg(long, value_enum, default_value = "rdp")]
    pub accountant: AccountantArg,
    /// The PLD accountant's value discretisation interval (privacy-loss grid spacing; smaller
    /// is tighter and slower).
    #[arg(long, value_parser = parse_finite, value_name = "DELTA_L", default_value_t = pld::DEFAULT_DISCRETIZATION, allow_hyphen_values = true)]
    pub pld_discretization: f64,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub submit: crate::registry::submit::SubmitArgs,
}

/// Flags of `assay dp calibrate`.
#[derive(Args)]
pub struct CalibrateArgs {
    /// Target ε (> 0).
    #[arg(long, value_name = "EPSILON", allow_hyphen_values = true)]
    pub epsilon: f64,
    /// δ in (0, 1).
    #[arg(long, value_name = "DELTA", allow_hyphen_values = true)]
    pub delta: f64,
    /// Poisson sampling rate q in (0, 1].
    #[arg(long, value_parser = parse_finite, value_name = "Q", allow_hyphen_values = true)]
    pub sampling_rate: f64,
    /// Number of steps T (≥ 1).
    #[arg(long, value_name = "T")]
    pub steps: u64,
    /// The accountant.
    #[arg(long, value_enum, default_value = "rdp")]
    pub accountant: AccountantArg,
    /// Absolute tolerance of the noise multiplier (the answer is at most this much above the
    /// smallest σ that meets the target).
    #[arg(
        value_parser = parse_finite,
        long,
        value_name = "TOL",
        default_value_t = 1e-6,
        allow_hyphen_values = true
    )]
    pub tolerance: f64,
    /// The PLD accountant's value discretisation interval (privacy-loss grid spacing; smaller
    /// is tighter and slower).
    #[arg(long, value_parser = parse_finite, value_name = "DELTA_L", default_value_t = pld::DEFAULT_DISCRETIZATION, allow_hyphen_values = true)]
    pub pld_discretization: f64,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub submit: crate::registry::submit::SubmitArgs,
}
