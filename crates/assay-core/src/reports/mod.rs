//! The typed reports of assay (issue #16): each JSON report a command writes is one of these
//! structs, which serialise **and** deserialise, so a front end renders from the struct, the
//! governance server can store and re-read it, and a JSON Schema generated from the type
//! documents it ([`schemas`], published in `docs/schemas/`).
//!
//! Each report carries its schema tag (`assay.dp/1`, ...), which changes only with an
//! incompatible change; fields are added compatibly.

pub mod anonymity;
pub mod anonymize;
pub mod dp;
pub mod explain;
pub mod fairness;
pub mod mia;
pub mod mitigation;
pub mod model;
pub mod pii;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A non-negative quantity that may be infinite, such as the ε of a mechanism without noise:
/// JSON has no infinity, so +∞ is written as the string `"inf"` (and read back from it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unbounded(pub f64);

impl Serialize for Unbounded {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_finite() {
            s.serialize_f64(self.0)
        } else {
            s.serialize_str("inf")
        }
    }
}

impl<'de> Deserialize<'de> for Unbounded {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Number(f64),
            Text(String),
        }
        match Repr::deserialize(d)? {
            Repr::Number(v) => Ok(Unbounded(v)),
            Repr::Text(t) if t == "inf" => Ok(Unbounded(f64::INFINITY)),
            Repr::Text(t) => Err(serde::de::Error::custom(format!(
                "expected a number or \"inf\", got {t:?}"
            ))),
        }
    }
}

impl JsonSchema for Unbounded {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Unbounded".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "A number, or the string \"inf\" for +infinity",
            "anyOf": [{"type": "number"}, {"const": "inf"}]
        })
    }
}

/// A finite number, or `None` (written as `null`) for a value that is not finite, such as the
/// bound of an interval that does not exist.
pub fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// The JSON Schema of every report type, by file name (`<schema tag>.schema.json` with `/`
/// and `.` as `-`), as published in `docs/schemas/`.
pub fn schemas() -> Vec<(&'static str, Schema)> {
    vec![
        (
            "assay-fairness-1.schema.json",
            schemars::schema_for!(fairness::Assessment),
        ),
        (
            "assay-dp-1.schema.json",
            schemars::schema_for!(dp::DpReport),
        ),
        (
            "assay-dp-query-1.schema.json",
            schemars::schema_for!(dp::QueryReport),
        ),
        (
            "assay-explain-1.schema.json",
            schemars::schema_for!(explain::ExplainReport),
        ),
        (
            "assay-mitigation-1.schema.json",
            schemars::schema_for!(mitigation::MitigationReport),
        ),
        (
            "assay-model-summary.schema.json",
            schemars::schema_for!(model::ModelSummary),
        ),
        (
            "assay-mia-1.schema.json",
            schemars::schema_for!(mia::MiaReport),
        ),
        (
            "assay-anonymity-1.schema.json",
            schemars::schema_for!(anonymity::AnonymityReport),
        ),
        (
            "assay-anonymize-1.schema.json",
            schemars::schema_for!(anonymize::AnonymizeReport),
        ),
        (
            "assay-pii-findings.schema.json",
            schemars::schema_for!(Vec<pii::PiiFinding<'static>>),
        ),
        (
            "assay-pii-presidio.schema.json",
            schemars::schema_for!(Vec<pii::PresidioFinding<'static>>),
        ),
        (
            "assay-pii-columns.schema.json",
            schemars::schema_for!(Vec<pii::ColumnClass>),
        ),
        (
            "assay-pii-masked.schema.json",
            schemars::schema_for!(pii::Masked),
        ),
    ]
}
