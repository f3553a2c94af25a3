//! The flags of `assay mitigate`.

use assay_data::bounds::parse_finite;
use std::path::PathBuf;

use clap::Args;

use assay_core::mitigate;

use crate::counts;
use crate::input::InputArgs;

pub use assay_core::mitigate::{Calibration, Constraint, Learner, Method, Objective, RocMetric};

pub use crate::output::Format;

/// Flags of `assay mitigate`.
#[derive(Args, Clone)]
pub struct MitigateArgs {
    /// Training data: CSV, Parquet or Arrow IPC.
    pub data: PathBuf,
    /// The mitigation method.
    #[arg(long, value_enum)]
    pub method: Method,
    /// The fairness constraint (exponentiated-gradient, grid-search, threshold-optimizer).
    #[arg(long, value_enum, default_value = "demographic-parity")]
    pub constraint: Constraint,
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
    /// A model trained elsewhere to post-process instead of fitting a base learner
    /// (Fairlearn's prefit=True): any format `assay predict` reads, a binary classifier whose
    /// input columns are in the data and whose second class is the positive one. It reads its
    /// own columns (no --features); the methods threshold-optimizer, reject-option and
    /// calibrate apply; the saved model embeds it.
    #[arg(long, value_name = "FILE", help_heading = "Learner")]
    pub model: Option<PathBuf>,
    /// The base learner.
    #[arg(long, value_enum, default_value = "logistic", help_heading = "Learner")]
    pub learner: Learner,
    /// logistic: inverse regularisation strength (scikit-learn's C).
    #[arg(
        value_parser = parse_finite,
        long = "c",
        value_name = "C",
        default_value_t = 1.0,
        help_heading = "Learner"
    )]
    pub c: f64,
    /// logistic: keep numeric features as they are (default: standardised, as in training).
    #[arg(long, overrides_with = "standardize", help_heading = "Learner")]
    pub no_standardize: bool,
    /// logistic: standardise the numeric features (the default of `assay mitigate`).
    #[arg(long, overrides_with = "no_standardize", help_heading = "Learner")]
    pub standardize: bool,
    /// gbdt: number of trees.
    #[arg(long, value_parser = counts::at_most(counts::TREES), default_value_t = 100, help_heading = "Learner")]
    pub trees: usize,
    /// gbdt: learning rate.
    #[arg(long, value_parser = parse_finite, default_value_t = 0.1, help_heading = "Learner")]
    pub learning_rate: f64,
    /// gbdt: maximum leaves per tree.
    #[arg(long, value_parser = counts::at_most(counts::LEAVES), default_value_t = 31, help_heading = "Learner")]
    pub max_leaves: usize,
    /// Reductions: allowed constraint violation (Fairlearn's eps; exponentiated gradient also
    /// uses it as the difference bound).
    #[arg(long, value_parser = parse_finite, default_value_t = 0.01, help_heading = "Method")]
    pub eps: f64,
    /// Exponentiated gradient: maximum iterations (Fairlearn's max_iter; `--max-iter`, which
    /// means Newton iterations in `assay train` and `assay mia`, is accepted for one release).
    #[arg(long = "eg-max-iter", alias = "max-iter", value_parser = counts::at_most(counts::ITERATIONS), default_value_t = 50, help_heading = "Method")]
    pub max_iter: usize,
    /// Exponentiated gradient: keep only the best single predictor of the mixture (a
    /// deterministic classifier) instead of the randomized mixture.
    #[arg(long, help_heading = "Method")]
    pub collapse: bool,
    /// Grid search: number of Lagrange-multiplier grid points.
    #[arg(long, value_parser = counts::at_most(counts::GRID), default_value_t = 10, help_heading = "Method")]
    pub grid_size: usize,
    /// Grid search: weight of the constraint violation against the error when choosing the
    /// best point.
    #[arg(long, value_parser = parse_finite, default_value_t = 0.5, help_heading = "Method")]
    pub constraint_weight: f64,
    /// Threshold optimizer: the objective maximised under the constraint.
    #[arg(long, value_enum, default_value = "accuracy", help_heading = "Method")]
    pub objective: Objective,
    /// Correlation remover: how much of the correlation to remove, 0 to 1.
    #[arg(long, value_parser = parse_finite, default_value_t = 1.0, help_heading = "Method")]
    pub alpha: f64,
    /// Disparate-impact remover: amount of repair, 0 (none) to 1 (every group the same
    /// distribution of every feature).
    #[arg(long, value_parser = parse_finite, default_value_t = 1.0, help_heading = "Method")]
    pub repair_level: f64,
    /// Threshold optimizer: how far apart the groups' constrained rates may be (Fairlearn's
    /// `tol`, its relaxed constraint; 0 or absent: equal). Not for equalized odds. (`--tol`,
    /// which is a convergence tolerance in `assay train` and `assay mia`, is accepted for one
    /// release.)
    #[arg(long = "threshold-tol", alias = "tol", value_parser = parse_finite, help_heading = "Method")]
    pub tol: Option<f64>,
    /// Reject option: the privileged groups (group names as in the report, the sensitive
    /// values joined with " & "), comma-separated; default: the group with the highest base
    /// rate (share of positive labels) in the training data. Every other group is unprivileged.
    #[arg(long, value_delimiter = ',', help_heading = "Method")]
    pub privileged: Vec<String>,
    /// Reject option: the fairness metric kept within --roc-metric-lb..--roc-metric-ub.
    #[arg(
        long,
        value_enum,
        default_value = "statistical-parity",
        help_heading = "Method"
    )]
    pub roc_metric: RocMetric,
    /// Reject option: lower bound of the metric (AIF360's metric_lb).
    #[arg(long, value_parser = parse_finite, default_value_t = -0.05, allow_negative_numbers = true, help_heading = "Method")]
    pub roc_metric_lb: f64,
    /// Reject option: upper bound of the metric (AIF360's metric_ub).
    #[arg(
        value_parser = parse_finite,
        long,
        default_value_t = 0.05,
        allow_negative_numbers = true,
        help_heading = "Method"
    )]
    pub roc_metric_ub: f64,
    /// Reject option: smallest classification threshold searched (AIF360's low_class_thresh).
    #[arg(long, value_parser = parse_finite, default_value_t = 0.01, help_heading = "Method")]
    pub low_class_thresh: f64,
    /// Reject option: largest classification threshold searched (AIF360's high_class_thresh).
    #[arg(long, value_parser = parse_finite, default_value_t = 0.99, help_heading = "Method")]
    pub high_class_thresh: f64,
    /// Reject option: number of thresholds searched (AIF360's num_class_thresh).
    #[arg(long, value_parser = counts::at_most(counts::GRID), default_value_t = 100, help_heading = "Method")]
    pub num_class_thresh: usize,
    /// Reject option: number of margins searched per threshold (AIF360's num_ROC_margin).
    #[arg(long, value_parser = counts::at_most(counts::GRID), default_value_t = 50, help_heading = "Method")]
    pub num_roc_margin: usize,
    /// Calibrate: the calibration method, fitted separately in every group.
    #[arg(long, value_enum, default_value = "sigmoid", help_heading = "Method")]
    pub calibration: Calibration,
    /// Calibrate: share of the training rows held out (seeded) to fit the calibrators on;
    /// the unmitigated model is fitted on the rest. 0 (default): both on all training rows,
    /// which makes the calibrators see the model's optimistic in-sample scores.
    #[arg(long, value_parser = parse_finite, default_value_t = 0.0, help_heading = "Method")]
    pub calibration_fraction: f64,
    /// Sweep the method's strength (exponentiated-gradient: --eps; grid-search:
    /// --constraint-weight; threshold-optimizer: --threshold-tol; correlation-remover: --alpha;
    /// disparate-impact-remover: --repair-level) and
    /// report test accuracy against test disparity with the Pareto front.
    #[arg(long, help_heading = "Trade-off sweep")]
    pub sweep: bool,
    /// The swept values, comma-separated (default: a grid per method; the flag's own value is
    /// always added).
    #[arg(
        value_parser = parse_finite,
        long,
        value_delimiter = ',',
        requires = "sweep",
        help_heading = "Trade-off sweep"
    )]
    pub sweep_values: Vec<f64>,
    /// An `assay fairness` policy (TOML): marks the sweep points whose test assessment
    /// passes it; the most accurate passing point is saved (exit code 1 when none passes).
    #[arg(
        long,
        value_name = "FILE",
        requires = "sweep",
        help_heading = "Trade-off sweep"
    )]
    pub policy: Option<PathBuf>,
    /// Seed of randomized decisions and resampling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Where to write the mitigated model (JSON, `assay.mitigated/1`).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
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
    #[command(flatten)]
    pub submit: crate::registry::submit::SubmitArgs,
}

