//! The report of `assay explain` (schema `assay.explain/1`): what was explained, how, and the
//! method's result.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use assay_data::provenance::Provenance;

/// The schema tag of [`ExplainReport`].
pub const EXPLAIN_SCHEMA: &str = "assay.explain/1";

/// A table cell as shown in a report: a number, or a category's text (`null` when missing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Shown {
    /// A number.
    Number(f64),
    /// A category.
    Text(String),
}

/// An explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExplainReport {
    /// Always [`EXPLAIN_SCHEMA`].
    pub schema: String,
    /// The assay version that made it.
    pub assay_version: String,
    /// The model and data files and the time of the report.
    pub provenance: Provenance,
    /// The method (`permutation`, `pdp`, `ice`, `ale`, `counterfactual`, `recourse`,
    /// `tree-shap`, `kernel-shap`, `linear-shap`, `lime`).
    pub method: String,
    /// The model file.
    pub model: String,
    /// What the explained output is, in words.
    pub output: String,
    /// The data explained.
    pub data: ExplainedData,
    /// The seed.
    pub seed: u64,
    /// The method's result.
    pub result: ExplainResult,
}

/// The data explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExplainedData {
    /// The table.
    pub path: String,
    /// Rows read.
    pub rows: usize,
    /// The model's input columns.
    pub features: usize,
}

/// The result of each method (told apart by their fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ExplainResult {
    /// Permutation importance.
    Permutation(PermutationResult),
    /// Partial dependence and ICE curves.
    PartialDependence(PartialDependenceResult),
    /// Accumulated local effects.
    Ale(AleResult),
    /// Counterfactuals of one row.
    Counterfactual(CounterfactualResult),
    /// Recourse by group.
    Recourse(RecourseResult),
    /// SHAP values (tree, kernel, linear).
    Shap(ShapResult),
    /// LIME.
    Lime(LimeResult),
}

/// One feature's permutation importance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureImportance {
    /// The feature.
    pub feature: String,
    /// Mean drop of the score when it is shuffled.
    pub mean: f64,
    /// Standard deviation over the repeats.
    pub std: f64,
    /// Interval of the mean at `level`.
    pub interval: [f64; 2],
    /// The drop of every repeat.
    pub repeats: Vec<f64>,
}

/// A permutation importance, features by decreasing mean importance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Importance {
    /// The score on the unshuffled data.
    pub baseline: f64,
    /// Confidence level of the intervals.
    pub level: f64,
    /// The features.
    pub features: Vec<FeatureImportance>,
}

/// One group's permutation importance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupImportance {
    /// The group.
    pub group: String,
    /// Its importance.
    pub importance: Importance,
}

/// Permutation importance (Breiman 2001; scikit-learn's `permutation_importance`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermutationResult {
    /// The scorer.
    pub scorer: String,
    /// Over all rows.
    pub importance: Importance,
    /// Within each group (not for disparity scorers).
    pub by_group: Vec<GroupImportance>,
    /// The groups.
    pub groups: Vec<String>,
}

/// One feature's partial dependence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PdCurve {
    /// The feature.
    pub feature: String,
    /// Whether it is categorical.
    pub categorical: bool,
    /// The grid as shown.
    pub grid: Vec<Option<Shown>>,
    /// The grid as numbers (category codes).
    pub grid_values: Vec<f64>,
    /// The average prediction at each grid value (`null` when only ICE curves were asked for).
    pub average: Option<Vec<f64>>,
    /// ICE: one curve per row (`ice` only).
    pub individual: Option<Vec<Vec<f64>>>,
}

/// Partial dependence (Friedman 2001) and ICE (Goldstein et al. 2015).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartialDependenceResult {
    /// One curve per feature.
    pub curves: Vec<PdCurve>,
    /// Grid points per numeric feature.
    pub grid_resolution: usize,
    /// The percentiles the numeric grid spans.
    pub percentiles: [f64; 2],
}

/// One feature's accumulated local effects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AleCurve {
    /// The feature.
    pub feature: String,
    /// Bin edges.
    pub edges: Vec<f64>,
    /// The centred effect at each edge.
    pub effect: Vec<f64>,
    /// Rows per bin.
    pub counts: Vec<usize>,
}

/// Accumulated local effects (Apley & Zhu 2020).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AleResult {
    /// One curve per numeric feature.
    pub curves: Vec<AleCurve>,
    /// Bins asked for.
    pub bins: usize,
    /// Categorical features, not explained by ALE.
    pub not_explained_categorical: Vec<String>,
}

/// One feature a counterfactual changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The feature.
    pub feature: String,
    /// Its value in the row.
    pub from: Option<Shown>,
    /// Its value in the counterfactual.
    pub to: Option<Shown>,
}

