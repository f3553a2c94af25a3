//! The report of `assay anonymize` (schema `assay.anonymize/1`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use assay_anonymity::lattice::SearchStats;
pub use assay_anonymity::loss::Loss;

/// The schema tag of [`AnonymizeReport`].
pub const ANONYMIZE_SCHEMA: &str = "assay.anonymize/1";

/// The privacy requirements asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Required {
    /// k-anonymity.
    pub k: u64,
    /// Distinct l-diversity, if asked for.
    pub l: Option<u64>,
    /// t-closeness, if asked for.
    pub t: Option<f64>,
    /// The share of records that may be suppressed.
    pub suppression_limit: f64,
}

/// What the written table achieves, re-measured on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Achieved {
    /// The smallest class size.
    pub k: u64,
    /// Distinct l (without sensitive attributes: `null`).
    pub l: Option<u64>,
    /// t (without sensitive attributes: `null`).
    pub t: Option<f64>,
}

/// The lattice search (full-domain generalization).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LatticeSummary {
    /// The chosen level of each quasi-identifier.
    pub levels: Vec<usize>,
    /// The top level of each quasi-identifier's hierarchy.
    pub heights: Vec<usize>,
    /// How much of the lattice was evaluated.
    pub search: SearchStats,
}

/// Test accuracy of a model trained on the original table and on the anonymized one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Utility {
    /// The label column.
    pub label: String,
    /// Training records.
    pub train_records: usize,
    /// Test records.
    pub test_records: usize,
    /// Test accuracy of the model trained on the original table.
    pub original_accuracy: f64,
    /// Test accuracy of the model trained on the anonymized table.
    pub anonymized_accuracy: f64,
}

/// Wall-clock seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Timing {
    /// In the algorithm.
    pub algorithm: f64,
    /// In the whole run (reading, anonymizing, writing, re-measuring).
    pub total: f64,
}

/// An anonymization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnonymizeReport {
    /// Always [`ANONYMIZE_SCHEMA`].
    pub schema: String,
    /// The input table.
    pub data: String,
    /// The written table.
    pub out: String,
    /// `mondrian` or `lattice`.
    pub algorithm: String,
    /// The quasi-identifiers.
    pub quasi_identifiers: Vec<String>,
    /// The sensitive attributes.
    pub sensitive: Vec<String>,
    /// What was asked for.
    pub required: Required,
    /// What the output achieves.
    pub achieved: Achieved,
    /// Records in the input.
    pub records: usize,
    /// Information loss of the generalization.
    pub loss: Loss,
    /// The lattice search, for `lattice`.
    pub lattice: Option<LatticeSummary>,
    /// With `--utility`: the accuracy of models trained on each table.
    pub utility: Option<Utility>,
    /// Columns left out of the output (`--drop`).
    #[serde(default)]
    pub dropped: Vec<String>,
    /// Direct identifiers written unchanged because the user kept them (`--keep-identifier`).
    #[serde(default)]
    pub kept_identifiers: Vec<KeptIdentifier>,
    /// What the output still discloses: an equivalence class with a single value of a
    /// sensitive attribute (l = 1, the homogeneity attack of Machanavajjhala et al. 2007), or t
    /// above 0.2.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Wall-clock seconds.
    pub seconds: Timing,
}

/// A direct identifier written unchanged on the user's explicit decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KeptIdentifier {
    /// The column.
    pub column: String,
    /// Its entity type (`PERSON`, `RECORD_ID`, ...).
    pub entity_type: String,
    /// Why it identifies a person ("a surname, by its name").
    pub why: String,
}
