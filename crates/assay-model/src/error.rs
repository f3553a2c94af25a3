//! The error type of the model layer.

use thiserror::Error;

/// Everything that can go wrong loading a model or predicting with it.
///
/// Loading errors name the model file (or `<memory>` for models parsed from a string) and what
/// was found; prediction errors name the offending shape.
#[derive(Debug, Error)]
pub enum ModelError {
    /// The model file could not be read.
    #[error("cannot read model file {path}: {source}")]
    Io {
        /// The model file.
        path: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not JSON of the expected XGBoost shape.
    #[error("{path}: not an XGBoost JSON model: {source}")]
    Json {
        /// The model file.
        path: String,
        /// The JSON error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A line of a text model could not be parsed.
    #[error("{path}: line {line}: {message}")]
    Parse {
        /// The model file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What was expected and what was found.
        message: String,
    },
    /// The model parsed but is inconsistent (array lengths, child indices, feature indices).
    #[error("{path}: invalid model: {message}")]
    Invalid {
        /// The model file.
        path: String,
        /// What is inconsistent.
        message: String,
    },
    /// The model uses an objective or feature this crate does not evaluate.
    #[error("{path}: unsupported model: {message}")]
    Unsupported {
        /// The model file.
        path: String,
        /// The unsupported objective or feature, as found in the file.
        message: String,
    },
    /// The input matrix has a different number of columns than the model has features.
    #[error("input has {found} columns but the model has {expected} features")]
    ColumnCount {
        /// The model's number of features.
        expected: usize,
        /// The number of columns given.
        found: usize,
    },
    /// The column groups of a hybrid evaluation are invalid (too many, out of range, or
    /// overlapping).
    #[error("hybrid evaluation: {message}")]
    HybridGroups {
        /// What is wrong with the groups.
        message: String,
    },
    /// The input slice is not a whole number of rows.
    #[error("input of {len} values is not a whole number of rows of {n_cols} columns")]
    Ragged {
        /// Length of the input slice.
        len: usize,
        /// Columns per row.
        n_cols: usize,
    },
    /// The output slice does not have one slot per row.
    #[error("output has {found} slots for {expected} rows")]
    OutputLength {
        /// Number of rows.
        expected: usize,
        /// Length of the output slice.
        found: usize,
    },
    /// The model cannot be written in the requested format (e.g. a categorical split in an ONNX
    /// export).
    #[error("cannot export the model: {message}")]
    Export {
        /// What cannot be represented, naming the tree and node where there is one.
        message: String,
    },
    /// A tree ensemble stores no feature names and no input columns were given for them.
    #[error("the model stores no feature names; the input column of each of its {n_features} features must be given, in order")]
    NoFeatureNames {
        /// The model's number of features.
        n_features: usize,
    },
    /// A value of an input column cannot be encoded for the model.
    #[error("column '{column}', row {row}: {message}")]
    BadValue {
        /// The input column.
        column: String,
        /// 0-based row within the scored batch.
        row: usize,
        /// What is wrong with the value.
        message: String,
    },
    /// An input column is missing or has a type the model cannot read.
    #[error("column '{column}' {message}")]
    Column {
        /// The input column.
        column: String,
        /// What is wrong (`is not in the input`, `has type ...`).
        message: String,
    },
    /// An ONNX model cannot be loaded or run: an unsupported operator or opset, a graph tract
    /// cannot type, or a failure while running it.
    #[error("{path}: {message}")]
    Onnx {
        /// The model file.
        path: String,
        /// What failed, naming the operator or input, and what would fix it.
        message: String,
    },
    /// An error of an assay-trained model (loading it, or its learner's prediction).
    #[error(transparent)]
    Learn(#[from] crate::learners::LearnError),
}
