//! Bias mitigation as a workflow: a mitigated predictor fitted on a training table's design
//! matrix with one of assay-mitigation's methods (pre-processing, a reduction, or
//! post-processing of the unmitigated model), the unmitigated and the mitigated predictors
//! assessed on the evaluation rows with the fairness assessment's own code ([`evaluate`]),
//! what drives the gap before mitigation ([`drivers`]), and optionally the accuracy–fairness
//! trade-off swept over the method's strength parameter ([`sweep`]). The mitigated predictor
//! is an `assay.mitigated/1` model ([`assay_mitigation::MitigatedModel`]) that
//! [`crate::models`] opens like any other.

pub mod drivers;
pub mod evaluate;
pub mod fit;
pub mod sweep;

use std::path::PathBuf;

use assay_mitigation::Groups;

use crate::design::Design;

/// The mitigation method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Method {
    /// Reweighing (Kamiran & Calders 2012).
    Reweighing,
    /// Uniform resampling (Kamiran & Calders 2012).
    Resampling,
    /// Fairlearn's correlation remover.
    CorrelationRemover,
    /// The disparate-impact remover (Feldman et al. 2015).
    DisparateImpactRemover,
    /// Exponentiated gradient (Agarwal et al. 2018).
    ExponentiatedGradient,
    /// Grid search (Agarwal et al. 2018).
    GridSearch,
    /// The threshold optimizer (Hardt et al. 2016).
    ThresholdOptimizer,
    /// Reject-option classification (Kamiran, Karim & Zhang 2012).
    RejectOption,
    /// Per-group calibration (Platt 1999; Zadrozny & Elkan 2002).
    Calibrate,
}

impl Method {
    /// Whether it takes a fairness constraint (the reductions and the threshold optimizer).
    pub fn takes_constraint(self) -> bool {
        matches!(
            self,
            Method::ExponentiatedGradient | Method::GridSearch | Method::ThresholdOptimizer
        )
    }

    /// Its name (hyphenated, as reported).
    pub fn name(self) -> &'static str {
        match self {
            Method::Reweighing => "reweighing",
            Method::Resampling => "resampling",
            Method::CorrelationRemover => "correlation-remover",
            Method::DisparateImpactRemover => "disparate-impact-remover",
            Method::ExponentiatedGradient => "exponentiated-gradient",
            Method::GridSearch => "grid-search",
            Method::ThresholdOptimizer => "threshold-optimizer",
            Method::RejectOption => "reject-option",
            Method::Calibrate => "calibrate",
        }
    }
}

/// The fairness constraint of the reductions and the threshold optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Constraint {
    /// Equal selection rates.
    DemographicParity,
    /// Equal true- and false-positive rates.
    EqualizedOdds,
    /// Equal true-positive rates.
    TruePositiveRateParity,
    /// Equal false-positive rates.
    FalsePositiveRateParity,
    /// Equal error rates (the reductions only).
    ErrorRateParity,
}

/// The threshold optimizer's objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Objective {
    /// Accuracy.
    Accuracy,
    /// Balanced accuracy.
    BalancedAccuracy,
}

/// The reject option's fairness metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum RocMetric {
    /// Statistical parity difference.
    StatisticalParity,
    /// Average odds difference.
    AverageOdds,
    /// Equal opportunity difference.
    EqualOpportunity,
}

/// The calibration method of `calibrate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Calibration {
    /// Platt's sigmoid.
    Sigmoid,
    /// Isotonic regression.
    Isotonic,
}

/// The base learner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Learner {
    /// L2-regularised logistic regression.
    Logistic,
    /// Histogram gradient-boosted trees.
    Gbdt,
}