/// One counterfactual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Counterfactual {
    /// The model's score of it.
    pub score: f64,
    /// Its distance to the row.
    pub distance: f64,
    /// What changes.
    pub changes: Vec<Change>,
}

/// Counterfactuals of one row (Wachter et al. 2017; DiCE's metrics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CounterfactualResult {
    /// The row (1-based).
    pub row: usize,
    /// The model's score of the row.
    pub original_score: f64,
    /// Features that may not change.
    pub immutable: Vec<String>,
    /// The counterfactuals, closest first.
    pub counterfactuals: Vec<Counterfactual>,
    /// Mean distance to the row.
    pub proximity: Option<f64>,
    /// Mean number of changed features.
    pub sparsity: Option<f64>,
    /// Mean pairwise distance.
    pub diversity: Option<f64>,
    /// Candidates decided favourably before improvement.
    pub favourable_candidates: usize,
}

/// Recourse of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRecourse {
    /// The group.
    pub group: String,
    /// Rows with an unfavourable decision examined.
    pub rows_examined: usize,
    /// Of those, rows with a counterfactual.
    pub with_recourse: usize,
    /// Mean distance of the closest counterfactual.
    pub mean_distance: Option<f64>,
    /// Its median.
    pub median_distance: Option<f64>,
    /// Mean number of changed features.
    pub mean_changes: Option<f64>,
}

/// Recourse by sensitive group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecourseResult {
    /// Per group.
    pub groups: Vec<GroupRecourse>,
    /// Rows examined per group at most.
    pub per_group: usize,
    /// How distance is measured, in words.
    pub distance: String,
}

/// A feature's mean |attribution|.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeanAbs {
    /// The feature.
    pub feature: String,
    /// Mean |SHAP value| over the rows.
    pub mean_abs: f64,
}

/// A feature whose attributions differ between groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupDifference {
    /// The feature.
    pub feature: String,
    /// The largest minus the smallest group mean |attribution|.
    pub difference: f64,
}

/// Mean |attribution| by group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShapByGroup {
    /// The groups.
    pub groups: Vec<String>,
    /// Per group, per feature.
    pub mean_abs: Vec<Vec<f64>>,
    /// Rows per group.
    pub rows: Vec<usize>,
    /// Features by decreasing difference between groups.
    pub largest_differences: Vec<GroupDifference>,
}

/// The attributions of one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShapRow {
    /// The row (1-based).
    pub row: usize,
    /// One value per feature.
    pub values: Vec<f64>,
    /// The row's values as shown.
    pub x: Vec<Option<Shown>>,
    /// The row's values scaled to [0, 1] by the column's range (for plotting).
    pub x_scaled: Vec<Option<f64>>,
}

/// SHAP values (Lundberg & Lee 2017; Lundberg et al. 2020).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShapResult {
    /// The features.
    pub features: Vec<String>,
    /// Mean |value| per feature, largest first.
    pub mean_abs: Vec<MeanAbs>,
    /// By sensitive group, with `--sensitive`.
    pub by_group: Option<ShapByGroup>,
    /// The rows written.
    pub rows: Vec<ShapRow>,
    /// The value the attributions are measured from.
    pub base_value: f64,
    /// The output space, in words.
    pub space: String,
    /// The algorithm, in words.
    pub algorithm: String,
    /// Exactly solved rows (KernelSHAP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_exact: Option<usize>,
    /// Background rows (interventional methods).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_rows: Option<usize>,
    /// Model evaluations (KernelSHAP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_evaluations: Option<u64>,
    /// Distinct model evaluations (KernelSHAP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_evaluations: Option<u64>,
}

/// One feature of a LIME explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimeFeature {
    /// The feature.
    pub feature: String,
    /// The condition, e.g. `age <= 30` or `education=Master`.
    pub condition: String,
    /// Its weight in the local model.
    pub weight: f64,
}

/// The LIME explanation of one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimeRow {
    /// The row (1-based).
    pub row: usize,
    /// The model's prediction.
    pub prediction: f64,
    /// The local model's prediction.
    pub local_prediction: f64,
    /// The local model's intercept.
    pub intercept: f64,
    /// R² of the local model on the weighted samples.
    pub fidelity: f64,
    /// The features.
    pub features: Vec<LimeFeature>,
}

/// LIME for tabular data (Ribeiro et al. 2016).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimeResult {
    /// One explanation per row.
    pub rows: Vec<LimeRow>,
    /// Features per explanation.
    pub num_features: usize,
    /// Samples per explanation.
    pub num_samples: usize,
    /// The algorithm, in words.
    pub algorithm: String,
}
