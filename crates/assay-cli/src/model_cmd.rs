//! `assay model inspect`: what a model file is, which columns it reads, what it outputs and how
//! it is built (trees and depth, ONNX operators and opsets, coefficients).
//!
//! `assay model export`: a model saved by `assay train` or `assay mitigate` as an ONNX graph on
//! the raw table columns (assay_model::onnx::export_prepared, assay_mitigation::export).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use assay_core::models;
use assay_model::onnx::export_prepared::PreparedOnnx;

/// `assay model` subcommands.
#[derive(Subcommand)]
pub enum ModelCommand {
    /// Describe a model file: format, input columns, outputs, classes, structure.
    Inspect(InspectArgs),
    /// Export a model saved by `assay train` or `assay mitigate` to ONNX, reading the raw table
    /// columns (the saved feature preparation is part of the graph).
    Export(ExportArgs),
}

/// Arguments of `assay model export`.
#[derive(Args)]
pub struct ExportArgs {
    /// The model file: a logistic, gbdt or tree model saved by `assay train`, or a mitigated
    /// model saved by `assay mitigate`.
    pub model: PathBuf,
    /// Where to write the ONNX file.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

pub use crate::output::Format;

/// Arguments of `assay model inspect`.
#[derive(Args)]
pub struct InspectArgs {
    /// The model file: ONNX, XGBoost JSON, LightGBM text, or a model saved by `assay train` or
    /// `assay mitigate`.
    pub model: PathBuf,
    /// Model format: xgboost, lightgbm, onnx, logistic, gbdt, tree or mitigated (default:
    /// detected).
    #[arg(long = "format-model")]
    pub format_model: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// Runs `assay model ...`.
pub fn run(cmd: ModelCommand) -> Result<ExitCode, String> {
    match cmd {
        ModelCommand::Inspect(a) => run_inspect(a),
        ModelCommand::Export(a) => run_export(a),
    }
}

/// The raw-column ONNX graph of the model at `path` ([`models::export_onnx`]).
pub fn export_model(path: &std::path::Path) -> Result<PreparedOnnx, String> {
    models::export_onnx(path).map_err(|e| e.to_string())
}

fn run_export(a: ExportArgs) -> Result<ExitCode, String> {
    let e = export_model(&a.model)?;
    crate::output::write(&a.out, &e.bytes)?;
    outln!("wrote {} ({} bytes)", a.out.display(), e.bytes.len());
    outln!("inputs  {} columns, one [N, 1] tensor each", e.inputs.len());
    let width = e.inputs.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    for (c, t) in &e.inputs {
        outln!("  {c:width$}  {t}");
    }
    outln!("outputs");
    for (o, t) in &e.outputs {
        outln!("  {o}  {t}");
    }
    for c in &e.caveats {
        eprintln!("warning: {c}");
    }
    Ok(ExitCode::SUCCESS)
}

fn run_inspect(a: InspectArgs) -> Result<ExitCode, String> {
    let format = match &a.format_model {
        Some(name) => Some(models::Format::parse(name).ok_or_else(|| {
            format!("unknown model format '{name}' (expected xgboost, lightgbm, onnx, logistic, gbdt, tree or mitigated)")
        })?),
        None => None,
    };
    let s = models::inspect(&a.model, format).map_err(|e| e.to_string())?;
    match a.format {
        Format::Json => {
            let text = serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?;
            outln!("{text}");
        }
        Format::Text => {
            outln!("model   {}", s.path);
            outln!("format  {}", s.format);
            outln!("inputs  {} columns", s.inputs.len());
            let width = s.inputs.iter().map(|i| i.name.len()).max().unwrap_or(0);
            for i in &s.inputs {
                outln!("  {:width$}  {}", i.name, i.kind);
            }
            outln!("outputs {}", s.outputs.join(", "));
            if let Some(c) = &s.classes {
                outln!("classes {}", c.join(", "));
            }
            let width = s.details.iter().map(|d| d.key.len()).max().unwrap_or(0);
            for d in &s.details {
                outln!("{:width$}  {}", d.key, d.value);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
