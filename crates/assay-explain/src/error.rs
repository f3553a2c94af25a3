//! Errors of the explainers.

use thiserror::Error;

/// Everything that can go wrong explaining a model. Messages say what was wrong and what
/// would fix it.
#[derive(Debug, Error)]
pub enum ExplainError {
    /// Inputs of inconsistent sizes.
    #[error("{what} has {found} values, expected {expected}")]
    Length {
        /// What had the wrong length.
        what: &'static str,
        /// Values expected.
        expected: usize,
        /// Values found.
        found: usize,
    },
    /// No rows (to explain, or in the background data).
    #[error("{0} has no rows")]
    Empty(&'static str),
    /// A setting out of range (the message says which and what is allowed).
    #[error("{0}")]
    Parameter(String),
    /// Data the method cannot use (the message names the row or feature).
    #[error("{0}")]
    Data(String),
    /// The model failed to score.
    #[error("model: {0}")]
    Model(String),
}

/// Checks that `found` equals `expected`.
pub(crate) fn check_len(
    what: &'static str,
    expected: usize,
    found: usize,
) -> Result<(), ExplainError> {
    if expected == found {
        Ok(())
    } else {
        Err(ExplainError::Length {
            what,
            expected,
            found,
        })
    }
}