/// How to mitigate: the method and its settings, the base learner's, the sweep's, and the
/// columns the saved model records.
#[derive(Clone, Debug)]
pub struct MitigateOptions {
    /// The method.
    pub method: Method,
    /// The constraint (reductions, threshold optimizer; the sweep's disparity).
    pub constraint: Constraint,
    /// The label column (recorded in the saved model).
    pub label: String,
    /// The positive label value, if named (recorded in the saved model).
    pub positive: Option<String>,
    /// The sensitive feature columns, whose joined values are the groups.
    pub sensitive: Vec<String>,
    /// The base learner.
    pub learner: Learner,
    /// Logistic regression: inverse regularisation strength C.
    pub c: f64,
    /// Gradient boosting: trees.
    pub trees: usize,
    /// Gradient boosting: learning rate.
    pub learning_rate: f64,
    /// Gradient boosting: most leaves per tree.
    pub max_leaves: usize,
    /// Exponentiated gradient: the constraint's bound ε.
    pub eps: f64,
    /// Exponentiated gradient: most iterations.
    pub max_iter: usize,
    /// Exponentiated gradient: keep only the best single predictor.
    pub collapse: bool,
    /// Grid search: grid points.
    pub grid_size: usize,
    /// Grid search: the constraint's weight in the objective.
    pub constraint_weight: f64,
    /// Threshold optimizer: the objective.
    pub objective: Objective,
    /// Correlation remover: alpha.
    pub alpha: f64,
    /// Disparate-impact remover: repair level.
    pub repair_level: f64,
    /// Threshold optimizer: the relaxed constraint's tolerance.
    pub tol: Option<f64>,
    /// Reject option: the privileged groups (empty: the group with the highest base rate).
    pub privileged: Vec<String>,
    /// Reject option: the metric.
    pub roc_metric: RocMetric,
    /// Reject option: the metric's lower bound.
    pub roc_metric_lb: f64,
    /// Reject option: the metric's upper bound.
    pub roc_metric_ub: f64,
    /// Reject option: the lowest classification threshold searched.
    pub low_class_thresh: f64,
    /// Reject option: the highest classification threshold searched.
    pub high_class_thresh: f64,
    /// Reject option: classification thresholds searched.
    pub num_class_thresh: usize,
    /// Reject option: margins searched.
    pub num_roc_margin: usize,
    /// Calibrate: the method.
    pub calibration: Calibration,
    /// Calibrate: the share of training rows held out for the calibrators.
    pub calibration_fraction: f64,
    /// Sweep the method's strength parameter.
    pub sweep: bool,
    /// The sweep's values (empty: the method's default grid).
    pub sweep_values: Vec<f64>,
    /// The policy that chooses the sweep's point.
    pub policy: Option<PathBuf>,
    /// Seed of every random choice (resampling, splits, randomized decisions, bootstrap).
    pub seed: u64,
    /// Bootstrap replicates of the assessments' intervals.
    pub bootstrap: usize,
    /// Where the mitigated model will be saved (recorded in the report).
    pub model_path: String,
    /// A prefit model to post-process instead of fitting the base learner (Fairlearn's
    /// `prefit=True`): the design is then [`crate::design::prefit_design`]'s, the method one of
    /// the post-processing ones, and the saved model embeds it.
    pub prefit: Option<crate::models::Prefit>,
}

