//! One finding of a recognizer.

use serde::Serialize;

/// A piece of personal data found in a text.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Presidio's entity name (`EMAIL_ADDRESS`, `US_SSN`, ...).
    pub entity_type: &'static str,
    /// Byte offsets into the analysed text (`start..end`).
    pub start: usize,
    pub end: usize,
    /// Character (Unicode scalar) offsets, as Python and Presidio count.
    pub char_start: usize,
    pub char_end: usize,
    /// Confidence in `[0, 1]`.
    pub score: f64,
    /// The rule that fired (`email`, `credit_card_luhn`, `ssn_delimited`, ...).
    pub rule: &'static str,
    /// The context word that raised the score, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_word: Option<&'static str>,
}

impl Finding {
    /// A finding with byte offsets only; the analyzer fills the character offsets.
    pub fn new(
        entity_type: &'static str,
        start: usize,
        end: usize,
        score: f64,
        rule: &'static str,
    ) -> Self {
        Finding {
            entity_type,
            start,
            end,
            char_start: 0,
            char_end: 0,
            score,
            rule,
            context_word: None,
        }
    }

    /// Whether two findings share at least one byte.
    pub fn overlaps(&self, other: &Finding) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Presidio analyzer JSON record (character offsets).
    pub fn to_presidio(&self) -> PresidioResult {
        PresidioResult {
            entity_type: self.entity_type.to_string(),
            start: self.char_start,
            end: self.char_end,
            score: self.score,
        }
    }
}

/// One record of Presidio's analyzer JSON: `{entity_type, start, end, score}` with character
/// offsets.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct PresidioResult {
    pub entity_type: String,
    pub start: usize,
    pub end: usize,
    pub score: f64,
}
