//! The before/after assessment of a mitigation, with the fairness assessment's own code
//! (`assay_fairness::assess`).

use assay_explain::inspection::Scorer;
use std::sync::Arc;

use crate::reports::finite;
use crate::reports::mitigation::{
    Evaluation, ExpectedFigures, ExpectedGroup, MitigationReport, MitigationSettings, SavedModel,
    Summary, TrainTable, MITIGATION_SCHEMA,
};
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};

use assay_data::{BatchStream, ColumnRoles};
use assay_fairness::{assess, AssessOptions, Assessment};
use assay_mitigation::postprocessing::{group_calibration_curves, BinStrategy};
use assay_mitigation::{BaseOutputs, Decision, Groups, MitigatedModel, Predictor};
use assay_model::learners::Matrix;
use assay_model::Model;

use super::fit::Fitted;
use super::MitigateOptions;
use crate::design::Design;

/// The report's types.
pub use crate::reports::mitigation::{CalibrationCurves, Figures, GroupFigures};

/// Everything a mitigation reports.
pub struct Report {
    /// The trade-off sweep (`--sweep`), added by [`super::sweep`].
    pub sweep: Option<super::sweep::Sweep>,
    /// The whole report (provenance, `model.saved` and the sweep are set by the caller); the
    /// text and HTML renderers read it.
    pub doc: MitigationReport,
}

fn metric(a: &Assessment, key: &str) -> Option<f64> {
    a.overall.metrics.get(key).copied().flatten()
}

fn disparity(a: &Assessment, key: &str) -> Option<f64> {
    a.disparity(key).and_then(|d| d.value)
}

fn figures(a: &Assessment) -> Figures {
    let groups: Vec<GroupFigures> = a
        .groups
        .iter()
        .map(|g| GroupFigures {
            group: assay_data::groups::key(g.group.iter().map(|(_, v)| v.as_str())),
            rows: g.count,
            selection_rate: g.metrics.get("selection_rate").copied().flatten(),
            accuracy: g.metrics.get("accuracy").copied().flatten(),
            tpr: g.metrics.get("tpr").copied().flatten(),
            fpr: g.metrics.get("fpr").copied().flatten(),
        })
        .collect();
    let acc: Vec<f64> = a
        .groups
        .iter()
        .filter(|g| g.eligible)
        .filter_map(|g| g.metrics.get("accuracy").copied().flatten())
        .collect();
    let accuracy_difference = (acc.len() >= 2).then(|| {
        acc.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - acc.iter().cloned().fold(f64::INFINITY, f64::min)
    });
    Figures {
        accuracy: metric(a, "accuracy"),
        balanced_accuracy: metric(a, "balanced_accuracy"),
        selection_rate: metric(a, "selection_rate"),
        demographic_parity_difference: disparity(a, "demographic_parity_difference"),
        disparate_impact_ratio: disparity(a, "disparate_impact_ratio"),
        equalized_odds_difference: disparity(a, "equalized_odds_difference"),
        equal_opportunity_difference: disparity(a, "equal_opportunity_difference"),
        accuracy_difference,
        groups,
    }
}

/// Assesses 0/1 `decisions` against the evaluation labels with `assay fairness`'s code.
pub fn assess_decisions(
    a: &MitigateOptions,
    eval: &Design,
    decisions: Vec<f64>,
) -> Result<Assessment, String> {
    let taken = |n: &str| a.sensitive.iter().any(|s| s == n);
    let label = if taken("label") { "_label" } else { "label" };
    let prediction = if taken("prediction") {
        "_prediction"
    } else {
        "prediction"
    };
    let mut fields = vec![
        Field::new(label, DataType::Float64, false),
        Field::new(prediction, DataType::Float64, false),
    ];
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(Float64Array::from(eval.y.clone())),
        Arc::new(Float64Array::from(decisions)),
    ];
    for (name, values) in a.sensitive.iter().zip(&eval.extra) {
        fields.push(Field::new(name, DataType::Utf8, false));
        columns.push(Arc::new(StringArray::from(values.clone())));
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| e.to_string())?;
    let stream = BatchStream::new(
        eval.path.clone(),
        schema,
        Box::new(std::iter::once(Ok(batch))),
    );
    let roles = ColumnRoles {
        label: label.to_string(),
        prediction: Some(prediction.to_string()),
        score: None,
        threshold: None,
        sensitive: a.sensitive.clone(),
        weight: None,
        positive: None,
        bins: Vec::new(),
        outcomes: Vec::new(),
    };
    let mut opts = AssessOptions::new(roles);
    opts.bootstrap = a.bootstrap;
    opts.seed = a.seed;
    opts.scan = false;
    assess(stream, &opts).map_err(|e| e.to_string())
}

