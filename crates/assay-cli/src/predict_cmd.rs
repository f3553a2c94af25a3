//! `assay predict`: predictions of an XGBoost or LightGBM tree ensemble, or of a logistic
//! regression or gradient-boosted trees trained by `assay train` (recognised by their
//! `assay.logistic/1` / `assay.gbdt/1` format tags), on a table.
//!
//! The model is loaded with `assay_model::load_model` and used only through the
//! `assay_model::Model` interface. The input is streamed batch by batch: each record batch is
//! scored with `Model::score_batch` (columns matched by name and encoded by the model layer) and
//! the predictions written out before the next batch is read, so memory stays bounded by the
//! batch size. A model with several outputs (a multinomial logistic regression) writes one
//! `prediction_<class>` column per class.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use clap::{Args, ValueEnum};

use assay_core::models::{self, Format, OpenOptions};
use assay_core::CoreError;
use assay_data::csv::TextType;
use assay_data::sink::{self, TableWriter};
use assay_data::source::ColumnRequest;
use assay_data::Format as DataFormat;
use assay_model::{ColumnKind, Model};

use crate::input::InputArgs;

/// Parses `--format-model`: a format name or schema tag ([`Format::parse`]).
fn parse_format(name: &str) -> Result<Format, String> {
    Format::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!(
            "unknown model format '{name}' (expected {})",
            names.join(", ")
        )
    })
}

/// What to write in the `prediction` column.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum OutputKind {
    /// The library's default prediction: the probability for binary models, the predicted
    /// value for regression.
    Probability,
    /// The raw margin (XGBoost `output_margin=True`, LightGBM `raw_score=True`); for regression
    /// the same as the prediction.
    Margin,
}

/// Arguments of `assay predict`.
///
/// Input columns are matched to the model's features by name (the feature names stored in the
/// model). Empty cells and nulls are missing values, routed by the model's own rules. Features
/// the model declares categorical take the numeric category codes the model was trained with,
/// as XGBoost and LightGBM do on numeric input (text categories are an error).
///
/// Example:
///
///   assay predict applicants.csv --model model.json --id applicant_id --out scores.csv
#[derive(Args)]
pub struct PredictArgs {
    /// The data: CSV, Parquet or Arrow IPC, one row per prediction. Columns are matched to the model's features by name; empty cells and nulls are missing values, routed by the model's own rules. Features the model declares categorical take the numeric category codes it was trained with, as XGBoost and LightGBM do on numeric input (text categories are an error).
    pub data: PathBuf,

    /// The model: XGBoost JSON, LightGBM text, or a logistic regression or gradient-boosted trees saved by `assay train` (recognised by its format tag; its categorical columns take the category text; a binary logistic model predicts the probability of the positive class, a multinomial one writes one `prediction_<class>` column per class).
    #[arg(long, value_name = "FILE", help_heading = "Model")]
    pub model: PathBuf,
    /// Model format: xgboost, lightgbm, logistic, gbdt, tree, onnx or mitigated (default: a mitigated or assay format tag at the start of the file, else `.json` is XGBoost JSON, `.txt` LightGBM text, `.onnx` ONNX, otherwise from the file's first bytes).
    #[arg(long = "format-model", value_parser = parse_format, value_name = "FORMAT", help_heading = "Model")]
    pub format_model: Option<Format>,
    /// Input column for each model feature, comma-separated in the model's feature order (required when the model stores no feature names; overrides them otherwise).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "COLUMNS",
        help_heading = "Model"
    )]
    pub features: Option<Vec<String>>,

    /// Output file: `.parquet` writes Parquet, `.arrow` Arrow IPC, anything else CSV (default:
    /// CSV on standard output).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub out: Option<PathBuf>,
    /// What the `prediction` column holds.
    #[arg(
        long,
        value_enum,
        default_value = "probability",
        help_heading = "Output"
    )]
    pub output: OutputKind,
    /// Copy this input column into the output, before the prediction.
    #[arg(long, value_name = "COLUMN", help_heading = "Output")]
    pub id: Option<String>,

    #[command(flatten)]
    pub input: InputArgs,
}

/// A loaded model and, per input column, the model feature it feeds when the column was renamed
/// with `--features` (for messages).
struct Loaded {
    model: Box<dyn Model>,
    renamed: Vec<Option<String>>,
}

/// Opens the model with [`assay_core::models::open_with`] (the format from the flag, else
/// detected), reading its features from the `--features` columns when given.
fn load_model(a: &PredictArgs) -> Result<Loaded, String> {
    let path = a.model.as_path();
    let options = OpenOptions {
        format: a.format_model,
        columns: a.features.clone(),
    };
    let opened = models::open_with(path, &options).map_err(|e| match e {
        CoreError::UnknownFormat { .. } => format!("{e}; name it with --format-model"),
        CoreError::NeedsColumnNames { n_features, .. } => format!(
            "{}: the model stores no feature names; give the input column of each of its {n_features} features, in order, with --features a,b,c",
            path.display()
        ),
        CoreError::ColumnCount {
            expected, found, ..
        } => format!(
            "--features names {found} columns but the model {} has {expected} features",
            path.display()
        ),
        CoreError::CannotRename { format, .. } => format!(
            "{}: a {format} model reads the columns named in its saved schema; --features cannot rename them",
            path.display()
        ),
        e => e.to_string(),
    })?;
    let renamed = opened
        .feature_of_column
        .into_iter()
        .map(|f| {
            f.map(|f| match f.name {
                Some(n) => format!("input for model feature '{n}'"),
                None => format!("input for model feature {}", f.index),
            })
        })
        .collect();
    Ok(Loaded {
        model: opened.model,
        renamed,
    })
}

