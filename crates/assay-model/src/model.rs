//! The one model interface: [`Model`], implemented by every model assay can score (tree
//! ensembles loaded from XGBoost or LightGBM, and assay's own logistic regressions and
//! gradient-boosted trees), and [`load_model`], which reads any of them from a file.
//!
//! Later capabilities (mitigation, explanations, privacy audits) call models only through this
//! trait. A model declares its [`InputSchema`] (the table columns it reads, by name, and how each
//! is read) and its outputs, and scores either an Arrow record batch (columns found by name,
//! encoded with the model's own schema) or a dense matrix already in its feature order.
//!
//! Outputs: tree ensembles give one value per row (the probability for binary models, the
//! prediction for regression). Logistic regressions give class probabilities: for two classes
//! only the probability of the positive (second) class, one value per row, as
//! `predict_proba(x)[:, 1]`; for K ≥ 3 classes K values per row, row-major.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::DataType;

use crate::learners::schema::{FORMAT, GBDT_FORMAT, TREE_FORMAT};
use crate::learners::{
    FeatureSpec, FeatureValue, Matrix, TrainedGbdt, TrainedLogistic, TrainedTree,
};
use crate::{ModelError, TreeEnsemble};

/// How a model reads one input column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnKind {
    /// Numbers (any numeric Arrow type, or text holding numbers); nulls and empty text are
    /// missing values where the model has a rule for them.
    Numeric,
    /// A categorical feature given as the numeric category codes the model was trained with (as
    /// XGBoost and LightGBM read categorical features from numeric input).
    Codes,
    /// A categorical column given as category text; the model knows these categories (sorted)
    /// and rejects any other.
    Categories(Vec<String>),
    /// A categorical column given as category text, with the categories known (sorted) but any
    /// other accepted: it becomes what the model was trained to make of it (a row of zeros in a
    /// one-hot encoding, a missing value for trees).
    OpenCategories(Vec<String>),
    /// A text column passed to the model as it is (the string inputs of an ONNX graph, whose
    /// own operators encode them).
    Text,
}

/// One column a model reads.
#[derive(Debug, Clone, PartialEq)]
pub struct InputColumn {
    /// The column name in the input table.
    pub name: String,
    /// How the column is read.
    pub kind: ColumnKind,
}

/// The columns a model reads, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InputSchema {
    /// The columns, in the model's order.
    pub columns: Vec<InputColumn>,
}

impl InputSchema {
    /// The column names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}

/// A model assay can score: anything with an input schema and a batched scorer.
pub trait Model: Send + Sync {
    /// The columns the model reads, in order: name and kind (numeric, or categorical with its
    /// known categories / code semantics).
    fn input_schema(&self) -> &InputSchema;

    /// Number of outputs per row (1 for regression and binary models, K for K-class
    /// probabilities) and their names.
    fn outputs(&self) -> &[String];

    /// The class labels of a classifier, in the order of its probabilities (two for a binary
    /// model, whose one score is the probability of the second); `None` for regression and
    /// for graphs whose outputs are not known to be class probabilities.
    fn classes(&self) -> Option<&[String]>;

    /// Scores an Arrow record batch: columns are found by name (extra columns are ignored);
    /// missing or wrongly typed columns and values that cannot be encoded are errors naming the
    /// column (and the 0-based row within the batch). Returns row-major scores (probabilities for
    /// classifiers).
    fn score_batch(&self, batch: &RecordBatch) -> Result<Vec<f64>, ModelError>;

    /// Scores a dense row-major matrix of `n_rows` rows already in the model's feature order.
    fn score_matrix(&self, x: &[f64], n_rows: usize) -> Result<Vec<f64>, ModelError>;

    /// Raw margins of a record batch (the tree ensemble's margin, the logistic regression's
    /// decision values), row-major with as many values per row as [`Model::outputs`] for
    /// multinomial models and one per row otherwise.
    fn margin_batch(&self, batch: &RecordBatch) -> Result<Vec<f64>, ModelError>;

