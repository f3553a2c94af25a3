//! Scoring a table with a model into a table of predictions, streamed batch by batch: each
//! record batch is scored with [`Model::score_batch`] (or [`Model::margin_batch`]; columns
//! matched by name and encoded by the model layer) and written before the next is read, so
//! memory stays bounded by the batch size.
//!
//! The columns added after the copied input columns: for classifiers (models that know their
//! class labels) `score` (the probability of the second class) for two classes, `score_<class>`
//! per class otherwise, then `prediction`, the class label: the second class where its
//! probability is above 0.5, else the class of highest probability (the first on ties, as
//! scikit-learn's `predict`). With [`Output::Margin`] the scores are raw margins, named
//! `margin` / `margin_<class>`, and the prediction follows the margin (above 0, or the
//! largest). Other models: `prediction` (or `prediction_<output>` per output), the model's
//! value. A randomized classifier (a mitigated model's mixture or randomised thresholds;
//! [`Model::randomized`]) scores `P(ŷ = 1)` and its prediction is drawn with
//! [`assay_model::decision`] from its seed and the row's position in the input.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use assay_data::csv::TextType;
use assay_data::sink::{TableWriter, WriteError};
use assay_data::source::{self, ColumnRequest};
use assay_data::DataError;
use assay_model::{ColumnKind, Model, ModelError};

use crate::input::TableInput;

/// What the score columns hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// The model's prediction: the probability for classifiers, the value for regression.
    Probability,
    /// The raw margin (XGBoost `output_margin=True`, LightGBM `raw_score=True`).
    Margin,
}

/// Why a table could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum PredictError {
    /// The table could not be read, or a cell does not hold what the model needs.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The predictions could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A copied input column has the name of a column the predictions add.
    #[error("{path}: the input already has a column '{column}', which the predictions add")]
    ColumnClash {
        /// The table.
        path: String,
        /// The column.
        column: String,
    },
    /// The model failed on a batch.
    #[error("{0}")]
    Model(String),
}

/// The columns added after the input columns (see the module documentation).
struct OutputColumns {
    fields: Vec<Field>,
    classes: Option<Vec<String>>,
    k: usize,
    margin: bool,
    randomized: Option<u64>,
}

impl OutputColumns {
    fn new(model: &dyn Model, margin: bool) -> OutputColumns {
        let k = model.outputs().len();
        let mut fields = Vec::new();
        let classes = model.classes().map(|c| c.to_vec());
        let prefix = if margin { "margin" } else { "score" };
        match &classes {
            Some(c) if k == 1 && c.len() == 2 => {
                fields.push(Field::new(prefix, DataType::Float64, false));
                fields.push(Field::new("prediction", DataType::Utf8, false));
            }
            Some(c) if c.len() == k => {
                for name in c {
                    fields.push(Field::new(
                        format!("{prefix}_{name}"),
                        DataType::Float64,
                        false,
                    ));
                }
                fields.push(Field::new("prediction", DataType::Utf8, false));
            }
            _ => {
                let prefix = if margin { "margin" } else { "prediction" };
                if k == 1 {
                    fields.push(Field::new(prefix, DataType::Float64, false));
                } else {
                    for name in model.outputs() {
                        fields.push(Field::new(
                            format!("{prefix}_{name}"),
                            DataType::Float64,
                            false,
                        ));
                    }
                }
            }
        }
        let classes = classes.filter(|c| (k == 1 && c.len() == 2) || c.len() == k);
        OutputColumns {
            fields,
            classes,
            k,
            margin,
            randomized: model.randomized(),
        }
    }

    /// The added arrays for one batch of row-major model values; `first_row` is the 0-based
    /// position of the batch's first row in the input.
    fn arrays(&self, values: &[f64], first_row: u64) -> Vec<ArrayRef> {
        let k = self.k;
        let mut out: Vec<ArrayRef> = (0..k)
            .map(|j| {
                Arc::new(Float64Array::from(
                    values
                        .iter()
                        .skip(j)
                        .step_by(k)
                        .copied()
                        .collect::<Vec<_>>(),
                )) as ArrayRef
            })
            .collect();
        if let Some(classes) = &self.classes {
            let cut = if self.margin { 0.0 } else { 0.5 };
            let labels: Vec<&str> = values
                .chunks(k)
                .enumerate()
                .map(|(i, row)| {
                    if let (Some(seed), 1) = (self.randomized, k) {
                        let p = if self.margin {
                            assay_numerics::sigmoid(row[0])
                        } else {
                            row[0]
                        };
                        let yes = assay_model::decision(Some(seed), first_row + i as u64, p);
                        &classes[usize::from(yes)]
                    } else if k == 1 {
                        &classes[usize::from(row[0] > cut)]
                    } else {
                        let mut best = 0;
                        for (j, v) in row.iter().enumerate() {
                            if *v > row[best] {
                                best = j;
                            }
                        }
                        &classes[best]
                    }
                    .as_str()
                })
                .collect();
            out.push(Arc::new(StringArray::from(labels)));
        }
        out
    }
}

