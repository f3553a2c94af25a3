//! Fitting the unmitigated and the mitigated predictor.

use crate::reports::finite;
use crate::reports::mitigation::{MethodDetails, ResampleCell, ReweighCell};

use assay_mitigation::postprocessing::{
    self, CalibrationMethod, FairnessMetric, GroupCalibrator, RejectOptionClassifier,
    ThresholdOptimizer,
};
use assay_mitigation::preprocessing::{
    reweigh, uniform_resample, CorrelationRemover, DisparateImpactRemover,
};
use assay_mitigation::reductions::{self, ExponentiatedGradient, GridSearch};
use assay_mitigation::{BaseLearner, BaseOutputs, Decision, Groups, MitigatedModel, Predictor};
use assay_model::learners::{GradientBoosting, LogisticRegression, Matrix};

use super::{Calibration, Constraint, Learner, Method, MitigateOptions, Objective, RocMetric};
use crate::design::Design;

/// What fitting produced.
pub struct Fitted {
    /// The unmitigated predictor (the base learner on the training data as it is).
    pub base: Predictor,
    /// The mitigated model, ready to save.
    pub model: MitigatedModel,
    /// Method-specific facts for the report (iterations, weights table, thresholds ...).
    pub details: MethodDetails,
    /// Seconds spent fitting the mitigated predictor.
    pub seconds: f64,
}

/// The base learner of the options.
pub fn learner(a: &MitigateOptions) -> BaseLearner {
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

/// Grid search's difference bound: Fairlearn's default `difference_bound` (0.01).
const GRID_SEARCH_BOUND: f64 = 0.01;

/// The reductions' constraint with the difference bound `bound` (Fairlearn's
/// `difference_bound`).
fn reduction_constraint(c: Constraint, bound: f64) -> reductions::Constraint {
    use reductions::{Constraint as C, ParityBound};
    let bound = ParityBound::Difference(bound);
    match c {
        Constraint::DemographicParity => C::DemographicParity { bound },
        Constraint::EqualizedOdds => C::EqualizedOdds { bound },
        Constraint::TruePositiveRateParity => C::TruePositiveRateParity { bound },
        Constraint::FalsePositiveRateParity => C::FalsePositiveRateParity { bound },
        Constraint::ErrorRateParity => C::ErrorRateParity { bound },
    }
}

fn threshold_constraint(c: Constraint) -> postprocessing::Constraint {
    use postprocessing::Constraint as C;
    match c {
        Constraint::DemographicParity => C::DemographicParity,
        Constraint::EqualizedOdds => C::EqualizedOdds,
        Constraint::TruePositiveRateParity => C::TruePositiveRateParity,
        Constraint::FalsePositiveRateParity => C::FalsePositiveRateParity,
        Constraint::ErrorRateParity => unreachable!("rejected by MitigateOptions::check"),
    }
}

/// The constraint's name (as Fairlearn's, hyphenated).
pub fn constraint_name(c: Constraint) -> &'static str {
    match c {
        Constraint::DemographicParity => "demographic-parity",
        Constraint::EqualizedOdds => "equalized-odds",
        Constraint::TruePositiveRateParity => "true-positive-rate-parity",
        Constraint::FalsePositiveRateParity => "false-positive-rate-parity",
        Constraint::ErrorRateParity => "error-rate-parity",
    }
}

/// The training rows held out to fit the calibrators on (the calibration fraction): the
/// `round(fraction · n)` rows with the smallest seeded SplitMix64 keys (Steele, Lea & Flood
/// 2014) of their position, so the split depends only on the seed, `n` and the fraction.
pub fn calibration_split(n: usize, fraction: f64, seed: u64) -> Vec<bool> {
    let k = (fraction * n as f64).round() as usize;
    let mut order: Vec<(u64, usize)> = (0..n)
        .map(|i| (assay_numerics::random::counter_key(seed, i as u64), i))
        .collect();
    order.sort_unstable();
    let mut held = vec![false; n];
    for &(_, i) in order.iter().take(k) {
        held[i] = true;
    }
    held
}