    /// `Some(seed)` for a randomized binary classifier (a mixture of predictors, or randomised
    /// group thresholds): its score is the probability `P(ŷ = 1 | x)` and its decision for the
    /// row at 0-based position `row` of the input is [`randomized_decision`]`(seed, row, score)`.
    /// `None` (the default) for models whose decision is a threshold on the score.
    fn randomized(&self) -> Option<u64> {
        None
    }

    /// The model's own decision for a binary classifier's score `p` (the probability of the
    /// second class) of the row at 0-based position `row` of the input: [`decision`] with
    /// [`Model::randomized`]. `assay predict`, `assay fairness --model` and the evaluation of
    /// `assay mitigate` all decide through it, so they agree row for row.
    fn decide(&self, row: u64, p: f64) -> bool {
        decision(self.randomized(), row, p)
    }
}

/// The decision rule of a binary classifier, the one place it is written: for a randomized
/// classifier (`Some(seed)`, see [`Model::randomized`]) the seeded draw
/// [`randomized_decision`]`(seed, row, p)`, otherwise `p > 0.5` (a probability of exactly one
/// half is the negative class, as in scikit-learn's `predict`, which takes the first class of
/// `argmax`).
pub fn decision(randomized: Option<u64>, row: u64, p: f64) -> bool {
    match randomized {
        Some(seed) => randomized_decision(seed, row, p),
        None => p > 0.5,
    }
}

/// The decision of a randomized classifier (see [`Model::randomized`]): `u < p`, where `u` in
/// [0, 1) is drawn from the counter-based stream SplitMix64 (Steele, Lea & Flood 2014) keyed by
/// `seed` and the row's position, so a row's decision depends only on the seed, its position
/// and its probability — not on how the input is split into batches.
pub fn randomized_decision(seed: u64, row: u64, p: f64) -> bool {
    assay_numerics::random::counter_uniform(seed, row) < p
}

/// A tree ensemble read by column name: an XGBoost or LightGBM model, or assay's trained gbdt
/// (whose coded categorical columns take the category text).
#[derive(Debug, Clone)]
pub struct TreeModel {
    ensemble: TreeEnsemble,
    schema: InputSchema,
    outputs: Vec<String>,
    classes: Option<Vec<String>>,
}

impl TreeModel {
    /// Wraps an ensemble, reading feature `j` from column `columns[j]` when columns are given,
    /// from the column named like the feature otherwise. Features the ensemble declares
    /// categorical take numeric codes. An error when the ensemble stores no feature names and
    /// none are given ([`ModelError::NoFeatureNames`]), or when the count differs.
    pub fn new(ensemble: TreeEnsemble, columns: Option<Vec<String>>) -> Result<Self, ModelError> {
        let names = match (columns, &ensemble.feature_names) {
            (Some(c), _) => c,
            (None, Some(n)) => n.clone(),
            (None, None) => {
                return Err(ModelError::NoFeatureNames {
                    n_features: ensemble.n_features,
                })
            }
        };
        if names.len() != ensemble.n_features {
            return Err(ModelError::ColumnCount {
                expected: ensemble.n_features,
                found: names.len(),
            });
        }
        let columns = names
            .into_iter()
            .enumerate()
            .map(|(j, name)| InputColumn {
                name,
                kind: if ensemble.categorical_features.contains(&j) {
                    ColumnKind::Codes
                } else {
                    ColumnKind::Numeric
                },
            })
            .collect();
        let classes = matches!(ensemble.objective.link, crate::tree::Link::Logistic { .. })
            .then(|| vec!["0".to_string(), "1".to_string()]);
        Ok(TreeModel {
            ensemble,
            schema: InputSchema { columns },
            outputs: vec!["prediction".to_string()],
            classes,
        })
    }

    /// Wraps a gradient-boosted model trained by assay, reading its columns by the names in its
    /// feature schema (or `columns`, when given); coded categorical columns take category text.
    pub fn from_gbdt(m: TrainedGbdt, columns: Option<Vec<String>>) -> Result<Self, ModelError> {
        Self::with_schema(m.model, &m.features, &m.class_names, columns)
    }

