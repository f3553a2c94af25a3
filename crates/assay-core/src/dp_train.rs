//! Training with DP-SGD (`assay_privacy::dpsgd`, Abadi et al. 2016, as Opacus runs it) on an
//! encoded table: the sampling rate from a rate or an expected batch size (q = 1 / ⌈n / B⌉, as
//! Opacus's Poisson data loader), the noise multiplier given or calibrated for a target ε, the
//! ε of the run from both the RDP and the PLD accountant, the privacy–utility curve (one run
//! per target ε, and one without noise), and the trained parameters in their saved forms
//! (assay's logistic regression, or the `assay.dpsgd/1` MLP).
//!
//! What the ε covers: the model parameters trained on the encoded rows. The encoding (each
//! numeric column's mean and standard deviation, the category lists) is learned from the
//! training data without differential privacy, as in the usual Opacus pipelines.

use serde::Serialize;

use assay_model::learners::{FeatureSpec, FittedLogistic, LogisticRegression, TrainedLogistic};
use assay_privacy::accounting::{calibrate, epsilon, Accountant};
use assay_privacy::dpsgd::{self, Architecture, Config, Training};

use crate::design::Design;
use crate::reports::dp::{PldEpsilon, TrainPrivacy};
use crate::reports::Unbounded;

/// How to train with DP-SGD: the model, the sampling, the privacy (a noise multiplier, or a
/// target ε to calibrate one for) and the optimiser.
#[derive(Clone, Debug)]
pub struct DpSgdOptions {
    /// Logistic regression or the one-hidden-layer MLP.
    pub architecture: Architecture,
    /// The Poisson sampling rate q, or
    pub sampling_rate: Option<f64>,
    /// the expected batch size B (q = 1 / ⌈n / B⌉).
    pub expected_batch_size: Option<usize>,
    /// Epochs (steps = round(epochs / q)).
    pub epochs: f64,
    /// The target ε the noise multiplier is calibrated for, or
    pub epsilon: Option<f64>,
    /// the noise multiplier σ.
    pub noise_multiplier: Option<f64>,
    /// The accountant that calibrates σ for a target ε.
    pub accountant: Accountant,
    /// The accountant's name, as reported (`rdp`, `pld`).
    pub accountant_name: &'static str,
    /// δ.
    pub delta: f64,
    /// The per-example L2 clipping norm C.
    pub clip: f64,
    /// The learning rate.
    pub learning_rate: f64,
    /// The heavy-ball momentum.
    pub momentum: f64,
    /// Seed of the sampling, the noise and the initialisation.
    pub seed: u64,
}

/// A DP-SGD run planned on `rows` rows: the sampling rate, the steps, the privacy they spend
/// and the training configuration.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Training rows.
    pub rows: usize,
    /// The sampling rate q.
    pub sampling_rate: f64,
    /// The steps.
    pub steps: u64,
    /// σ and the ε of the run.
    pub privacy: Privacy,
    /// The training configuration.
    pub config: Config,
}

/// Plans `o` on `n` rows ([`sampling_rate`], steps, [`privacy`]).
pub fn plan(o: &DpSgdOptions, n: usize) -> Result<Plan, DpTrainError> {
    let q = sampling_rate(o.sampling_rate, o.expected_batch_size, n)?;
    if !(o.epochs.is_finite() && o.epochs > 0.0) {
        return Err(option(
            "epochs",
            format!("must be positive, got {}", o.epochs),
        ));
    }
    let steps = dpsgd::steps_for_epochs(o.epochs, q);
    let privacy = privacy(
        o.epsilon,
        o.noise_multiplier,
        o.accountant,
        q,
        steps,
        o.delta,
        n,
    )?;
    let config = Config {
        architecture: o.architecture,
        sampling_rate: q,
        noise_multiplier: privacy.noise_multiplier,
        clip: o.clip,
        lr: o.learning_rate,
        momentum: o.momentum,
        steps,
        seed: o.seed,
    };
    Ok(Plan {
        rows: n,
        sampling_rate: q,
        steps,
        privacy,
        config,
    })
}

