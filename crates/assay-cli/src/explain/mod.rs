//! `assay explain`: global explanations of any model assay can score.
//!
//! The model's raw input columns are read into a dense matrix ([`table`]; categories as codes)
//! and explained through [`table::ModelPredict`], which hands rows back to the model as a
//! record batch: permutation importance (for accuracy-type scores or a fairness disparity,
//! overall and within each sensitive group), partial dependence, ICE and ALE, from
//! `assay_explain::inspection`. Output: text, JSON (`assay.explain/1`) and an HTML report.

mod args;
mod recourse;
mod render;
mod shap;
mod table;

pub use args::ExplainArgs;

use std::process::ExitCode;

use assay_core::reports::explain::{
    AleCurve, AleResult, ExplainReport, ExplainResult, ExplainedData, GroupImportance,
    PartialDependenceResult, PdCurve, PermutationResult, EXPLAIN_SCHEMA,
};

use assay_explain::inspection::{
    accumulated_local_effects, partial_dependence, permutation_importance,
    permutation_importance_by_group, GridSpec, PdFeature, PdKind, PermutationOptions, Scorer,
    Target,
};
use assay_explain::FeatureGroups;

use args::{Method, OutputFormat, ScorerArg};
use table::{ModelPredict, RawTable};

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

/// The indices of the explained columns (all, or those named by --features).
fn selected(a: &ExplainArgs, t: &RawTable) -> Result<Vec<usize>, String> {
    if a.features.is_empty() {
        return Ok((0..t.columns.len()).collect());
    }
    a.features
        .iter()
        .map(|f| {
            t.columns.iter().position(|c| &c.name == f).ok_or_else(|| {
                format!(
                    "--features: '{f}' is not an input of the model (inputs: {})",
                    t.columns
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        })
        .collect()
}

/// Runs `assay explain`.
pub fn run(a: ExplainArgs) -> Result<ExitCode, String> {
    let trees = match a.method {
        Method::TreeShap => Some(shap::tree_model(&a.model)?),
        _ => None,
    };
    let logistic = match a.method {
        Method::LinearShap => Some(shap::logistic_model(&a.model)?),
        _ => None,
    };
    let model: Box<dyn assay_model::Model> = match (&trees, &logistic) {
        (Some(t), _) => Box::new(t.clone()),
        (_, Some(l)) => Box::new(assay_model::model::LogisticModel::new(l.clone())),
        _ => assay_core::models::open(&a.model).map_err(|e| e.to_string())?,
    };
    let needs_label =
        a.method == Method::Permutation && a.scorer != ScorerArg::DemographicParityDifference;
    if needs_label && a.label.is_none() {
        return Err(format!(
            "--method permutation with --scorer {} needs the true outcome: give --label COLUMN",
            match a.scorer {
                ScorerArg::Accuracy => "accuracy",
                ScorerArg::BalancedAccuracy => "balanced-accuracy",
                ScorerArg::RocAuc => "roc-auc",
                ScorerArg::LogLoss => "log-loss",
                ScorerArg::EqualizedOddsDifference => "equalized-odds-difference",
                ScorerArg::DemographicParityDifference => unreachable!(),
            }
        ));
    }
    let disparity = matches!(
        a.scorer,
        ScorerArg::DemographicParityDifference | ScorerArg::EqualizedOddsDifference
    );
    if a.method == Method::Permutation && disparity && a.sensitive.is_empty() {
        return Err(
            "a disparity scorer compares the groups of --sensitive COLUMNS; name them".into(),
        );
    }
    let t = table::read(
        &a.input,
        &a.data,
        model.as_ref(),
        if needs_label || (a.method == Method::Permutation && a.label.is_some()) {
            a.label.as_deref()
        } else {
            None
        },
        a.positive.as_deref(),
        if matches!(
            a.method,
            Method::Permutation
                | Method::Recourse
                | Method::TreeShap
                | Method::KernelShap
                | Method::LinearShap
        ) {
            &a.sensitive
        } else {
            &[]
        },
    )?;
    let cols = selected(&a, &t)?;
    let predict = ModelPredict::new(model.as_ref(), &t.columns)?;
    let p = t.columns.len();
    let err = |e: assay_explain::ExplainError| format!("{}: {e}", t.path.display());
    let progress = crate::progress::rows("explained");
    let result: ExplainResult = match a.method {
        Method::Permutation => {
            let zeros;
            let y: &[f64] = match &t.y {
                Some(y) => y,
                None => {
                    zeros = vec![0.0; t.n];
                    &zeros
                }
            };
            let (codes, names) = match &t.groups {
                Some(g) => {
                    let (c, n) = table::group_codes(g);
                    (Some(c), n)
                }
                None => (None, Vec::new()),
            };
            let target = Target {
                y,
                sample_weight: None,
                groups: codes.as_deref(),
                threshold: 0.5,
            };
            let groups = FeatureGroups {
                names: cols.iter().map(|&j| t.columns[j].name.clone()).collect(),
                members: cols.iter().map(|&j| vec![j]).collect(),
            };
            let opts = PermutationOptions {
                n_repeats: a.repeats,
                seed: a.seed,
                level: 0.95,
            };
            let s = scorer(a.scorer);
            let r = permutation_importance(&predict, &t.x, t.n, &target, &groups, s, &opts)
                .map_err(err)?;
            let by_group = if codes.is_some() && !s.is_disparity() {
                permutation_importance_by_group(&predict, &t.x, t.n, &target, &groups, s, &opts)
                    .map_err(err)?
                    .into_iter()
                    .map(|(g, imp)| GroupImportance {
                        group: names[g].clone(),
                        importance: render::importance(&imp),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            ExplainResult::Permutation(PermutationResult {
                scorer: s.key().into(),
                importance: render::importance(&r),
                by_group,
                groups: names,
            })
        }
        Method::Pdp | Method::Ice => {
            let kind = if a.method == Method::Ice {
                PdKind::Both
            } else {
                PdKind::Average
            };
            let spec = GridSpec {
                grid_resolution: a.grid_resolution,
                ..GridSpec::default()
            };
            let mut curves = Vec::new();
            for &j in &cols {
                let f = if t.columns[j].categories.is_some() {
                    PdFeature::categorical(j)
                } else {
                    PdFeature::numeric(j)
                };
                let pd = partial_dependence(&predict, &t.x, t.n, &[f], &spec, kind, None)
                    .map_err(err)?;
                let grid = pd.grid_values[0].iter().map(|&v| t.shown(j, v)).collect();
                let k = pd.grid_values[0].len();
                curves.push(PdCurve {
                    feature: t.columns[j].name.clone(),
                    categorical: t.columns[j].categories.is_some(),
                    grid,
                    individual: pd
                        .individual
                        .map(|ice| ice.chunks(k).map(<[f64]>::to_vec).collect()),
                    grid_values: pd.grid_values[0].clone(),
                    average: pd.average,
                });
                progress.set_position(curves.len() as u64);
            }
            ExplainResult::PartialDependence(PartialDependenceResult {
                curves,
                grid_resolution: a.grid_resolution,
                percentiles: [0.05, 0.95],
            })
        }
        Method::Ale => {
            let mut curves = Vec::new();
            let mut skipped = Vec::new();
            for &j in &cols {
                if t.columns[j].categories.is_some() {
                    skipped.push(t.columns[j].name.clone());
                    continue;
                }
                let ale =
                    accumulated_local_effects(&predict, &t.x, t.n, j, a.ale_bins).map_err(err)?;
                curves.push(AleCurve {
                    feature: t.columns[j].name.clone(),
                    edges: ale.edges,
                    effect: ale.effect,
                    counts: ale.counts,
                });
            }
            ExplainResult::Ale(AleResult {
                curves,
                bins: a.ale_bins,
                not_explained_categorical: skipped,
            })
        }
        Method::Counterfactual => {
            ExplainResult::Counterfactual(recourse::counterfactual(&a, &t, &predict)?)
        }
        Method::Recourse => ExplainResult::Recourse(recourse::recourse(&a, &t, &predict)?),
        Method::TreeShap => {
            ExplainResult::Shap(shap::tree(&a, &t, trees.as_ref().expect("loaded above"))?)
        }
        Method::KernelShap => ExplainResult::Shap(shap::kernel(&a, &t, &predict)?),
        Method::LinearShap => ExplainResult::Shap(shap::linear(
            &a,
            &t,
            &predict,
            logistic.as_ref().expect("loaded above"),
        )?),
        Method::Lime => ExplainResult::Lime(shap::lime(&a, &t, &predict)?),
    };
    progress.finish_and_clear();
    let provenance =
        assay_data::provenance::Provenance::new(Some(a.model.as_path()), &[a.data.as_path()])
            .map_err(|e| e.to_string())?;
    let doc = ExplainReport {
        schema: EXPLAIN_SCHEMA.into(),
        assay_version: env!("CARGO_PKG_VERSION").into(),
        provenance,
        method: a.method.name().into(),
        model: a.model.display().to_string(),
        output: match (a.method, model.classes()) {
            (Method::TreeShap | Method::LinearShap, Some(c)) if c.len() == 2 => {
                format!("margin (log-odds of '{}')", c[1])
            }
            (Method::TreeShap, _) => "margin (the ensemble's raw output)".to_string(),
            (_, Some(c)) if c.len() == 2 => format!("probability of '{}'", c[1]),
            _ => model.outputs().first().cloned().unwrap_or_default(),
        },
        data: ExplainedData {
            path: t.path.display().to_string(),
            rows: t.n,
            features: p,
        },
        seed: a.seed,
        result,
    };
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
    // The text and HTML renderers read the report's JSON form.
    let value = serde_json::to_value(&doc).map_err(|e| e.to_string())?;
    if let Some(path) = &a.json {
        crate::output::write(path, &text)?;
    }
    if let Some(path) = &a.html {
        crate::output::write(path, render::html(&value, a.ice_curves))?;
    }
    match a.format {
        OutputFormat::Json => out!("{text}"),
        OutputFormat::Table => out!("{}", render::text(&value)),
    }
    a.submit
        .upload_report("explain", crate::registry::submit::Verdict::None, &doc)?;
    Ok(ExitCode::SUCCESS)
}
