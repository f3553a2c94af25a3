//! The flags of `assay explain`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::counts;
use crate::input::InputArgs;

pub use assay_core::explanations::Method;

/// The score permutation importance measures.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScorerArg {
    /// Accuracy of `score > 0.5`.
    Accuracy,
    /// Balanced accuracy of `score > 0.5`.
    BalancedAccuracy,
    /// ROC AUC of the score.
    RocAuc,
    /// Negative log-loss of the score.
    LogLoss,
    /// Demographic-parity difference between the --sensitive groups: importance > 0 means the
    /// feature drives the gap.
    DemographicParityDifference,
    /// Equalized-odds difference between the --sensitive groups.
    EqualizedOddsDifference,
}

pub use crate::output::Format;

/// Flags of `assay explain`.
#[derive(Args)]
pub struct ExplainArgs {
    /// The data: CSV, Parquet or Arrow IPC with the model's input columns.
    pub data: PathBuf,
    /// The model (any format assay predict reads, mitigated models included).
    #[arg(long)]
    pub model: PathBuf,
    /// The method.
    #[arg(long, value_enum)]
    pub method: Method,
    /// Input columns to explain (default: all of the model's inputs).
    #[arg(long, value_delimiter = ',')]
    pub features: Vec<String>,
    /// The label column (permutation importance).
    #[arg(long)]
    pub label: Option<String>,
    /// The label value that is positive.
    #[arg(long)]
    pub positive: Option<String>,
    /// Sensitive columns: disparity scorers compare their groups, and importance is also
    /// computed within each group.
    #[arg(long, value_delimiter = ',')]
    pub sensitive: Vec<String>,
    /// Permutation importance: the score.
    #[arg(long, value_enum, default_value = "accuracy")]
    pub scorer: ScorerArg,
    /// Permutation importance: repeats per feature.
    #[arg(long, value_parser = counts::at_most(counts::REPEATS), default_value_t = 5)]
    pub repeats: usize,
    /// PDP/ICE: points of a numeric feature's grid (scikit-learn's grid_resolution).
    #[arg(long, value_parser = counts::at_most(counts::GRID), default_value_t = 100)]
    pub grid_resolution: usize,
    /// ALE: number of quantile intervals.
    #[arg(long, value_parser = counts::at_most(counts::GRID), default_value_t = 20)]
    pub ale_bins: usize,
    /// ICE: curves drawn in the HTML report (all are in the JSON).
    #[arg(long, value_parser = counts::at_most(counts::ROWS), default_value_t = 50)]
    pub ice_curves: usize,
    /// Counterfactual: the 1-based data row to explain.
    #[arg(long)]
    pub row: Option<usize>,
    /// Counterfactual, recourse: input columns that must not change (sensitive columns never
    /// do).
    #[arg(long, value_delimiter = ',')]
    pub immutable: Vec<String>,
    /// Counterfactual, recourse: allowed range of a numeric column, `column=low:high` (default:
    /// its range in the data); repeatable.
    #[arg(long = "range", value_name = "COLUMN=LOW:HIGH")]
    pub ranges: Vec<String>,
    /// Counterfactual: how many.
    #[arg(long, value_parser = counts::at_most(counts::RESULTS), default_value_t = 4)]
    pub count: usize,
    /// Counterfactual, recourse: most features changed at once.
    #[arg(long, value_parser = counts::at_most(counts::RESULTS), default_value_t = 3)]
    pub max_changes: usize,
    /// Recourse: unfavourably decided rows examined per group.
    #[arg(long, value_parser = counts::at_most(counts::ROWS), default_value_t = 100)]
    pub per_group: usize,
    /// TreeSHAP: interventional values against --background sampled rows (shap's
    /// `feature_perturbation="interventional"`) instead of path-dependent ones.
    #[arg(long)]
    pub interventional: bool,
    /// TreeSHAP of an XGBoost model computed as XGBoost does, in float32 with its operation
    /// order: equal to XGBoost's own `pred_contribs` (the default f64 values are more precise
    /// and differ from XGBoost's by its float rounding, about 1e-6).
    #[arg(long)]
    pub xgboost_float32: bool,
    /// KernelSHAP, interventional TreeSHAP: background rows (a seeded sample of the data).
    #[arg(long, value_parser = counts::at_most(counts::ROWS), default_value_t = 100)]
    pub background: usize,
    /// KernelSHAP: rows explained (the first ones; or only --row).
    #[arg(long, value_parser = counts::at_most(counts::ROWS), default_value_t = 200)]
    pub explain_rows: usize,
    /// KernelSHAP: coalitions per row (default: shap's auto, 2M + 2048; at least 2^M − 2 is
    /// exact).
    #[arg(long, value_parser = counts::at_most(counts::ROWS))]
    pub samples: Option<usize>,
    /// LIME: features in each explanation.
    #[arg(long, value_parser = counts::at_most(counts::RESULTS), default_value_t = 10)]
    pub lime_features: usize,
    /// SHAP: rows whose values are written to the JSON (all rows enter the summaries).
    #[arg(long, value_parser = counts::at_most(counts::ROWS), default_value_t = 1000)]
    pub rows_out: usize,
    /// Seed of permutations, samples and counterfactual searches.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Also write the JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write an HTML report with SVG charts.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub submit: crate::registry::submit::SubmitArgs,
}
