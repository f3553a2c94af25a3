//! The findings `assay pii scan` writes: a JSON array of [`PiiFinding`] (`--format json`), or
//! of [`PresidioFinding`] (`--format presidio`, the shape of Presidio's `RecognizerResult`).

use std::borrow::Cow;

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
