//! The report of `assay mitigate` (schema `assay.mitigation/1`): the fairness and accuracy of
//! the unmitigated and the mitigated predictor on the evaluation rows, what the method did,
//! and with `--sweep` the trade-off it explored.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use assay_data::provenance::Provenance;
use assay_fairness::model::Assessment;
use assay_fairness::policy::PolicyResult;
use assay_mitigation::postprocessing::{
    CalibrationCurve, Calibrator, FairnessMetric, GroupInterpolation, Tradeoff,
};

/// The schema tag of [`MitigationReport`].
pub const MITIGATION_SCHEMA: &str = "assay.mitigation/1";

/// A bias mitigation, assessed before and after.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MitigationReport {
    /// Always [`MITIGATION_SCHEMA`].
    pub schema: String,
    /// The assay version that made it.
    pub assay_version: String,
    /// The model and data files and the time of the report.
    pub provenance: Option<Provenance>,
    /// The method and its settings, in words.
    pub method: String,
    /// The settings.
    pub settings: MitigationSettings,
    /// The training table.
    pub train: TrainTable,
    /// The rows the figures are measured on.
    pub evaluation: Evaluation,
    /// The mitigated model.
    pub model: SavedModel,
    /// Wall-clock seconds of the fit.
    pub fit_seconds: f64,
    /// What the method did.
    pub details: MethodDetails,
    /// The headline figures before and after.
    pub summary: Summary,
    /// Per-group reliability diagrams (the `calibrate` method).
    pub calibration_curves: Option<CalibrationCurves>,
    /// What drives the demographic-parity gap of the unmitigated model.
    pub gap_drivers: Option<Drivers>,
    /// The full assessment of the unmitigated predictor's decisions.
    pub before: Assessment,
    /// The full assessment of the mitigated predictor's decisions.
    pub after: Assessment,
    /// The trade-off sweep, with `--sweep`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepReport>,
}

/// The settings of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MitigationSettings {
    /// The method's name.
    pub method: String,
    /// The base learner: `logistic` or `gbdt`, or for a prefit model `prefit FORMAT (FILE)`.
    pub learner: String,
    /// The sensitive columns.
    pub sensitive: Vec<String>,
    /// The seed.
    pub seed: u64,
}

/// The training table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrainTable {
    /// Its path.
    pub path: String,
    /// Rows.
    pub rows: usize,
    /// Encoded features (for a prefit model: the input columns it reads).
    pub features: usize,
}

/// The evaluation rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evaluation {
    /// The table.
    pub path: String,
    /// Rows.
    pub rows: usize,
    /// Whether they are a separate test table (not the training rows).
    pub on_test_data: bool,
}

/// The mitigated model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SavedModel {
    /// Where it is saved.
    pub path: String,
    /// Whether it reads the sensitive columns when deciding.
    pub sensitive_at_decision: bool,
    /// Whether its decisions are randomized.
    pub randomized: bool,
    /// The seed of its randomized decisions.
    pub seed: u64,
    /// Whether it was written (not when a policy is given and no sweep point passes).
    pub saved: bool,
}

/// The figures of one predictor that the summary compares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Figures {
    /// Overall accuracy.
    pub accuracy: Option<f64>,
    /// Overall balanced accuracy.
    pub balanced_accuracy: Option<f64>,
    /// Overall selection rate.
    pub selection_rate: Option<f64>,
    /// Largest minus smallest group selection rate.
    pub demographic_parity_difference: Option<f64>,
    /// Smallest over largest group selection rate.
    pub disparate_impact_ratio: Option<f64>,
    /// Larger of the TPR and FPR differences between groups.
    pub equalized_odds_difference: Option<f64>,
    /// Largest minus smallest group true-positive rate.
    pub equal_opportunity_difference: Option<f64>,
    /// Largest minus smallest group accuracy.
    pub accuracy_difference: Option<f64>,
    /// Per group: name, rows, selection rate, accuracy, TPR, FPR.
    pub groups: Vec<GroupFigures>,
}

