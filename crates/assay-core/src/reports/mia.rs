//! The report of `assay mia` (schema `assay.mia/1`): a membership-inference audit.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use assay_data::provenance::Provenance;
pub use assay_privacy::mia::attribute::AttributeRisk;

/// The schema tag of [`MiaReport`].
pub const MIA_SCHEMA: &str = "assay.mia/1";

/// One attack's figures (Carlini et al. 2022's metrics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MiaAttack {
    /// The attack, by name (loss, confidence, shadow, LiRA online and offline).
    pub attack: String,
    /// ROC AUC of membership (0.5: the attack learns nothing).
    pub auc: f64,
    /// Balanced accuracy at the best threshold.
    pub balanced_accuracy: f64,
    /// TPR at FPR ≤ 0.1 % (`null`: fewer than 1,000 non-members).
    pub tpr_at_0_1pct_fpr: Option<f64>,
    /// TPR at FPR ≤ 1 % (`null`: fewer than 100 non-members).
    pub tpr_at_1pct_fpr: Option<f64>,
    /// ROC points `[fpr, tpr]` on a log-FPR grid.
    pub roc_log_points: Vec<(f64, f64)>,
}

/// Attribute-inference risk for one column, on members and non-members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttributeInference {
    /// The attacked column.
    pub column: String,
    /// Its number of categories.
    pub categories: usize,
    /// On training rows.
    pub members: AttributeRisk,
    /// On holdout rows.
    pub non_members: AttributeRisk,
}

/// A membership-inference audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MiaReport {
    /// Always [`MIA_SCHEMA`].
    pub schema: String,
    /// The model and data files and the time of the report.
    pub provenance: Provenance,
    /// The audited model, in words.
    pub model: String,
    /// Members (training rows) attacked.
    pub members: usize,
    /// Non-members (holdout rows) attacked.
    pub non_members: usize,
    /// The target model's accuracy on its training rows.
    pub target_train_accuracy: f64,
    /// Its accuracy on the holdout rows.
    pub target_holdout_accuracy: f64,
    /// Shadow models trained.
    pub shadows: usize,
    /// The settings, by name.
    pub settings: BTreeMap<String, String>,
    /// The attacks' figures.
    pub attacks: Vec<MiaAttack>,
    /// Attribute inference, when asked for.
    pub attribute_inference: Option<AttributeInference>,
    /// Notes on reading the figures.
    pub notes: Vec<String>,
    /// Wall-clock seconds.
    pub seconds: f64,
}
