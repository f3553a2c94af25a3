//! Fitting the unmitigated and the mitigated predictor of `assay mitigate`.

use serde_json::{json, Value};

use assay_mitigation::postprocessing::{self, ThresholdOptimizer};
use assay_mitigation::preprocessing::{reweigh, uniform_resample, CorrelationRemover};
use assay_mitigation::reductions::{self, ExponentiatedGradient, GridSearch};
use assay_mitigation::{BaseLearner, Decision, Groups, MitigatedModel, Predictor};
use assay_model::learners::{GradientBoosting, LogisticRegression, Matrix};

use super::args::{ConstraintArg, Learner, Method, MitigateArgs, ObjectiveArg};
use crate::design::Design;

/// What fitting produced.
pub struct Fitted {
    /// The unmitigated predictor (the base learner on the training data as it is).
    pub base: Predictor,
    /// The mitigated model, ready to save.
    pub model: MitigatedModel,
    /// Method-specific facts for the report (iterations, weights table, thresholds ...).
    pub details: Value,
    /// Seconds spent fitting the mitigated predictor.
    pub seconds: f64,
}

/// The base learner of the flags.
pub fn learner(a: &MitigateArgs) -> BaseLearner {
    match a.learner {
        Learner::Logistic => BaseLearner::Logistic(LogisticRegression {
            c: a.c,
            ..LogisticRegression::default()
        }),
        Learner::Gbdt => BaseLearner::Gbdt(GradientBoosting {
            n_trees: a.trees,
            learning_rate: a.learning_rate,
            max_leaves: Some(a.max_leaves),
            ..GradientBoosting::default()
        }),
    }
}

fn reduction_constraint(c: ConstraintArg) -> reductions::Constraint {
    use reductions::{Constraint as C, ParityBound};
    let bound = ParityBound::default();
    match c {
        ConstraintArg::DemographicParity => C::DemographicParity { bound },
        ConstraintArg::EqualizedOdds => C::EqualizedOdds { bound },
        ConstraintArg::TruePositiveRateParity => C::TruePositiveRateParity { bound },
        ConstraintArg::FalsePositiveRateParity => C::FalsePositiveRateParity { bound },
        ConstraintArg::ErrorRateParity => C::ErrorRateParity { bound },
    }
}

fn threshold_constraint(c: ConstraintArg) -> postprocessing::Constraint {
    use postprocessing::Constraint as C;
    match c {
        ConstraintArg::DemographicParity => C::DemographicParity,
        ConstraintArg::EqualizedOdds => C::EqualizedOdds,
        ConstraintArg::TruePositiveRateParity => C::TruePositiveRateParity,
        ConstraintArg::FalsePositiveRateParity => C::FalsePositiveRateParity,
        ConstraintArg::ErrorRateParity => unreachable!("rejected by MitigateArgs::check"),
    }
}

/// The constraint's name as on the command line.
pub fn constraint_name(c: ConstraintArg) -> &'static str {
    match c {
        ConstraintArg::DemographicParity => "demographic-parity",
        ConstraintArg::EqualizedOdds => "equalized-odds",
        ConstraintArg::TruePositiveRateParity => "true-positive-rate-parity",
        ConstraintArg::FalsePositiveRateParity => "false-positive-rate-parity",
        ConstraintArg::ErrorRateParity => "error-rate-parity",
    }
}

