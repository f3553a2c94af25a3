//! `assay predict`: predictions of an XGBoost or LightGBM tree ensemble, or of gradient-boosted
//! trees trained by `assay train --learner gbdt` (recognised by its `assay.gbdt/1` format tag),
//! on a table.
//!
//! The input is streamed batch by batch: the model's feature columns (matched by name) are
//! copied into one dense row-major `f64` buffer, reused across batches, evaluated with
//! `assay-model`'s batched predictor, and the predictions written out before the next batch is
//! read, so memory stays bounded by the batch size.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use clap::{Args, ValueEnum};

use assay_data::csv::TextType;
use assay_data::source::ColumnRequest;
use assay_model::learners::{FeatureSpec, TrainedGbdt};
use assay_model::TreeEnsemble;

use crate::input::InputArgs;

/// Model file format.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum ModelFormat {
    /// XGBoost JSON (`Booster.save_model("m.json")`).
    Xgboost,
    /// LightGBM text (`Booster.save_model("m.txt")`).
    Lightgbm,
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

    /// The model: XGBoost JSON, LightGBM text, or gradient-boosted trees saved by `assay train --learner gbdt` (recognised by its format tag; its categorical columns take the category text).
    #[arg(long, value_name = "FILE", help_heading = "Model")]
    pub model: PathBuf,
    /// Model format (default: `.json` is XGBoost JSON, `.txt` LightGBM text, otherwise from the file's first bytes).
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

/// The format of `path`: the flag, else the extension, else the first bytes.
fn model_format(path: &Path, flag: Option<ModelFormat>) -> Result<ModelFormat, String> {
    if let Some(f) = flag {
        return Ok(f);
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("json") => return Ok(ModelFormat::Xgboost),
        Some(e) if e.eq_ignore_ascii_case("txt") => return Ok(ModelFormat::Lightgbm),
        _ => {}
    }
    let mut head = [0u8; 64];
    let n = File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| format!("cannot read model file {}: {e}", path.display()))?;
    let text = head[..n].trim_ascii_start();
    if text.starts_with(b"{") {
        Ok(ModelFormat::Xgboost)
    } else if text.starts_with(b"tree") {
        Ok(ModelFormat::Lightgbm)
    } else {
        Err(format!(
            "{}: unknown model format (expected XGBoost JSON or LightGBM text); name it with --format-model",
            path.display()
        ))
    }
}

/// A loaded model: the ensemble and, for an assay-trained one, the categories of each feature
/// that is a coded categorical column (`None` for numeric features).
struct Loaded {
    model: TreeEnsemble,
    categories: Vec<Option<Vec<String>>>,
}

/// Whether the file starts like a model saved by `assay train --learner gbdt`.
fn is_assay_gbdt(path: &Path) -> bool {
    let mut head = [0u8; 256];
    let n = File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&head[..n]);
    text.trim_start().starts_with('{')
        && text.contains(&format!(
            "\"{}\"",
            assay_model::learners::schema::GBDT_FORMAT
        ))
}

fn load_model(a: &PredictArgs) -> Result<Loaded, String> {
    if a.format_model.is_none() && is_assay_gbdt(&a.model) {
        let m = TrainedGbdt::load(&a.model).map_err(|e| e.to_string())?;
        let categories = m
            .features
            .iter()
            .map(|f| match f {
                FeatureSpec::Ordinal { categories, .. } => Some(categories.clone()),
                _ => None,
            })
            .collect();
        return Ok(Loaded {
            model: m.model,
            categories,
        });
    }
    let model = match model_format(&a.model, a.format_model)? {
        ModelFormat::Xgboost => assay_model::xgboost::load(&a.model),
        ModelFormat::Lightgbm => assay_model::lightgbm::load(&a.model),
    };
    let model = model.map_err(|e| e.to_string())?;
    let categories = vec![None; model.n_features];
    Ok(Loaded { model, categories })
}

