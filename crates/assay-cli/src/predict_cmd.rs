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

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use clap::{Args, ValueEnum};

use assay_data::csv::TextType;
use assay_data::source::ColumnRequest;
use assay_model::learners::TrainedGbdt;
use assay_model::model::{load_model_as, ModelFormat as LoadFormat, TreeModel};
use assay_model::{ColumnKind, Model};

use crate::input::InputArgs;

/// Model file format.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum ModelFormat {
    /// XGBoost JSON (`Booster.save_model("m.json")`).
    Xgboost,
    /// LightGBM text (`Booster.save_model("m.txt")`).
    Lightgbm,
    /// A logistic regression saved by `assay train --learner logistic` (`assay.logistic/1`).
    Logistic,
    /// Gradient-boosted trees saved by `assay train --learner gbdt` (`assay.gbdt/1`).
    Gbdt,
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
    /// Model format (default: an assay format tag at the start of the file, else `.json` is XGBoost JSON, `.txt` LightGBM text, otherwise from the file's first bytes).
    #[arg(long = "format-model", value_enum, help_heading = "Model")]
    pub format_model: Option<ModelFormat>,
    /// Input column for each model feature, comma-separated in the model's feature order (required when the model stores no feature names; overrides them otherwise).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "COLUMNS",
        help_heading = "Model"
    )]
    pub features: Option<Vec<String>>,

    /// Output file: `.parquet` writes Parquet, anything else CSV (default: CSV on standard output).
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

/// Loads the model with `assay_model::load_model` (the format from the flag, else detected),
/// reading tree-ensemble features from the `--features` columns when given.
fn load_model(a: &PredictArgs) -> Result<Loaded, String> {
    let path = a.model.as_path();
    let format = match a.format_model {
        Some(ModelFormat::Xgboost) => LoadFormat::Xgboost,
        Some(ModelFormat::Lightgbm) => LoadFormat::Lightgbm,
        Some(ModelFormat::Logistic) => LoadFormat::AssayLogistic,
        Some(ModelFormat::Gbdt) => LoadFormat::AssayGbdt,
        None => LoadFormat::detect(path).map_err(|e| match e {
            assay_model::ModelError::Unsupported { .. } => {
                format!("{e}; name it with --format-model")
            }
            e => e.to_string(),
        })?,
    };
    let columns_error = |e: assay_model::ModelError| {
        match e {
        assay_model::ModelError::NoFeatureNames { n_features } => format!(
            "{}: the model stores no feature names; give the input column of each of its {n_features} features, in order, with --features a,b,c",
            path.display()
        ),
        assay_model::ModelError::ColumnCount { expected, found } => format!(
            "--features names {found} columns but the model {} has {expected} features",
            path.display()
        ),
        e => e.to_string(),
    }
    };
    let Some(columns) = a.features.clone() else {
        let model = if a.format_model.is_none() {
            assay_model::load_model(path, None)
        } else {
            load_model_as(path, format, None)
        };
        let model = model.map_err(columns_error)?;
        let renamed = vec![None; model.input_schema().columns.len()];
        return Ok(Loaded { model, renamed });
    };
    let (model, names) = match format {
        LoadFormat::Xgboost | LoadFormat::Lightgbm => {
            let ensemble = if format == LoadFormat::Xgboost {
                assay_model::xgboost::load(path)
            } else {
                assay_model::lightgbm::load(path)
            }
            .map_err(|e| e.to_string())?;
            let names = ensemble.feature_names.clone();
            (TreeModel::new(ensemble, Some(columns)), names)
        }
        LoadFormat::AssayGbdt => {
            let m = TrainedGbdt::load(path).map_err(|e| e.to_string())?;
            let names = Some(m.feature_names.clone());
            (TreeModel::from_gbdt(m, Some(columns)), names)
        }
        LoadFormat::AssayLogistic => {
            let message =
                "a logistic model reads the columns named in its schema; --features does not apply";
            return Err(format!("{}: {message}", path.display()));
        }
    };
    let model: Box<dyn Model> = Box::new(model.map_err(columns_error)?);
    let renamed = model
        .input_schema()
        .columns
        .iter()
        .enumerate()
        .map(|(f, c)| match names.as_ref().and_then(|n| n.get(f)) {
            Some(n) if *n == c.name => None,
            Some(n) => Some(format!("input for model feature '{n}'")),
            None => Some(format!("input for model feature {f}")),
        })
        .collect();
    Ok(Loaded { model, renamed })
}

/// Where predictions go.
enum Sink {
    Csv {
        writer: csv::Writer<Box<dyn Write>>,
        number: String,
    },
    Parquet(parquet::arrow::ArrowWriter<File>),
}

impl Sink {
    fn open(out: Option<&Path>, schema: SchemaRef) -> Result<Sink, String> {
        let create =
            |p: &Path| File::create(p).map_err(|e| format!("{}: cannot write: {e}", p.display()));
        let parquet = out
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"));
        if parquet {
            let p = out.unwrap_or(Path::new(""));
            let w = parquet::arrow::ArrowWriter::try_new(create(p)?, schema, None)
                .map_err(|e| format!("{}: cannot write Parquet: {e}", p.display()))?;
            return Ok(Sink::Parquet(w));
        }
        let inner: Box<dyn Write> = match out {
            Some(p) => Box::new(BufWriter::new(create(p)?)),
            None => Box::new(std::io::stdout().lock()),
        };
        let mut writer = csv::WriterBuilder::new()
            .buffer_capacity(1 << 16)
            .from_writer(inner);
        writer
            .write_record(schema.fields().iter().map(|f| f.name().as_str()))
            .map_err(|e| write_error(out, e))?;
        Ok(Sink::Csv {
            writer,
            number: String::new(),
        })
    }

