//! The flags of `assay dp query`.

use assay_data::bounds::parse_finite;
use std::path::PathBuf;

use clap::Args;

use super::args::Format;
use crate::counts;
use crate::input::InputArgs;

pub use assay_core::dp_query::{Mechanism, Statistic};

/// Flags of `assay dp query`.
#[derive(Args)]
pub struct QueryArgs {
    /// The data file (CSV, Parquet or Arrow IPC).
    pub data: PathBuf,
    /// The statistic to release.
    #[arg(long, value_enum)]
    pub statistic: Statistic,
    /// The numeric column (required for sum, mean, histogram and quantile).
    #[arg(long, value_name = "COLUMN")]
    pub column: Option<String>,
    /// Group by these columns (comma-separated); needs --group-keys.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub group_by: Vec<String>,
    /// The public list of groups to report, comma-separated; a group of several columns is
    /// written with '|' between its values (e.g. `Male|White,Female|White`). Rows of other
    /// groups are dropped. Groups seen in the data cannot be released as such: their presence
    /// is not differentially private.
    #[arg(long, value_delimiter = ',', value_name = "KEYS")]
    pub group_keys: Vec<String>,
    /// Clamping bounds LO,HI of the column (required for sum, mean, histogram and quantile).
    #[arg(long, value_name = "LO,HI", allow_hyphen_values = true)]
    pub clamp: Option<String>,
    /// Number of equal-width histogram bins over the clamping range.
    #[arg(long, value_parser = counts::at_most(counts::HISTOGRAM_BINS), default_value_t = 10)]
    pub bins: usize,
    /// The quantile, in [0, 1].
    #[arg(long, value_parser = parse_finite, default_value_t = 0.5)]
    pub quantile: f64,
    /// Number of candidate points of the quantile's grid over the clamping range.
    #[arg(long, value_parser = counts::at_most(counts::QUANTILE_GRID), default_value_t = 1001)]
    pub grid: usize,
    /// The person identifier column, for per-person contribution bounding.
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,
    /// Keep at most K rows per person (--id), chosen by a seeded shuffle; without --id each row
    /// is a person.
    #[arg(long, value_name = "K", allow_hyphen_values = true)]
    pub contribution_bound: Option<i64>,
    /// ε of this release (> 0).
    #[arg(long, allow_hyphen_values = true)]
    pub epsilon: f64,
    /// δ of this release (gaussian only), in (0, 1/n).
    #[arg(long, allow_hyphen_values = true)]
    pub delta: Option<f64>,
    /// The noise mechanism.
    #[arg(long, value_enum, default_value = "laplace")]
    pub mechanism: Mechanism,
    /// The budget ledger (JSON); the release is charged to it and refused when it would exceed
    /// the dataset's budget.
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
    /// The dataset's total budget EPSILON[,DELTA] (needed on its first charge to the ledger).
    #[arg(long, value_name = "E[,D]")]
    pub budget: Option<String>,
    /// The dataset's identity in the ledger (required with --ledger): the budget belongs to
    /// this name, so every copy or re-encoding of the same data (CRLF line ends, Parquet
    /// instead of CSV) must be charged under the same id. Each release records the data
    /// file's SHA-256, and a file already charged under one id is refused under another.
    #[arg(long, value_name = "NAME")]
    pub dataset_id: Option<String>,
    /// The dataset's display name in the ledger (default: the id).
    #[arg(long)]
    pub dataset_name: Option<String>,
    /// Confidence level of the stated noise intervals.
    #[arg(long, value_parser = parse_finite, default_value_t = 0.95)]
    pub confidence: f64,
    /// Seed of the noise and the contribution-bounding shuffle (default: from the operating
    /// system). A seeded release is only private if the seed is secret.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub submit: crate::registry::submit::SubmitArgs,
}