    /// Wraps a decision tree trained by assay (`assay.tree/1`), as [`TreeModel::from_gbdt`]
    /// does: columns by the names in its feature schema (or `columns`), coded categorical
    /// columns take category text, the output is named after class 1.
    pub fn from_tree(m: TrainedTree, columns: Option<Vec<String>>) -> Result<Self, ModelError> {
        Self::with_schema(m.model, &m.features, &m.class_names, columns)
    }

    /// An ensemble trained by assay with its feature schema and class names.
    fn with_schema(
        ensemble: TreeEnsemble,
        features: &[FeatureSpec],
        class_names: &[String],
        columns: Option<Vec<String>>,
    ) -> Result<Self, ModelError> {
        let mut t = TreeModel::new(ensemble, columns)?;
        for (c, spec) in t.schema.columns.iter_mut().zip(features) {
            if let FeatureSpec::Ordinal {
                categories,
                unknown,
                ..
            } = spec
            {
                c.kind = if unknown.is_error() {
                    ColumnKind::Categories(categories.clone())
                } else {
                    ColumnKind::OpenCategories(categories.clone())
                };
            }
        }
        if class_names.len() == 2 {
            t.outputs = vec![class_names[1].clone()];
            t.classes = Some(class_names.to_vec());
        }
        Ok(t)
    }

    /// The ensemble.
    pub fn ensemble(&self) -> &TreeEnsemble {
        &self.ensemble
    }

    fn scores(&self, batch: &RecordBatch, transform: bool) -> Result<Vec<f64>, ModelError> {
        let x = batch_to_dense(&self.schema, batch)?;
        let mut out = vec![0.0; batch.num_rows()];
        self.ensemble
            .predict_into(&x, self.ensemble.n_features, &mut out, transform)?;
        Ok(out)
    }
}

impl Model for TreeModel {
    fn input_schema(&self) -> &InputSchema {
        &self.schema
    }

    fn classes(&self) -> Option<&[String]> {
        self.classes.as_deref()
    }

    fn outputs(&self) -> &[String] {
        &self.outputs
    }

    fn score_batch(&self, batch: &RecordBatch) -> Result<Vec<f64>, ModelError> {
        self.scores(batch, true)
    }

    fn score_matrix(&self, x: &[f64], n_rows: usize) -> Result<Vec<f64>, ModelError> {
        check_len(x, n_rows, self.ensemble.n_features)?;
        let mut out = vec![0.0; n_rows];
        self.ensemble
            .predict_into(x, self.ensemble.n_features, &mut out, true)?;
        Ok(out)
    }

    fn margin_batch(&self, batch: &RecordBatch) -> Result<Vec<f64>, ModelError> {
        self.scores(batch, false)
    }
}

/// A logistic regression trained by assay (`assay.logistic/1`), reading table columns by the
/// names in its feature schema: numeric columns standardised as in training, categorical columns
/// one-hot encoded over the training categories (with [`crate::learners::schema::encode_row`]).
/// Missing values are errors (the model has no rule for them).
#[derive(Debug, Clone)]
pub struct LogisticModel {
    model: TrainedLogistic,
    schema: InputSchema,
    outputs: Vec<String>,
}

impl LogisticModel {
    /// Wraps a trained logistic regression. Outputs: for two classes, the probability of the
    /// second class (named after it); for K ≥ 3 classes, the K class probabilities.
    pub fn new(model: TrainedLogistic) -> Self {
        let schema = input_schema_for(&model.features);
        let outputs = if model.class_names.len() == 2 {
            vec![model.class_names[1].clone()]
        } else {
            model.class_names.clone()
        };
        LogisticModel {
            model,
            schema,
            outputs,
        }
    }

    /// The trained model.
    pub fn trained(&self) -> &TrainedLogistic {
        &self.model
    }

