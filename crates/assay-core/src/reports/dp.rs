//! The reports of `assay dp` (schema `assay.dp/1` for epsilon, calibrate, train and audit;
//! `assay.dp-query/1` for query).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use assay_data::provenance::Provenance;

use super::Unbounded;

/// The schema tag of [`DpReport`].
pub const DP_SCHEMA: &str = "assay.dp/1";
/// The schema tag of [`QueryReport`].
pub const QUERY_SCHEMA: &str = "assay.dp-query/1";

/// A report of `assay dp epsilon`, `calibrate`, `train` or `audit`, told apart by `command`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum DpReport {
    /// `assay dp epsilon`.
    Epsilon(EpsilonReport),
    /// `assay dp calibrate`.
    Calibrate(CalibrateReport),
    /// `assay dp train`.
    Train(TrainReport),
    /// `assay dp audit`.
    Audit(AuditReport),
}

/// The accountant that computed an ε.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AccountantInfo {
    /// `rdp` (Rényi DP) or `pld` (privacy loss distribution).
    pub name: String,
    /// The Rényi orders (RDP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orders: Option<String>,
    /// The discretisation interval of the privacy loss (PLD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_discretization_interval: Option<f64>,
}

/// ε spent by T steps of the Poisson-subsampled Gaussian mechanism (DP-SGD).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EpsilonReport {
    /// Always [`DP_SCHEMA`].
    pub schema: String,
    /// `poisson_subsampled_gaussian`.
    pub mechanism: String,
    /// Sampling rate q.
    pub sampling_rate: f64,
    /// Noise multiplier σ.
    pub noise_multiplier: f64,
    /// Number of steps T.
    pub steps: u64,
    /// δ.
    pub delta: f64,
    /// The accountant.
    pub accountant: AccountantInfo,
    /// ε at δ (`"inf"` without noise).
    pub epsilon: Unbounded,
}

/// The smallest noise multiplier for a target (ε, δ).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CalibrateReport {
    /// Always [`DP_SCHEMA`].
    pub schema: String,
    /// `poisson_subsampled_gaussian`.
    pub mechanism: String,
    /// The ε to reach.
    pub target_epsilon: f64,
    /// δ.
    pub delta: f64,
    /// Sampling rate q.
    pub sampling_rate: f64,
    /// Number of steps T.
    pub steps: u64,
    /// Tolerance of the bisection on σ.
    pub tolerance: f64,
    /// The accountant.
    pub accountant: AccountantInfo,
    /// The noise multiplier found.
    pub noise_multiplier: f64,
    /// The ε it gives.
    pub epsilon: Unbounded,
}

/// The model `assay dp train` fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TrainedArchitecture {
    /// Logistic regression.
    Logistic,
    /// A one-hidden-layer ReLU network.
    Mlp {
        /// Hidden units.
        hidden: usize,
    },
}

/// The ε of a DP-SGD run by the privacy-loss-distribution accountant, or why it has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PldEpsilon {
    /// ε (`"inf"` without noise).
    Epsilon(Unbounded),
    /// Why the accountant could not compute it.
    Error {
        /// The accountant's message.
        error: String,
    },
}

/// The privacy guarantee of a DP-SGD run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrainPrivacy {
    /// `poisson_subsampled_gaussian`.
    pub mechanism: String,
    /// Sampling rate q.
    pub sampling_rate: f64,
    /// Noise multiplier σ.
    pub noise_multiplier: f64,
    /// Per-example clipping norm.
    pub clip: f64,
    /// Number of steps.
    pub steps: u64,
    /// δ.
    pub delta: f64,
    /// The ε the noise was calibrated for, if it was.
    pub target_epsilon: Option<f64>,
    /// The accountant that calibrated it.
    pub calibrated_with: Option<String>,
    /// ε by Rényi DP.
    pub epsilon_rdp: Unbounded,
    /// ε by the privacy loss distribution.
    pub epsilon_pld: PldEpsilon,
    /// What the guarantee covers.
    pub covers: String,
}

/// One point of the privacy-utility curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CurvePoint {
    /// The ε the noise was calibrated for.
    pub target_epsilon: f64,
    /// The noise multiplier.
    pub noise_multiplier: f64,
    /// Test accuracy of the model trained with it.
    pub test_accuracy: f64,
}

/// The privacy-utility curve of `assay dp train --html`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Curve {
    /// The points, by target ε.
    pub points: Vec<CurvePoint>,
    /// Test accuracy without noise.
    pub no_noise_test_accuracy: f64,
}

/// DP-SGD training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrainReport {
    /// Always [`DP_SCHEMA`].
    pub schema: String,
    /// The model fitted.
    pub model: TrainedArchitecture,
    /// Training rows.
    pub rows: usize,
    /// Encoded features.
    pub features: usize,
    /// Learning rate.
    pub lr: f64,
    /// Momentum.
    pub momentum: f64,
    /// Epochs.
    pub epochs: f64,
    /// Seed.
    pub seed: u64,
    /// The privacy guarantee.
    pub privacy: TrainPrivacy,
    /// Mean Poisson batch size.
    pub mean_batch_size: f64,
    /// Fraction of per-example gradients clipped.
    pub clipped_fraction: f64,
    /// Test rows, with a test table.
    pub test_rows: Option<usize>,
    /// Test accuracy, with a test table.
    pub test_accuracy: Option<f64>,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// The privacy-utility curve, with `--html` and a test table.
    pub curve: Option<Curve>,
}

