//! `assay mitigate`: fit a bias-mitigated predictor and show what it changed.
//!
//! The training table is encoded once ([`crate::design`]); the chosen method (pre-processing,
//! a reduction, or post-processing of the unmitigated model) is fitted with assay-mitigation;
//! the unmitigated and the mitigated predictors are then assessed on the test table with the
//! same code as `assay fairness` ([`evaluate`]), and the mitigated predictor is saved as an
//! `assay.mitigated/1` model that `assay predict` and `assay fairness --model` use.

mod args;
mod drivers;
mod evaluate;
mod fit;
mod render;
mod sweep;

pub use args::MitigateArgs;

use std::process::ExitCode;

use assay_mitigation::Groups;
use assay_model::learners::schema::Unknown;

use crate::design::{encode_table, load_design, DesignSpec};
use args::{Learner, OutputFormat};

/// Joins the sensitive values of row `i` into its group name (" & " between columns).
fn group_names(extra: &[Vec<String>], n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            extra
                .iter()
                .map(|c| c[i].as_str())
                .collect::<Vec<_>>()
                .join(" & ")
        })
        .collect()
}

/// Runs `assay mitigate`.
pub fn run(a: MitigateArgs) -> Result<ExitCode, String> {
    a.check()?;
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
    if train.class_names.len() != 2 {
        return Err(format!(
            "{}: column '{}' has {} classes; mitigation is for binary decisions: name the positive one with --positive",
            train.path.display(),
            a.label,
            train.class_names.len()
        ));
    }
    let groups = Groups::from_labels(&group_names(&train.extra, train.n));
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
    let eval_on = test.as_ref().unwrap_or(&train);
    let eval_groups = group_names(&eval_on.extra, eval_on.n);
    let (fitted, sweep) = if a.sweep {
        let (f, s) = sweep::run(&a, &train, &groups, eval_on, &eval_groups)?;
        (f, Some(s))
    } else {
        (fit::fit(&a, &train, &groups)?, None)
    };
    let mut report = evaluate::report(&a, &train, eval_on, test.is_some(), &eval_groups, &fitted)?;
    // With a policy and no passing point nothing is saved, and the exit code says so.
    let policy_failed = sweep.as_ref().is_some_and(|s| s.chosen.is_none());
    if let Some(s) = sweep {
        report.doc.sweep = Some(s.report());
        report.sweep = Some(s);
    }
    report.doc.model.saved = !policy_failed;
    if !policy_failed {
        fitted
            .model
            .save(&a.out)
            .map_err(|e| format!("{}: {e}", a.out.display()))?;
    }
    let mut data = vec![a.data.as_path()];
    data.extend(a.test.as_deref());
    let saved = (!policy_failed).then_some(a.out.as_path());
    let provenance =
        assay_data::provenance::Provenance::new(saved, &data).map_err(|e| e.to_string())?;
    report.doc.provenance = Some(provenance);
    let json = serde_json::to_string_pretty(&report.doc).map_err(|e| e.to_string())? + "\n";
    if let Some(p) = &a.json {
        crate::output::write(p, &json)?;
    }
    if let Some(p) = &a.html {
        crate::output::write(p, render::html(&report))?;
    }
    match a.format {
        OutputFormat::Json => out!("{json}"),
        OutputFormat::Table => out!("{}", render::text(&report, &a.out)),
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
