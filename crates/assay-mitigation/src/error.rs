//! The errors of mitigation: bad input, infeasible constraints, and learner failures.

use assay_model::learners::LearnError;
use thiserror::Error;

/// Everything that can go wrong in a mitigation method. Messages say what was wrong and, for
/// infeasible settings, the closest feasible one.
#[derive(Debug, Error)]
pub enum MitigationError {
    /// Inputs of different lengths (rows of the matrix, labels, groups, weights, scores).
    #[error("{what} has {found} values, expected {expected} (one per row)")]
    Length {
        /// What had the wrong length.
        what: &'static str,
        /// Rows expected.
        expected: usize,
        /// Values found.
        found: usize,
    },
    /// No rows to work on.
    #[error("no rows to mitigate on")]
    Empty,
    /// A setting out of range (message says which and what is allowed).
    #[error("{0}")]
    Parameter(String),
    /// Data that the method cannot use (message names the row or group and what was expected).
    #[error("{0}")]
    Data(String),
    /// A constraint that cannot be met (message says which and the closest feasible setting).
    #[error("infeasible: {0}")]
    Infeasible(String),
    /// The base learner failed.
    #[error("base learner: {0}")]
    Learner(#[from] LearnError),
}

/// Checks that `found` has `expected` values.
pub(crate) fn check_len(
    what: &'static str,
    expected: usize,
    found: usize,
) -> Result<(), MitigationError> {
    if expected == found {
        Ok(())
    } else {
        Err(MitigationError::Length {
            what,
            expected,
            found,
        })
    }
}
