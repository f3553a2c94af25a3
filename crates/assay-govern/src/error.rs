//! The crate's one error type.

/// Every failure of the governance data layer.
#[derive(Debug, thiserror::Error)]
pub enum GovernError {
    /// The database target could not be understood (neither a `postgres://` URL nor a file path).
    #[error("invalid database target {target:?}: {reason}")]
    InvalidTarget {
        /// The target as given.
        target: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A database operation failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the embedded migrations failed.
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Details could not be serialised as JSON.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// Reading or writing a checkpoint file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A checkpoint is malformed or its signature does not verify.
    #[error("invalid checkpoint: {0}")]
    Checkpoint(String),
    /// A stored row holds a value that cannot be a valid log field (e.g. a negative sequence
    /// number or a hash that is not 64 hex digits).
    #[error("corrupt audit row at seq {seq}: {reason}")]
    CorruptRow {
        /// The row's sequence number as stored.
        seq: i64,
        /// What is wrong.
        reason: String,
    },
    /// The named object does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request conflicts with the current state (duplicate name, already decided, ...).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request is well-formed but its content is not acceptable (bad value, bad signature).
    #[error("invalid: {0}")]
    Invalid(String),
    /// The caller is known but not allowed to do this (role, ownership, separation of duties).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// No valid credentials (missing, unknown, expired, revoked or forged token).
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
}
