//! `assay explain`: global explanations of any model assay can score
//! ([`assay_core::explanations`]); this module maps the flags, opens the model and renders
//! text, JSON (`assay.explain/1`) and an HTML report.

mod args;
mod render;

pub use args::ExplainArgs;

use std::path::Path;
use std::process::ExitCode;

use assay_core::explanations::{self, ExplainOptions, ExplanationError};
use assay_core::reports::explain::{ExplainReport, ExplainedData, EXPLAIN_SCHEMA};
use assay_core::CoreError;
use assay_explain::inspection::Scorer;

use args::{Format, Method, ScorerArg};

fn scorer(s: ScorerArg) -> Scorer {
    match s {
        ScorerArg::Accuracy => Scorer::Accuracy,
        ScorerArg::BalancedAccuracy => Scorer::BalancedAccuracy,
        ScorerArg::RocAuc => Scorer::RocAuc,
        ScorerArg::LogLoss => Scorer::NegLogLoss,
        ScorerArg::DemographicParityDifference => Scorer::DemographicParityDifference,
        ScorerArg::EqualizedOddsDifference => Scorer::EqualizedOddsDifference,
    }
}

/// The model opened for the method ([`explanations::open_model`]), with the methods' needs in
/// the words of the flags.
fn open_model(path: &Path, method: Method) -> Result<explanations::OpenedModel, String> {
    explanations::open_model(path, method).map_err(|e| match e {
        CoreError::NotTreeEnsemble { .. } => format!(
            "{e}; --method tree-shap needs a tree ensemble: use --method kernel-shap for other models"
        ),
        CoreError::NotLogistic { .. } => format!(
            "{e}; --method linear-shap needs an assay logistic regression (assay train --learner logistic): use --method tree-shap for tree ensembles or --method kernel-shap for other models"
        ),
        e => e.to_string(),
    })
}

/// Parses a `--range COLUMN=LOW:HIGH`.
fn parse_range(r: &str) -> Result<(String, f64, f64), String> {
    r.split_once('=')
        .and_then(|(c, v)| {
            let (lo, hi) = v.split_once(':')?;
            Some((
                c.to_string(),
                assay_data::bounds::parse_finite(lo).ok()?,
                assay_data::bounds::parse_finite(hi).ok()?,
            ))
        })
        .filter(|(_, lo, hi)| lo <= hi)
        .ok_or_else(|| format!("--range {r}: expected COLUMN=LOW:HIGH with finite LOW <= HIGH"))
}

/// The library's error, with the flag named where it is about one.
fn message(e: ExplanationError) -> String {
    match e {
        ExplanationError::Option { option, message } => {
            format!("--{}: {message}", option.replace('_', "-"))
        }
        e => e.to_string(),
    }
}

/// The library's options for the flags.
fn options(a: &ExplainArgs) -> Result<ExplainOptions, String> {
    Ok(ExplainOptions {
        method: a.method,
        model_path: a.model.clone(),
        scorer: scorer(a.scorer),
        features: a.features.clone(),
        label: a.label.clone(),
        positive: a.positive.clone(),
        sensitive: a.sensitive.clone(),
        repeats: a.repeats,
        grid_resolution: a.grid_resolution,
        ale_bins: a.ale_bins,
        row: a.row,
        immutable: a.immutable.clone(),
        ranges: a
            .ranges
            .iter()
            .map(|r| parse_range(r))
            .collect::<Result<_, _>>()?,
        count: a.count,
        max_changes: a.max_changes,
        per_group: a.per_group,
        interventional: a.interventional,
        xgboost_float32: a.xgboost_float32,
        background: a.background,
        explain_rows: a.explain_rows,
        samples: a.samples,
        lime_features: a.lime_features,
        rows_out: a.rows_out,
        seed: a.seed,
    })
}

/// Runs `assay explain`.
pub fn run(a: ExplainArgs) -> Result<ExitCode, String> {
    let opened = open_model(&a.model, a.method)?;
    let options = options(&a)?;
    let progress = crate::progress::rows("explained");
    let explained = explanations::explain(
        &a.input.table_input()?,
        &a.data,
        &opened.explained(),
        &options,
        &|done| progress.set_position(done),
    )
    .map_err(message)?;
    progress.finish_and_clear();
    let provenance = crate::provenance::of(Some(a.model.as_path()), &[a.data.as_path()])?;
    let doc = ExplainReport {
        schema: EXPLAIN_SCHEMA.into(),
        assay_version: env!("CARGO_PKG_VERSION").into(),
        provenance,
        method: a.method.name().into(),
        model: a.model.display().to_string(),
        output: explained.output,
        data: ExplainedData {
            path: explained.path.display().to_string(),
            rows: explained.rows,
            features: explained.features,
        },
        seed: a.seed,
        result: explained.result,
    };
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
    if let Some(path) = &a.json {
        crate::output::write(path, &text)?;
    }
    if let Some(path) = &a.html {
        crate::output::write(path, render::html(&doc, a.ice_curves))?;
    }
    match a.format {
        Format::Json => out!("{text}"),
        Format::Text => out!("{}", render::text(&doc)),
    }
    a.submit
        .upload_report("explain", crate::registry::submit::Verdict::None, &doc)?;
    Ok(ExitCode::SUCCESS)
}
