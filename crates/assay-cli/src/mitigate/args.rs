//! The flags of `assay mitigate`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::input::InputArgs;

/// The mitigation method.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Pre-processing: sample weights that make group and label independent (Kamiran & Calders
    /// 2012, AIF360's Reweighing); the learner is refitted with them.
    Reweighing,
    /// Pre-processing: resample every (group, label) cell to its size under independence
    /// (Kamiran & Calders 2012, uniform sampling; seeded); the learner is refitted on it.
    Resampling,
    /// Pre-processing: remove the linear correlation of every feature with the group
    /// (Fairlearn's CorrelationRemover, strength --alpha); the group is needed at decision time.
    CorrelationRemover,
    /// In-processing: exponentiated gradient (Agarwal et al. 2018, Fairlearn's
    /// ExponentiatedGradient): a randomized mixture of learners meeting --constraint within --eps.
    ExponentiatedGradient,
    /// In-processing: grid search over Lagrange multipliers (Agarwal et al. 2018, Fairlearn's
    /// GridSearch): the best single learner by --constraint-weight.
    GridSearch,
    /// Post-processing: group-specific randomised thresholds on the unmitigated model's score
    /// (Hardt et al. 2016, Fairlearn's ThresholdOptimizer); the group is needed at decision time.
    ThresholdOptimizer,
}

impl Method {
    /// The method's name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Method::Reweighing => "reweighing",
            Method::Resampling => "resampling",
            Method::CorrelationRemover => "correlation-remover",
            Method::ExponentiatedGradient => "exponentiated-gradient",
            Method::GridSearch => "grid-search",
            Method::ThresholdOptimizer => "threshold-optimizer",
        }
    }
}

/// The fairness constraint of reductions and the threshold optimizer.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConstraintArg {
    /// Equal selection rates across groups.
    DemographicParity,
    /// Equal true- and false-positive rates across groups.
    EqualizedOdds,
    /// Equal true-positive rates ("equal opportunity").
    TruePositiveRateParity,
    /// Equal false-positive rates.
    FalsePositiveRateParity,
    /// Equal error rates (reductions only).
    ErrorRateParity,
}

/// The objective of the threshold optimizer.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectiveArg {
    /// Accuracy.
    Accuracy,
    /// Balanced accuracy (mean of the true-positive and true-negative rates).
    BalancedAccuracy,
}

/// The base learner.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Learner {
    /// L2-regularised logistic regression (scikit-learn's LogisticRegression optimum), numeric
    /// features standardised, categorical ones one-hot encoded.
    Logistic,
    /// Histogram gradient-boosted trees (binary log-loss), categorical columns as codes.
    Gbdt,
}

/// Output format on standard output.
#[derive(Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    /// A readable before/after table.
    Table,
    /// The `assay.mitigation/1` JSON document.
    Json,
}

