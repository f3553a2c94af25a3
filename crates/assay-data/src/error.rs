//! Errors of the data layer. Each variant names the file and, where known,
//! the column, the row (1-based, counting data rows, not the header) and what
//! was expected, so that a user can find and fix the cell.

use std::path::PathBuf;

/// An error reading or interpreting tabular input.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A CSV line could not be parsed (wrong number of fields, bad quoting, invalid UTF-8).
    #[error("{path}: line {line}: malformed CSV: {message}")]
    MalformedCsv {
        /// The file.
        path: PathBuf,
        /// The 1-based line number in the file.
        line: u64,
        /// What was wrong.
        message: String,
    },
    /// A Parquet or Arrow IPC file could not be decoded.
    #[error("{path}: unreadable {format} file: {message}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// "Parquet" or "Arrow IPC".
        format: &'static str,
        /// The decoder's message.
        message: String,
    },
    /// The file given as data is not a table (a model, a report, a JSON document).
    #[error("{path}: this looks like {looks_like}, not a table; data files are CSV, Parquet or Arrow IPC")]
    NotATable {
        /// The file.
        path: PathBuf,
        /// What it looks like ("an XGBoost model (JSON)", ...).
        looks_like: String,
    },
    /// A column named by the user is not in the file.
    #[error("{path}: no column named '{column}' (the {role}){hint}; the file has: {available}")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The missing column.
        column: String,
        /// The role the user gave it (label, prediction, ...).
        role: String,
        /// The column names that do exist, comma separated.
        available: String,
        /// What may have gone wrong, from [`crate::source::missing_hint`]: " (did you mean
        /// 'x'?)", or that the first line looks like data rather than a header; empty if
        /// nothing.
        hint: String,
    },
    /// A cell does not hold what its column's role needs.
    #[error("{path}: column '{column}', row {row}: {message}")]
    BadValue {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The 1-based data row.
        row: u64,
        /// What was found and what was expected.
        message: String,
    },
    /// A problem with a whole column (for example a label with three values).
    #[error("{path}: column '{column}': {message}")]
    BadColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A cell (or, without a row, a column) that cannot be read as its role needs, which an
    /// option would fix (a label that is not 0/1 needs its `positive` value named; a feature
    /// with too many values needs `bins`). A front end names the option its own way.
    #[error("{path}: column '{column}'{}: {message} (option `{option}`)", row.map(|r| format!(", row {r}")).unwrap_or_default())]
    NeedsOption {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The 1-based data row, when one cell is at fault.
        row: Option<u64>,
        /// What was found and what was expected.
        message: String,
        /// The option.
        option: &'static str,
    },
    /// Two inputs that must line up row by row do not.
    #[error("row count mismatch: {left} has {left_rows} rows but {right} has {right_rows}")]
    RowCountMismatch {
        /// The first input.
        left: PathBuf,
        /// Its number of data rows.
        left_rows: u64,
        /// The second input.
        right: PathBuf,
        /// Its number of data rows.
        right_rows: u64,
    },
    /// Invalid options or configuration (for example a malformed roles file).
    #[error("{0}")]
    Config(String),
    /// An option or column role is missing, invalid or inconsistent. `option` names it as the
    /// roles file and the library's options do (`label`, `prediction`, `bins`, `columns`, ...),
    /// so that a front end can name its own flag instead.
    #[error("{option}: {message}")]
    Option {
        /// The option.
        option: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl DataError {
    /// Shorthand for [`DataError::BadValue`].
    pub fn bad_value(
        path: impl Into<PathBuf>,
        column: &str,
        row: u64,
        message: impl Into<String>,
    ) -> Self {
        DataError::BadValue {
            path: path.into(),
            column: column.to_string(),
            row,
            message: message.into(),
        }
    }
}

/// Result alias for the data layer.
pub type Result<T, E = DataError> = std::result::Result<T, E>;
