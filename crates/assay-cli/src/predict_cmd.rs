//! `assay predict`: predictions of an XGBoost or LightGBM tree ensemble, or of a logistic
//! regression or gradient-boosted trees trained by `assay train` (recognised by their
//! `assay.logistic/1` / `assay.gbdt/1` format tags), on a table.
//!
//! The model is opened with `assay_core::models::open_with` and the table scored by
//! `assay_core::predict`, which streams it batch by batch and documents the added columns.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use arrow_schema::SchemaRef;
use clap::{Args, ValueEnum};

use assay_core::models::{self, Format, OpenOptions};
use assay_core::predict::{self, PredictError};
use assay_core::CoreError;
use assay_data::sink::{self, TableWriter, WriteError};
use assay_data::Format as DataFormat;
use assay_model::Model;

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

/// Starts the output table: `--out` written atomically in the format of its extension (CSV,
/// Parquet or Arrow IPC), else CSV on standard output.
fn open_output(out: Option<&Path>, schema: SchemaRef) -> Result<TableWriter<'static>, WriteError> {
    match out {
        Some(p) => TableWriter::create(p, sink::format_for(p), schema),
        None => TableWriter::to_stream(
            Box::new(crate::stdout::lock()),
            "standard output",
            DataFormat::Csv,
            schema,
        ),
    }
}

/// Runs `assay predict`.
pub fn run(a: PredictArgs) -> Result<ExitCode, String> {
    let Loaded { model, renamed } = load_model(&a)?;
    let progress = crate::progress::rows("scored");
    let out = a.out.as_deref();
    predict::predict(
        &a.input.table_input()?,
        &a.data,
        model.as_ref(),
        renamed,
        match a.output {
            OutputKind::Probability => predict::Output::Probability,
            OutputKind::Margin => predict::Output::Margin,
        },
        a.id.as_deref(),
        |schema| open_output(out, schema),
        &|rows| progress.set_position(rows),
    )
    .map_err(|e| match e {
        PredictError::ColumnClash { path, column } => format!(
            "{path}: the input already has a column '{column}', which assay predict adds; rename it or copy only an id column with --id"
        ),
        e => e.to_string(),
    })?;
    progress.finish_and_clear();
    Ok(ExitCode::SUCCESS)
}
