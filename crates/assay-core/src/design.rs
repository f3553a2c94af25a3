//! Reading a table into a model's design matrix: the one data path of training, mitigation,
//! DP training and membership-inference audits.
//!
//! The table is streamed once through assay-data; numeric feature columns are kept as numbers
//! (optionally imputed, as scikit-learn's `SimpleImputer`, and standardised, as its
//! `StandardScaler` with the population standard deviation), categorical ones are one-hot
//! encoded over their sorted categories (linear models, as `OneHotEncoder`) or coded by their
//! position in them (trees, as `OrdinalEncoder`). The fitted [`FeatureSpec`]s are what a
//! saved model records; [`encode_table`] applies them to another table (a test set) so that
//! it is encoded exactly as training was, with [`assay_model::learners::schema::encode_row`],
//! the same function that encodes rows at prediction time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use arrow_array::RecordBatch;

use assay_data::column::{missing, view, ColumnView};
use assay_data::csv::TextType;
use assay_data::source::ColumnRequest;
use assay_data::{BatchStream, DataError};
use assay_model::learners::schema::{encode_row, Unknown};
use assay_model::learners::{FeatureSpec, FeatureValue};
use assay_model::Model;

use crate::input::TableInput;

/// How missing numeric cells are filled, learned on the training table (scikit-learn's
/// `SimpleImputer` strategies `mean`, `median` and `constant`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Impute {
    /// The mean of the column's present values.
    Mean,
    /// The median of the present values (the average of the two middle ones for an even
    /// count, as numpy).
    Median,
    /// A constant.
    Constant(f64),
}

impl FromStr for Impute {
    type Err = String;

    /// `mean`, `median` or `constant=V` with a finite `V`.
    fn from_str(s: &str) -> Result<Impute, String> {
        match s {
            "mean" => Ok(Impute::Mean),
            "median" => Ok(Impute::Median),
            _ => s
                .strip_prefix("constant=")
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .map(Impute::Constant)
                .ok_or_else(|| {
                    format!("expected mean, median or constant=V (a finite number), found '{s}'")
                }),
        }
    }
}

impl Impute {
    /// The fill value of a column (`NaN` marks a missing cell); `None` when every cell is
    /// missing.
    pub fn fill_value(self, v: &[f64]) -> Option<f64> {
        let mut present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        if present.is_empty() {
            return None;
        }
        Some(match self {
            Impute::Constant(c) => c,
            Impute::Mean => present.iter().sum::<f64>() / present.len() as f64,
            Impute::Median => {
                present.sort_by(f64::total_cmp);
                let m = present.len() / 2;
                if present.len() % 2 == 1 {
                    present[m]
                } else {
                    (present[m - 1] + present[m]) / 2.0
                }
            }
        })
    }
}

