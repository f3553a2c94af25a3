//! The error type of the library layer. Messages name files and fields, never a front end's
//! flags: a front end maps the variants it can explain better (for example
//! [`CoreError::NeedsColumnNames`] to the CLI's `--features`).

use assay_model::ModelError;

use crate::models::Format;

/// What went wrong in the library layer.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A model file could not be read or used (file, format and cause in the message).
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The format of a model file could not be told from its content or extension.
    #[error("{path}: cannot tell the model format: {message}")]
    UnknownFormat {
        /// The model file.
        path: String,
        /// What was found.
        message: String,
    },
    /// The model stores no feature names, so its input columns must be named.
    #[error("{path}: the model stores no feature names; name the input column of each of its {n_features} features, in order")]
    NeedsColumnNames {
        /// The model file.
        path: String,
        /// The model's number of features.
        n_features: usize,
    },
    /// The number of input columns named differs from the model's number of features.
    #[error("{path}: {found} input columns named, but the model has {expected} features")]
    ColumnCount {
        /// The model file.
        path: String,
        /// The model's number of features.
        expected: usize,
        /// The number of columns named.
        found: usize,
    },
    /// Input columns were named for a model that reads the columns of its own saved schema.
    #[error("{path}: a {format} model reads the columns named in its saved schema; its input columns cannot be renamed")]
    CannotRename {
        /// The model file.
        path: String,
        /// Its format.
        format: Format,
    },
    /// A method needs a tree ensemble and the model is not one.
    #[error("{path}: not a tree ensemble (XGBoost JSON, LightGBM text, assay gbdt or tree, or an ONNX graph of one TreeEnsemble){}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    NotTreeEnsemble {
        /// The model file.
        path: String,
        /// Why an ONNX graph is not one, when that is the question.
        detail: Option<String>,
    },
    /// A model saved by `assay train` (with its training settings) is needed and the file is
    /// another format.
    #[error("{path}: format {format}, not a model saved by `assay train` (assay.logistic/1, assay.gbdt/1 or assay.tree/1)")]
    NotTrained {
        /// The model file.
        path: String,
        /// Its format.
        format: Format,
    },
    /// An ONNX export was asked of a model without a saved feature preparation.
    #[error("{path}: a {format} model has no saved feature preparation; the ONNX export writes models saved by assay train and assay mitigate")]
    NoFeaturePreparation {
        /// The model file.
        path: String,
        /// Its format.
        format: Format,
    },
    /// The model cannot be written as ONNX.
    #[error("{path}: {source}")]
    Export {
        /// The model file.
        path: String,
        /// Why.
        source: ModelError,
    },
    /// A binary classifier is needed and the model is not one.
    #[error("{path}: not a binary classifier (one probability of the positive class); its outputs are {outputs}")]
    NotBinary {
        /// The model file.
        path: String,
        /// The model's outputs.
        outputs: String,
    },
    /// A method needs assay's logistic regression and the model is not one.
    #[error("{path}: not an assay logistic regression (assay.logistic/1)")]
    NotLogistic {
        /// The model file.
        path: String,
    },
}
