//! The table an explainer works on: the model's raw input columns as a dense matrix (numbers
//! as they are, categories as their index in the model's category list), and the adapter that
//! scores such rows with the model (categories turned back into text, so the model encodes them
//! itself).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::input::TableInput;
use crate::reports::explain::Shown;
use assay_data::column::{missing, view, ColumnView};
use assay_data::csv::TextType;
use assay_data::source::ColumnRequest;
use assay_explain::{ExplainError, Predict};
use assay_model::{ColumnKind, Model};

/// One raw input column.
pub struct RawColumn {
    /// The column name (as the model reads it).
    pub name: String,
    /// Category texts (codes index them), or `None` for a numeric column.
    pub categories: Option<Vec<String>>,
}

/// The model's input columns read into a dense row-major matrix, plus optional label and
/// sensitive columns.
pub struct RawTable {
    /// The file read.
    pub path: PathBuf,
    /// The columns, in the model's order.
    pub columns: Vec<RawColumn>,
    /// Row-major `n × columns.len()`: numbers (NaN = missing), or category codes.
    pub x: Vec<f64>,
    /// Rows.
    pub n: usize,
    /// The label as 0/1 (positive = `--positive`, or 1/true), when asked for.
    pub y: Option<Vec<f64>>,
    /// Sensitive group of every row (values joined with " & "), when asked for.
    pub groups: Option<Vec<String>>,
}

/// Group code of every row (index into the sorted distinct names) and the sorted names
/// ([`assay_data::groups::codes`]).
pub fn group_codes(groups: &[String]) -> (Vec<usize>, Vec<String>) {
    assay_data::groups::codes(groups)
}

impl RawTable {
    /// A value of column `j` as shown: the number, or the category text of a code.
    pub fn shown(&self, j: usize, v: f64) -> Option<Shown> {
        match &self.columns[j].categories {
            Some(c) => Some(Shown::Text(c.get(v as usize).cloned().unwrap_or_default())),
            None if v.is_finite() => Some(Shown::Number(v)),
            None => None,
        }
    }
}

/// Reads the model's input columns of `data` (and `label`, `sensitive`).
pub fn read(
    input: &TableInput,
    data: &Path,
    model: &dyn Model,
    label: Option<&str>,
    positive: Option<&str>,
    sensitive: &[String],
) -> Result<RawTable, String> {
    let schema = model.input_schema();
    let mut requests: Vec<ColumnRequest> = schema
        .columns
        .iter()
        .map(|c| ColumnRequest {
            name: c.name.clone(),
            text_as: match c.kind {
                ColumnKind::Numeric | ColumnKind::Codes => TextType::Float64,
                _ => TextType::Utf8,
            },
            role: "model input".into(),
        })
        .collect();
    let mut add = |name: &str, role: &str| {
        if !requests.iter().any(|r| r.name == name) {
            requests.push(ColumnRequest {
                name: name.to_string(),
                text_as: TextType::Utf8,
                role: role.into(),
            });
        }
    };
    if let Some(l) = label {
        add(l, "label");
    }
    for s in sensitive {
        add(s, "sensitive feature");
    }
    let stream = input
        .open(data, &requests, false)
        .map_err(|e| e.to_string())?;
    let path = stream.path().to_path_buf();
    let p = schema.columns.len();
    // Known categories from the model; text columns without them collect theirs.
    let mut columns: Vec<RawColumn> = schema
        .columns
        .iter()
        .map(|c| RawColumn {
            name: c.name.clone(),
            categories: match &c.kind {
                ColumnKind::Categories(v) | ColumnKind::OpenCategories(v) => Some(v.clone()),
                ColumnKind::Text => Some(Vec::new()),
                _ => None,
            },
        })
        .collect();
    let open: Vec<bool> = schema
        .columns
        .iter()
        .map(|c| !matches!(c.kind, ColumnKind::Categories(_)))
        .collect();
    let mut x: Vec<f64> = Vec::new();
    let mut y: Vec<f64> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut n: u64 = 0;
    for batch in stream {
        let batch = batch.map_err(|e| e.to_string())?;
        let get = |name: &str| -> Result<ColumnView, String> {
            let arr = batch
                .column_by_name(name)
                .ok_or_else(|| format!("{}: no column named '{name}'", path.display()))?;
            view(arr, &path, name).map_err(|e| e.to_string())
        };
        let views = schema
            .columns
            .iter()
            .map(|c| get(&c.name))
            .collect::<Result<Vec<_>, _>>()?;
        let rows = batch.num_rows();
        let start = x.len();
        x.resize(start + rows * p, 0.0);
        for (j, (v, col)) in views.iter().zip(&mut columns).enumerate() {
            for i in 0..rows {
                let row = n + i as u64 + 1;
                let cell = &mut x[start + i * p + j];
                match &mut col.categories {
                    None => {
                        *cell = match v {
                            ColumnView::Num(a) if a.is_null(i) => f64::NAN,
                            _ => v
                                .number(i, &path, &col.name, row, "model input")
                                .map_err(|e| e.to_string())?,
                        }
                    }
                    Some(cats) => {
                        let t = v.text(i).ok_or_else(|| {
                            missing(&path, &col.name, row, "model input").to_string()
                        })?;
                        *cell = match cats.iter().position(|c| *c == t) {
                            Some(k) => k as f64,
                            None if open[j] => {
                                cats.push(t);
                                (cats.len() - 1) as f64
                            }
                            None => {
                                return Err(assay_data::DataError::bad_value(
                                    &path,
                                    &col.name,
                                    row,
                                    format!("category '{t}' was not seen in training"),
                                )
                                .to_string())
                            }
                        };
                    }
                }
            }
        }
        if let Some(l) = label {
            let v = get(l)?;
            for i in 0..rows {
                let row = n + i as u64 + 1;
                let t = v
                    .text(i)
                    .ok_or_else(|| missing(&path, l, row, "label").to_string())?;
                y.push(match positive {
                    Some(p) => f64::from(u8::from(t == p)),
                    None => match t.as_str() {
                        "1" | "1.0" | "true" => 1.0,
                        "0" | "0.0" | "false" => 0.0,
                        _ => {
                            return Err(assay_data::DataError::bad_value(
                                &path,
                                l,
                                row,
                                format!(
                                    "label '{t}' is not 0/1 or true/false; name the positive value"
                                ),
                            )
                            .to_string())
                        }
                    },
                });
            }
        }
        if !sensitive.is_empty() {
            let vs = sensitive
                .iter()
                .map(|s| get(s))
                .collect::<Result<Vec<_>, _>>()?;
            for i in 0..rows {
                let row = n + i as u64 + 1;
                let mut key = String::new();
                for (k, (v, s)) in vs.iter().zip(sensitive).enumerate() {
                    let t = v
                        .text(i)
                        .ok_or_else(|| missing(&path, s, row, "sensitive feature").to_string())?;
                    if k > 0 {
                        key.push_str(assay_data::groups::KEY_SEPARATOR);
                    }
                    key.push_str(&t);
                }
                groups.push(key);
            }
        }
        n += rows as u64;
    }
    if n == 0 {
        return Err(format!("{}: no data rows to explain", path.display()));
    }
    Ok(RawTable {
        path,
        columns,
        x,
        n: n as usize,
        y: label.map(|_| y),
        groups: (!sensitive.is_empty()).then_some(groups),
    })
}