    /// Encodes a batch into the model's feature matrix (one-hot, standardised).
    fn encode_batch(&self, batch: &RecordBatch) -> Result<Vec<f64>, ModelError> {
        encode_batch(&self.model.features, batch)
    }
}

/// The input columns of a trained model's feature schema: numeric columns, and categorical or
/// ordinal columns with their training categories (closed when unseen categories are errors,
/// open when they are encoded as zeros or missing).
pub fn input_schema_for(features: &[FeatureSpec]) -> InputSchema {
    let columns = features
        .iter()
        .map(|f| InputColumn {
            name: f.column().to_string(),
            kind: match f {
                FeatureSpec::Numeric { .. } => ColumnKind::Numeric,
                FeatureSpec::Categorical {
                    categories,
                    unknown,
                    ..
                }
                | FeatureSpec::Ordinal {
                    categories,
                    unknown,
                    ..
                } => {
                    if unknown.is_error() {
                        ColumnKind::Categories(categories.clone())
                    } else {
                        ColumnKind::OpenCategories(categories.clone())
                    }
                }
            },
        })
        .collect();
    InputSchema { columns }
}

/// Encodes a record batch with a trained model's feature schema (the columns named in
/// `features`, standardised, imputed and one-hot or ordinally coded as in training, with
/// [`crate::learners::schema::encode_row`]) into a row-major matrix. Missing numeric cells are
/// errors unless the column has an imputation value; errors name the column and row.
pub fn encode_batch(features: &[FeatureSpec], batch: &RecordBatch) -> Result<Vec<f64>, ModelError> {
    encode_batch_with(features, batch, false)
}

/// [`encode_batch`], with `keep_missing`: missing numeric cells without an imputation value
/// stay NaN, for models whose trees route missing values (gradient-boosted trees trained on
/// them).
pub fn encode_batch_with(
    features: &[FeatureSpec],
    batch: &RecordBatch,
    keep_missing: bool,
) -> Result<Vec<f64>, ModelError> {
    enum Col {
        Num(Vec<f64>),
        Text(StringArray),
    }
    let n = batch.num_rows();
    let mut cols = Vec::with_capacity(features.len());
    for spec in features {
        let name = spec.column();
        let array = find_column(batch, name)?;
        cols.push(match spec {
            FeatureSpec::Categorical { .. } | FeatureSpec::Ordinal { .. } => {
                Col::Text(as_text(array, name)?)
            }
            FeatureSpec::Numeric { impute, .. } => {
                let mut v = vec![f64::NAN; n];
                fill_column(&mut v, 1, 0, array, name)?;
                if impute.is_none() && !keep_missing {
                    if let Some(row) = v.iter().position(|x| x.is_nan()) {
                        return Err(bad_value(
                            name,
                            row,
                            "missing value (the model was trained without --impute)".into(),
                        ));
                    }
                }
                Col::Num(v)
            }
        });
    }
    let d: usize = features.iter().map(FeatureSpec::width).sum();
    let mut x = vec![0.0; n * d];
    let mut values = Vec::with_capacity(cols.len());
    for i in 0..n {
        values.clear();
        for (col, spec) in cols.iter().zip(features) {
            values.push(match col {
                Col::Num(v) => FeatureValue::Num(v[i]),
                Col::Text(t) if t.is_null(i) => {
                    return Err(bad_value(spec.column(), i, "missing value".into()))
                }
                Col::Text(t) => FeatureValue::Text(t.value(i)),
            });
        }
        crate::learners::schema::encode_row(features, &values, &mut x[i * d..(i + 1) * d])
            .map_err(|message| {
                // encode_row names the column; keep the rest of its message.
                let (column, message) = split_column(&message);
                bad_value(&column, i, message)
            })?;
    }
    Ok(x)
}

impl Model for LogisticModel {
    fn input_schema(&self) -> &InputSchema {
        &self.schema
    }

    fn classes(&self) -> Option<&[String]> {
        Some(&self.model.class_names)
    }

