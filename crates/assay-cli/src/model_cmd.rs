//! `assay model inspect`: what a model file is, which columns it reads, what it outputs and how
//! it is built (trees and depth, ONNX operators and opsets, coefficients).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use assay_model::inspect::inspect;
use assay_model::ModelFormat;

/// `assay model` subcommands.
#[derive(Subcommand)]
pub enum ModelCommand {
    /// Describe a model file: format, input columns, outputs, classes, structure.
    Inspect(InspectArgs),
}

/// Output format of `assay model inspect`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum InspectFormat {
    /// Human-readable text.
    Text,
    /// JSON.
    Json,
}

/// Arguments of `assay model inspect`.
#[derive(Args)]
pub struct InspectArgs {
    /// The model file: ONNX, XGBoost JSON, LightGBM text, or a model saved by `assay train`.
    pub model: PathBuf,
    /// Model format: xgboost, lightgbm, onnx, logistic or gbdt (default: detected).
    #[arg(long = "format-model")]
    pub format_model: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: InspectFormat,
}

/// Runs `assay model ...`.
pub fn run(cmd: ModelCommand) -> Result<ExitCode, String> {
    match cmd {
        ModelCommand::Inspect(a) => run_inspect(a),
    }
}

fn run_inspect(a: InspectArgs) -> Result<ExitCode, String> {
    let format = match &a.format_model {
        Some(name) => Some(ModelFormat::parse(name).ok_or_else(|| {
            format!("unknown model format '{name}' (expected xgboost, lightgbm, onnx, logistic or gbdt)")
        })?),
        None => None,
    };
    let s = inspect(&a.model, format).map_err(|e| e.to_string())?;
    match a.format {
        InspectFormat::Json => {
            let text = serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?;
            println!("{text}");
        }
        InspectFormat::Text => {
            println!("model   {}", s.path);
            println!("format  {}", s.format);
            println!("inputs  {} columns", s.inputs.len());
            let width = s.inputs.iter().map(|i| i.name.len()).max().unwrap_or(0);
            for i in &s.inputs {
                println!("  {:width$}  {}", i.name, i.kind);
            }
            println!("outputs {}", s.outputs.join(", "));
            if let Some(c) = &s.classes {
                println!("classes {}", c.join(", "));
            }
            let width = s.details.iter().map(|d| d.key.len()).max().unwrap_or(0);
            for d in &s.details {
                println!("{:width$}  {}", d.key, d.value);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