/// Scores raw rows with the model: builds a record batch (numbers; category codes back to
/// their text) and calls [`Model::score_batch`], keeping the positive-class probability (or
/// the single output).
pub struct ModelPredict<'a> {
    model: &'a dyn Model,
    columns: &'a [RawColumn],
    schema: SchemaRef,
}

impl<'a> ModelPredict<'a> {
    /// The adapter for `model` over `columns` (as read by [`read`]).
    pub fn new(model: &'a dyn Model, columns: &'a [RawColumn]) -> Result<Self, String> {
        if model.outputs().len() != 1 {
            return Err(format!(
                "the model has {} outputs ({}); an explanation is of one output (a binary classifier's probability or a regression value)",
                model.outputs().len(),
                model.outputs().join(", ")
            ));
        }
        let fields: Vec<Field> = columns
            .iter()
            .map(|c| {
                Field::new(
                    &c.name,
                    if c.categories.is_some() {
                        DataType::Utf8
                    } else {
                        DataType::Float64
                    },
                    true,
                )
            })
            .collect();
        Ok(ModelPredict {
            model,
            columns,
            schema: Arc::new(Schema::new(fields)),
        })
    }
}

impl ModelPredict<'_> {
    /// The record batch of the row-major coded rows `x` (categories back to their text).
    pub fn batch(&self, x: &[f64], n_rows: usize) -> Result<RecordBatch, ExplainError> {
        let p = self.columns.len();
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter()
            .enumerate()
            .map(|(j, c)| -> Result<ArrayRef, ExplainError> {
                Ok(match &c.categories {
                    None => Arc::new(Float64Array::from_iter(
                        (0..n_rows).map(|i| Some(x[i * p + j]).filter(|v| !v.is_nan())),
                    )),
                    Some(cats) => {
                        let texts = (0..n_rows)
                            .map(|i| {
                                let code = x[i * p + j];
                                cats.get(code as usize)
                                    .filter(|_| code >= 0.0 && code.fract() == 0.0)
                                    .map(String::as_str)
                                    .ok_or_else(|| {
                                        ExplainError::Data(format!(
                                            "column '{}': {code} is not a category code",
                                            c.name
                                        ))
                                    })
                            })
                            .collect::<Result<Vec<&str>, _>>()?;
                        Arc::new(StringArray::from(texts))
                    }
                })
            })
            .collect::<Result<_, _>>()?;
        RecordBatch::try_new(self.schema.clone(), arrays)
            .map_err(|e| ExplainError::Model(e.to_string()))
    }
}

impl Predict for ModelPredict<'_> {
    fn n_features(&self) -> usize {
        self.columns.len()
    }

    fn predict(&self, x: &[f64], n_rows: usize) -> Result<Vec<f64>, ExplainError> {
        let batch = self.batch(x, n_rows)?;
        self.model
            .score_batch(&batch)
            .map_err(|e| ExplainError::Model(e.to_string()))
    }
}