/// The input column of each model feature, in the model's order.
fn feature_columns(a: &PredictArgs, model: &TreeEnsemble) -> Result<Vec<String>, String> {
    let columns = match (&a.features, &model.feature_names) {
        (Some(cols), _) => cols.clone(),
        (None, Some(names)) => names.clone(),
        (None, None) => {
            return Err(format!(
                "{}: the model stores no feature names; give the input column of each of its {} features, in order, with --features a,b,c",
                a.model.display(),
                model.n_features
            ))
        }
    };
    if columns.len() != model.n_features {
        return Err(format!(
            "--features names {} columns but the model {} has {} features",
            columns.len(),
            a.model.display(),
            model.n_features
        ));
    }
    Ok(columns)
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
                for (i, p) in pred.iter().enumerate() {
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
                    number.clear();
                    {
                        use std::fmt::Write as _;
                        let _ = write!(number, "{p}");
                    }
                    writer
                        .write_field(number.as_bytes())
                        .map_err(|e| write_error(out, e))?;
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
                columns.push(Arc::new(Float64Array::from(pred.to_vec())));
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

/// Copies a coded categorical column (the categories of an assay-trained model) into column `j`
/// of `x`: each value's position in the sorted `categories`, nulls as NaN, unseen categories an
/// error naming the row.
#[allow(clippy::too_many_arguments)]
fn fill_coded(
    x: &mut [f64],
    n_cols: usize,
    j: usize,
    col: &ArrayRef,
    categories: &[String],
    file: &Path,
    name: &str,
    first_row: u64,
) -> Result<(), String> {
    let text = arrow_cast::cast(col, &DataType::Utf8).map_err(|_| {
        format!(
            "{}: column '{name}' has type {}, which cannot be read as categories",
            file.display(),
            col.data_type()
        )
    })?;
    let text = text
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("cast to Utf8 gives a StringArray");
    for (i, v) in text.iter().enumerate() {
        x[i * n_cols + j] = match v {
            None => f64::NAN,
            Some(s) => match categories.binary_search_by(|c| c.as_str().cmp(s)) {
                Ok(k) => k as f64,
                Err(_) => {
                    return Err(assay_data::DataError::bad_value(
                        file,
                        name,
                        first_row + i as u64,
                        format!("category '{s}' was not seen in training"),
                    )
                    .to_string())
                }
            },
        };
    }
    Ok(())
}

/// Copies feature column `j` of a batch into column `j` of the row-major buffer `x`, with
/// nulls as NaN. `first_row` is the 1-based file row of the batch's first row, for errors.
fn fill_column(
    x: &mut [f64],
    n_cols: usize,
    j: usize,
    col: &ArrayRef,
    file: &Path,
    name: &str,
    first_row: u64,
) -> Result<(), String> {
    let bad = |row: usize, message: String| {
        assay_data::DataError::bad_value(file, name, first_row + row as u64, message).to_string()
    };
    match col.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let text = arrow_cast::cast(col, &DataType::Utf8).map_err(|e| e.to_string())?;
            let text = text
                .as_any()
                .downcast_ref::<StringArray>()
                .expect("cast to Utf8 gives a StringArray");
            for (i, v) in text.iter().enumerate() {
                x[i * n_cols + j] = match v.map(str::trim) {
                    None | Some("") => f64::NAN,
                    Some(s) => s.parse::<f64>().map_err(|_| {
                        bad(i, format!("expected a number (model feature), found '{s}'"))
                    })?,
                };
            }
        }
        DataType::Float64 => copy_f64(x, n_cols, j, col),
        dt if dt.is_numeric() || matches!(dt, DataType::Boolean | DataType::Dictionary(..)) => {
            let num = arrow_cast::cast(col, &DataType::Float64).map_err(|_| {
                format!(
                    "{}: column '{name}' has type {dt}, which cannot be read as numbers for the model",
                    file.display()
                )
            })?;
            copy_f64(x, n_cols, j, &num);
        }
        dt => {
            return Err(format!(
                "{}: column '{name}' has type {dt}; model features must be numbers",
                file.display()
            ))
        }
    }
    Ok(())
}

fn copy_f64(x: &mut [f64], n_cols: usize, j: usize, col: &ArrayRef) {
    let a = col
        .as_any()
        .downcast_ref::<Float64Array>()
        .expect("a Float64 column");
    let values = a.values();
    match a.nulls() {
        None => {
            for (i, &v) in values.iter().enumerate() {
                x[i * n_cols + j] = v;
            }
        }
        Some(nulls) => {
            for (i, &v) in values.iter().enumerate() {
                x[i * n_cols + j] = if nulls.is_valid(i) { v } else { f64::NAN };
            }
        }
    }
}

/// Runs `assay predict`.
pub fn run(a: PredictArgs) -> Result<ExitCode, String> {
    let Loaded { model, categories } = load_model(&a)?;
    let columns = feature_columns(&a, &model)?;
    let mut requests: Vec<ColumnRequest> = columns
        .iter()
        .zip(
            model
                .feature_names
                .iter()
                .flatten()
                .map(Some)
                .chain(std::iter::repeat(None)),
        )
        .enumerate()
        .map(|(f, (col, name))| ColumnRequest {
            name: col.clone(),
            text_as: if categories[f].is_some() {
                TextType::Utf8
            } else {
                TextType::Float64
            },
            role: match name {
                Some(n) if n == col => "model feature".to_string(),
                Some(n) => format!("input for model feature '{n}'"),
                None => format!("input for model feature {f}"),
            },
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
    fields.push(Field::new("prediction", DataType::Float64, false));
    let out_schema: SchemaRef = Arc::new(Schema::new(fields));
    let out = a.out.as_deref();
    let mut sink = Sink::open(out, out_schema.clone())?;
    let written = write_predictions(
        &a,
        &model,
        &categories,
        &columns,
        stream,
        &mut sink,
        &out_schema,
    )
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
    model: &TreeEnsemble,
    categories: &[Option<Vec<String>>],
    columns: &[String],
    stream: assay_data::BatchStream,
    sink: &mut Sink,
    out_schema: &SchemaRef,
) -> Result<(), String> {
    let file = stream.path().to_path_buf();
    let out = a.out.as_deref();

    let n_cols = model.n_features;
    let transform = a.output == OutputKind::Probability;
    let mut x: Vec<f64> = Vec::new();
    let mut pred: Vec<f64> = Vec::new();
    let mut rows_done: u64 = 0;
    for batch in stream {
        let batch = batch.map_err(|e| e.to_string())?;
        let n = batch.num_rows();
        x.clear();
        x.resize(n * n_cols, f64::NAN);
        for (j, name) in columns.iter().enumerate() {
            let col = batch
                .column_by_name(name)
                .ok_or_else(|| format!("{}: column '{name}' was not read", file.display()))?;
            match &categories[j] {
                Some(cats) => fill_coded(&mut x, n_cols, j, col, cats, &file, name, rows_done + 1)?,
                None => fill_column(&mut x, n_cols, j, col, &file, name, rows_done + 1)?,
            }
        }
        pred.clear();
        pred.resize(n, 0.0);
        model
            .predict_into(&x, n_cols, &mut pred, transform)
            .map_err(|e| e.to_string())?;
        let id = a.id.as_ref().and_then(|id| batch.column_by_name(id));
        sink.write(out, out_schema, id, &pred)?;
        rows_done += n as u64;
    }
    Ok(())
}