/// Why a table could not be read into a design matrix. Messages name files, columns and rows,
/// never a front end's flags; a front end maps the variants about its own arguments
/// ([`DesignError::NoFeatures`], [`DesignError::DuplicateFeature`],
/// [`DesignError::NothingToImpute`]) to its flags.
#[derive(Debug, thiserror::Error)]
pub enum DesignError {
    /// The table could not be read, or a cell does not hold what its role needs.
    #[error(transparent)]
    Data(#[from] DataError),
    /// No feature column was named.
    #[error("no feature columns were named")]
    NoFeatures,
    /// A feature column was named twice.
    #[error("column '{0}' is named twice among the features")]
    DuplicateFeature(String),
    /// The label column was also named as a feature.
    #[error("the label column '{0}' cannot also be a feature")]
    LabelIsFeature(String),
    /// Imputation was asked for and a column has no present value to learn it from.
    #[error("{}: column '{column}' has no value to learn the imputation from (every cell is missing)", path.display())]
    NothingToImpute {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// A prefit model cannot score the table.
    #[error(transparent)]
    Scoring(#[from] crate::scoring::ScoringError),
    /// The table as a whole cannot be used (no rows, one class, labels not numbers, ...).
    #[error("{}: {message}", path.display())]
    Table {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn table_error(path: &Path, message: String) -> DesignError {
    DesignError::Table {
        path: path.to_path_buf(),
        message,
    }
}

/// A categorical column's values as codes into a dictionary in first-seen order.
#[derive(Default)]
struct Codes {
    index: HashMap<String, u32>,
    values: Vec<String>,
    codes: Vec<u32>,
}

impl Codes {
    fn push(&mut self, v: &str) {
        let code = match self.index.get(v) {
            Some(&c) => c,
            None => {
                let c = self.values.len() as u32;
                self.index.insert(v.to_string(), c);
                self.values.push(v.to_string());
                c
            }
        };
        self.codes.push(code);
    }

    /// Pushes cell `i` of `v` as text (no allocation for a text cell already seen); `false`
    /// when it is null.
    fn push_cell(&mut self, v: &ColumnView, i: usize) -> bool {
        match v {
            ColumnView::Text(a) if !v.is_null(i) => {
                self.push(a.value(i));
                true
            }
            _ => match v.text(i) {
                Some(t) => {
                    self.push(&t);
                    true
                }
                None => false,
            },
        }
    }

    /// The values sorted (numerically when `numeric_order` and all are numbers) and every
    /// code mapped into them.
    fn sorted(self, numeric_order: bool) -> (Vec<String>, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        let nums: Option<Vec<f64>> = numeric_order
            .then(|| self.values.iter().map(|v| v.parse().ok()).collect())
            .flatten();
        match &nums {
            Some(n) => order.sort_by(|&a, &b| n[a as usize].total_cmp(&n[b as usize])),
            None => order.sort_by(|&a, &b| self.values[a as usize].cmp(&self.values[b as usize])),
        }
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let mut values = self.values;
        let sorted = order
            .iter()
            .map(|&o| std::mem::take(&mut values[o as usize]))
            .collect();
        let codes = self.codes.iter().map(|&c| remap[c as usize]).collect();
        (sorted, codes)
    }
}

/// One feature column as read.
enum Column {
    Num(Vec<f64>),
    Cat(Codes),
}

/// One feature column after the pass: numbers, or sorted categories and a code per row.
enum Stored {
    Num(Vec<f64>),
    Cat(Vec<String>, Vec<u32>),
}

/// What to read from a training table and how to encode it.
#[derive(Debug, Clone, Default)]
pub struct DesignSpec<'a> {
    /// Feature columns (numeric unless in `categorical`), then categorical ones not listed.
    pub features: &'a [String],
    /// Categorical feature columns.
    pub categorical: &'a [String],
    /// The label column.
    pub label: &'a str,
    /// The label value taken as positive (binary: label == value, one against the rest).
    pub positive: Option<&'a str>,
    /// The column of non-negative sample weights.
    pub weight: Option<&'a str>,
    /// Further columns read as text, one value per row (sensitive features); a missing cell is
    /// an error.
    pub extra: &'a [String],
    /// Categorical columns as ordinal codes (trees) instead of one-hot.
    pub ordinal: bool,
    /// Empty numeric cells are kept as missing values (NaN) instead of an error.
    pub allow_missing: bool,
    /// Imputation of missing numeric cells, learned on this table.
    pub impute: Option<Impute>,
    /// Standardise numeric features (mean 0, population standard deviation 1).
    pub standardize: bool,
    /// What an unseen category becomes at scoring time.
    pub unknown: Unknown,
    /// Numeric labels (regression) instead of classes.
    pub regression: bool,
}

/// A table read into a design matrix.
#[derive(Debug, Clone)]
pub struct Design {
    /// The file read.
    pub path: PathBuf,
    /// How every feature column is encoded (fitted on the training table).
    pub specs: Vec<FeatureSpec>,
    /// The encoded features, row-major `n × d`.
    pub x: Vec<f64>,
    /// Rows.
    pub n: usize,
    /// Encoded features per row.
    pub d: usize,
    /// Class index (or number, for regression) of every row.
    pub y: Vec<f64>,
    /// Names of the classes (empty for regression).
    pub class_names: Vec<String>,
    /// Sample weights, when a weight column was named.
    pub weights: Option<Vec<f64>>,
    /// The values of the [`DesignSpec::extra`] columns, one vector per column.
    pub extra: Vec<Vec<String>>,
}

/// The feature column names of `spec` in order (features, then categorical ones not listed),
/// checked for duplicates and for clashes with the label.
pub fn feature_names(spec: &DesignSpec) -> Result<Vec<String>, DesignError> {
    let mut names: Vec<String> = spec.features.to_vec();
    for c in spec.categorical {
        if !names.contains(c) {
            names.push(c.clone());
        }
    }
    if names.is_empty() {
        return Err(DesignError::NoFeatures);
    }
    if let Some(dup) = names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
    {
        return Err(DesignError::DuplicateFeature(dup.1.clone()));
    }
    if names.iter().any(|n| n == spec.label) {
        return Err(DesignError::LabelIsFeature(spec.label.to_string()));
    }
    Ok(names)
}

/// Column `name` of `batch` as a [`ColumnView`].
fn column(batch: &RecordBatch, path: &Path, name: &str) -> Result<ColumnView, DesignError> {
    let arr = batch
        .column_by_name(name)
        .ok_or_else(|| table_error(path, format!("no column named '{name}'")))?;
    Ok(view(arr, path, name)?)
}

/// Requests for the `extra` text columns not requested already.
/// Requests the label (as text), the weight column (numbers) and the extra columns of `spec`.
fn role_requests(requests: &mut Vec<ColumnRequest>, spec: &DesignSpec) {
    requests.push(ColumnRequest {
        name: spec.label.to_string(),
        text_as: TextType::Utf8,
        role: "label".into(),
    });
    if let Some(w) = spec.weight {
        requests.push(ColumnRequest {
            name: w.to_string(),
            text_as: TextType::Float64,
            role: "weight".into(),
        });
    }
    extra_requests(requests, spec.extra);
}

fn extra_requests(requests: &mut Vec<ColumnRequest>, extra: &[String]) {
    for e in extra {
        if !requests.iter().any(|r| &r.name == e) {
            requests.push(ColumnRequest {
                name: e.clone(),
                text_as: TextType::Utf8,
                role: "sensitive feature".into(),
            });
        }
    }
}

/// Appends the `rows` cells of text column `name` to `out`; a missing cell is an error.
fn read_text(
    v: &ColumnView,
    rows: usize,
    first_row: u64,
    path: &Path,
    name: &str,
    role: &str,
    out: &mut Vec<String>,
) -> Result<(), DataError> {
    for i in 0..rows {
        match v.text(i) {
            Some(t) => out.push(t),
            None => return Err(missing(path, name, first_row + i as u64, role)),
        }
    }
    Ok(())
}

/// Reads `data` once and builds its design matrix, fitting the feature encoding on it.
pub fn load_design(
    input: &TableInput,
    data: &Path,
    spec: &DesignSpec,
) -> Result<Design, DesignError> {
    let names = feature_names(spec)?;
    let is_cat: Vec<bool> = names.iter().map(|n| spec.categorical.contains(n)).collect();
    let mut requests: Vec<ColumnRequest> = names
        .iter()
        .zip(&is_cat)
        .map(|(n, &cat)| ColumnRequest {
            name: n.clone(),
            text_as: if cat {
                TextType::Utf8
            } else {
                TextType::Float64
            },
            role: if cat {
                "categorical feature"
            } else {
                "feature"
            }
            .into(),
        })
        .collect();
    role_requests(&mut requests, spec);
    let stream = input.open(data, &requests, false)?;
    fit_stream(stream, spec)
}

/// Builds the design matrix of `stream` (holding the columns `spec` names), fitting the
/// feature encoding on it.
fn fit_stream(stream: BatchStream, spec: &DesignSpec) -> Result<Design, DesignError> {
    let names = feature_names(spec)?;
    let is_cat: Vec<bool> = names.iter().map(|n| spec.categorical.contains(n)).collect();
    let path = stream.path().to_path_buf();
    let keep_missing = spec.allow_missing || spec.impute.is_some();

    let mut columns: Vec<Column> = is_cat
        .iter()
        .map(|&cat| {
            if cat {
                Column::Cat(Codes::default())
            } else {
                Column::Num(Vec::new())
            }
        })
        .collect();
    let mut label = Codes::default();
    let mut weights: Vec<f64> = Vec::new();
    let mut extra: Vec<Vec<String>> = vec![Vec::new(); spec.extra.len()];
    let mut n_rows: u64 = 0;
    for batch in stream {
        let batch = batch?;
        let rows = batch.num_rows();
        let first = n_rows + 1;
        for (name, col) in names.iter().zip(&mut columns) {
            let v = column(&batch, &path, name)?;
            for i in 0..rows {
                let row = first + i as u64;
                match col {
                    Column::Num(out) if keep_missing && v.is_null(i) => out.push(f64::NAN),
                    Column::Num(out) => out.push(v.number(i, &path, name, row, "feature")?),
                    Column::Cat(codes) => {
                        if !codes.push_cell(&v, i) {
                            return Err(missing(&path, name, row, "categorical feature").into());
                        }
                    }
                }
            }
        }
        let v = column(&batch, &path, spec.label)?;
        for i in 0..rows {
            if !label.push_cell(&v, i) {
                return Err(missing(&path, spec.label, first + i as u64, "label").into());
            }
        }
        if let Some(w) = spec.weight {
            let v = column(&batch, &path, w)?;
            for i in 0..rows {
                let row = first + i as u64;
                let x = v.number(i, &path, w, row, "weight")?;
                if x < 0.0 {
                    return Err(DataError::bad_value(
                        &path,
                        w,
                        row,
                        format!("expected a non-negative weight, found {x}"),
                    )
                    .into());
                }
                weights.push(x);
            }
        }
        for (name, out) in spec.extra.iter().zip(&mut extra) {
            let v = column(&batch, &path, name)?;
            read_text(&v, rows, first, &path, name, "sensitive feature", out)?;
        }
        n_rows += rows as u64;
    }
    if n_rows == 0 {
        return Err(table_error(&path, "no data rows to train on".into()));
    }
    let n = n_rows as usize;

    let (class_names, y) = labels(&path, spec, label)?;

    // Feature schema and the encoded design matrix.
    let mut specs = Vec::with_capacity(names.len());
    let mut stored: Vec<Stored> = Vec::with_capacity(names.len());
    for (name, col) in names.iter().zip(columns) {
        match col {
            Column::Num(mut v) => {
                let fill =
                    match spec.impute {
                        Some(how) => Some(how.fill_value(&v).ok_or_else(|| {
                            DesignError::NothingToImpute {
                                path: path.clone(),
                                column: name.clone(),
                            }
                        })?),
                        None => None,
                    };
                if let Some(f) = fill {
                    v.iter_mut().filter(|x| x.is_nan()).for_each(|x| *x = f);
                }
                let (mean, std) = if spec.standardize {
                    let mean = v.iter().sum::<f64>() / n as f64;
                    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
                    let std = var.sqrt();
                    (Some(mean), Some(if std > 0.0 { std } else { 1.0 }))
                } else {
                    (None, None)
                };
                specs.push(FeatureSpec::Numeric {
                    column: name.clone(),
                    mean,
                    std,
                    impute: fill,
                });
                stored.push(Stored::Num(v));
            }
            Column::Cat(codes) => {
                let (cats, codes) = codes.sorted(false);
                specs.push(if spec.ordinal {
                    FeatureSpec::Ordinal {
                        column: name.clone(),
                        categories: cats.clone(),
                        unknown: spec.unknown,
                    }
                } else {
                    FeatureSpec::Categorical {
                        column: name.clone(),
                        categories: cats.clone(),
                        unknown: spec.unknown,
                    }
                });
                stored.push(Stored::Cat(cats, codes));
            }
        }
    }
    let d: usize = specs.iter().map(FeatureSpec::width).sum();
    let mut x = vec![0.0; n * d];
    let mut cells: Vec<FeatureValue> = Vec::with_capacity(names.len());
    for i in 0..n {
        cells.clear();
        cells.extend(stored.iter().map(|s| match s {
            Stored::Num(v) => FeatureValue::Num(v[i]),
            Stored::Cat(cats, codes) => FeatureValue::Text(&cats[codes[i] as usize]),
        }));
        encode_row(&specs, &cells, &mut x[i * d..(i + 1) * d])
            .map_err(|e| table_error(&path, format!("row {}: {e}", i + 1)))?;
    }
    Ok(Design {
        path,
        specs,
        x,
        n,
        d,
        y,
        class_names,
        weights: spec.weight.map(|_| weights),
        extra,
    })
}

/// Reads `data` scored by a prefit binary classifier `model` (one trained elsewhere, to be
/// post-processed): a design whose one feature is the model's probability of its positive
/// class ([`crate::scoring::MODEL_SCORE`]; the model's second class is taken to be the label's
/// positive class), with the label, weight and extra columns of `spec` (its features are not
/// read: the model reads its own input columns). With `classes`, the labels are mapped to
/// those training classes as [`encode_table`] does; otherwise the classes are made as
/// [`load_design`] makes them.
pub fn prefit_design(
    input: &TableInput,
    data: &Path,
    model: &Arc<dyn Model>,
    spec: &DesignSpec,
    classes: Option<&[String]>,
) -> Result<Design, DesignError> {
    let mut requests = Vec::new();
    crate::scoring::request_inputs(model.as_ref(), &mut requests, "input of the model");
    requests.retain(|r| r.name != spec.label);
    role_requests(&mut requests, spec);
    let stream = input.open(data, &requests, false)?;
    let stream = crate::scoring::with_model_score(stream, model.clone(), false, None)?;
    let score = [crate::scoring::MODEL_SCORE.to_string()];
    match classes {
        Some(classes) => {
            let specs = [FeatureSpec::Numeric {
                column: score[0].clone(),
                mean: None,
                std: None,
                impute: None,
            }];
            encode_stream(
                stream,
                &specs,
                spec.label,
                classes,
                spec.positive,
                spec.extra,
            )
        }
        None => fit_stream(
            stream,
            &DesignSpec {
                features: &score,
                categorical: &[],
                ordinal: false,
                allow_missing: false,
                impute: None,
                standardize: false,
                regression: false,
                ..*spec
            },
        ),
    }
}

/// Reads only the label column of `data`: a design with no features (`d = 0`), for audits of a
/// model that reads the table itself. Classes as [`load_design`] makes them.
pub fn load_labels(
    input: &TableInput,
    data: &Path,
    label: &str,
    positive: Option<&str>,
) -> Result<Design, DesignError> {
    let requests = [ColumnRequest {
        name: label.to_string(),
        text_as: TextType::Utf8,
        role: "label".into(),
    }];
    let stream = input.open(data, &requests, false)?;
    let path = stream.path().to_path_buf();
    let mut codes = Codes::default();
    let mut n_rows = 0u64;
    for batch in stream {
        let batch = batch?;
        let v = column(&batch, &path, label)?;
        for i in 0..batch.num_rows() {
            if !codes.push_cell(&v, i) {
                return Err(missing(&path, label, n_rows + i as u64 + 1, "label").into());
            }
        }
        n_rows += batch.num_rows() as u64;
    }
    if n_rows == 0 {
        return Err(table_error(&path, "no data rows".into()));
    }
    let spec = DesignSpec {
        label,
        positive,
        ..Default::default()
    };
    let (class_names, y) = labels(&path, &spec, codes)?;
    Ok(Design {
        path,
        specs: Vec::new(),
        x: Vec::new(),
        n: n_rows as usize,
        d: 0,
        y,
        class_names,
        weights: None,
        extra: Vec::new(),
    })
}

/// The labels as class indices (or numbers for regression) and the class names: with
/// `positive`, two classes (`not V`, `V`); otherwise the distinct values sorted (numerically
/// when all are numbers).
fn labels(
    path: &Path,
    spec: &DesignSpec,
    label: Codes,
) -> Result<(Vec<String>, Vec<f64>), DesignError> {
    let column = spec.label;
    let (class_names, y): (Vec<String>, Vec<f64>) = match spec.positive {
        _ if spec.regression => {
            let values = label
                .values
                .iter()
                .map(|v| {
                    v.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
                        table_error(
                            path,
                            format!(
                                "column '{column}': the squared-error loss needs numeric labels, found '{v}'"
                            ),
                        )
                    })
                })
                .collect::<Result<Vec<f64>, DesignError>>()?;
            (
                vec![],
                label.codes.iter().map(|&c| values[c as usize]).collect(),
            )
        }
        Some(pos) => {
            let Some(&code) = label.index.get(pos) else {
                let seen: Vec<String> = label.values.iter().take(10).cloned().collect();
                return Err(table_error(
                    path,
                    format!(
                        "column '{column}': no row has the positive value '{pos}' (values: {})",
                        seen.join(", ")
                    ),
                ));
            };
            let y = label
                .codes
                .iter()
                .map(|&c| f64::from(u8::from(c == code)))
                .collect();
            (vec![format!("not {pos}"), pos.to_string()], y)
        }
        None => {
            let (values, codes) = label.sorted(true);
            (values, codes.iter().map(|&c| f64::from(c)).collect())
        }
    };
    if !spec.regression && (class_names.len() < 2 || y.iter().all(|&v| v == y[0])) {
        return Err(table_error(
            path,
            format!(
                "column '{column}': the label needs at least two classes, all rows have '{}'",
                class_names[y[0] as usize]
            ),
        ));
    }
    Ok((class_names, y))
}

/// Encodes another table (a test set) with fitted `specs`: its features, its labels mapped to
/// the training `class_names` (with `positive`, label == value), and `extra` text columns.
/// A label value not among the training classes is an error naming the row.
pub fn encode_table(
    input: &TableInput,
    data: &Path,
    specs: &[FeatureSpec],
    label: &str,
    class_names: &[String],
    positive: Option<&str>,
    extra: &[String],
) -> Result<Design, DesignError> {
    let mut requests: Vec<ColumnRequest> = specs
        .iter()
        .map(|s| ColumnRequest {
            name: s.column().to_string(),
            text_as: match s {
                FeatureSpec::Numeric { .. } => TextType::Float64,
                _ => TextType::Utf8,
            },
            role: "feature".into(),
        })
        .collect();
    requests.push(ColumnRequest {
        name: label.to_string(),
        text_as: TextType::Utf8,
        role: "label".into(),
    });
    extra_requests(&mut requests, extra);
    let stream = input.open(data, &requests, false)?;
    encode_stream(stream, specs, label, class_names, positive, extra)
}

/// Encodes `stream` (holding the columns named) as [`encode_table`] does.
fn encode_stream(
    stream: BatchStream,
    specs: &[FeatureSpec],
    label: &str,
    class_names: &[String],
    positive: Option<&str>,
    extra: &[String],
) -> Result<Design, DesignError> {
    let path = stream.path().to_path_buf();
    let d: usize = specs.iter().map(FeatureSpec::width).sum();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let mut extra_values: Vec<Vec<String>> = vec![Vec::new(); extra.len()];
    let mut n_rows: u64 = 0;
    let mut texts: Vec<Option<String>> = Vec::with_capacity(specs.len());
    let mut nums: Vec<f64> = Vec::with_capacity(specs.len());
    for batch in stream {
        let batch = batch?;
        let views = specs
            .iter()
            .map(|s| column(&batch, &path, s.column()))
            .collect::<Result<Vec<_>, _>>()?;
        let label_view = column(&batch, &path, label)?;
        let rows = batch.num_rows();
        let first = n_rows + 1;
        let start = x.len();
        x.resize(start + rows * d, 0.0);
        for i in 0..rows {
            let row = first + i as u64;
            texts.clear();
            nums.clear();
            for (s, v) in specs.iter().zip(&views) {
                match s {
                    FeatureSpec::Numeric { impute, .. } => {
                        nums.push(if v.is_null(i) && impute.is_some() {
                            f64::NAN
                        } else {
                            v.number(i, &path, s.column(), row, "feature")?
                        });
                        texts.push(None);
                    }
                    _ => {
                        nums.push(0.0);
                        texts.push(Some(v.text(i).ok_or_else(|| {
                            missing(&path, s.column(), row, "categorical feature")
                        })?));
                    }
                }
            }
            let cells: Vec<FeatureValue> = nums
                .iter()
                .zip(&texts)
                .map(|(&v, t)| match t {
                    Some(t) => FeatureValue::Text(t),
                    None => FeatureValue::Num(v),
                })
                .collect();
            let at = start + i * d;
            encode_row(specs, &cells, &mut x[at..at + d])
                .map_err(|e| table_error(&path, format!("row {row}: {e}")))?;
            let value = label_view
                .text(i)
                .ok_or_else(|| missing(&path, label, row, "label"))?;
            let class = match positive {
                Some(p) => f64::from(u8::from(value == p)),
                None => class_names
                    .iter()
                    .position(|c| c == &value)
                    .ok_or_else(|| {
                        DataError::bad_value(
                            &path,
                            label,
                            row,
                            format!(
                                "label '{value}' is not one of the training classes ({})",
                                class_names.join(", ")
                            ),
                        )
                    })? as f64,
            };
            y.push(class);
        }
        for (name, out) in extra.iter().zip(&mut extra_values) {
            let v = column(&batch, &path, name)?;
            read_text(&v, rows, first, &path, name, "sensitive feature", out)?;
        }
        n_rows += rows as u64;
    }
    if n_rows == 0 {
        return Err(table_error(&path, "no data rows".into()));
    }
    Ok(Design {
        path,
        specs: specs.to_vec(),
        x,
        n: n_rows as usize,
        d,
        y,
        class_names: class_names.to_vec(),
        weights: None,
        extra: extra_values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn table(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    const TRAIN: &str = "age,city,y,w,sex\n20,b,10,1,f\n30,a,9,2,m\n40,b,10,0.5,f\n,c,9,1,m\n";

    #[test]
    fn one_hot_standardised_and_imputed_as_scikit_learn() {
        let (_d, path) = table(TRAIN);
        let features = names(&["age"]);
        let categorical = names(&["city"]);
        let extra = names(&["sex"]);
        let spec = DesignSpec {
            features: &features,
            categorical: &categorical,
            label: "y",
            weight: Some("w"),
            extra: &extra,
            impute: Some(Impute::Median),
            standardize: true,
            ..Default::default()
        };
        let d = load_design(&TableInput::default(), &path, &spec).unwrap();
        assert_eq!((d.n, d.d), (4, 4));
        // SimpleImputer(strategy="median") fills 30; StandardScaler: mean 30, population
        // std sqrt(50); OneHotEncoder over the sorted categories a, b, c.
        let s = 50f64.sqrt();
        let want = [
            -10.0 / s,
            0.0,
            1.0,
            0.0,
            0.0,
            1.0,
            0.0,
            0.0,
            10.0 / s,
            0.0,
            1.0,
            0.0,
            0.0,
            0.0,
            0.0,
            1.0,
        ];
        for (a, b) in d.x.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{:?}", d.x);
        }
        // Numeric labels are ordered as numbers: 9 before 10.
        assert_eq!(d.class_names, ["9", "10"]);
        assert_eq!(d.y, [1.0, 0.0, 1.0, 0.0]);
        assert_eq!(d.weights.as_deref(), Some(&[1.0, 2.0, 0.5, 1.0][..]));
        assert_eq!(d.extra, [names(&["f", "m", "f", "m"])]);
        assert_eq!(
            d.specs[0],
            FeatureSpec::Numeric {
                column: "age".into(),
                mean: Some(30.0),
                std: Some(s),
                impute: Some(30.0),
            }
        );
    }

    #[test]
    fn ordinal_codes_and_positive_class() {
        let (_d, path) = table("city,y\nb,yes\na,no\nc,yes\n");
        let categorical = names(&["city"]);
        let spec = DesignSpec {
            categorical: &categorical,
            label: "y",
            positive: Some("yes"),
            ordinal: true,
            ..Default::default()
        };
        let d = load_design(&TableInput::default(), &path, &spec).unwrap();
        assert_eq!(d.x, [1.0, 0.0, 2.0]);
        assert_eq!(d.class_names, ["not yes", "yes"]);
        assert_eq!(d.y, [1.0, 0.0, 1.0]);
    }

    #[test]
    fn imputation_strategies() {
        let v = [1.0, f64::NAN, 4.0, 10.0, 2.0];
        assert_eq!(Impute::Mean.fill_value(&v), Some(4.25));
        assert_eq!(Impute::Median.fill_value(&v), Some(3.0));
        assert_eq!(Impute::Constant(-1.0).fill_value(&v), Some(-1.0));
        assert_eq!(Impute::Mean.fill_value(&[f64::NAN]), None);
        assert_eq!("constant=2.5".parse::<Impute>(), Ok(Impute::Constant(2.5)));
        assert!("constant=inf".parse::<Impute>().is_err());
        assert!("mode"
            .parse::<Impute>()
            .unwrap_err()
            .contains("found 'mode'"));
    }

    fn features_only(features: &[String]) -> DesignSpec<'_> {
        DesignSpec {
            features,
            label: "y",
            ..Default::default()
        }
    }

    #[test]
    fn bad_specs_and_tables_are_named() {
        let (_d, path) = table(TRAIN);
        let input = TableInput::default();
        let age = names(&["age"]);
        let twice = names(&["age", "age"]);
        let y = names(&["y"]);
        assert!(matches!(
            load_design(&input, &path, &features_only(&[])),
            Err(DesignError::NoFeatures)
        ));
        assert!(matches!(
            load_design(&input, &path, &features_only(&twice)),
            Err(DesignError::DuplicateFeature(c)) if c == "age"
        ));
        assert!(matches!(
            load_design(&input, &path, &features_only(&y)),
            Err(DesignError::LabelIsFeature(c)) if c == "y"
        ));
        // The empty age cell without imputation: an error naming file, column and row.
        let e = load_design(&input, &path, &features_only(&age))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.csv") && e.contains("'age'") && e.contains("row 4"),
            "{e}"
        );
        let (_d2, one_class) = table("age,y\n1,a\n2,a\n");
        let e = load_design(&input, &one_class, &features_only(&age))
            .unwrap_err()
            .to_string();
        assert!(e.contains("at least two classes, all rows have 'a'"), "{e}");
    }

    #[test]
    fn a_test_set_is_encoded_as_training_was() {
        let (_d, train) = table(TRAIN);
        let categorical = names(&["city"]);
        let spec = DesignSpec {
            categorical: &categorical,
            label: "y",
            ..Default::default()
        };
        let input = TableInput::default();
        let d = load_design(&input, &train, &spec).unwrap();
        let (_t, test) = table("city,y,sex\nc,10,m\na,9,f\n");
        let sex = names(&["sex"]);
        let t = encode_table(&input, &test, &d.specs, "y", &d.class_names, None, &sex).unwrap();
        assert_eq!(t.x, [0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
        assert_eq!(t.y, [1.0, 0.0]);
        assert_eq!(t.extra, [names(&["m", "f"])]);
        let (_u, unseen) = table("city,y\nz,10\n");
        let e = encode_table(&input, &unseen, &d.specs, "y", &d.class_names, None, &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("row 1") && e.contains("category 'z' was not seen in training"),
            "{e}"
        );
        let (_v, new_class) = table("city,y\na,11\n");
        let e = encode_table(&input, &new_class, &d.specs, "y", &d.class_names, None, &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("label '11' is not one of the training classes (9, 10)"),
            "{e}"
        );
    }
}
