//! The one error type of anonymity measurement. Every variant names the file and, where it
//! applies, the column and the 1-based data row.

use std::path::PathBuf;

/// An error measuring the anonymity of a table.
#[derive(Debug, thiserror::Error)]
pub enum AnonymityError {
    /// Reading the table failed (the data layer's error names file, column and row).
    #[error(transparent)]
    Data(#[from] assay_data::DataError),
    /// No quasi-identifier was given.
    #[error("{path}: no quasi-identifiers given")]
    NoQuasiIdentifiers {
        /// The file.
        path: PathBuf,
    },
    /// A measure that needs a sensitive attribute was asked for without one.
    #[error("{path}: no sensitive attribute given")]
    NoSensitiveAttributes {
        /// The file.
        path: PathBuf,
    },
    /// A column was named twice, or both as a quasi-identifier and as a sensitive attribute.
    #[error("{path}: column '{column}' is named more than once (quasi-identifiers and sensitive attributes must be distinct columns)")]
    RepeatedColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// A named column is not in a record batch.
    #[error("{path}: no column named '{column}' in the data")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// A quasi-identifier or sensitive cell is missing (empty or null).
    #[error("{path}: column '{column}', row {row}: missing value (anonymity measures need every quasi-identifier and sensitive value; fill or drop the row)")]
    MissingValue {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// 1-based data row.
        row: u64,
    },
    /// A column's Arrow type cannot be read as values.
    #[error("{path}: column '{column}': unsupported type {data_type}: {message}")]
    UnsupportedType {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The Arrow type.
        data_type: String,
        /// The cast error.
        message: String,
    },
    /// The population table does not fit the sample.
    #[error("{path}: population table: {message}")]
    PopulationMismatch {
        /// The population file.
        path: PathBuf,
        /// What does not fit.
        message: String,
    },
    /// The table has no rows.
    #[error("{path}: the table has no rows")]
    EmptyTable {
        /// The file.
        path: PathBuf,
    },
}

/// Result with [`AnonymityError`].
pub type Result<T> = std::result::Result<T, AnonymityError>;
