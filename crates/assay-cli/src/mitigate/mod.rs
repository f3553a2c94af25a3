//! `assay mitigate`: fit a bias-mitigated predictor and show what it changed.
//!
//! The training table is encoded once ([`crate::design`]); [`assay_core::mitigate`] fits the
//! chosen method and assesses the unmitigated and the mitigated predictors on the test table;
//! the mitigated predictor is saved as an `assay.mitigated/1` model that `assay predict` and
//! `assay fairness --model` use, and the report is rendered here ([`render`]).

mod args;
mod render;

pub use args::MitigateArgs;

use std::process::ExitCode;

use std::sync::Arc;

use assay_core::design::{self as core_design, Design};
use assay_core::models;
use assay_model::learners::schema::Unknown;
use assay_model::Model;

use crate::design::{encode_table, load_design, DesignSpec};
use args::{Format, Learner};

/// The training and test designs of a base learner: the features encoded, fitted on the
/// training table.
fn learner_designs(a: &MitigateArgs) -> Result<(Design, Option<Design>), String> {
    let standardize = matches!(a.learner, Learner::Logistic) && !a.no_standardize;
    let train = load_design(
        &a.input,
        &a.data,
        &DesignSpec {
            features: &a.features,
            categorical: &a.categorical,
            label: &a.label,
            positive: a.positive.as_deref(),
            weight: a.weight.as_deref(),
            extra: &a.sensitive,
            ordinal: matches!(a.learner, Learner::Gbdt),
            allow_missing: matches!(a.learner, Learner::Gbdt),
            impute: None,
            standardize,
            unknown: Unknown::Ignore,
            regression: false,
        },
    )?;
    let test = match &a.test {
        Some(t) => Some(encode_table(
            &a.input,
            t,
            &train.specs,
            &a.label,
            &train.class_names,
            a.positive.as_deref(),
            &a.sensitive,
        )?),
        None => None,
    };
    Ok((train, test))
}

/// The training and test designs of a prefit model: its probability on every row
/// ([`core_design::prefit_design`]).
fn prefit_designs(
    a: &MitigateArgs,
    model: &Arc<dyn Model>,
) -> Result<(Design, Option<Design>), String> {
    let spec = DesignSpec {
        label: &a.label,
        positive: a.positive.as_deref(),
        weight: a.weight.as_deref(),
        extra: &a.sensitive,
        ..DesignSpec::default()
    };
    let input = a.input.table_input()?;
    let read = |data: &std::path::Path, classes: Option<&[String]>| {
        core_design::prefit_design(&input, data, model, &spec, classes)
            .map_err(crate::design::message)
    };
    let train = read(&a.data, None)?;
    let test = match &a.test {
        Some(t) => Some(read(t, Some(&train.class_names))?),
        None => None,
    };
    Ok((train, test))
}

/// Runs `assay mitigate`.
pub fn run(a: MitigateArgs) -> Result<ExitCode, String> {
    a.check_columns()?;
    let mut options = a.options();
    a.check(&options)?;
    options.prefit = match &a.model {
        Some(path) => Some(models::prefit(path).map_err(|e| format!("--model: {e}"))?),
        None => None,
    };
    a.check(&options)?;
    let (train, test) = match &options.prefit {
        Some(p) => prefit_designs(&a, &p.model)?,
        None => learner_designs(&a)?,
    };
    if train.class_names.len() != 2 {
        return Err(format!(
            "{}: column '{}' has {} classes; mitigation is for binary decisions: name the positive one with --positive",
            train.path.display(),
            a.label,
            train.class_names.len()
        ));
    }
    let assay_core::mitigate::Mitigation {
        fitted,
        mut report,
        policy_failed,
    } = assay_core::mitigate::mitigate(&options, &train, test.as_ref())?;
    if !policy_failed {
        fitted
            .model
            .save(&a.out)
            .map_err(|e| format!("{}: {e}", a.out.display()))?;
    }
    let mut data = vec![a.data.as_path()];
    data.extend(a.test.as_deref());
    let saved = (!policy_failed).then_some(a.out.as_path());
    let provenance = crate::provenance::of(saved, &data)?;
    report.doc.provenance = Some(provenance);
    let json = serde_json::to_string_pretty(&report.doc).map_err(|e| e.to_string())? + "\n";
    if let Some(p) = &a.json {
        crate::output::write(p, &json)?;
    }
    if let Some(p) = &a.html {
        crate::output::write(p, render::html(&report))?;
    }
    match a.format {
        Format::Json => out!("{json}"),
        Format::Text => out!("{}", render::text(&report, &a.out)),
    }
    let verdict = crate::registry::submit::Verdict::of(a.policy.as_ref().map(|_| !policy_failed));
    a.submit.upload("mitigate", verdict, &json)?;
    if policy_failed {
        eprintln!(
            "assay mitigate: no point of the sweep passes the policy {}; no model was written",
            a.policy
                .as_ref()
                .map_or(String::new(), |p| p.display().to_string())
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