impl MitigateArgs {
    /// Checks the columns named: features, unless a prefit model reads its own.
    pub fn check_columns(&self) -> Result<(), String> {
        let named = !(self.features.is_empty() && self.categorical.is_empty());
        match (&self.model, named) {
            (None, false) => {
                Err("name the feature columns with --features (and/or --categorical)".into())
            }
            (Some(m), true) => Err(format!(
                "--model {} reads its own input columns; --features and --categorical do not apply",
                m.display()
            )),
            _ => Ok(()),
        }
    }

    /// The library's check of the options ([`mitigate::MitigateOptions::check`]) in the words
    /// of the flags.
    pub fn check(&self, options: &mitigate::MitigateOptions) -> Result<(), String> {
        use mitigate::OptionsError as E;
        options.check().map_err(|e| match e {
            E::ErrorRateParityThresholds => "--constraint error-rate-parity applies to the reductions (exponentiated-gradient, grid-search), not threshold-optimizer".into(),
            E::CollapseNotEg => "--collapse applies to --method exponentiated-gradient".into(),
            E::TolNotThresholds => "--threshold-tol applies to --method threshold-optimizer".into(),
            E::TolRange(t) => format!("--threshold-tol must be a number ≥ 0, found {t}"),
            E::RelaxedEqualizedOdds => "the threshold optimizer's relaxed constraint (--threshold-tol, and so --sweep) is not defined for --constraint equalized-odds (as Fairlearn)".into(),
            E::PrivilegedNotRejectOption => "--privileged applies to --method reject-option".into(),
            E::CalibrationFractionRange(f) => {
                format!("--calibration-fraction must be in [0, 1), found {f}")
            }
            E::CalibrationFractionNotCalibrate => {
                "--calibration-fraction applies to --method calibrate".into()
            }
            E::SweepNotMeaningful { method, why } => format!(
                "--sweep is not meaningful for --method {method}: {why}; it applies to exponentiated-gradient, grid-search, threshold-optimizer, correlation-remover and disparate-impact-remover"
            ),
            E::SweepValue(v) => format!("--sweep-values must be numbers, found {v}"),
            E::Eps(e) => format!("--eps must be a positive number, found {e}"),
            E::PrefitNotPostprocessing(method) => format!(
                "--method {method} fits the base learner itself; --model can be post-processed by --method threshold-optimizer, reject-option or calibrate"
            ),
            E::PrefitCalibrationFraction => "--calibration-fraction holds out rows of the base learner's training data; --model was trained elsewhere: calibrate it on rows it was not trained on (the data given)".into(),
        })
    }
}

