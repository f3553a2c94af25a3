//! The one error type of the ledger.

use std::path::PathBuf;

use thiserror::Error;

/// An error of the ledger.
#[derive(Debug, Error)]
pub enum LedgerError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The ledger file is not an assay ledger document.
    #[error("{path}: not an assay ledger: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Another running process holds the ledger's lock.
    #[error("the ledger is in use: {0}")]
    Locked(String),
    /// A budget or a charge is not a valid (ε, δ).
    #[error("{0}")]
    Invalid(String),
    /// An entry of the ledger file holds an impossible value (it was edited or damaged).
    #[error("{path}: {entry}: {message}; the ledger was changed outside assay, restore it from a backup")]
    Corrupt {
        /// The ledger file.
        path: PathBuf,
        /// Which entry (dataset id and release number).
        entry: String,
        /// What is wrong.
        message: String,
    },
    /// An entry does not match the ledger's hash chain (it was edited, inserted or removed).
    #[error("{path}: {entry}: {message}; the ledger was changed outside assay, restore it from a backup")]
    Tampered {
        /// The ledger file.
        path: PathBuf,
        /// Which entry (dataset id and release number).
        entry: String,
        /// Which hash does not match.
        message: String,
    },
    /// The data file was already charged under another dataset identity.
    #[error("this data file (SHA-256 {sha256}) was already charged under dataset id '{have}'; charge it under --dataset-id '{have}' (a new id does not give the same data a new budget), not '{want}'")]
    IdentityConflict {
        /// The file's SHA-256.
        sha256: String,
        /// The identity it was charged under.
        have: String,
        /// The identity asked for.
        want: String,
    },
    /// The dataset has no budget yet and none was given.
    #[error("dataset '{name}' (file SHA-256 {sha256}) has no budget in the ledger yet: give one (--budget EPSILON[,DELTA])")]
    NoBudget {
        /// Dataset id.
        name: String,
        /// Its SHA-256.
        sha256: String,
    },
    /// A different budget was given for a dataset that already has one.
    #[error("dataset '{name}' already has the budget epsilon = {have_eps}, delta = {have_delta} in the ledger; it cannot be changed to epsilon = {want_eps}, delta = {want_delta}")]
    BudgetMismatch {
        /// Dataset id.
        name: String,
        /// The recorded budget's ε.
        have_eps: f64,
        /// The recorded budget's δ.
        have_delta: f64,
        /// The given ε.
        want_eps: f64,
        /// The given δ.
        want_delta: f64,
    },
    /// The charge would exceed the budget: refused, nothing released.
    #[error("privacy budget exhausted for dataset '{name}': spent epsilon = {spent_eps}, delta = {spent_delta} of epsilon = {budget_eps}, delta = {budget_delta}; this release asks for epsilon = {eps}, delta = {delta}. Nothing was released")]
    Exhausted {
        /// Dataset id.
        name: String,
        /// ε spent so far.
        spent_eps: f64,
        /// δ spent so far.
        spent_delta: f64,
        /// Budget ε.
        budget_eps: f64,
        /// Budget δ.
        budget_delta: f64,
        /// Requested ε.
        eps: f64,
        /// Requested δ.
        delta: f64,
    },
}
