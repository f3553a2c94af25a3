//! The one error type of the crate.

/// Errors of PII masking (detection itself cannot fail).
#[derive(Debug, thiserror::Error)]
pub enum PiiError {
    /// An operator specification could not be parsed.
    #[error("bad operator `{spec}`: {reason}")]
    BadOperator { spec: String, reason: String },
    /// A key is needed by an operator but none was supplied or it is unusable.
    #[error("key: {0}")]
    Key(String),
    /// Decryption failed (wrong key or a damaged token).
    #[error("decryption failed: {0}")]
    Decrypt(String),
    /// Date shifting needs a person id.
    #[error("date shifting needs a person id: {0}")]
    NoPersonId(String),
}