/// Scores the evaluation rows before and after mitigation, assesses both, and assembles the
/// report.
pub fn report(
    a: &MitigateOptions,
    train: &Design,
    eval: &Design,
    on_test: bool,
    eval_groups: &[String],
    fitted: &Fitted,
) -> Result<Report, String> {
    let x = Matrix::with_rows(&eval.x, eval.n, eval.d).map_err(|e| e.to_string())?;
    let path = eval.path.display().to_string();
    // The base predictor scores the rows once: its decisions, and the input of a
    // post-processing method's decision and of the calibration curves.
    let outputs = fitted
        .base
        .outputs(&x)
        .map_err(|e| format!("{path}: {e}"))?;
    let before = super::fit::unmitigated_decisions(a, &outputs);
    let model = &fitted.model;
    let (p, after) = model_decisions(
        model,
        &x,
        &path,
        eval_groups,
        Some((&fitted.base, &outputs)),
    )?;
    let randomized = model.is_randomized();
    // For a deterministic predictor the expected decisions are the decisions.
    let expected_p: Vec<f64> = if randomized { p.clone() } else { after.clone() };
    let expected_after = figures_of_expected(&expected_p, eval, eval_groups);
    let calibration = match &model.decision {
        Decision::Calibrated { base, .. } => {
            let scored;
            let before_scores = if base == &fitted.base {
                &outputs.score
            } else {
                scored = base.score(&x).map_err(|e| format!("{path}: {e}"))?;
                &scored
            };
            let g = Groups::from_labels(eval_groups);
            let curves = |prob: &[f64]| {
                group_calibration_curves(&eval.y, prob, &g, CALIBRATION_BINS, BinStrategy::Uniform)
                    .map_err(|e| format!("{path}: {e}"))
            };
            Some(CalibrationCurves {
                bins: CALIBRATION_BINS,
                groups: g.names.clone(),
                before: curves(before_scores)?,
                after: curves(&p)?,
            })
        }
        _ => None,
    };
    let before_a = assess_decisions(a, eval, before)?;
    let after_a = assess_decisions(a, eval, after)?;
    // Only meaningful between at least two groups.
    // The drivers permute encoded features; a prefit model's design has only its score.
    let drivers = if a.prefit.is_none() && eval_groups.iter().any(|g| g != &eval_groups[0]) {
        let scorer =
            super::drivers::disparity_for(a.method.takes_constraint().then_some(a.constraint));
        let drivers = |scorer| {
            super::drivers::gap_drivers(
                &fitted.base,
                &train.specs,
                eval,
                eval_groups,
                a.seed,
                scorer,
            )
        };
        // The equalized-odds difference needs both labels in every group; where one lacks
        // them, the drivers of the selection-rate gap are shown (the report names which).
        Some(match drivers(scorer) {
            Err(_) if scorer != Scorer::DemographicParityDifference => {
                drivers(Scorer::DemographicParityDifference)?
            }
            r => r?,
        })
    } else {
        None
    };
    let (fb, fa) = (figures(&before_a), figures(&after_a));
    let doc = MitigationReport {
        schema: MITIGATION_SCHEMA.into(),
        assay_version: env!("CARGO_PKG_VERSION").into(),
        provenance: None,
        method: model.method.clone(),
        settings: MitigationSettings {
            method: a.method.name().into(),
            learner: match (&a.prefit, a.learner) {
                (Some(p), _) => format!("prefit {} ({})", p.format, p.embedded.file),
                (None, super::Learner::Logistic) => "logistic".into(),
                (None, super::Learner::Gbdt) => "gbdt".into(),
            },
            sensitive: a.sensitive.clone(),
            seed: a.seed,
        },
        train: TrainTable {
            path: train.path.display().to_string(),
            rows: train.n,
            features: match &a.prefit {
                Some(p) => p.model.input_schema().columns.len(),
                None => train.d,
            },
        },
        evaluation: Evaluation {
            path: path.clone(),
            rows: eval.n,
            on_test_data: on_test,
        },
        model: SavedModel {
            path: a.model_path.clone(),
            sensitive_at_decision: model.sensitive_at_decision,
            randomized,
            seed: model.seed,
            saved: false,
        },
        fit_seconds: fitted.seconds,
        details: fitted.details.clone(),
        summary: Summary {
            before: fb,
            after: fa,
            after_expected: expected_after,
        },
        calibration_curves: calibration,
        gap_drivers: drivers,
        before: before_a,
        after: after_a,
        sweep: None,
    };
    Ok(Report { sweep: None, doc })
}

