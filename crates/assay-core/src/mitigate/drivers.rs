//! What drives the disparity before mitigation: permutation importance (Breiman 2001) of the
//! disparity being mitigated, for the unmitigated model's decisions on the evaluation rows, one
//! raw column at a time (a one-hot column's indicator columns are shuffled together). The
//! disparity follows the constraint ([`disparity_for`]): the equalized-odds difference for the
//! error-rate constraints, the demographic-parity difference otherwise.
//! A positive importance means shuffling the feature shrinks the gap: the feature carries it
//! (often as a proxy for the sensitive attribute).

use assay_explain::inspection::{permutation_importance, PermutationOptions, Scorer, Target};
use assay_explain::predict::FnPredict;
use assay_explain::{ExplainError, FeatureGroups};
use assay_mitigation::{Groups, Predictor};
use assay_model::learners::{FeatureSpec, Matrix};

use crate::design::Design;

use super::Constraint;

/// The report's types.
pub use crate::reports::mitigation::{Driver, Drivers};

/// The disparity whose drivers explain the gap a constraint closes: the equalized-odds
/// difference (Fairlearn's; the larger of the TPR and FPR spreads) for equalized odds and for
/// TPR or FPR parity, the demographic-parity difference for demographic parity, for error-rate
/// parity (no error-rate scorer exists) and for the methods without a constraint.
pub fn disparity_for(constraint: Option<Constraint>) -> Scorer {
    match constraint {
        Some(
            Constraint::EqualizedOdds
            | Constraint::TruePositiveRateParity
            | Constraint::FalsePositiveRateParity,
        ) => Scorer::EqualizedOddsDifference,
        _ => Scorer::DemographicParityDifference,
    }
}

/// Permutation importance of `scorer` (a disparity: [`disparity_for`]) for the unmitigated
/// `base` predictor on the evaluation rows (`eval`, encoded with `specs`), with groups
/// `eval_groups`.
pub fn gap_drivers(
    base: &Predictor,
    specs: &[FeatureSpec],
    eval: &Design,
    eval_groups: &[String],
    seed: u64,
    scorer: Scorer,
) -> Result<Drivers, String> {
    let codes: Vec<usize> = Groups::from_labels(eval_groups)
        .codes
        .into_iter()
        .map(|c| c as usize)
        .collect();
    let mut members = Vec::with_capacity(specs.len());
    let mut at = 0;
    for s in specs {
        members.push((at..at + s.width()).collect());
        at += s.width();
    }
    let groups = FeatureGroups {
        names: specs.iter().map(|s| s.column().to_string()).collect(),
        members,
    };
    let d = eval.d;
    let predict = FnPredict::new(d, |x: &[f64], n: usize| {
        let m = Matrix::with_rows(x, n, d).map_err(|e| ExplainError::Model(e.to_string()))?;
        base.score(&m)
            .map_err(|e| ExplainError::Model(e.to_string()))
    });
    let target = Target {
        y: &eval.y,
        sample_weight: None,
        groups: Some(&codes),
        // The unmitigated predictor decides `P(y = 1) > 0.5`.
        threshold: 0.5,
    };
    let options = PermutationOptions {
        n_repeats: 5,
        seed,
        level: 0.95,
    };
    let r = permutation_importance(
        &predict, &eval.x, eval.n, &target, &groups, scorer, &options,
    )
    .map_err(|e| format!("{}: {e}", eval.path.display()))?;
    let mut features: Vec<Driver> = r
        .features
        .iter()
        .map(|f| Driver {
            feature: f.name.clone(),
            importance: f.mean,
            std: f.std,
        })
        .collect();
    features.sort_by(|a, b| b.importance.total_cmp(&a.importance));
    Ok(Drivers {
        disparity: scorer.key().into(),
        baseline: r.baseline,
        repeats: options.n_repeats,
        features,
    })
}