    fn outputs(&self) -> &[String] {
        &self.outputs
    }

    fn score_batch(&self, batch: &RecordBatch) -> Result<Vec<f64>, ModelError> {
        let x = self.encode_batch(batch)?;
        self.score_matrix(&x, batch.num_rows())
    }

    fn score_matrix(&self, x: &[f64], n_rows: usize) -> Result<Vec<f64>, ModelError> {
        let d = self.model.n_features();
        check_len(x, n_rows, d)?;
        Ok(self
            .model
            .model
            .predict_proba(&Matrix::with_rows(x, n_rows, d)?)?)
    }

    fn margin_batch(&self, batch: &RecordBatch) -> Result<Vec<f64>, ModelError> {
        let x = self.encode_batch(batch)?;
        let d = self.model.n_features();
        Ok(self
            .model
            .model
            .decision_function(&Matrix::with_rows(&x, batch.num_rows(), d)?)?)
    }
}

/// Splits an [`crate::learners::schema::encode_row`] message `column 'c': rest` into `c` and
/// `rest`.
fn split_column(message: &str) -> (String, String) {
    message
        .strip_prefix("column '")
        .and_then(|r| r.split_once("': "))
        .map_or((String::new(), message.to_string()), |(c, m)| {
            (c.to_string(), m.to_string())
        })
}

fn check_len(x: &[f64], n_rows: usize, n_cols: usize) -> Result<(), ModelError> {
    if x.len() != n_rows * n_cols {
        return Err(ModelError::Ragged {
            len: x.len(),
            n_cols,
        });
    }
    Ok(())
}

fn bad_value(column: &str, row: usize, message: String) -> ModelError {
    ModelError::BadValue {
        column: column.to_string(),
        row,
        message,
    }
}

fn find_column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef, ModelError> {
    batch
        .column_by_name(name)
        .ok_or_else(|| ModelError::Column {
            column: name.to_string(),
            message: "is not in the input".to_string(),
        })
}

fn as_text(col: &ArrayRef, name: &str) -> Result<StringArray, ModelError> {
    let text = arrow_cast::cast(col, &DataType::Utf8).map_err(|_| ModelError::Column {
        column: name.to_string(),
        message: format!(
            "has type {}, which cannot be read as categories",
            col.data_type()
        ),
    })?;
    Ok(text
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("cast to Utf8 gives a StringArray")
        .clone())
}

/// Copies the columns of `schema` from `batch` (found by name) into a dense row-major matrix
/// with one column per schema column: numbers and codes as they are, nulls and empty text as NaN
/// (missing), category text as its position in the sorted categories.
pub fn batch_to_dense(schema: &InputSchema, batch: &RecordBatch) -> Result<Vec<f64>, ModelError> {
    let n_cols = schema.columns.len();
    let mut x = vec![f64::NAN; batch.num_rows() * n_cols];
    for (j, c) in schema.columns.iter().enumerate() {
        let col = find_column(batch, &c.name)?;
        match &c.kind {
            ColumnKind::Categories(cats) => {
                fill_coded(&mut x, n_cols, j, col, cats, &c.name, false)?
            }
            ColumnKind::OpenCategories(cats) => {
                fill_coded(&mut x, n_cols, j, col, cats, &c.name, true)?
            }
            ColumnKind::Numeric | ColumnKind::Codes => {
                fill_column(&mut x, n_cols, j, col, &c.name)?
            }
            ColumnKind::Text => {
                return Err(ModelError::Column {
                    column: c.name.clone(),
                    message: "is a text input, which has no dense numeric encoding".into(),
                })
            }
        }
    }
    Ok(x)
}

/// Copies a categorical text column into column `j` of `x`: each value's position in the sorted
/// `categories`, nulls as NaN, unseen categories NaN when `open`, an error naming the row
/// otherwise.
fn fill_coded(
    x: &mut [f64],
    n_cols: usize,
    j: usize,
    col: &ArrayRef,
    categories: &[String],
    name: &str,
    open: bool,
) -> Result<(), ModelError> {
    let text = as_text(col, name)?;
    for (i, v) in text.iter().enumerate() {
        x[i * n_cols + j] = match v {
            None => f64::NAN,
            Some(s) => match categories.binary_search_by(|c| c.as_str().cmp(s)) {
                Ok(k) => k as f64,
                Err(_) if open => f64::NAN,
                Err(_) => {
                    return Err(bad_value(
                        name,
                        i,
                        format!("category '{s}' was not seen in training"),
                    ))
                }
            },
        };
    }
    Ok(())
}

/// Copies a numeric column into column `j` of the row-major `x`, nulls (and empty text) as NaN.
fn fill_column(
    x: &mut [f64],
    n_cols: usize,
    j: usize,
    col: &ArrayRef,
    name: &str,
) -> Result<(), ModelError> {
    match col.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let text = as_text(col, name)?;
            for (i, v) in text.iter().enumerate() {
                x[i * n_cols + j] = match v.map(str::trim) {
                    None | Some("") => f64::NAN,
                    Some(s) => s.parse::<f64>().map_err(|_| {
                        bad_value(
                            name,
                            i,
                            format!("expected a number (model feature), found '{s}'"),
                        )
                    })?,
                };
            }
        }
        DataType::Float64 => copy_f64(x, n_cols, j, col),
        dt if dt.is_numeric() || matches!(dt, DataType::Boolean | DataType::Dictionary(..)) => {
            let num =
                arrow_cast::cast(col, &DataType::Float64).map_err(|_| ModelError::Column {
                    column: name.to_string(),
                    message: format!(
                        "has type {dt}, which cannot be read as numbers for the model"
                    ),
                })?;
            copy_f64(x, n_cols, j, &num);
        }
        dt => {
            return Err(ModelError::Column {
                column: name.to_string(),
                message: format!("has type {dt}; model features must be numbers"),
            })
        }
    }
    Ok(())
}