/// One group's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GroupFigures {
    /// The group (sensitive values joined with " & ").
    pub group: String,
    /// Rows.
    pub rows: u64,
    /// Selection rate.
    pub selection_rate: Option<f64>,
    /// Accuracy.
    pub accuracy: Option<f64>,
    /// True-positive rate.
    pub tpr: Option<f64>,
    /// False-positive rate.
    pub fpr: Option<f64>,
}

/// The figures of the expected decisions `P(ŷ = 1)` of the mitigated predictor (what a
/// randomized classifier achieves on average, free of the draw).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExpectedFigures {
    /// Expected accuracy.
    pub accuracy: Option<f64>,
    /// Per group.
    pub groups: Vec<ExpectedGroup>,
    /// Largest minus smallest expected selection rate.
    pub demographic_parity_difference: Option<f64>,
    /// Smallest over largest expected selection rate (`null` when all are 0).
    pub disparate_impact_ratio: Option<f64>,
    /// Larger of the expected TPR and FPR differences.
    pub equalized_odds_difference: Option<f64>,
    /// Largest minus smallest expected TPR.
    pub equal_opportunity_difference: Option<f64>,
}

/// One group's expected rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExpectedGroup {
    /// The group.
    pub group: String,
    /// Expected selection rate.
    pub selection_rate: Option<f64>,
    /// Expected true-positive rate.
    pub tpr: Option<f64>,
    /// Expected false-positive rate.
    pub fpr: Option<f64>,
}

/// The headline figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// The unmitigated predictor.
    pub before: Figures,
    /// The mitigated predictor's (drawn) decisions.
    pub after: Figures,
    /// The mitigated predictor's expected decisions.
    pub after_expected: ExpectedFigures,
}

/// Per-group reliability diagrams on the evaluation rows (scikit-learn's `calibration_curve`),
/// of the unmitigated model's score and of the calibrated score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CalibrationCurves {
    /// Number of uniform bins on [0, 1].
    pub bins: usize,
    /// The groups present in the evaluation rows (sorted).
    pub groups: Vec<String>,
    /// Before calibration, one curve per group.
    pub before: Vec<CalibrationCurve>,
    /// After calibration, one curve per group.
    pub after: Vec<CalibrationCurve>,
}

/// One feature's share of the gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Driver {
    /// The raw column.
    pub feature: String,
    /// Mean drop of the disparity when the feature is shuffled.
    pub importance: f64,
    /// Standard deviation over the repeats.
    pub std: f64,
}

/// The gap drivers, largest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Drivers {
    /// The disparity measured.
    pub disparity: String,
    /// Its value for the unmitigated model on the evaluation rows.
    pub baseline: f64,
    /// Shuffles per feature.
    pub repeats: usize,
    /// The features, largest importance first.
    pub features: Vec<Driver>,
}

/// One (group, label) cell of reweighing (Kamiran & Calders 2012).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReweighCell {
    /// The group.
    pub group: String,
    /// The label (class name).
    pub label: String,
    /// Rows.
    pub rows: usize,
    /// Observed probability of the cell.
    pub observed: f64,
    /// Its probability if group and label were independent.
    pub expected: f64,
    /// The weight factor (`null` for an empty cell).
    pub weight_factor: Option<f64>,
}

/// One (group, label) cell of uniform resampling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResampleCell {
    /// The group.
    pub group: String,
    /// The label (class name).
    pub label: String,
    /// Rows.
    pub rows: usize,
    /// Rows the cell should have.
    pub target: usize,
    /// Rows drawn.
    pub drawn: usize,
}