/// One-run privacy audit (Steinke, Nasr and Jagielski 2023).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditReport {
    /// Always [`DP_SCHEMA`].
    pub schema: String,
    /// The data and time of the report.
    pub provenance: Provenance,
    /// The method, in words.
    pub method: String,
    /// Training rows.
    pub rows: usize,
    /// Sampling rate q.
    pub sampling_rate: f64,
    /// Steps.
    pub steps: u64,
    /// Noise multiplier σ.
    pub noise_multiplier: f64,
    /// Whether noise was added.
    pub noise: bool,
    /// δ.
    pub delta: f64,
    /// Failure probability of the lower bound.
    pub beta: f64,
    /// The ε claimed for the training (`"inf"` without noise).
    pub claimed_epsilon: Unbounded,
    /// Canaries inserted.
    pub canaries: usize,
    /// Canaries included in training.
    pub included: usize,
    /// Guesses made.
    pub guesses: usize,
    /// Correct guesses.
    pub correct: usize,
    /// The ε lower bound the guesses prove.
    pub epsilon_lower_bound: f64,
    /// Whether the lower bound exceeds the claimed ε.
    pub violated: bool,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// The noise a query released with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "distribution", rename_all = "snake_case")]
pub enum QueryNoise {
    /// Discrete Laplace on the integers (counts).
    DiscreteLaplace {
        /// Scale.
        scale: f64,
        /// L1 sensitivity.
        sensitivity: u64,
    },
    /// The analytic Gaussian mechanism (Balle and Wang 2018).
    Gaussian {
        /// How σ was calibrated.
        calibration: String,
        /// σ.
        sigma: f64,
        /// L2 sensitivity.
        sensitivity: f64,
        /// The grid the noise lives on.
        granularity: f64,
    },
    /// Laplace noise on a 2^k grid.
    Laplace {
        /// Scale.
        scale: f64,
        /// L1 sensitivity.
        sensitivity: f64,
        /// The grid the noise lives on.
        granularity: f64,
    },
    /// The exponential mechanism over a grid (quantiles).
    ExponentialMechanism {
        /// Grid points.
        grid_points: usize,
        /// Sensitivity of the utility.
        sensitivity: u64,
        /// Rank error bound at the confidence level.
        rank_error: f64,
    },
}

/// How precise a released number is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CellPrecision {
    /// A quantile: rows of rank error beyond the best grid point, at the confidence level.
    Rank {
        /// The rank error bound.
        rank_error: f64,
    },
    /// A noisy number: the noise's half-width and the interval at the confidence level
    /// (`null` where not finite).
    Noise {
        /// Half-width.
        half_width: Option<f64>,
        /// Lower and upper bound.
        interval: [Option<f64>; 2],
    },
}

/// One released number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QueryCell {
    /// The noisy value.
    pub value: f64,
    /// The group, for grouped queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The bin `[low, high)`, for histograms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bin: Option<[f64; 2]>,
    /// Its precision.
    #[serde(flatten)]
    pub precision: CellPrecision,
}

/// An (ε, δ) pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EpsilonDelta {
    /// ε.
    pub epsilon: f64,
    /// δ.
    pub delta: f64,
}

/// The budget ledger after a query was charged to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LedgerState {
    /// The dataset's id in the ledger.
    pub dataset_id: String,
    /// Its name.
    pub dataset: String,
    /// SHA-256 of the ledger entry's chain.
    pub sha256: String,
    /// SHA-256 of the data of the last release.
    pub data_sha256: Option<String>,
    /// The chain head after this release.
    pub head: String,
    /// The total budget.
    pub budget: EpsilonDelta,
    /// Spent so far.
    pub spent: EpsilonDelta,
    /// Left.
    pub remaining: EpsilonDelta,
    /// How releases compose.
    pub composition: String,
}

/// A differentially private query (`assay dp query`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QueryReport {
    /// Always [`QUERY_SCHEMA`].
    pub schema: String,
    /// count, sum, mean, histogram or quantile.
    pub statistic: String,
    /// The column (not for count).
    pub column: Option<String>,
    /// The grouping columns.
    pub group_by: Vec<String>,
    /// The clamping range.
    pub clamp: Option<[f64; 2]>,
    /// The quantile, for quantile queries.
    pub quantile: Option<f64>,
    /// ε.
    pub epsilon: f64,
    /// δ.
    pub delta: f64,
    /// laplace, gaussian or exponential.
    pub mechanism: String,
    /// Rows one person contributes at most.
    pub contribution_bound: u64,
    /// The person id column.
    pub id: Option<String>,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// The noise of each release.
    pub noise: Vec<QueryNoise>,
    /// The released numbers.
    pub results: Vec<QueryCell>,
    /// The ledger, when the query was charged to one.
    pub ledger: Option<LedgerState>,
}