fn copy_f64(x: &mut [f64], n_cols: usize, j: usize, col: &ArrayRef) {
    let a = col
        .as_any()
        .downcast_ref::<Float64Array>()
        .expect("a Float64 column");
    for (i, &v) in a.values().iter().enumerate() {
        x[i * n_cols + j] = if a.is_valid(i) { v } else { f64::NAN };
    }
}

/// The model file formats [`load_model`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelFormat {
    /// XGBoost JSON (`Booster.save_model("m.json")`).
    Xgboost,
    /// LightGBM text (`Booster.save_model("m.txt")`).
    Lightgbm,
    /// A logistic regression saved by `assay train` (`assay.logistic/1`).
    AssayLogistic,
    /// Gradient-boosted trees saved by `assay train --learner gbdt` (`assay.gbdt/1`).
    AssayGbdt,
    /// A CART decision tree saved by `assay train --learner tree` (`assay.tree/1`).
    AssayTree,
    /// An ONNX graph (`.onnx`), run by [`crate::onnx::runtime`].
    Onnx,
}

impl ModelFormat {
    /// Parses a format name: `xgboost`, `lightgbm`, `logistic` or `assay.logistic/1`, `gbdt` or
    /// `assay.gbdt/1`, `tree` or `assay.tree/1`, `onnx` (case-insensitive).
    pub fn parse(name: &str) -> Option<ModelFormat> {
        match name.to_ascii_lowercase().as_str() {
            "xgboost" => Some(ModelFormat::Xgboost),
            "lightgbm" => Some(ModelFormat::Lightgbm),
            "logistic" | FORMAT => Some(ModelFormat::AssayLogistic),
            "gbdt" | GBDT_FORMAT => Some(ModelFormat::AssayGbdt),
            "tree" | TREE_FORMAT => Some(ModelFormat::AssayTree),
            "onnx" => Some(ModelFormat::Onnx),
            _ => None,
        }
    }