/// Bins of the reliability diagrams of `calibrate` (uniform on [0, 1]).
const CALIBRATION_BINS: usize = 10;

/// `P(ŷ = 1 | x)` and the 0/1 decisions of `model` on the encoded evaluation rows `x` of the
/// groups `eval_groups` (randomized decisions drawn with the model's seed and the row's
/// position, as the model's own decision rule does; deterministic ones are `p > 0.5`).
/// `known`, a base predictor and its outputs on `x`, spares a post-processing model of that
/// predictor from scoring the rows again ([`MitigatedModel::probability_given`]).
pub fn model_decisions(
    model: &MitigatedModel,
    x: &Matrix,
    path: &str,
    eval_groups: &[String],
    known: Option<(&Predictor, &BaseOutputs)>,
) -> Result<(Vec<f64>, Vec<f64>), String> {
    let codes: Vec<u32> = if model.sensitive_at_decision {
        eval_groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                model
                    .groups
                    .iter()
                    .position(|n| n == g)
                    .map(|c| c as u32)
                    .ok_or_else(|| {
                        format!(
                            "{path}: row {}: group '{g}' does not occur in the training data ({}); the mitigated model decides by group",
                            i + 1,
                            model.groups.join(", ")
                        )
                    })
            })
            .collect::<Result<_, _>>()?
    } else {
        vec![0; x.n_rows()]
    };
    let p = known
        .and_then(|(base, outputs)| model.probability_given(base, outputs, &codes))
        .unwrap_or_else(|| model.probability(x, &codes))
        .map_err(|e| format!("{path}: {e}"))?;
    let decisions = p
        .iter()
        .enumerate()
        .map(|(i, &p)| f64::from(u8::from(Model::decide(model, i as u64, p))))
        .collect();
    Ok((p, decisions))
}

pub use assay_fairness::expected::{expected_rates, spread, ExpectedRates};

/// Figures of the expected decisions `P(ŷ = 1)` (what a randomized classifier achieves on
/// average, free of the draw; for a deterministic predictor they equal the decisions' own):
/// accuracy, per-group selection rate, true- and false-positive rate, and the
/// demographic-parity, equalized-odds and disparate-impact figures over those groups (every
/// group, also small ones).
fn figures_of_expected(p: &[f64], eval: &Design, groups: &[String]) -> ExpectedFigures {
    let r = expected_rates(p, &eval.y, groups);
    let lo = r.selection.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = r
        .selection
        .iter()
        .cloned()
        .fold(f64::NEG_INFINITY, f64::max);
    ExpectedFigures {
        accuracy: finite(r.accuracy),
        groups: r
            .names
            .iter()
            .enumerate()
            .map(|(k, g)| ExpectedGroup {
                group: g.clone(),
                selection_rate: finite(r.selection[k]),
                tpr: finite(r.tpr[k]),
                fpr: finite(r.fpr[k]),
            })
            .collect(),
        demographic_parity_difference: finite(spread(&r.selection)),
        disparate_impact_ratio: finite(if hi > 0.0 { lo / hi } else { f64::NAN }),
        equalized_odds_difference: finite(spread(&r.tpr).max(spread(&r.fpr))),
        equal_opportunity_difference: finite(spread(&r.tpr)),
    }
}