impl Plan {
    /// What the privacy figures of a report say about this run.
    pub fn report(&self, o: &DpSgdOptions) -> TrainPrivacy {
        TrainPrivacy {
            mechanism: "poisson_subsampled_gaussian".into(),
            sampling_rate: self.sampling_rate,
            noise_multiplier: self.privacy.noise_multiplier,
            clip: o.clip,
            steps: self.steps,
            delta: o.delta,
            target_epsilon: self.privacy.target,
            calibrated_with: self.privacy.target.map(|_| o.accountant_name.to_string()),
            epsilon_rdp: Unbounded(self.privacy.epsilon_rdp),
            epsilon_pld: match &self.privacy.epsilon_pld {
                Ok(e) => PldEpsilon::Epsilon(Unbounded(*e)),
                Err(m) => PldEpsilon::Error { error: m.clone() },
            },
            covers: "the model parameters; the feature encoding (standardisation, category lists) is learned without privacy".into(),
        }
    }
}

/// A DP-SGD training run on a design.
pub struct Run {
    /// The plan it followed.
    pub plan: Plan,
    /// The trained model, the realised batch sizes and the clipped share.
    pub training: Training,
    /// The mean realised (Poisson) batch size.
    pub mean_batch_size: f64,
    /// Accuracy on the test rows, when given.
    pub test_accuracy: Option<f64>,
    /// The privacy–utility curve ([`curve`]) and the accuracy without noise, when asked for.
    pub curve: Option<(Vec<CurvePoint>, f64)>,
}

/// Trains with DP-SGD as `o` says on `train` (binary labels), evaluates on `test`, and with
/// `curve_epsilons` and a test table runs the privacy–utility curve.
pub fn train(
    o: &DpSgdOptions,
    train: &Design,
    test: Option<&Design>,
    curve_epsilons: Option<&[f64]>,
) -> Result<Run, DpTrainError> {
    binary(train)?;
    let plan = plan(o, train.n)?;
    let training = dpsgd::train(&train.x, &train.y, train.d, &plan.config).map_err(failed)?;
    let sizes = &training.batch_sizes;
    let mean_batch_size = sizes.iter().map(|&b| f64::from(b)).sum::<f64>() / sizes.len() as f64;
    let test_accuracy = test.map(|t| training.model.accuracy(&t.x, &t.y));
    let curve = match (curve_epsilons, test) {
        (Some(targets), Some(t)) => Some(curve(
            &train.x,
            &train.y,
            train.d,
            &plan.config,
            &(t.x.clone(), t.y.clone()),
            targets,
            o.accountant,
            o.delta,
        )?),
        _ => None,
    };
    Ok(Run {
        plan,
        training,
        mean_batch_size,
        test_accuracy,
        curve,
    })
}

/// DP-SGD here trains binary classifiers.
pub fn binary(design: &Design) -> Result<(), DpTrainError> {
    if design.class_names.len() == 2 {
        return Ok(());
    }
    Err(DpTrainError::NotBinary {
        path: design.path.clone(),
        classes: design.class_names.len(),
    })
}

