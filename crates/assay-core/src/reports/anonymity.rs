//! The report of `assay risk` (schema `assay.anonymity/1`): every anonymity measure of a table
//! and its re-identification risk ([`Measures`]), after the schema tag and the file.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use assay_anonymity::Measures;

/// The schema tag of [`AnonymityReport`].
pub const ANONYMITY_SCHEMA: &str = "assay.anonymity/1";

/// The anonymity of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnonymityReport {
    /// Always [`ANONYMITY_SCHEMA`].
    pub schema: String,
    /// The table.
    pub data: String,
    /// The measures (figures that are not finite, such as an infinite β-likeness, are `null`).
    #[serde(flatten)]
    pub measures: Measures,
}