    /// Detects the format of a model file: an assay format tag at the start of a JSON file,
    /// else the extension (`.json` XGBoost, `.txt` LightGBM), else the first bytes.
    pub fn detect(path: &Path) -> Result<ModelFormat, ModelError> {
        let mut head = [0u8; 256];
        let n = File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|source| ModelError::Io {
                path: path.display().to_string(),
                source,
            })?;
        let text = String::from_utf8_lossy(&head[..n]);
        let text = text.trim_start();
        if text.starts_with('{') {
            if text.contains(&format!("\"{GBDT_FORMAT}\"")) {
                return Ok(ModelFormat::AssayGbdt);
            }
            if text.contains(&format!("\"{TREE_FORMAT}\"")) {
                return Ok(ModelFormat::AssayTree);
            }
            if text.contains(&format!("\"{FORMAT}\"")) {
                return Ok(ModelFormat::AssayLogistic);
            }
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => return Ok(ModelFormat::Xgboost),
            Some(e) if e.eq_ignore_ascii_case("txt") => return Ok(ModelFormat::Lightgbm),
            Some(e) if e.eq_ignore_ascii_case("onnx") => return Ok(ModelFormat::Onnx),
            _ => {}
        }
        if text.starts_with('{') {
            Ok(ModelFormat::Xgboost)
        } else if text.starts_with("tree") {
            Ok(ModelFormat::Lightgbm)
        } else if head[..n].first() == Some(&0x08) {
            // A protobuf whose first field is 1 (varint): ONNX's `ir_version`.
            Ok(ModelFormat::Onnx)
        } else {
            Err(ModelError::Unsupported {
                path: path.display().to_string(),
                message: format!(
                    "unknown model format (expected XGBoost JSON, LightGBM text, ONNX, {FORMAT}, {GBDT_FORMAT} or {TREE_FORMAT})"
                ),
            })
        }
    }
}

/// Loads a model of any supported format: `format` names it (see [`ModelFormat::parse`]),
/// otherwise it is detected ([`ModelFormat::detect`]). Tree ensembles read their features from
/// the columns named like them.
pub fn load_model(
    path: impl AsRef<Path>,
    format: Option<&str>,
) -> Result<Box<dyn Model>, ModelError> {
    let path = path.as_ref();
    let format = match format {
        Some(name) => ModelFormat::parse(name).ok_or_else(|| ModelError::Unsupported {
            path: path.display().to_string(),
            message: format!("unknown model format '{name}'"),
        })?,
        None => ModelFormat::detect(path)?,
    };
    load_model_as(path, format, None)
}

/// Loads a model of the given format; for tree ensembles, `columns` (when given) names the input
/// column of each feature in order, overriding the names stored in the model. A logistic
/// regression reads the columns of its saved schema, so `columns` must be `None` for it.
pub fn load_model_as(
    path: &Path,
    format: ModelFormat,
    columns: Option<Vec<String>>,
) -> Result<Box<dyn Model>, ModelError> {
    Ok(match format {
        ModelFormat::Xgboost => Box::new(TreeModel::new(crate::xgboost::load(path)?, columns)?),
        ModelFormat::Lightgbm => Box::new(TreeModel::new(crate::lightgbm::load(path)?, columns)?),
        ModelFormat::AssayGbdt => {
            Box::new(TreeModel::from_gbdt(TrainedGbdt::load(path)?, columns)?)
        }
        ModelFormat::AssayTree => {
            Box::new(TreeModel::from_tree(TrainedTree::load(path)?, columns)?)
        }
        ModelFormat::Onnx => {
            let m = crate::onnx::runtime::OnnxModel::load(path)?;
            Box::new(match columns {
                Some(c) => m.with_columns(c)?,
                None => m,
            })
        }
        ModelFormat::AssayLogistic => {
            if columns.is_some() {
                return Err(ModelError::Unsupported {
                    path: path.display().to_string(),
                    message: "a logistic model reads the columns of its saved schema; input columns cannot be renamed".into(),
                });
            }
            Box::new(LogisticModel::new(TrainedLogistic::load(path)?))
        }
    })
}