/// Why a DP-SGD setting was refused or a run failed. [`DpTrainError::Option`] names the option
/// at fault (a front end maps it to its flag).
#[derive(Debug, thiserror::Error)]
pub enum DpTrainError {
    /// A setting is invalid.
    #[error("{option}: {message}")]
    Option {
        /// The setting (`delta`, `sampling_rate`, ...).
        option: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Neither of two alternative settings was given.
    #[error("give {0} or {1}")]
    Missing(&'static str, &'static str),
    /// The label has other than two classes.
    #[error("{}: the label has {classes} classes; DP-SGD here is binary: name the positive value", path.display())]
    NotBinary {
        /// The training table.
        path: std::path::PathBuf,
        /// Its number of classes.
        classes: usize,
    },
    /// Calibration, accounting or training failed.
    #[error("{0}")]
    Failed(String),
}

fn option(option: &'static str, message: String) -> DpTrainError {
    DpTrainError::Option { option, message }
}

fn failed(e: impl ToString) -> DpTrainError {
    DpTrainError::Failed(e.to_string())
}

/// The sampling rate q: the one given (in (0, 1]), or 1 / ⌈n / B⌉ for an expected batch size B.
pub fn sampling_rate(q: Option<f64>, batch: Option<usize>, n: usize) -> Result<f64, DpTrainError> {
    match (q, batch) {
        (Some(q), _) if q > 0.0 && q <= 1.0 => Ok(q),
        (Some(q), _) => Err(option(
            "sampling_rate",
            format!("must be in (0, 1], got {q}"),
        )),
        (None, Some(b)) if b >= 1 => Ok(1.0 / n.div_ceil(b) as f64),
        (None, Some(_)) => Err(option("expected_batch_size", "must be at least 1".into())),
        (None, None) => Err(DpTrainError::Missing(
            "sampling_rate",
            "expected_batch_size",
        )),
    }
}

/// σ (given, or calibrated to the target ε) and the ε of the run by RDP and PLD (infinite
/// without noise). The PLD accountant can refuse a run whose grid would be too large; its ε is
/// then the reason.
#[derive(Clone, Debug)]
pub struct Privacy {
    /// The noise multiplier σ.
    pub noise_multiplier: f64,
    /// ε by the RDP accountant.
    pub epsilon_rdp: f64,
    /// ε by the PLD accountant, or why it could not be computed.
    pub epsilon_pld: Result<f64, String>,
    /// The target ε σ was calibrated for.
    pub target: Option<f64>,
}

impl Privacy {
    /// The smallest ε either accountant certifies (both are upper bounds).
    pub fn epsilon(&self) -> f64 {
        match &self.epsilon_pld {
            Ok(e) => e.min(self.epsilon_rdp),
            Err(_) => self.epsilon_rdp,
        }
    }
}

/// The privacy of `steps` DP-SGD steps at sampling rate `q` on `n` rows at `delta`: σ from
/// `sigma`, or calibrated by `accountant` for the `target` ε.
pub fn privacy(
    target: Option<f64>,
    sigma: Option<f64>,
    accountant: Accountant,
    q: f64,
    steps: u64,
    delta: f64,
    n: usize,
) -> Result<Privacy, DpTrainError> {
    if !(delta > 0.0 && delta < 1.0) {
        return Err(option("delta", format!("must be in (0, 1), got {delta}")));
    }
    if delta >= 1.0 / n as f64 {
        return Err(option(
            "delta",
            format!(
                "{delta} is not below 1/n = {} ({n} training rows): such a δ allows releasing whole rows",
                1.0 / n as f64
            ),
        ));
    }
    let sigma = match (target, sigma) {
        (Some(e), _) => {
            calibrate::noise_multiplier(accountant, e, delta, q, steps, 1e-4)
                .map_err(failed)?
                .noise_multiplier
        }
        (None, Some(s)) if s.is_finite() && s >= 0.0 => s,
        (None, Some(s)) => {
            return Err(option(
                "noise_multiplier",
                format!("must be a non-negative finite number, got {s}"),
            ))
        }
        (None, None) => return Err(DpTrainError::Missing("epsilon", "noise_multiplier")),
    };
    let (epsilon_rdp, epsilon_pld) = if sigma == 0.0 {
        (f64::INFINITY, Ok(f64::INFINITY))
    } else {
        (
            epsilon(Accountant::Rdp, q, sigma, steps, delta).map_err(failed)?,
            epsilon(Accountant::pld(), q, sigma, steps, delta).map_err(|e| e.to_string()),
        )
    };
    Ok(Privacy {
        noise_multiplier: sigma,
        epsilon_rdp,
        epsilon_pld,
        target,
    })
}

/// One point of the privacy–utility curve.
#[derive(Clone, Debug, PartialEq)]
pub struct CurvePoint {
    /// The target ε.
    pub epsilon: f64,
    /// σ calibrated for it.
    pub noise_multiplier: f64,
    /// Test accuracy of the run.
    pub accuracy: f64,
}

/// The privacy–utility curve: for every target ε (sorted, without repeats), σ calibrated by
/// `accountant` and one run of `cfg` (same seed) on the training rows `(x, y)` with `d`
/// features, evaluated on the test rows; and the test accuracy of the same run without noise.
#[allow(clippy::too_many_arguments)]
pub fn curve(
    x: &[f64],
    y: &[f64],
    d: usize,
    cfg: &Config,
    test: &(Vec<f64>, Vec<f64>),
    targets: &[f64],
    accountant: Accountant,
    delta: f64,
) -> Result<(Vec<CurvePoint>, f64), DpTrainError> {
    let mut targets = targets.to_vec();
    targets.sort_by(f64::total_cmp);
    targets.dedup();
    let mut points = Vec::new();
    for &e in &targets {
        let sigma =
            calibrate::noise_multiplier(accountant, e, delta, cfg.sampling_rate, cfg.steps, 1e-4)
                .map_err(|err| option("curve_epsilons", format!("{e}: {err}")))?
                .noise_multiplier;
        let run = Config {
            noise_multiplier: sigma,
            ..cfg.clone()
        };
        let t = dpsgd::train(x, y, d, &run).map_err(failed)?;
        points.push(CurvePoint {
            epsilon: e,
            noise_multiplier: sigma,
            accuracy: t.model.accuracy(&test.0, &test.1),
        });
    }
    let free = Config {
        noise_multiplier: 0.0,
        ..cfg.clone()
    };
    let t = dpsgd::train(x, y, d, &free).map_err(failed)?;
    Ok((points, t.model.accuracy(&test.0, &test.1)))
}

/// A DP-SGD logistic regression's parameters (`d` weights, then the intercept) as assay's
/// logistic regression (`assay.logistic/1`, which `assay predict` and `assay explain` read):
/// its `n_iter` holds the DP-SGD steps and `converged` is false, since it was not solved to an
/// optimum.
pub fn logistic_model(
    params: &[f64],
    d: usize,
    steps: u64,
    label: &str,
    class_names: &[String],
    positive: Option<&str>,
    specs: &[FeatureSpec],
) -> TrainedLogistic {
    let fitted = FittedLogistic {
        coef: vec![params[..d].to_vec()],
        intercept: vec![params[d]],
        classes: vec![0.0, 1.0],
        params: LogisticRegression {
            c: 1.0,
            fit_intercept: true,
            max_iter: steps as usize,
            tol: 0.0,
        },
        n_iter: steps as usize,
        gradient_max_norm: 0.0,
        converged: false,
    };
    TrainedLogistic::new(
        label.to_string(),
        class_names.to_vec(),
        positive.map(str::to_string),
        None,
        specs.to_vec(),
        fitted,
    )
}

/// The format tag of a saved DP-SGD MLP.
pub const MLP_FORMAT: &str = "assay.dpsgd/1";

/// A DP-SGD MLP as saved (`assay.dpsgd/1`).
#[derive(Serialize)]
pub struct SavedMlp<'a> {
    /// [`MLP_FORMAT`].
    pub format: &'static str,
    /// The label column.
    pub label: &'a str,
    /// The classes.
    pub class_names: &'a [String],
    /// The positive label value, when named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positive: Option<&'a str>,
    /// The feature encoding.
    pub features: &'a [FeatureSpec],
    /// `Linear(d, hidden) → ReLU → Linear(hidden, 1)`; parameters `[W1 (hidden × d,
    /// row-major), b1, w2, b2]`; the output is the logit of class 1.
    pub architecture: &'static str,
    /// Hidden units.
    pub hidden: usize,
    /// The parameters.
    pub params: &'a [f64],
    /// The privacy of the run.
    pub privacy: &'a TrainPrivacy,
}