/// Scores `data` with `model` and writes the predictions through the writer `create` makes
/// for the output schema: the copied columns (`id` alone, or every input column without it),
/// then the added ones. `roles` names, per model input column, its role in messages (a column
/// renamed to feed a model feature says so). Returns the rows scored; `progress` is told the
/// rows done.
#[allow(clippy::too_many_arguments)]
pub fn predict<'w>(
    input: &TableInput,
    data: &Path,
    model: &dyn Model,
    roles: Vec<Option<String>>,
    output: Output,
    id: Option<&str>,
    create: impl FnOnce(SchemaRef) -> Result<TableWriter<'w>, WriteError>,
    progress: &dyn Fn(u64),
) -> Result<u64, PredictError> {
    let mut requests: Vec<ColumnRequest> = model
        .input_schema()
        .columns
        .iter()
        .zip(roles.into_iter().chain(std::iter::repeat(None)))
        .map(|(c, role)| ColumnRequest {
            name: c.name.clone(),
            text_as: if matches!(
                c.kind,
                ColumnKind::Categories(_) | ColumnKind::OpenCategories(_) | ColumnKind::Text
            ) {
                TextType::Utf8
            } else {
                TextType::Float64
            },
            role: role.unwrap_or_else(|| "model feature".to_string()),
        })
        .collect();
    if let Some(id) = id {
        if !requests.iter().any(|r| r.name == id) {
            requests.push(ColumnRequest {
                name: id.to_string(),
                text_as: TextType::Utf8,
                role: "id column".into(),
            });
        }
    }
    // Without an id column every input column is copied to the output (as text, for CSV).
    let passthrough: Vec<String> = match id {
        Some(id) => vec![id.to_string()],
        None => {
            let names = source::column_names(data, &input.options)?;
            for n in &names {
                if !requests.iter().any(|r| &r.name == n) {
                    requests.push(ColumnRequest {
                        name: n.clone(),
                        text_as: TextType::Utf8,
                        role: "column".into(),
                    });
                }
            }
            names
        }
    };
    let stream = input.open(data, &requests, false)?;
    let file = stream.path().to_path_buf();
    let in_schema = stream.schema();
    let added = OutputColumns::new(model, output == Output::Margin);
    let mut fields: Vec<Field> = Vec::new();
    for name in &passthrough {
        let f = in_schema
            .field_with_name(name)
            .map_err(|e| PredictError::Model(format!("{}: {e}", file.display())))?;
        if added.fields.iter().any(|a| a.name() == name) {
            return Err(PredictError::ColumnClash {
                path: file.display().to_string(),
                column: name.clone(),
            });
        }
        fields.push(Field::new(name.clone(), f.data_type().clone(), true));
    }
    fields.extend(added.fields.iter().cloned());
    let out_schema: SchemaRef = Arc::new(Schema::new(fields));
    let mut sink = create(out_schema.clone())?;
    let mut rows_done: u64 = 0;
    for batch in stream {
        let batch = batch?;
        let scored = match output {
            Output::Probability => model.score_batch(&batch),
            Output::Margin => model.margin_batch(&batch),
        };
        let pred = scored.map_err(|e| match e {
            ModelError::BadValue {
                column,
                row,
                message,
            } => PredictError::Data(DataError::bad_value(
                &file,
                &column,
                rows_done + 1 + row as u64,
                message,
            )),
            e @ ModelError::Column { .. } => {
                PredictError::Model(format!("{}: {e}", file.display()))
            }
            e => PredictError::Model(e.to_string()),
        })?;
        let mut columns: Vec<ArrayRef> = passthrough
            .iter()
            .map(|n| batch.column_by_name(n).expect("requested column").clone())
            .collect();
        columns.extend(added.arrays(&pred, rows_done));
        let out_batch = RecordBatch::try_new(out_schema.clone(), columns)
            .map_err(|e| PredictError::Model(format!("cannot build the output batch: {e}")))?;
        sink.write(&out_batch)?;
        rows_done += batch.num_rows() as u64;
        progress(rows_done);
    }
    // On an error before this point the writer's temporary file is removed when it is
    // dropped; the target, if it existed, is left as it was.
    sink.finish()?;
    Ok(rows_done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models;

    #[test]
    fn predictions_follow_the_model_and_keep_the_id() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("rows.csv");
        let mut text = String::from("id,age,fnlwgt,education-num,capital-gain,capital-loss,hours-per-week,workclass,occupation,relationship\n");
        for i in 0..30 {
            text.push_str(&format!(
                "r{i},{},{},{},{},0,40,{},{},{}\n",
                20 + i,
                100_000 + 1000 * i,
                5 + i % 10,
                if i % 7 == 0 { 15_000 } else { 0 },
                i % 7,
                i % 13,
                i % 5
            ));
        }
        std::fs::write(&data, text).unwrap();
        let model =
            models::open(Path::new("../../tests/reference/models/xgb_binary.json")).unwrap();
        let out = dir.path().join("scores.csv");
        let rows = predict(
            &TableInput::default(),
            &data,
            model.as_ref(),
            Vec::new(),
            Output::Probability,
            Some("id"),
            |schema| TableWriter::create(&out, assay_data::Format::Csv, schema),
            &|_| {},
        )
        .unwrap();
        assert_eq!(rows, 30);
        let written = std::fs::read_to_string(&out).unwrap();
        let mut lines = written.lines();
        assert_eq!(lines.next(), Some("id,score,prediction"));
        let classes = model.classes().unwrap().to_vec();
        for (i, line) in lines.enumerate() {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f[0], format!("r{i}"));
            let p: f64 = f[1].parse().unwrap();
            assert!((0.0..=1.0).contains(&p));
            assert_eq!(f[2], classes[usize::from(p > 0.5)]);
        }
        // A copied column may not take the name of an added one.
        let clash = dir.path().join("clash.csv");
        let input = std::fs::read_to_string(&data).unwrap();
        std::fs::write(&clash, input.replacen("id,age", "score,age", 1)).unwrap();
        let e = predict(
            &TableInput::default(),
            &clash,
            model.as_ref(),
            Vec::new(),
            Output::Probability,
            Some("score"),
            |schema| {
                TableWriter::create(&dir.path().join("x.csv"), assay_data::Format::Csv, schema)
            },
            &|_| {},
        );
        assert!(matches!(e, Err(PredictError::ColumnClash { column, .. }) if column == "score"));
    }
}