/// The rows of `x` (row-major data), `y` and `w` where `keep` is true.
fn subset(x: &Matrix, y: &[f64], w: &[f64], keep: &[bool]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut xs = Vec::new();
    let (mut ys, mut ws) = (Vec::new(), Vec::new());
    for i in (0..y.len()).filter(|&i| keep[i]) {
        xs.extend_from_slice(x.row(i));
        ys.push(y[i]);
        ws.push(w[i]);
    }
    (xs, ys, ws)
}

fn unit_weights(train: &Design) -> Vec<f64> {
    train.weights.clone().unwrap_or_else(|| vec![1.0; train.n])
}

/// Fits the unmitigated predictor: the base learner on the training rows (for `calibrate`
/// with a calibration fraction, on the rows not held out for the calibrators).
pub fn fit_base(a: &MitigateOptions, train: &Design) -> Result<Predictor, String> {
    if a.prefit.is_some() {
        // The design's one column is the prefit model's probability.
        return Ok(Predictor::Score);
    }
    let x = Matrix::with_rows(&train.x, train.n, train.d).map_err(|e| e.to_string())?;
    let w = unit_weights(train);
    let err = |e: assay_mitigation::MitigationError| format!("{}: {e}", train.path.display());
    if a.method == Method::Calibrate && a.calibration_fraction > 0.0 {
        let keep: Vec<bool> = calibration_split(train.n, a.calibration_fraction, a.seed)
            .into_iter()
            .map(|h| !h)
            .collect();
        let (xs, ys, ws) = subset(&x, &train.y, &w, &keep);
        let xm = Matrix::with_rows(&xs, ys.len(), train.d).map_err(|e| e.to_string())?;
        return learner(a).fit(&xm, &ys, &ws).map_err(err);
    }
    learner(a).fit(&x, &train.y, &w).map_err(err)
}

/// The unmitigated model's 0/1 decisions from its outputs on the evaluation rows
/// ([`Predictor::outputs`]): the base predictor's `predict`, or a prefit model's own decision
/// rule ([`assay_model::Model::decide`]: `p > 0.5`, or for a randomized model the seeded draw
/// at the row's position, as `assay predict` makes it).
pub fn unmitigated_decisions(a: &MitigateOptions, outputs: &BaseOutputs) -> Vec<f64> {
    match &a.prefit {
        Some(p) => outputs
            .score
            .iter()
            .enumerate()
            .map(|(i, &s)| f64::from(u8::from(p.model.decide(i as u64, s))))
            .collect(),
        None => outputs.predict.clone(),
    }
}

/// The privileged groups of the reject option: the named ones (checked), or the group with
/// the highest (weighted) base rate `P(y = 1 | g)` in the training data, the first by name on
/// ties.
fn privileged_groups(
    a: &MitigateOptions,
    train: &Design,
    groups: &Groups,
) -> Result<(Vec<String>, bool), String> {
    if !a.privileged.is_empty() {
        for p in &a.privileged {
            if !groups.names.contains(p) {
                return Err(format!(
                    "privileged: group '{p}' does not occur in the training data (groups: {})",
                    groups.names.join(", ")
                ));
            }
        }
        return Ok((a.privileged.clone(), false));
    }
    let w = unit_weights(train);
    let mut sums = vec![[0.0f64; 2]; groups.n_groups()];
    for i in 0..train.n {
        let s = &mut sums[groups.codes[i] as usize];
        s[0] += w[i];
        s[1] += w[i] * train.y[i];
    }
    let mut best: Option<(usize, f64)> = None;
    for (g, s) in sums.iter().enumerate() {
        if s[0] > 0.0 {
            let rate = s[1] / s[0];
            if best.is_none_or(|(_, r)| rate > r) {
                best = Some((g, rate));
            }
        }
    }
    let (g, _) = best.ok_or("no training row has a positive weight")?;
    Ok((vec![groups.names[g].clone()], true))
}