    fn write(
        &mut self,
        out: Option<&Path>,
        schema: &SchemaRef,
        id: Option<&ArrayRef>,
        pred: &[f64],
        k: usize,
    ) -> Result<(), String> {
        match self {
            Sink::Csv { writer, number } => {
                let formatter = match id {
                    Some(col) => {
                        let opts = arrow_cast::display::FormatOptions::default();
                        Some(
                            arrow_cast::display::ArrayFormatter::try_new(col.as_ref(), &opts)
                                .map_err(|e| format!("cannot format the id column: {e}"))?,
                        )
                    }
                    None => None,
                };
                for (i, row) in pred.chunks(k).enumerate() {
                    if let (Some(f), Some(col)) = (&formatter, id) {
                        number.clear();
                        if col.is_valid(i) {
                            use std::fmt::Write as _;
                            let _ = write!(number, "{}", f.value(i));
                        }
                        writer
                            .write_field(number.as_bytes())
                            .map_err(|e| write_error(out, e))?;
                    }
                    for p in row {
                        number.clear();
                        {
                            use std::fmt::Write as _;
                            let _ = write!(number, "{p}");
                        }
                        writer
                            .write_field(number.as_bytes())
                            .map_err(|e| write_error(out, e))?;
                    }
                    writer
                        .write_record(None::<&[u8]>)
                        .map_err(|e| write_error(out, e))?;
                }
                Ok(())
            }
            Sink::Parquet(w) => {
                let mut columns: Vec<ArrayRef> = Vec::with_capacity(2);
                if let Some(col) = id {
                    columns.push(col.clone());
                }
                for j in 0..k {
                    let values: Vec<f64> = pred.iter().skip(j).step_by(k).copied().collect();
                    columns.push(Arc::new(Float64Array::from(values)));
                }
                let batch = RecordBatch::try_new(schema.clone(), columns)
                    .map_err(|e| format!("cannot build the output batch: {e}"))?;
                w.write(&batch).map_err(|e| parquet_error(out, e))
            }
        }
    }

    fn finish(self, out: Option<&Path>) -> Result<(), String> {
        match self {
            Sink::Csv { mut writer, .. } => writer.flush().map_err(|e| write_error(out, e.into())),
            Sink::Parquet(w) => w.close().map(|_| ()).map_err(|e| parquet_error(out, e)),
        }
    }
}

fn out_name(out: Option<&Path>) -> String {
    out.map_or("standard output".into(), |p| p.display().to_string())
}

fn write_error(out: Option<&Path>, e: csv::Error) -> String {
    format!("{}: cannot write: {e}", out_name(out))
}

fn parquet_error(out: Option<&Path>, e: parquet::errors::ParquetError) -> String {
    format!("{}: cannot write Parquet: {e}", out_name(out))
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
            text_as: if matches!(c.kind, ColumnKind::Categories(_) | ColumnKind::Text) {
                TextType::Utf8
            } else {
                TextType::Float64
            },
            role: role.unwrap_or_else(|| "model feature".to_string()),
        })
        .collect();
    if let Some(id) = &a.id {
        requests.push(ColumnRequest {
            name: id.clone(),
            text_as: TextType::Utf8,
            role: "id column".into(),
        });
    }
    let stream = a.input.open(&a.data, &requests, false)?;
    let file = stream.path().to_path_buf();
    let in_schema = stream.schema();
    let mut fields: Vec<Field> = Vec::with_capacity(2);
    if let Some(id) = &a.id {
        let f = in_schema
            .field_with_name(id)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        fields.push(Field::new(id.clone(), f.data_type().clone(), true));
    }
    match model.outputs() {
        [_] => fields.push(Field::new("prediction", DataType::Float64, false)),
        names => fields.extend(
            names
                .iter()
                .map(|n| Field::new(format!("prediction_{n}"), DataType::Float64, false)),
        ),
    }
    let out_schema: SchemaRef = Arc::new(Schema::new(fields));
    let out = a.out.as_deref();
    let mut sink = Sink::open(out, out_schema.clone())?;
    let written = write_predictions(&a, model.as_ref(), stream, &mut sink, &out_schema)
        .and_then(|()| sink.finish(out));
    if written.is_err() {
        // Do not leave a partial output file behind.
        if let Some(p) = out {
            let _ = std::fs::remove_file(p);
        }
    }
    written.map(|()| ExitCode::SUCCESS)
}

/// Streams the batches through the model into the sink.
fn write_predictions(
    a: &PredictArgs,
    model: &dyn Model,
    stream: assay_data::BatchStream,
    sink: &mut Sink,
    out_schema: &SchemaRef,
) -> Result<(), String> {
    let file = stream.path().to_path_buf();
    let out = a.out.as_deref();
    let k = model.outputs().len();
    let mut rows_done: u64 = 0;
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
        let id = a.id.as_ref().and_then(|id| batch.column_by_name(id));
        sink.write(out, out_schema, id, &pred, k)?;
        rows_done += batch.num_rows() as u64;
    }
    Ok(())
}
