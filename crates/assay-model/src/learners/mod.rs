//! Learners: models assay fits itself, to the same optimum as the reference library.
//!
//! * [`logistic`] is L2-regularised logistic regression (binary and multinomial), converging to
//!   scikit-learn's `LogisticRegression(penalty="l2", solver="lbfgs")` solution; see the
//!   scikit-learn User Guide, section 1.1.11 "Logistic regression".
//!
//! * [`gbdt`] is histogram-based gradient-boosted trees (Friedman 2001; LightGBM, Ke et al.
//!   2017; second-order split gain of Chen & Guestrin 2016), binary logistic or squared-error
//!   loss, producing a [`crate::TreeEnsemble`].
//!
//! * [`tree`] is a CART classification tree (Breiman et al. 1984), fitted as scikit-learn's
//!   `DecisionTreeClassifier` (Gini or entropy, exact best splits, sample weights), producing a
//!   one-tree [`crate::TreeEnsemble`] whose prediction is `P(class 1)`.
//!
//! * [`schema`] is the saved form of a model trained by `assay train`: the fitted model plus how
//!   table columns become its features.
//!
//! Learners take a [`Matrix`], a borrowed dense row-major `f64` matrix, and return typed
//! [`LearnError`]s; nothing here prints.

pub mod gbdt;
pub mod logistic;
pub mod schema;
pub mod tree;

pub use gbdt::{GradientBoosting, Loss};
pub use logistic::{FittedLogistic, LogisticDesign, LogisticRegression};
pub use schema::{FeatureSpec, FeatureValue, TrainedGbdt, TrainedLogistic, TrainedTree};
pub use tree::{Criterion, DecisionTree};

use std::path::Path;

use thiserror::Error;

/// Writes `value` as pretty JSON (with a final newline) to `path`: the one
/// save routine of every learner's model file.
pub(crate) fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), LearnError> {
    let text = serde_json::to_string_pretty(value).map_err(|source| LearnError::Json {
        path: path.display().to_string(),
        source,
    })?;
    std::fs::write(path, text + "\n").map_err(|source| LearnError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Reads a JSON model file written by [`write_json`]; the caller validates its contents.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, LearnError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| LearnError::Io {
        path: name.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| LearnError::Json { path: name, source })
}

/// A borrowed dense row-major `f64` matrix of `n_rows × n_cols` values.
#[derive(Debug, Clone, Copy)]
pub struct Matrix<'a> {
    data: &'a [f64],
    n_rows: usize,
    n_cols: usize,
}

impl<'a> Matrix<'a> {
    /// Views `data` as rows of `n_cols` values; an error if `data` is not a whole number of rows.
    ///
    /// With `n_cols == 0` the matrix has no rows unless built with [`Matrix::with_rows`].
    pub fn new(data: &'a [f64], n_cols: usize) -> Result<Self, LearnError> {
        if n_cols == 0 {
            return Self::with_rows(data, 0, 0);
        }
        if data.len() % n_cols != 0 {
            return Err(LearnError::Ragged {
                len: data.len(),
                n_cols,
            });
        }
        Ok(Matrix {
            data,
            n_rows: data.len() / n_cols,
            n_cols,
        })
    }

    /// Views `data` as `n_rows × n_cols`; an error unless `data.len() == n_rows * n_cols`.
    /// (The only way to build a matrix with rows but no columns.)
    pub fn with_rows(data: &'a [f64], n_rows: usize, n_cols: usize) -> Result<Self, LearnError> {
        if data.len() != n_rows * n_cols {
            return Err(LearnError::Length {
                what: "matrix data",
                expected: n_rows * n_cols,
                found: data.len(),
            });
        }
        Ok(Matrix {
            data,
            n_rows,
            n_cols,
        })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Row `i` (panics when out of range).
    #[inline]
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.data[i * self.n_cols..(i + 1) * self.n_cols]
    }

    /// The values, row-major.
    pub fn data(&self) -> &'a [f64] {
        self.data
    }
}

/// Everything that can go wrong fitting a learner, predicting with it or saving it.
///
/// Rows and columns are 0-based indices into the matrix given to the learner (the CLI maps them
/// back to file rows and column names).
#[derive(Debug, Error)]
pub enum LearnError {
    /// The data slice is not a whole number of rows.
    #[error("input of {len} values is not a whole number of rows of {n_cols} columns")]
    Ragged {
        /// Length of the slice.
        len: usize,
        /// Columns per row.
        n_cols: usize,
    },
    /// An input has the wrong length.
    #[error("{what} has {found} values, expected {expected}")]
    Length {
        /// Which input ("labels", "sample weights", ...).
        what: &'static str,
        /// The expected length.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// There are no rows to fit.
    #[error("no rows to fit")]
    Empty,
    /// A feature value is NaN or infinite.
    #[error("row {row}, feature {col}: value {value} is not finite")]
    NonFinite {
        /// 0-based row.
        row: usize,
        /// 0-based column.
        col: usize,
        /// The value.
        value: f64,
    },
    /// A label is not a finite number.
    #[error("row {row}: label {value} is not a finite number")]
    BadLabel {
        /// 0-based row.
        row: usize,
        /// The label.
        value: f64,
    },
    /// A sample weight is negative or not finite.
    #[error("row {row}: sample weight {value} is not a finite non-negative number")]
    BadWeight {
        /// 0-based row.
        row: usize,
        /// The weight.
        value: f64,
    },
    /// The labels (of the rows with positive weight) hold fewer than two classes.
    #[error("the labels need at least two classes, found {found}")]
    OneClass {
        /// The number of classes found.
        found: usize,
    },
    /// A hyper-parameter is out of range.
    #[error("invalid parameter: {0}")]
    Parameter(String),
    /// The Newton system could not be solved (the Hessian is not positive definite).
    #[error("the Hessian is not positive definite at iteration {iteration}")]
    Singular {
        /// The Newton iteration.
        iteration: usize,
    },
    /// The matrix to predict has a different number of columns than the model has features.
    #[error("input has {found} columns but the model has {expected} features")]
    ColumnCount {
        /// The model's number of features.
        expected: usize,
        /// The number of columns given.
        found: usize,
    },
    /// A model file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The model file.
        path: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A model file is not JSON of the expected shape.
    #[error("{path}: not a model file of the expected form: {source}")]
    Json {
        /// The model file.
        path: String,
        /// The JSON error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A loaded model is inconsistent (array lengths).
    #[error("{path}: invalid model: {message}")]
    Invalid {
        /// The model file.
        path: String,
        /// What is inconsistent.
        message: String,
    },
}