/// Fits the unmitigated predictor and the method's mitigated one on `train`.
pub fn fit(a: &MitigateArgs, train: &Design, groups: &Groups) -> Result<Fitted, String> {
    let x = Matrix::with_rows(&train.x, train.n, train.d).map_err(|e| e.to_string())?;
    let ones;
    let w: &[f64] = match &train.weights {
        Some(w) => w,
        None => {
            ones = vec![1.0; train.n];
            &ones
        }
    };
    let learner = learner(a);
    let err = |e: assay_mitigation::MitigationError| format!("{}: {e}", train.path.display());
    let base = learner.fit(&x, &train.y, w).map_err(err)?;
    let start = std::time::Instant::now();
    let (decision, details, method) = match a.method {
        Method::Reweighing => {
            let r = reweigh(groups, &train.y, train.weights.as_deref()).map_err(err)?;
            let p = learner.fit(&x, &train.y, &r.weights).map_err(err)?;
            let cells: Vec<Value> = r
                .cells
                .iter()
                .map(|c| {
                    json!({
                        "group": c.group_name,
                        "label": train.class_names[c.label as usize],
                        "rows": c.count,
                        "observed": c.observed,
                        "expected": c.expected,
                        "weight_factor": c.factor,
                    })
                })
                .collect();
            (
                Decision::Single { predictor: p },
                json!({ "cells": cells }),
                "reweighing (Kamiran & Calders 2012)".to_string(),
            )
        }
        Method::Resampling => {
            let r = uniform_resample(groups, &train.y, a.seed).map_err(err)?;
            let mut xs = Vec::with_capacity(r.rows.len() * train.d);
            let (mut ys, mut ws) = (Vec::new(), Vec::new());
            for &i in &r.rows {
                xs.extend_from_slice(x.row(i));
                ys.push(train.y[i]);
                ws.push(w[i]);
            }
            let xm = Matrix::with_rows(&xs, r.rows.len(), train.d).map_err(|e| e.to_string())?;
            let p = learner.fit(&xm, &ys, &ws).map_err(err)?;
            let cells: Vec<Value> = r
                .cells
                .iter()
                .map(|c| {
                    json!({
                        "group": c.group_name,
                        "label": train.class_names[c.label as usize],
                        "rows": c.count,
                        "target": c.target,
                        "drawn": c.drawn,
                    })
                })
                .collect();
            (
                Decision::Single { predictor: p },
                json!({ "rows_resampled": r.rows.len(), "cells": cells }),
                format!(
                    "uniform resampling (Kamiran & Calders 2012), seed {}",
                    a.seed
                ),
            )
        }
        Method::CorrelationRemover => {
            let (remover, t) = CorrelationRemover::new(a.alpha)
                .and_then(|c| c.fit_transform(&x, groups))
                .map_err(err)?;
            let xm = Matrix::with_rows(&t, train.n, train.d).map_err(|e| e.to_string())?;
            let p = learner.fit(&xm, &train.y, w).map_err(err)?;
            (
                Decision::Decorrelated {
                    remover,
                    predictor: p,
                },
                json!({ "alpha": a.alpha }),
                format!("correlation remover (Fairlearn), alpha {}", a.alpha),
            )
        }
        Method::ExponentiatedGradient => {
            let mut eg = ExponentiatedGradient::new(reduction_constraint(a.constraint));
            eg.eps = a.eps;
            eg.max_iter = a.max_iter;
            let r = eg
                .fit(&learner, &x, &train.y, groups, train.weights.as_deref())
                .map_err(err)?;
            let details = json!({
                "iterations": r.last_iter,
                "oracle_calls": r.n_oracle_calls,
                "best_gap": r.best_gap,
                "predictors": r.predictors.len(),
                "predictors_in_support": r.weights.iter().filter(|&&w| w > 0.0).count(),
                "training_error": r.training_error(),
                "training_constraint_violation": r.training_gamma().iter().cloned().fold(f64::NEG_INFINITY, f64::max),
                "collapsed": a.collapse,
            });
            let decision = if a.collapse {
                Decision::Single {
                    predictor: r.best_deterministic_predictor().clone(),
                }
            } else {
                let keep: Vec<usize> = (0..r.weights.len())
                    .filter(|&j| r.weights[j] > 0.0)
                    .collect();
                let total: f64 = keep.iter().map(|&j| r.weights[j]).sum();
                Decision::Mixture {
                    weights: keep.iter().map(|&j| r.weights[j] / total).collect(),
                    predictors: keep.iter().map(|&j| r.predictors[j].clone()).collect(),
                }
            };
            (
                decision,
                details,
                format!(
                    "exponentiated gradient (Agarwal et al. 2018), {}, eps {}{}",
                    constraint_name(a.constraint),
                    a.eps,
                    if a.collapse {
                        ", collapsed to the best single predictor"
                    } else {
                        ""
                    }
                ),
            )
        }
        Method::GridSearch => {
            let mut gs = GridSearch::new(reduction_constraint(a.constraint));
            gs.grid_size = a.grid_size;
            gs.constraint_weight = a.constraint_weight;
            let r = gs
                .fit(&learner, &x, &train.y, groups, train.weights.as_deref())
                .map_err(err)?;
            let details = json!({
                "grid_points": r.predictors.len(),
                "best_index": r.best_idx,
                "best_lambda": r.lambda_vecs[r.best_idx],
                "training_error": r.objectives[r.best_idx],
                "training_constraint_violation": r.gammas[r.best_idx].iter().cloned().fold(f64::NEG_INFINITY, f64::max),
            });
            (
                Decision::Single {
                    predictor: r.best().clone(),
                },
                details,
                format!(
                    "grid search (Agarwal et al. 2018), {}, {} points, constraint weight {}",
                    constraint_name(a.constraint),
                    a.grid_size,
                    a.constraint_weight
                ),
            )
        }
        Method::ThresholdOptimizer => {
            let to = ThresholdOptimizer {
                constraint: threshold_constraint(a.constraint),
                objective: match a.objective {
                    ObjectiveArg::Accuracy => postprocessing::Objective::AccuracyScore,
                    ObjectiveArg::BalancedAccuracy => {
                        postprocessing::Objective::BalancedAccuracyScore
                    }
                },
                ..ThresholdOptimizer::default()
            };
            let scores = base.score(&x).map_err(err)?;
            let t = to
                .fit(&scores, &train.y, groups, train.weights.as_deref())
                .map_err(err)?;
            let details = json!({ "groups": t.groups, "interpolation": t.interpolation, "tradeoff": t.tradeoff });
            (
                Decision::Thresholds {
                    base: base.clone(),
                    thresholds: t,
                },
                details,
                format!(
                    "threshold optimizer (Hardt et al. 2016), {}, objective {}",
                    constraint_name(a.constraint),
                    match a.objective {
                        ObjectiveArg::Accuracy => "accuracy",
                        ObjectiveArg::BalancedAccuracy => "balanced accuracy",
                    }
                ),
            )
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let model = MitigatedModel::new(
        method,
        a.label.clone(),
        train.class_names.clone(),
        a.positive.clone(),
        train.specs.clone(),
        a.sensitive.clone(),
        groups.names.clone(),
        a.seed,
        decision,
    )
    .map_err(|e| e.to_string())?;
    Ok(Fitted {
        base,
        model,
        details,
        seconds,
    })
}