#[cfg(test)]
mod tests {
    use assay_privacy::dpsgd::Architecture;

    use super::*;

    #[test]
    fn sampling_rate_as_opacus() {
        assert_eq!(sampling_rate(None, Some(256), 60_000).unwrap(), 1.0 / 235.0);
        assert_eq!(sampling_rate(Some(0.01), Some(3), 10).unwrap(), 0.01);
        assert!(matches!(
            sampling_rate(Some(0.0), None, 10),
            Err(DpTrainError::Option {
                option: "sampling_rate",
                ..
            })
        ));
        assert!(matches!(
            sampling_rate(None, None, 10),
            Err(DpTrainError::Missing(..))
        ));
    }

    #[test]
    fn privacy_is_calibrated_to_the_target_and_accounted_twice() {
        // dp_accounting's RDP accountant gives 1.71177 for σ = 1.1, q = 0.01, 1,000 steps,
        // δ = 1e-5 (the crate's doctest); calibrating to it returns σ ≈ 1.1.
        let p = privacy(
            Some(1.71177),
            None,
            Accountant::Rdp,
            0.01,
            1000,
            1e-5,
            10_000,
        )
        .unwrap();
        assert!(
            (p.noise_multiplier - 1.1).abs() < 1e-3,
            "{}",
            p.noise_multiplier
        );
        assert!((p.epsilon_rdp - 1.71177).abs() < 1e-3, "{}", p.epsilon_rdp);
        assert!(p.epsilon() <= p.epsilon_rdp);
        let free = privacy(None, Some(0.0), Accountant::Rdp, 0.01, 1000, 1e-5, 10_000).unwrap();
        assert!(free.epsilon().is_infinite());
        assert!(matches!(
            privacy(None, Some(1.0), Accountant::Rdp, 0.01, 10, 0.02, 100),
            Err(DpTrainError::Option {
                option: "delta",
                ..
            })
        ));
    }