/// A combination of options that does not make sense, found by [`MitigateOptions::check`]
/// before any data is read (a front end words it with its own flags).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptionsError {
    /// Error-rate parity is a constraint of the reductions only.
    #[error("the error-rate-parity constraint applies to the reductions (exponentiated-gradient, grid-search), not to the threshold optimizer")]
    ErrorRateParityThresholds,
    /// `collapse` applies to exponentiated gradient only.
    #[error("collapse applies to exponentiated gradient")]
    CollapseNotEg,
    /// `tol` applies to the threshold optimizer only.
    #[error("tol applies to the threshold optimizer")]
    TolNotThresholds,
    /// `tol` is negative or not finite.
    #[error("tol must be a number ≥ 0, found {0}")]
    TolRange(f64),
    /// The relaxed threshold optimizer is not defined for equalized odds.
    #[error("the threshold optimizer's relaxed constraint (tol, and so the sweep) is not defined for equalized odds (as Fairlearn)")]
    RelaxedEqualizedOdds,
    /// `privileged` applies to the reject option only.
    #[error("privileged applies to the reject option")]
    PrivilegedNotRejectOption,
    /// The calibration fraction is outside [0, 1).
    #[error("calibration_fraction must be in [0, 1), found {0}")]
    CalibrationFractionRange(f64),
    /// `calibration_fraction` applies to calibrate only.
    #[error("calibration_fraction applies to calibrate")]
    CalibrationFractionNotCalibrate,
    /// The method has nothing to sweep.
    #[error("a sweep is not meaningful for {method}: {why}")]
    SweepNotMeaningful {
        /// The method.
        method: Method,
        /// Why.
        why: &'static str,
    },
    /// A sweep value is not a number.
    #[error("sweep_values must be numbers, found {0}")]
    SweepValue(f64),
    /// ε is not a positive number.
    #[error("eps must be a positive number, found {0}")]
    Eps(f64),
    /// A prefit model can only be post-processed.
    #[error("{0} fits the base learner itself; a prefit model can be post-processed by threshold-optimizer, reject-option or calibrate")]
    PrefitNotPostprocessing(Method),
    /// A prefit model's calibration has no training rows of its own to hold out.
    #[error("calibration_fraction holds out rows of the base learner's training data; a prefit model was trained elsewhere: calibrate it on rows it was not trained on")]
    PrefitCalibrationFraction,
}