/// The columns `assay predict` adds after the input columns.
///
/// Classifiers (models that know their class labels): `score` (the probability of the second
/// class) for two classes, `score_<class>` per class otherwise, then `prediction`, the class
/// label: the second class where its probability is above 0.5, else the class of highest
/// probability (the first on ties, as scikit-learn's `predict`). With `--output margin` the
/// scores are raw margins, named `margin` / `margin_<class>`, and the prediction follows the
/// margin (above 0, or the largest). Other models: `prediction` (or `prediction_<output>` per
/// output), the model's value. A randomized classifier (a mitigated model's mixture or
/// randomised thresholds; [`Model::randomized`]) scores `P(ŷ = 1)` and its prediction is drawn
/// with [`assay_model::decision`] from its seed and the row's position in the input.
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

/// Starts the output table: `--out` written atomically in the format of its extension (CSV,
/// Parquet or Arrow IPC), else CSV on standard output.
fn open_output(out: Option<&Path>, schema: SchemaRef) -> Result<TableWriter<'static>, String> {
    match out {
        Some(p) => TableWriter::create(p, sink::format_for(p), schema),
        None => TableWriter::to_stream(
            Box::new(crate::stdout::lock()),
            "standard output",
            DataFormat::Csv,
            schema,
        ),
    }
    .map_err(|e| e.to_string())
}

/// Runs `assay predict`.
pub fn run(a: PredictArgs) -> Result<ExitCode, String> {
    let Loaded { model, renamed } = load_model(&a)?;
    let mut requests: Vec<ColumnRequest> = model
        .input_schema()
        .columns
        .iter()
        .zip(renamed)
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
    if let Some(id) = &a.id {
        if !requests.iter().any(|r| &r.name == id) {
            requests.push(ColumnRequest {
                name: id.clone(),
                text_as: TextType::Utf8,
                role: "id column".into(),
            });
        }
    }
    // Without --id every input column is copied to the output (as text, for CSV input).
    let passthrough: Vec<String> = match &a.id {
        Some(id) => vec![id.clone()],
        None => {
            let names = assay_data::source::column_names(&a.data, &a.input.read_options()?)
                .map_err(|e| e.to_string())?;
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
    let stream = a.input.open(&a.data, &requests, false)?;
    let file = stream.path().to_path_buf();
    let in_schema = stream.schema();
    let added = OutputColumns::new(model.as_ref(), a.output == OutputKind::Margin);
    let mut fields: Vec<Field> = Vec::new();
    for name in &passthrough {
        let f = in_schema
            .field_with_name(name)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        if added.fields.iter().any(|a| a.name() == name) {
            return Err(format!(
                "{}: the input already has a column '{name}', which assay predict adds; rename it or copy only an id column with --id",
                file.display()
            ));
        }
        fields.push(Field::new(name.clone(), f.data_type().clone(), true));
    }
    fields.extend(added.fields.iter().cloned());
    let out_schema: SchemaRef = Arc::new(Schema::new(fields));
    let out = a.out.as_deref();
    let mut sink = open_output(out, out_schema.clone())?;
    let written = write_predictions(
        &a,
        model.as_ref(),
        stream,
        &mut sink,
        &out_schema,
        &passthrough,
        &added,
    )
    .and_then(|()| sink.finish().map_err(|e| e.to_string()));
    // On an error the sink's temporary file is removed when it is dropped; the target, if it
    // existed, is left as it was.
    written.map(|()| ExitCode::SUCCESS)
}

/// Streams the batches through the model into the sink.
fn write_predictions(
    a: &PredictArgs,
    model: &dyn Model,
    stream: assay_data::BatchStream,
    sink: &mut TableWriter,
    out_schema: &SchemaRef,
    passthrough: &[String],
    added: &OutputColumns,
) -> Result<(), String> {
    let file = stream.path().to_path_buf();
    let mut rows_done: u64 = 0;
    let progress = crate::progress::rows("scored");
    for batch in stream {
        let batch = batch.map_err(|e| e.to_string())?;
        let scored = match a.output {
            OutputKind::Probability => model.score_batch(&batch),
            OutputKind::Margin => model.margin_batch(&batch),
        };
        let pred = scored.map_err(|e| match e {
            assay_model::ModelError::BadValue {
                column,
                row,
                message,
            } => assay_data::DataError::bad_value(
                &file,
                &column,
                rows_done + 1 + row as u64,
                message,
            )
            .to_string(),
            e @ assay_model::ModelError::Column { .. } => format!("{}: {e}", file.display()),
            e => e.to_string(),
        })?;
        let mut columns: Vec<ArrayRef> = passthrough
            .iter()
            .map(|n| batch.column_by_name(n).expect("requested column").clone())
            .collect();
        columns.extend(added.arrays(&pred, rows_done));
        let out_batch = RecordBatch::try_new(out_schema.clone(), columns)
            .map_err(|e| format!("cannot build the output batch: {e}"))?;
        sink.write(&out_batch).map_err(|e| e.to_string())?;
        rows_done += batch.num_rows() as u64;
        progress.set_position(rows_done);
    }
    progress.finish_and_clear();
    Ok(())
}
