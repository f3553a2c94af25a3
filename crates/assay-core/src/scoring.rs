//! Scoring a stream with a model as it is read, for assessments of a model rather than of
//! decisions already in the data: every batch gains the model's probability of the positive
//! class ([`MODEL_SCORE`]) and, unless the assessment thresholds that score itself, the model's
//! own decision ([`MODEL_DECISION`]) made by [`assay_model::decision`] exactly as predictions
//! are (`score > 0.5`, or for a randomized classifier the seeded draw at the row's position).
//! The pass over the data stays single and streaming.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use assay_data::csv::TextType;
use assay_data::source::ColumnRequest;
use assay_data::{BatchStream, DataError};
use assay_model::{ColumnKind, Model, ModelError};

/// The column of the model's probability of the positive class.
pub const MODEL_SCORE: &str = "model_score";
/// The column of the model's decision.
pub const MODEL_DECISION: &str = "model_decision";

/// Why a model cannot score the data.
#[derive(Debug, thiserror::Error)]
pub enum ScoringError {
    /// The model is not a binary classifier.
    #[error("a fairness assessment needs a binary classifier (one probability of the positive class); this model has outputs {0}")]
    NotBinary(String),
    /// The data already has a column the scoring adds.
    #[error("{path}: the data already has a column '{column}', which the model's scores add")]
    ColumnClash {
        /// The data file.
        path: String,
        /// The column.
        column: &'static str,
    },
}

/// Checks that `model` is a binary classifier (one output, two classes).
pub fn check_binary(model: &dyn Model) -> Result<(), ScoringError> {
    let binary = model.outputs().len() == 1 && model.classes().is_some_and(|c| c.len() == 2);
    if binary {
        Ok(())
    } else {
        Err(ScoringError::NotBinary(model.outputs().join(", ")))
    }
}

/// Adds the model's input columns to `requests` (numbers or text as the model reads them),
/// with `role` for messages, and drops a request for [`MODEL_SCORE`], which the model adds.
pub fn request_inputs(model: &dyn Model, requests: &mut Vec<ColumnRequest>, role: &str) {
    requests.retain(|r| r.name != MODEL_SCORE);
    for c in &model.input_schema().columns {
        if !requests.iter().any(|r| r.name == c.name) {
            requests.push(ColumnRequest {
                name: c.name.clone(),
                text_as: if matches!(c.kind, ColumnKind::Numeric | ColumnKind::Codes) {
                    TextType::Float64
                } else {
                    TextType::Utf8
                },
                role: role.to_string(),
            });
        }
    }
}

/// The stream with [`MODEL_SCORE`] (and, with `decide`, [`MODEL_DECISION`]) added to every
/// batch. The decision is written as `positive` (or `1`) for a positive decision and
/// `not <positive>` (or `0`) otherwise, so that the positive value reads it as it reads the
/// label.
pub fn with_model_score(
    stream: BatchStream,
    model: impl Into<Arc<dyn Model>>,
    decide: bool,
    positive: Option<String>,
) -> Result<BatchStream, ScoringError> {
    let model: Arc<dyn Model> = model.into();
    let path = stream.path().to_path_buf();
    let in_schema = stream.schema();
    let seed = model.randomized();
    let (yes, no) = match positive {
        Some(p) => (p.clone(), format!("not {p}")),
        None => ("1".to_string(), "0".to_string()),
    };
    for name in [MODEL_SCORE, MODEL_DECISION] {
        if in_schema.field_with_name(name).is_ok() {
            return Err(ScoringError::ColumnClash {
                path: path.display().to_string(),
                column: name,
            });
        }
    }
    let mut fields: Vec<Field> = in_schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    fields.push(Field::new(MODEL_SCORE, DataType::Float64, false));
    if decide {
        fields.push(Field::new(MODEL_DECISION, DataType::Utf8, false));
    }
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let out_schema = schema.clone();
    let file = path.clone();
    let mut rows_done = 0u64;
    let iter = stream.map(move |batch| {
        let batch = batch?;
        let score = model.score_batch(&batch).map_err(|e| match e {
            ModelError::BadValue {
                column,
                row,
                message,
            } => DataError::bad_value(&file, &column, rows_done + 1 + row as u64, message),
            e => DataError::BadColumn {
                path: file.clone(),
                column: MODEL_SCORE.to_string(),
                message: e.to_string(),
            },
        })?;
        let mut columns = batch.columns().to_vec();
        let decision: Option<Vec<&str>> = decide.then(|| {
            score
                .iter()
                .enumerate()
                .map(|(i, &p)| {
                    if assay_model::decision(seed, rows_done + i as u64, p) {
                        yes.as_str()
                    } else {
                        no.as_str()
                    }
                })
                .collect()
        });
        columns.push(Arc::new(Float64Array::from(score)) as ArrayRef);
        if let Some(d) = decision {
            columns.push(Arc::new(StringArray::from(d)) as ArrayRef);
        }
        rows_done += batch.num_rows() as u64;
        RecordBatch::try_new(out_schema.clone(), columns).map_err(|e| DataError::BadColumn {
            path: file.clone(),
            column: MODEL_SCORE.to_string(),
            message: e.to_string(),
        })
    });
    Ok(BatchStream::new(path, schema, Box::new(iter)))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use assay_data::source::{self, ReadOptions};

    use super::*;
    use crate::models;

    #[test]
    fn scores_and_decisions_are_added_as_predictions_makes_them() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("rows.csv");
        let mut text = String::from(
            "age,fnlwgt,education-num,capital-gain,capital-loss,hours-per-week,workclass,occupation,relationship\n",
        );
        for i in 0..20 {
            text.push_str(&format!(
                "{},{},{},{},0,40,{},{},{}\n",
                25 + i,
                150_000,
                8 + i % 8,
                if i % 5 == 0 { 20_000 } else { 0 },
                i % 7,
                i % 13,
                i % 5
            ));
        }
        std::fs::write(&data, text).unwrap();
        let model =
            models::open(Path::new("../../tests/reference/models/xgb_binary.json")).unwrap();
        check_binary(model.as_ref()).unwrap();
        let mut requests = Vec::new();
        request_inputs(model.as_ref(), &mut requests, "model input");
        assert_eq!(requests.len(), 9);
        let stream = source::open(&data, &ReadOptions::default(), Some(&requests)).unwrap();
        let scored = with_model_score(stream, model, true, Some("yes".into())).unwrap();
        let mut rows = 0;
        for batch in scored {
            let batch = batch.unwrap();
            let score = batch.column_by_name(MODEL_SCORE).unwrap();
            let score = score.as_any().downcast_ref::<Float64Array>().unwrap();
            let decision = batch.column_by_name(MODEL_DECISION).unwrap();
            let decision = decision.as_any().downcast_ref::<StringArray>().unwrap();
            for i in 0..batch.num_rows() {
                let want = if score.value(i) > 0.5 {
                    "yes"
                } else {
                    "not yes"
                };
                assert_eq!(decision.value(i), want);
            }
            rows += batch.num_rows();
        }
        assert_eq!(rows, 20);
    }
}
