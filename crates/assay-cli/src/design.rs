//! The CLI side of reading a table into a design matrix ([`assay_core::design`]): the flags'
//! values in, the library's errors out in the words of the flags.

use std::path::Path;

use assay_core::design::{self, DesignError};
pub use assay_core::design::{Design, DesignSpec, Impute};
use assay_model::learners::FeatureSpec;

use crate::input::InputArgs;

/// Parses `--impute`.
pub fn parse_impute(s: &str) -> Result<Impute, String> {
    s.parse().map_err(|e| format!("--impute: {e}"))
}

/// The library's error, with the flags named where the error is about them.
pub fn message(e: DesignError) -> String {
    match e {
        DesignError::NoFeatures => {
            "name the feature columns with --features (and/or --categorical)".into()
        }
        DesignError::DuplicateFeature(c) => format!("column '{c}' is named twice in --features"),
        DesignError::NothingToImpute { path, column } => format!(
            "{}: column '{column}' has no value to learn --impute from (every cell is missing)",
            path.display()
        ),
        other => other.to_string(),
    }
}

/// Reads `data` once and builds its design matrix, fitting the feature encoding on it
/// ([`design::load_design`]).
pub fn load_design(input: &InputArgs, data: &Path, spec: &DesignSpec) -> Result<Design, String> {
    design::load_design(&input.table_input()?, data, spec).map_err(message)
}

/// Encodes a test set with fitted `specs` ([`design::encode_table`]).
pub fn encode_table(
    input: &InputArgs,
    data: &Path,
    specs: &[FeatureSpec],
    label: &str,
    class_names: &[String],
    positive: Option<&str>,
    extra: &[String],
) -> Result<Design, String> {
    design::encode_table(
        &input.table_input()?,
        data,
        specs,
        label,
        class_names,
        positive,
        extra,
    )
    .map_err(message)
}