/// Flags of `assay mitigate`.
#[derive(Args)]
pub struct MitigateArgs {
    /// Training data: CSV, Parquet or Arrow IPC.
    pub data: PathBuf,
    /// The mitigation method.
    #[arg(long, value_enum)]
    pub method: Method,
    /// The fairness constraint (exponentiated-gradient, grid-search, threshold-optimizer).
    #[arg(long, value_enum, default_value = "demographic-parity")]
    pub constraint: ConstraintArg,
    /// Test data, scored and assessed before and after mitigation (default: the training data,
    /// which flatters every method; the report says so).
    #[arg(long)]
    pub test: Option<PathBuf>,
    /// The label column (binary, or name the positive value with --positive).
    #[arg(long, help_heading = "Columns")]
    pub label: String,
    /// The label value that is the positive (favourable) outcome.
    #[arg(long, help_heading = "Columns")]
    pub positive: Option<String>,
    /// Sensitive columns, comma-separated; several make intersectional groups.
    #[arg(long, value_delimiter = ',', required = true, help_heading = "Columns")]
    pub sensitive: Vec<String>,
    /// Feature columns, comma-separated (numeric unless also in --categorical).
    #[arg(long, value_delimiter = ',', help_heading = "Columns")]
    pub features: Vec<String>,
    /// Categorical feature columns, comma-separated.
    #[arg(long, value_delimiter = ',', help_heading = "Columns")]
    pub categorical: Vec<String>,
    /// Column of non-negative sample weights.
    #[arg(long, help_heading = "Columns")]
    pub weight: Option<String>,
    /// The base learner.
    #[arg(long, value_enum, default_value = "logistic", help_heading = "Learner")]
    pub learner: Learner,
    /// logistic: inverse regularisation strength (scikit-learn's C).
    #[arg(
        long = "c",
        value_name = "C",
        default_value_t = 1.0,
        help_heading = "Learner"
    )]
    pub c: f64,
    /// logistic: keep numeric features as they are (default: standardised, as in training).
    #[arg(long, help_heading = "Learner")]
    pub no_standardize: bool,
    /// gbdt: number of trees.
    #[arg(long, default_value_t = 100, help_heading = "Learner")]
    pub trees: usize,
    /// gbdt: learning rate.
    #[arg(long, default_value_t = 0.1, help_heading = "Learner")]
    pub learning_rate: f64,
    /// gbdt: maximum leaves per tree.
    #[arg(long, default_value_t = 31, help_heading = "Learner")]
    pub max_leaves: usize,
    /// Reductions: allowed constraint violation (Fairlearn's eps; exponentiated gradient also
    /// uses it as the difference bound).
    #[arg(long, default_value_t = 0.01, help_heading = "Method")]
    pub eps: f64,
    /// Exponentiated gradient: maximum iterations.
    #[arg(long, default_value_t = 50, help_heading = "Method")]
    pub max_iter: usize,
    /// Exponentiated gradient: keep only the best single predictor of the mixture (a
    /// deterministic classifier) instead of the randomized mixture.
    #[arg(long, help_heading = "Method")]
    pub collapse: bool,
    /// Grid search: number of Lagrange-multiplier grid points.
    #[arg(long, default_value_t = 10, help_heading = "Method")]
    pub grid_size: usize,
    /// Grid search: weight of the constraint violation against the error when choosing the
    /// best point.
    #[arg(long, default_value_t = 0.5, help_heading = "Method")]
    pub constraint_weight: f64,
    /// Threshold optimizer: the objective maximised under the constraint.
    #[arg(long, value_enum, default_value = "accuracy", help_heading = "Method")]
    pub objective: ObjectiveArg,
    /// Correlation remover: how much of the correlation to remove, 0 to 1.
    #[arg(long, default_value_t = 1.0, help_heading = "Method")]
    pub alpha: f64,
    /// Seed of randomized decisions and resampling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Where to write the mitigated model (JSON, `assay.mitigated/1`).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Also write the JSON report to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write an HTML report (before/after table and chart) to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Bootstrap replicates for the intervals of the before/after assessments (0: none).
    #[arg(long, default_value_t = 200)]
    pub bootstrap: usize,
    #[command(flatten)]
    pub input: InputArgs,
}

impl MitigateArgs {
    /// Checks combinations clap cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.features.is_empty() && self.categorical.is_empty() {
            return Err("name the feature columns with --features (and/or --categorical)".into());
        }
        if self.method == Method::ThresholdOptimizer
            && self.constraint == ConstraintArg::ErrorRateParity
        {
            return Err("--constraint error-rate-parity applies to the reductions (exponentiated-gradient, grid-search), not threshold-optimizer".into());
        }
        if self.collapse && self.method != Method::ExponentiatedGradient {
            return Err("--collapse applies to --method exponentiated-gradient".into());
        }
        if !(self.eps > 0.0 && self.eps.is_finite()) {
            return Err(format!(
                "--eps must be a positive number, found {}",
                self.eps
            ));
        }
        Ok(())
    }
}