impl MitigateArgs {
    /// The library's options for these flags.
    pub fn options(&self) -> mitigate::MitigateOptions {
        mitigate::MitigateOptions {
            method: self.method,
            constraint: self.constraint,
            label: self.label.clone(),
            positive: self.positive.clone(),
            sensitive: self.sensitive.clone(),
            learner: self.learner,
            c: self.c,
            trees: self.trees,
            learning_rate: self.learning_rate,
            max_leaves: self.max_leaves,
            eps: self.eps,
            max_iter: self.max_iter,
            collapse: self.collapse,
            grid_size: self.grid_size,
            constraint_weight: self.constraint_weight,
            objective: self.objective,
            alpha: self.alpha,
            repair_level: self.repair_level,
            tol: self.tol,
            privileged: self.privileged.clone(),
            roc_metric: self.roc_metric,
            roc_metric_lb: self.roc_metric_lb,
            roc_metric_ub: self.roc_metric_ub,
            low_class_thresh: self.low_class_thresh,
            high_class_thresh: self.high_class_thresh,
            num_class_thresh: self.num_class_thresh,
            num_roc_margin: self.num_roc_margin,
            calibration: self.calibration,
            calibration_fraction: self.calibration_fraction,
            sweep: self.sweep,
            sweep_values: self.sweep_values.clone(),
            policy: self.policy.clone(),
            seed: self.seed,
            bootstrap: self.bootstrap,
            model_path: self.out.display().to_string(),
            prefit: None,
        }
    }
}
