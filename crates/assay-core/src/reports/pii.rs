//! The findings `assay pii scan` writes: a JSON array of [`PiiFinding`] (`--format json`), or
//! of [`PresidioFinding`] (`--format presidio`, the shape of Presidio's `RecognizerResult`);
//! the column classification of `assay pii scan --columns` (an array of [`ColumnClass`]); and
//! the masked text of `assay pii mask --format presidio` ([`Masked`], Presidio's anonymizer
//! result).

use std::borrow::Cow;
use std::collections::BTreeMap;

pub use assay_pii::operators::{Item, Masked};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One piece of personal data found in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PiiFinding<'a> {
    /// The entity type (Presidio's names: `EMAIL_ADDRESS`, `PHONE_NUMBER`, ...).
    pub entity_type: Cow<'a, str>,
    /// Byte offset of the start in the input.
    pub start: usize,
    /// Byte offset of the end (exclusive).
    pub end: usize,
    /// Character offset of the start.
    pub char_start: usize,
    /// Character offset of the end (exclusive).
    pub char_end: usize,
    /// 1-based line number.
    pub line: usize,
    /// Confidence score in [0, 1].
    pub score: f64,
    /// The rule that matched.
    pub rule: Cow<'a, str>,
    /// The context word that raised the score, if any.
    pub context_word: Option<Cow<'a, str>>,
    /// The text found.
    pub text: Cow<'a, str>,
}

/// A finding in Presidio's shape (character offsets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PresidioFinding<'a> {
    /// The entity type.
    pub entity_type: Cow<'a, str>,
    /// Character offset of the start.
    pub start: usize,
    /// Character offset of the end (exclusive).
    pub end: usize,
    /// Confidence score in [0, 1].
    pub score: f64,
}

/// The classification of one column of a table (`assay pii scan --columns`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ColumnClass {
    /// The column.
    pub column: String,
    /// The entity type: the type found in at least the minimum share of the cells, or else the
    /// type the column's name announces (`RECORD_ID` for ids and case numbers, which no text
    /// recognizer finds); `null` when neither says anything, or the cells are already masked.
    pub entity_type: Option<String>,
    /// Share of non-empty sampled cells with a finding of the best type.
    pub share: f64,
    /// Cells sampled.
    pub sampled: usize,
    /// Of those, non-empty cells.
    pub non_empty: usize,
    /// Cells with a finding, per entity type.
    pub counts: BTreeMap<String, usize>,
    /// What the column's name announces ("a surname", "a date of birth", "a record or case
    /// number"), when it announces personal data.
    #[serde(default)]
    pub name_says: Option<String>,
    /// What decided the entity type: `cells`, `name`, or `cells and name`; `null` when the column
    /// is not classified.
    #[serde(default)]
    pub decided_by: Option<String>,
    /// Whether the column identifies a person by itself (names, dates of birth, ids and case
    /// numbers, contact details, account and document numbers: HIPAA's Safe Harbor
    /// identifiers), as opposed to a quasi-identifier or other data.
    #[serde(default)]
    pub direct_identifier: bool,
    /// Not classified, but the best share is within 0.2 of the minimum share: worth a look.
    #[serde(default)]
    pub near_threshold: bool,
    /// Most non-empty cells (90 % or more) are masking placeholders (`<PERSON>`, `****`): the
    /// column was masked already.
    #[serde(default)]
    pub already_masked: bool,
}
