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
use assay_privacy::dpsgd::{self, Config};

use crate::reports::dp::TrainPrivacy;

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
}