/// What the method did, by method (told apart by their fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum MethodDetails {
    /// Uniform resampling.
    Resampling {
        /// Rows in the resampled training set.
        rows_resampled: usize,
        /// Per cell.
        cells: Vec<ResampleCell>,
    },
    /// Reweighing.
    Reweighing {
        /// Per cell.
        cells: Vec<ReweighCell>,
    },
    /// The correlation remover.
    CorrelationRemover {
        /// How much of the correlation is removed.
        alpha: f64,
    },
    /// The disparate-impact remover.
    DisparateImpactRemover {
        /// The repair level.
        repair_level: f64,
        /// Training values the repair changed.
        training_values_changed: usize,
        /// How values not seen in training are repaired.
        unseen_values: String,
    },
    /// Exponentiated gradient.
    ExponentiatedGradient {
        /// Iterations run.
        iterations: usize,
        /// Calls of the base learner.
        oracle_calls: usize,
        /// The best duality gap.
        best_gap: Option<f64>,
        /// Predictors found.
        predictors: usize,
        /// Predictors with positive weight.
        predictors_in_support: usize,
        /// Training error of the randomized classifier.
        training_error: Option<f64>,
        /// Its largest constraint violation on the training data.
        training_constraint_violation: Option<f64>,
        /// Whether it was collapsed to the best single predictor.
        collapsed: bool,
    },
    /// Grid search.
    GridSearch {
        /// Grid points tried.
        grid_points: usize,
        /// The chosen point.
        best_index: usize,
        /// Its Lagrange multipliers.
        best_lambda: Vec<f64>,
        /// Its training error.
        training_error: Option<f64>,
        /// Its largest constraint violation on the training data.
        training_constraint_violation: Option<f64>,
    },
    /// The threshold optimizer.
    ThresholdOptimizer {
        /// Group names.
        groups: Vec<String>,
        /// Each group's randomised threshold rule.
        interpolation: Vec<GroupInterpolation>,
        /// The chosen trade-off point on the training data.
        tradeoff: Tradeoff,
    },
    /// Reject-option classification.
    RejectOption {
        /// The classification threshold chosen.
        classification_threshold: f64,
        /// The margin of the critical region.
        roc_margin: f64,
        /// The privileged groups.
        privileged: Vec<String>,
        /// Whether they were chosen by default (highest selection rate).
        privileged_by_default: bool,
        /// The unprivileged groups.
        unprivileged: Vec<String>,
        /// The metric bounded.
        metric: FairnessMetric,
        /// Its bounds.
        metric_bounds: [f64; 2],
        /// Its value on the training data.
        training_metric: f64,
        /// The balanced accuracy on the training data.
        training_balanced_accuracy: f64,
    },
    /// Per-group calibration.
    Calibrate {
        /// `sigmoid` or `isotonic`.
        calibration: String,
        /// What is calibrated.
        calibrated_input: String,
        /// Rows the calibrators were fitted on.
        calibration_rows: usize,
        /// Which rows, in words.
        calibrators_fitted_on: String,
        /// One calibrator per group.
        calibrators: Vec<Calibrator>,
        /// The groups.
        groups: Vec<String>,
    },
}

/// One point of the trade-off sweep.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SweepPointReport {
    /// Position in the sweep.
    pub index: usize,
    /// The point, in words.
    pub label: String,
    /// The parameter's value (`null` for the unmitigated model).
    pub value: Option<f64>,
    /// Whether it is the unmitigated model.
    pub unmitigated: bool,
    /// Whether it is the value the flag gave.
    pub flag_value: bool,
    /// Whether its decisions are randomized.
    pub randomized: bool,
    /// Accuracy of the expected decisions (`null` where not defined).
    pub accuracy: Option<f64>,
    /// Disparity of the expected decisions.
    pub disparity: Option<f64>,
    /// Accuracy of the drawn decisions.
    pub drawn_accuracy: Option<f64>,
    /// Disparity of the drawn decisions.
    pub drawn_disparity: Option<f64>,
    /// Whether it is on the Pareto front.
    pub pareto: bool,
    /// Whether it passes the policy (`null` without one).
    pub passes_policy: Option<bool>,
    /// The policy's verdict on it.
    pub policy: Option<PolicyResult>,
}

/// The accuracy-fairness trade-off of `--sweep`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SweepReport {
    /// The swept parameter.
    pub parameter: String,
    /// The disparity measure.
    pub disparity: String,
    /// What the figures are, in words.
    pub figures: String,
    /// The points; the first is the unmitigated model.
    pub points: Vec<SweepPointReport>,
    /// Indices of the Pareto-optimal points, by increasing disparity.
    pub pareto: Vec<usize>,
    /// The saved point.
    pub chosen: Option<usize>,
    /// Why that point.
    pub chosen_by: String,
    /// The policy file, if any.
    pub policy: Option<String>,
}