    #[test]
    fn the_curve_gains_accuracy_with_epsilon() {
        // Separable data: the label is the sign of the first feature.
        let n = 400;
        let x: Vec<f64> = (0..2 * n)
            .map(|i| assay_numerics::random::counter_uniform(5, i as u64) * 2.0 - 1.0)
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|i| f64::from(u8::from(x[2 * i] > 0.0)))
            .collect();
        let cfg = Config {
            architecture: Architecture::Logistic,
            sampling_rate: 0.1,
            noise_multiplier: 1.0,
            clip: 1.0,
            lr: 1.0,
            momentum: 0.0,
            steps: 100,
            seed: 1,
        };
        let test = (x.clone(), y.clone());
        let (points, free) = curve(
            &x,
            &y,
            2,
            &cfg,
            &test,
            &[8.0, 0.5, 8.0],
            Accountant::Rdp,
            1e-4,
        )
        .unwrap();
        assert_eq!(points.len(), 2, "targets sorted without repeats");
        assert!(points[0].epsilon < points[1].epsilon);
        assert!(points[0].noise_multiplier > points[1].noise_multiplier);
        assert!(free > 0.95, "{free}");
        let m = logistic_model(
            &[1.0, 0.0, 0.5],
            2,
            100,
            "y",
            &["0".into(), "1".into()],
            None,
            &[],
        );
        assert_eq!(m.model.n_iter, 100);
        assert!(!m.model.converged);
    }

    #[test]
    fn a_run_is_planned_trained_and_reported() {
        let n = 500;
        let x: Vec<f64> = (0..2 * n)
            .map(|i| assay_numerics::random::counter_uniform(9, i as u64) * 2.0 - 1.0)
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|i| f64::from(u8::from(x[2 * i] > 0.0)))
            .collect();
        let design = Design {
            path: "t.csv".into(),
            specs: Vec::new(),
            x,
            n,
            d: 2,
            y,
            class_names: vec!["0".into(), "1".into()],
            weights: None,
            extra: Vec::new(),
        };
        let o = DpSgdOptions {
            architecture: Architecture::Logistic,
            sampling_rate: None,
            expected_batch_size: Some(50),
            epochs: 2.0,
            epsilon: Some(4.0),
            noise_multiplier: None,
            accountant: Accountant::Rdp,
            accountant_name: "rdp",
            delta: 1e-4,
            clip: 1.0,
            learning_rate: 1.0,
            momentum: 0.0,
            seed: 3,
        };
        let run = train(&o, &design, Some(&design), None).unwrap();
        // q = 1 / ⌈500 / 50⌉, steps = round(epochs / q), ε calibrated to the target.
        assert_eq!(run.plan.sampling_rate, 0.1);
        assert_eq!(run.plan.steps, 20);
        assert!((run.plan.privacy.epsilon_rdp - 4.0).abs() < 0.05);
        assert_eq!(run.training.batch_sizes.len(), 20);
        assert!(
            (run.mean_batch_size - 50.0).abs() < 15.0,
            "{}",
            run.mean_batch_size
        );
        assert!(run.test_accuracy.unwrap() > 0.8);
        assert!(run.curve.is_none());
        let doc = run.plan.report(&o);
        assert_eq!(doc.calibrated_with.as_deref(), Some("rdp"));
        assert_eq!(doc.steps, 20);
        // The same seed, the same run.
        let again = train(&o, &design, Some(&design), None).unwrap();
        assert_eq!(again.training.model.params, run.training.model.params);
        // Bad settings and labels are refused, naming what is wrong.
        let bad = DpSgdOptions {
            epochs: 0.0,
            ..o.clone()
        };
        assert!(matches!(
            plan(&bad, n),
            Err(DpTrainError::Option {
                option: "epochs",
                ..
            })
        ));
        let mut three = design.clone();
        three.class_names.push("2".into());
        assert!(matches!(
            train(&o, &three, None, None),
            Err(DpTrainError::NotBinary { classes: 3, .. })
        ));
    }
}
