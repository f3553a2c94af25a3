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
    /// Whether the measured leakage is acceptable: against chance, and against the policy
    /// (`--max-auc`, `--max-tpr-at-1pct-fpr`) when one was given.
    #[serde(default)]
    pub verdict: Option<MiaVerdict>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// What the strongest attack's figures mean ([`crate::mia::verdict::judge`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MiaVerdict {
    /// The attack with the highest ROC AUC.
    pub strongest_attack: String,
    /// Its AUC.
    pub auc: f64,
    /// `(AUC − 0.5) / sqrt((m + n + 1) / (12 m n))` for m members and n non-members: the AUC's
    /// distance from chance in standard errors of an attack that learns nothing (the
    /// Mann–Whitney U statistic's null variance; Hanley & McNeil 1982).
    pub z: f64,
    /// Whether the AUC is above chance at the one-sided 5 % level (`z > 1.645`): the model
    /// leaks membership detectably at this sample size.
    pub above_chance: bool,
    /// The policy's result, when bounds were given.
    pub policy: Option<MiaPolicyResult>,
}

/// The leakage bounds and whether the strongest attack stays within them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MiaPolicyResult {
    /// The largest AUC any attack may reach.
    pub max_auc: Option<f64>,
    /// The largest TPR at 1 % FPR any attack may reach.
    pub max_tpr_at_1pct_fpr: Option<f64>,
    /// Whether every attack stays within every bound.
    pub passed: bool,
    /// The bounds exceeded, in words.
    pub failures: Vec<String>,
}