impl MitigateOptions {
    /// Checks the combination of options before any data is read.
    pub fn check(&self) -> Result<(), OptionsError> {
        use OptionsError as E;
        if self.method == Method::ThresholdOptimizer
            && self.constraint == Constraint::ErrorRateParity
        {
            return Err(E::ErrorRateParityThresholds);
        }
        if self.collapse && self.method != Method::ExponentiatedGradient {
            return Err(E::CollapseNotEg);
        }
        if let Some(t) = self.tol {
            if self.method != Method::ThresholdOptimizer {
                return Err(E::TolNotThresholds);
            }
            if !(t >= 0.0 && t.is_finite()) {
                return Err(E::TolRange(t));
            }
        }
        if (self.tol.is_some_and(|t| t > 0.0)
            || (self.sweep && self.method == Method::ThresholdOptimizer))
            && self.constraint == Constraint::EqualizedOdds
        {
            return Err(E::RelaxedEqualizedOdds);
        }
        if !self.privileged.is_empty() && self.method != Method::RejectOption {
            return Err(E::PrivilegedNotRejectOption);
        }
        if !(0.0..1.0).contains(&self.calibration_fraction) {
            return Err(E::CalibrationFractionRange(self.calibration_fraction));
        }
        if self.calibration_fraction > 0.0 && self.method != Method::Calibrate {
            return Err(E::CalibrationFractionNotCalibrate);
        }
        if self.sweep {
            let why = match self.method {
                Method::Reweighing | Method::Resampling => {
                    Some("it has no strength parameter to sweep")
                }
                Method::RejectOption => Some("its metric bounds already choose the trade-off"),
                Method::Calibrate => Some("calibration does not trade accuracy for fairness"),
                _ => None,
            };
            if let Some(why) = why {
                return Err(E::SweepNotMeaningful {
                    method: self.method,
                    why,
                });
            }
            if let Some(v) = self.sweep_values.iter().find(|v| !v.is_finite()) {
                return Err(E::SweepValue(*v));
            }
        }
        if !(self.eps > 0.0 && self.eps.is_finite()) {
            return Err(E::Eps(self.eps));
        }
        if self.prefit.is_some() {
            if !matches!(
                self.method,
                Method::ThresholdOptimizer | Method::RejectOption | Method::Calibrate
            ) {
                return Err(E::PrefitNotPostprocessing(self.method));
            }
            if self.calibration_fraction > 0.0 {
                return Err(E::PrefitCalibrationFraction);
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The group key ([`assay_data::groups::key`]) of every row, from the sensitive columns'
/// values: the names the saved model decides by.
pub fn group_names(extra: &[Vec<String>], n: usize) -> Vec<String> {
    (0..n)
        .map(|i| assay_data::groups::key(extra.iter().map(|c| c[i].as_str())))
        .collect()
}

/// What a mitigation produced.
pub struct Mitigation {
    /// The fitted predictors (the one to save, for a sweep the chosen point's).
    pub fitted: fit::Fitted,
    /// The report (provenance left for the caller).
    pub report: evaluate::Report,
    /// A sweep with a policy that no point passes: nothing should be saved.
    pub policy_failed: bool,
}

/// Mitigates on `train` (encoded with the sensitive columns as its extra columns) and
/// evaluates on `test`, or on `train` without one.
pub fn mitigate(
    o: &MitigateOptions,
    train: &Design,
    test: Option<&Design>,
) -> Result<Mitigation, String> {
    o.check().map_err(|e| e.to_string())?;
    if train.class_names.len() != 2 {
        return Err(format!(
            "{}: the label has {} classes; mitigation is for binary decisions",
            train.path.display(),
            train.class_names.len()
        ));
    }
    let groups = Groups::from_labels(&group_names(&train.extra, train.n));
    let eval_on = test.unwrap_or(train);
    let eval_groups = group_names(&eval_on.extra, eval_on.n);
    let (fitted, sweep) = if o.sweep {
        let (f, s) = sweep::run(o, train, &groups, eval_on, &eval_groups)?;
        (f, Some(s))
    } else {
        (fit::fit(o, train, &groups)?, None)
    };
    let mut report = evaluate::report(o, train, eval_on, test.is_some(), &eval_groups, &fitted)?;
    // With a policy and no passing point nothing is saved.
    let policy_failed = sweep.as_ref().is_some_and(|s| s.chosen.is_none());
    if let Some(s) = sweep {
        report.doc.sweep = Some(s.report());
        report.sweep = Some(s);
    }
    report.doc.model.saved = !policy_failed;
    Ok(Mitigation {
        fitted,
        report,
        policy_failed,
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use assay_model::learners::{FeatureSpec, Matrix};

    use super::*;

    /// 2,000 rows: group b's feature is shifted down and its labels follow the feature, so an
    /// unmitigated model selects group a far more often.
    fn biased() -> Design {
        let n = 2000;
        let u = |i: u64| assay_numerics::random::counter_uniform(17, i);
        let mut x = Vec::with_capacity(2 * n);
        let (mut y, mut g) = (Vec::new(), Vec::new());
        for i in 0..n as u64 {
            let b = i % 2 == 1;
            let f = u(i) * 2.0 - if b { 0.6 } else { 0.0 };
            x.extend_from_slice(&[f, u(10_000 + i)]);
            y.push(f64::from(u8::from(f + 0.3 * (u(20_000 + i) - 0.5) > 0.7)));
            g.push(if b { "b" } else { "a" }.to_string());
        }
        Design {
            path: PathBuf::from("biased.csv"),
            specs: ["f", "noise"]
                .iter()
                .map(|c| FeatureSpec::Numeric {
                    column: c.to_string(),
                    mean: None,
                    std: None,
                    impute: None,
                })
                .collect(),
            x,
            n,
            d: 2,
            y,
            class_names: vec!["0".into(), "1".into()],
            weights: None,
            extra: vec![g],
        }
    }

    fn options(method: Method) -> MitigateOptions {
        MitigateOptions {
            method,
            constraint: Constraint::DemographicParity,
            label: "y".into(),
            positive: None,
            sensitive: vec!["group".into()],
            learner: Learner::Logistic,
            c: 1.0,
            trees: 20,
            learning_rate: 0.1,
            max_leaves: 31,
            eps: 0.01,
            max_iter: 50,
            collapse: false,
            grid_size: 10,
            constraint_weight: 0.5,
            objective: Objective::Accuracy,
            alpha: 1.0,
            repair_level: 1.0,
            tol: None,
            privileged: Vec::new(),
            roc_metric: RocMetric::StatisticalParity,
            roc_metric_lb: -0.05,
            roc_metric_ub: 0.05,
            low_class_thresh: 0.01,
            high_class_thresh: 0.99,
            num_class_thresh: 100,
            num_roc_margin: 50,
            calibration: Calibration::Sigmoid,
            calibration_fraction: 0.0,
            sweep: false,
            sweep_values: Vec::new(),
            policy: None,
            seed: 3,
            bootstrap: 0,
            model_path: "m.json".into(),
            prefit: None,
        }
    }

    #[test]
    fn the_threshold_optimizer_closes_the_selection_gap() {
        let train = biased();
        let m = mitigate(&options(Method::ThresholdOptimizer), &train, None).unwrap();
        let s = &m.report.doc.summary;
        let before = s.before.demographic_parity_difference.unwrap();
        let after = s.after_expected.demographic_parity_difference.unwrap();
        assert!(before > 0.2, "{before}");
        // Exact demographic parity of the expected decisions on the data it was fitted on.
        assert!(after < 0.01, "{before} -> {after}");
        assert!(!m.policy_failed && m.report.doc.model.saved);
        assert_eq!(m.report.doc.settings.method, "threshold-optimizer");
        assert_eq!(m.fitted.model.groups, ["a", "b"]);
    }

    #[test]
    fn reweighing_narrows_the_gap_and_a_sweep_marks_its_front() {
        let train = biased();
        let m = mitigate(&options(Method::Reweighing), &train, None).unwrap();
        let s = &m.report.doc.summary;
        assert!(
            s.after.demographic_parity_difference.unwrap()
                < s.before.demographic_parity_difference.unwrap()
        );
        let mut sweep = options(Method::ExponentiatedGradient);
        sweep.sweep = true;
        sweep.sweep_values = vec![0.02, 0.2];
        let m = mitigate(&sweep, &train, None).unwrap();
        let r = m.report.doc.sweep.unwrap();
        // The unmitigated point, then 0.01 (the option's value), 0.02 and 0.2.
        assert_eq!(r.points.len(), 4);
        assert_eq!(r.chosen, Some(1));
        assert!(!r.pareto.is_empty());
    }

    #[test]
    fn option_combinations_are_checked_before_fitting() {
        let mut o = options(Method::Reweighing);
        assert_eq!(o.check(), Ok(()));
        o.collapse = true;
        assert_eq!(o.check(), Err(OptionsError::CollapseNotEg));
        let mut o = options(Method::Reweighing);
        o.sweep = true;
        assert!(matches!(
            o.check(),
            Err(OptionsError::SweepNotMeaningful {
                method: Method::Reweighing,
                ..
            })
        ));
        let mut o = options(Method::ThresholdOptimizer);
        o.constraint = Constraint::EqualizedOdds;
        o.tol = Some(0.05);
        assert_eq!(o.check(), Err(OptionsError::RelaxedEqualizedOdds));
        let mut o = options(Method::ExponentiatedGradient);
        o.eps = 0.0;
        let e = mitigate(&o, &biased(), None).err().unwrap();
        assert!(e.contains("eps must be a positive number"), "{e}");
    }

    #[test]
    fn a_prefit_model_is_post_processed_and_embedded() {
        // The design of a prefit model: its probability is the one column.
        let mut train = biased();
        train.x = (0..train.n)
            .map(|i| (train.x[2 * i] / 2.0 + 0.3).clamp(0.0, 1.0))
            .collect();
        train.d = 1;
        train.specs.truncate(1);
        let prefit =
            crate::models::prefit("../../tests/reference/models/xgb_binary.json".as_ref()).unwrap();
        let mut o = options(Method::ThresholdOptimizer);
        o.prefit = Some(prefit);
        let m = mitigate(&o, &train, None).unwrap();
        let s = &m.report.doc.summary;
        let before = s.before.demographic_parity_difference.unwrap();
        let after = s.after_expected.demographic_parity_difference.unwrap();
        assert!(before > 0.2 && after < 0.01, "{before} -> {after}");
        // The unmitigated decisions are the prefit model's own: p > 0.5.
        let selected = train.x.iter().filter(|&&p| p > 0.5).count() as f64 / train.n as f64;
        let overall = m.report.doc.before.overall.metrics.get("selection_rate");
        let overall = overall.copied().flatten().unwrap();
        assert!((overall - selected).abs() < 1e-12);
        assert_eq!(
            m.report.doc.settings.learner,
            "prefit xgboost (xgb_binary.json)"
        );
        assert!(m.report.doc.gap_drivers.is_none());
        let model = &m.fitted.model;
        assert!(model.features.is_empty());
        assert_eq!(model.base_model.as_ref().unwrap().format, "xgboost");
        // Methods that refit the learner, and a held-out calibration share, are refused.
        o.method = Method::Reweighing;
        assert_eq!(
            o.check(),
            Err(OptionsError::PrefitNotPostprocessing(Method::Reweighing))
        );
        o.method = Method::Calibrate;
        o.calibration_fraction = 0.3;
        assert_eq!(o.check(), Err(OptionsError::PrefitCalibrationFraction));
    }

    /// The evaluation scores the base predictor once: its outputs equal `score`, `predict`
    /// and the calibration input bit for bit, and a post-processing model decides from them
    /// exactly as it decides from the rows (`probability_given` is `probability`).
    #[test]
    fn post_processing_decides_from_one_scoring_of_the_base() {
        let train = biased();
        let groups = Groups::from_labels(&group_names(&train.extra, train.n));
        let x = Matrix::with_rows(&train.x, train.n, train.d).unwrap();
        let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        for learner in [Learner::Logistic, Learner::Gbdt] {
            for (method, fraction) in [
                (Method::ThresholdOptimizer, 0.0),
                (Method::RejectOption, 0.0),
                (Method::Calibrate, 0.0),
                (Method::Calibrate, 0.3),
                (Method::Reweighing, 0.0),
            ] {
                let mut o = options(method);
                o.learner = learner;
                o.calibration_fraction = fraction;
                let f = fit::fit(&o, &train, &groups).unwrap();
                let what = format!("{method:?} {learner:?} {fraction}");
                let out = f.base.outputs(&x).unwrap();
                assert_eq!(bits(&out.score), bits(&f.base.score(&x).unwrap()), "{what}");
                assert_eq!(
                    bits(&out.predict),
                    bits(&f.base.predict(&x).unwrap()),
                    "{what}"
                );
                let z = assay_mitigation::model::calibration_input(&f.base, &x).unwrap();
                assert_eq!(
                    bits(out.decision_function.as_ref().unwrap()),
                    bits(&z),
                    "{what}"
                );
                let given = f.model.probability_given(&f.base, &out, &groups.codes);
                if method == Method::Reweighing {
                    assert!(given.is_none(), "{what}: decides with its own predictor");
                    continue;
                }
                let p = f.model.probability(&x, &groups.codes).unwrap();
                assert_eq!(bits(&given.unwrap().unwrap()), bits(&p), "{what}");
            }
        }
    }

    #[test]
    fn more_than_two_classes_are_refused() {
        let mut train = biased();
        train.class_names.push("2".into());
        let e = mitigate(&options(Method::Reweighing), &train, None)
            .err()
            .unwrap();
        assert!(e.contains("the label has 3 classes"), "{e}");
    }
}