/// Fits the unmitigated predictor and the method's mitigated one on `train`.
pub fn fit(a: &MitigateOptions, train: &Design, groups: &Groups) -> Result<Fitted, String> {
    let base = fit_base(a, train)?;
    fit_method(a, train, groups, base)
}

/// Fits the method's mitigated predictor on `train`, given the unmitigated one.
pub fn fit_method(
    a: &MitigateOptions,
    train: &Design,
    groups: &Groups,
    base: Predictor,
) -> Result<Fitted, String> {
    let x = Matrix::with_rows(&train.x, train.n, train.d).map_err(|e| e.to_string())?;
    let ones = unit_weights(train);
    let w: &[f64] = &ones;
    let learner = learner(a);
    let err = |e: assay_mitigation::MitigationError| format!("{}: {e}", train.path.display());
    let start = std::time::Instant::now();
    let (decision, details, method) = match a.method {
        Method::Reweighing => {
            let r = reweigh(groups, &train.y, train.weights.as_deref()).map_err(err)?;
            let p = learner.fit(&x, &train.y, &r.weights).map_err(err)?;
            let cells = r
                .cells
                .iter()
                .map(|c| ReweighCell {
                    group: c.group_name.clone(),
                    label: train.class_names[c.label as usize].clone(),
                    rows: c.count,
                    observed: c.observed,
                    expected: c.expected,
                    weight_factor: c.factor,
                })
                .collect();
            (
                Decision::Single { predictor: p },
                MethodDetails::Reweighing { cells },
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
            let cells = r
                .cells
                .iter()
                .map(|c| ResampleCell {
                    group: c.group_name.clone(),
                    label: train.class_names[c.label as usize].clone(),
                    rows: c.count,
                    target: c.target,
                    drawn: c.drawn,
                })
                .collect();
            (
                Decision::Single { predictor: p },
                MethodDetails::Resampling {
                    rows_resampled: r.rows.len(),
                    cells,
                },
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
                MethodDetails::CorrelationRemover { alpha: a.alpha },
                format!("correlation remover (Fairlearn), alpha {}", a.alpha),
            )
        }
        Method::DisparateImpactRemover => {
            let (remover, t) = DisparateImpactRemover::new(a.repair_level)
                .and_then(|r| r.fit_transform(&x, groups))
                .map_err(err)?;
            let xm = Matrix::with_rows(&t, train.n, train.d).map_err(|e| e.to_string())?;
            let p = learner.fit(&xm, &train.y, w).map_err(err)?;
            let changed = t.iter().zip(&train.x).filter(|(a, b)| a != b).count();
            (
                Decision::Repaired {
                    remover,
                    predictor: p,
                },
                MethodDetails::DisparateImpactRemover {
                    repair_level: a.repair_level,
                    training_values_changed: changed,
                    unseen_values: "mapped by rank: the repair of the largest training value of the row's group at or below the value (the smallest when below all)".into(),
                },
                format!(
                    "disparate-impact remover (Feldman et al. 2015), repair level {}",
                    a.repair_level
                ),
            )
        }
        Method::ExponentiatedGradient => {
            let mut eg = ExponentiatedGradient::new(reduction_constraint(a.constraint, a.eps));
            eg.eps = a.eps;
            eg.max_iter = a.max_iter;
            let r = eg
                .fit(&learner, &x, &train.y, groups, train.weights.as_deref())
                .map_err(err)?;
            let details = MethodDetails::ExponentiatedGradient {
                iterations: r.last_iter,
                oracle_calls: r.n_oracle_calls,
                best_gap: finite(r.best_gap),
                predictors: r.predictors.len(),
                predictors_in_support: r.weights.iter().filter(|&&w| w > 0.0).count(),
                training_error: finite(r.training_error()),
                training_constraint_violation: finite(
                    r.training_gamma()
                        .iter()
                        .cloned()
                        .fold(f64::NEG_INFINITY, f64::max),
                ),
                collapsed: a.collapse,
            };
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
            let mut gs = GridSearch::new(reduction_constraint(a.constraint, GRID_SEARCH_BOUND));
            gs.grid_size = a.grid_size;
            gs.constraint_weight = a.constraint_weight;
            let r = gs
                .fit(&learner, &x, &train.y, groups, train.weights.as_deref())
                .map_err(err)?;
            let details = MethodDetails::GridSearch {
                grid_points: r.predictors.len(),
                best_index: r.best_idx,
                best_lambda: r.lambda_vecs[r.best_idx].clone(),
                training_error: finite(r.objectives[r.best_idx]),
                training_constraint_violation: finite(
                    r.gammas[r.best_idx]
                        .iter()
                        .cloned()
                        .fold(f64::NEG_INFINITY, f64::max),
                ),
            };
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
                    Objective::Accuracy => postprocessing::Objective::AccuracyScore,
                    Objective::BalancedAccuracy => postprocessing::Objective::BalancedAccuracyScore,
                },
                tol: a.tol,
                ..ThresholdOptimizer::default()
            };
            let scores = base.score(&x).map_err(err)?;
            let t = to
                .fit(&scores, &train.y, groups, train.weights.as_deref())
                .map_err(err)?;
            let details = MethodDetails::ThresholdOptimizer {
                groups: t.groups.clone(),
                interpolation: t.interpolation.clone(),
                tradeoff: t.tradeoff.clone(),
            };
            (
                Decision::Thresholds {
                    base: base.clone(),
                    thresholds: t,
                },
                details,
                format!(
                    "threshold optimizer (Hardt et al. 2016), {}, objective {}{}",
                    constraint_name(a.constraint),
                    match a.objective {
                        Objective::Accuracy => "accuracy",
                        Objective::BalancedAccuracy => "balanced accuracy",
                    },
                    match a.tol {
                        Some(t) if t > 0.0 => format!(", tol {t}"),
                        _ => String::new(),
                    }
                ),
            )
        }
        Method::RejectOption => {
            let (privileged, by_default) = privileged_groups(a, train, groups)?;
            let unprivileged: Vec<String> = groups
                .names
                .iter()
                .filter(|g| !privileged.contains(g))
                .cloned()
                .collect();
            if unprivileged.is_empty() {
                return Err(format!(
                    "privileged: names every group ({}); the reject option needs at least one unprivileged group",
                    groups.names.join(", ")
                ));
            }
            let roc = RejectOptionClassifier {
                privileged: privileged.clone(),
                unprivileged: unprivileged.clone(),
                low_class_thresh: a.low_class_thresh,
                high_class_thresh: a.high_class_thresh,
                num_class_thresh: a.num_class_thresh,
                num_roc_margin: a.num_roc_margin,
                metric: match a.roc_metric {
                    RocMetric::StatisticalParity => FairnessMetric::StatisticalParityDifference,
                    RocMetric::AverageOdds => FairnessMetric::AverageOddsDifference,
                    RocMetric::EqualOpportunity => FairnessMetric::EqualOpportunityDifference,
                },
                metric_lb: a.roc_metric_lb,
                metric_ub: a.roc_metric_ub,
            };
            let scores = base.score(&x).map_err(err)?;
            let rule = roc
                .fit(&scores, &train.y, groups, train.weights.as_deref())
                .map_err(err)?;
            let details = MethodDetails::RejectOption {
                classification_threshold: rule.classification_threshold,
                roc_margin: rule.roc_margin,
                privileged: rule.privileged.clone(),
                privileged_by_default: by_default,
                unprivileged: rule.unprivileged.clone(),
                metric: rule.metric,
                metric_bounds: [a.roc_metric_lb, a.roc_metric_ub],
                training_metric: rule.metric_value,
                training_balanced_accuracy: rule.balanced_accuracy,
            };
            let method = format!(
                "reject-option classification (Kamiran, Karim & Zhang 2012), {} in [{}, {}], privileged {}",
                match a.roc_metric {
                    RocMetric::StatisticalParity => "statistical parity difference",
                    RocMetric::AverageOdds => "average odds difference",
                    RocMetric::EqualOpportunity => "equal opportunity difference",
                },
                a.roc_metric_lb,
                a.roc_metric_ub,
                privileged.join(", ")
            );
            (
                Decision::RejectOption {
                    base: base.clone(),
                    rule,
                },
                details,
                method,
            )
        }
        Method::Calibrate => {
            let keep = if a.calibration_fraction > 0.0 {
                calibration_split(train.n, a.calibration_fraction, a.seed)
            } else {
                vec![true; train.n]
            };
            let (xs, ys, ws) = subset(&x, &train.y, w, &keep);
            let xs = Matrix::with_rows(&xs, ys.len(), train.d).map_err(|e| e.to_string())?;
            let g = Groups {
                codes: (0..train.n)
                    .filter(|&i| keep[i])
                    .map(|i| groups.codes[i])
                    .collect(),
                names: groups.names.clone(),
            };
            let scores = assay_mitigation::model::calibration_input(&base, &xs).map_err(err)?;
            let method = match a.calibration {
                Calibration::Sigmoid => CalibrationMethod::Sigmoid,
                Calibration::Isotonic => CalibrationMethod::Isotonic,
            };
            let calibrator = GroupCalibrator::fit(
                method,
                &scores,
                &ys,
                &g,
                train.weights.is_some().then_some(ws.as_slice()),
            )
            .map_err(err)?;
            let fitted_on = if a.calibration_fraction > 0.0 {
                format!(
                    "{} held-out training rows (fraction {}, seed {}); the unmitigated model on the other {}",
                    ys.len(),
                    a.calibration_fraction,
                    a.seed,
                    train.n - ys.len()
                )
            } else if a.prefit.is_some() {
                "the training rows (the prefit model's own training data is not known)".to_string()
            } else {
                "the training rows the unmitigated model was fitted on (in-sample scores)"
                    .to_string()
            };
            let details = MethodDetails::Calibrate {
                calibration: match a.calibration {
                    Calibration::Sigmoid => "sigmoid",
                    Calibration::Isotonic => "isotonic",
                }
                .into(),
                calibrated_input: if a.prefit.is_some() {
                    "the prefit model's probability of the positive class, as scikit-learn's CalibratedClassifierCV for a model without a decision function"
                } else {
                    "the unmitigated model's decision function (log-odds margin), as scikit-learn's CalibratedClassifierCV"
                }
                .into(),
                calibration_rows: ys.len(),
                calibrators_fitted_on: fitted_on,
                calibrators: calibrator.calibrators.clone(),
                groups: calibrator.groups.clone(),
            };
            let words = format!(
                "per-group calibration ({}), decision = calibrated score > 0.5",
                match a.calibration {
                    Calibration::Sigmoid => "Platt 1999 sigmoid",
                    Calibration::Isotonic => "isotonic regression, Zadrozny & Elkan 2002",
                }
            );
            (
                Decision::Calibrated {
                    base: base.clone(),
                    calibrator,
                },
                details,
                words,
            )
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let model = match &a.prefit {
        None => MitigatedModel::new(
            method,
            a.label.clone(),
            train.class_names.clone(),
            a.positive.clone(),
            train.specs.clone(),
            a.sensitive.clone(),
            groups.names.clone(),
            a.seed,
            decision,
        ),
        Some(p) => MitigatedModel::with_prefit(
            format!(
                "{method}, of the prefit {} model {}",
                p.format, p.embedded.file
            ),
            a.label.clone(),
            train.class_names.clone(),
            a.positive.clone(),
            a.sensitive.clone(),
            groups.names.clone(),
            a.seed,
            decision,
            p.embedded.clone(),
            p.model.clone(),
        ),
    }
    .map_err(|e| e.to_string())?;
    Ok(Fitted {
        base,
        model,
        details,
        seconds,
    })
}
