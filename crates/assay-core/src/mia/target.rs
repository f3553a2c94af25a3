//! The audited model's learner: a learner spec built from its settings (for a model trained by
//! the audit, and for the shadow models), or a model saved by `assay train` with its own
//! settings, encoding and fitted parameters. Each comes with the words the report shows for it.

use std::path::Path;

use assay_model::learners::{FeatureSpec, GradientBoosting, LogisticRegression, Loss};
use assay_privacy::accounting::{calibrate, Accountant};
use assay_privacy::dpsgd::{self, Architecture, Config};

use super::learner::{Fitted, Spec};
use super::MiaError;
use crate::models::{self, Trained};

/// The learner of the target and shadow models.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum LearnerKind {
    /// L2-regularised logistic regression (`assay train --learner logistic`).
    Logistic,
    /// Histogram gradient-boosted trees (`assay train --learner gbdt`).
    Gbdt,
    /// Logistic regression trained by DP-SGD (`assay dp train`), σ calibrated for --epsilon.
    DpLogistic,
}

/// The settings of the learners.
#[derive(Clone, Debug)]
pub struct LearnerOptions {
    /// Logistic: inverse regularisation strength C.
    pub c: f64,
    /// Logistic: whether the numeric features are standardised (reported).
    pub standardize: bool,
    /// Logistic: most Newton iterations.
    pub max_iter: usize,
    /// Logistic: convergence tolerance.
    pub tol: f64,
    /// Gbdt: trees.
    pub trees: usize,
    /// Gbdt's shrinkage (default 0.1) or DP-SGD's step (default 1.0).
    pub learning_rate: Option<f64>,
    /// Gbdt: most depth (`None`: no limit).
    pub max_depth: Option<usize>,
    /// Gbdt: most leaves (0: no limit).
    pub max_leaves: usize,
    /// Gbdt: fewest rows in a leaf.
    pub min_samples_leaf: usize,
    /// Gbdt: smallest hessian sum in a leaf.
    pub min_child_weight: f64,
    /// Gbdt: L2 penalty on leaf values.
    pub lambda: f64,
    /// DP-SGD: the target ε (σ calibrated by the RDP accountant).
    pub epsilon: f64,
    /// DP-SGD: δ.
    pub delta: f64,
    /// DP-SGD: epochs.
    pub epochs: f64,
    /// DP-SGD: the expected batch size (q = 1 / ⌈n / size⌉).
    pub expected_batch_size: usize,
    /// DP-SGD: the per-example clipping norm.
    pub clip: f64,
}

/// A learner spec with the words a report shows for it.
#[derive(Clone, Debug)]
pub struct Described {
    /// The spec.
    pub spec: Spec,
    /// The model, in a few words.
    pub description: String,
    /// The report's settings lines (`learner`: the learner and its settings).
    pub settings: Vec<(String, String)>,
}

fn option(option: &'static str, message: String) -> MiaError {
    MiaError::Option { option, message }
}

/// The spec of `kind` with the settings `o`, for a training table of `n_train` rows (DP-SGD
/// fixes its sampling rate, steps and σ from it, and the shadow models reuse them).
pub fn described(
    kind: LearnerKind,
    o: &LearnerOptions,
    n_train: usize,
) -> Result<Described, MiaError> {
    let learner = |text: String| vec![("learner".to_string(), text)];
    Ok(match kind {
        LearnerKind::Logistic => {
            if !(o.c.is_finite() && o.c > 0.0) {
                return Err(option(
                    "c",
                    format!("must be a positive number, got {}", o.c),
                ));
            }
            Described {
                spec: Spec::Logistic(LogisticRegression {
                    c: o.c,
                    fit_intercept: true,
                    max_iter: o.max_iter,
                    tol: o.tol,
                }),
                description: format!("logistic regression (L2, C = {})", o.c),
                settings: learner(format!(
                    "logistic, C = {}, {}standardised",
                    o.c,
                    if o.standardize { "" } else { "not " }
                )),
            }
        }
        LearnerKind::Gbdt => {
            let learning_rate = o.learning_rate.unwrap_or(0.1);
            let g = GradientBoosting {
                loss: Loss::BinaryLogistic,
                n_trees: o.trees,
                learning_rate,
                max_depth: o.max_depth,
                max_leaves: (o.max_leaves > 0).then_some(o.max_leaves),
                min_child_weight: o.min_child_weight,
                min_samples_leaf: o.min_samples_leaf,
                lambda: o.lambda,
                max_bins: 255,
                subsample: 1.0,
                seed: 0,
            };
            let depth = o
                .max_depth
                .map_or("unlimited".to_string(), |d| d.to_string());
            let leaves = if o.max_leaves == 0 {
                "unlimited".to_string()
            } else {
                o.max_leaves.to_string()
            };
            Described {
                spec: Spec::Gbdt(g),
                description: format!("gradient-boosted trees ({} trees, depth {depth})", o.trees),
                settings: learner(format!(
                    "gbdt, {} trees, learning rate {learning_rate}, depth {depth}, leaves {leaves}, min rows per leaf {}, lambda {}",
                    o.trees, o.min_samples_leaf, o.lambda
                )),
            }
        }
        LearnerKind::DpLogistic => {
            if o.expected_batch_size == 0 {
                return Err(option("expected_batch_size", "must be at least 1".into()));
            }
            if !(o.delta > 0.0 && o.delta < 1.0 / n_train as f64) {
                return Err(option(
                    "delta",
                    format!(
                        "must be in (0, 1/n) = (0, {}), got {}",
                        1.0 / n_train as f64,
                        o.delta
                    ),
                ));
            }
            if !(o.epochs.is_finite() && o.epochs > 0.0) {
                return Err(option(
                    "epochs",
                    format!("must be positive, got {}", o.epochs),
                ));
            }
            let q = 1.0 / n_train.div_ceil(o.expected_batch_size) as f64;
            let steps = dpsgd::steps_for_epochs(o.epochs, q);
            let sigma =
                calibrate::noise_multiplier(Accountant::Rdp, o.epsilon, o.delta, q, steps, 1e-4)
                    .map_err(|e| MiaError::Learner(e.to_string()))?
                    .noise_multiplier;
            let lr = o.learning_rate.unwrap_or(1.0);
            Described {
                spec: Spec::DpLogistic(Config {
                    architecture: Architecture::Logistic,
                    sampling_rate: q,
                    noise_multiplier: sigma,
                    clip: o.clip,
                    lr,
                    momentum: 0.0,
                    steps,
                    seed: 0,
                }),
                description: format!(
                    "DP-SGD logistic regression (ε = {}, δ = {})",
                    o.epsilon, o.delta
                ),
                settings: learner(format!(
                    "DP-SGD logistic, ε = {} at δ = {} (RDP accountant), σ = {sigma:.4}, q = {q:.6}, {steps} steps, clip {}, lr {lr}; shadows reuse σ, q and the steps",
                    o.epsilon, o.delta, o.clip
                )),
            }
        }
    })
}

/// A binary model saved by `assay train` whose learner the shadow models reuse: its label,
/// encoding, fitted parameters and settings.
pub struct SavedTarget {
    /// The schema name (`assay.logistic/1`, `assay.gbdt/1`).
    pub kind: &'static str,
    /// The learner.
    pub learner: LearnerKind,
    /// The label column.
    pub label: String,
    /// The positive label value, when one was named.
    pub positive: Option<String>,
    /// The feature encoding.
    pub features: Vec<FeatureSpec>,
    /// The class names.
    pub class_names: Vec<String>,
    /// The shadow models' spec (the model's own settings), with the report's words.
    pub described: Described,
    /// The fitted model.
    pub fitted: Fitted,
}

/// Whether `path` is a binary model saved by `assay train` whose learner the shadow models
/// can reuse (logistic regression or gradient-boosted trees); other models are audited as
/// black boxes through their scores.
pub fn is_reusable(path: &Path) -> bool {
    matches!(
        models::trained(path),
        Ok(Trained::Gbdt(_) | Trained::Logistic(_))
    )
}

/// Opens `path` as a binary assay.gbdt/1 or assay.logistic/1 model ([`models::trained`]).
pub fn saved(path: &Path) -> Result<SavedTarget, MiaError> {
    let not_saved = |reason: String| MiaError::NotSaved {
        path: path.display().to_string(),
        reason,
    };
    Ok(match models::trained(path) {
        Ok(Trained::Gbdt(m)) => {
            let p = m.params;
            let depth = p.max_depth.map_or("unlimited".into(), |d| d.to_string());
            let leaves = p.max_leaves.map_or("unlimited".into(), |d| d.to_string());
            SavedTarget {
                kind: "assay.gbdt/1",
                learner: LearnerKind::Gbdt,
                described: Described {
                    spec: Spec::Gbdt(p),
                    description: String::new(),
                    settings: vec![(
                        "learner".into(),
                        format!(
                            "gbdt, {} trees, learning rate {}, depth {depth}, leaves {leaves}, min rows per leaf {}, lambda {} (the model's settings)",
                            p.n_trees, p.learning_rate, p.min_samples_leaf, p.lambda
                        ),
                    )],
                },
                label: m.label,
                positive: m.positive,
                features: m.features,
                class_names: m.class_names,
                fitted: Fitted::Gbdt(m.model),
            }
        }
        Ok(Trained::Logistic(m)) if m.model.coef.len() == 1 => {
            let p = m.model.params;
            SavedTarget {
                kind: "assay.logistic/1",
                learner: LearnerKind::Logistic,
                described: Described {
                    spec: Spec::Logistic(p),
                    description: String::new(),
                    settings: vec![(
                        "learner".into(),
                        format!("logistic, C = {} (the model's settings)", p.c),
                    )],
                },
                label: m.label,
                positive: m.positive,
                features: m.features,
                class_names: m.class_names,
                fitted: Fitted::Logistic(m.model),
            }
        }
        Ok(Trained::Logistic(_)) => {
            return Err(not_saved(
                "a multinomial logistic regression; membership-inference audits are of binary models".into(),
            ))
        }
        Ok(Trained::Tree(_)) => {
            return Err(not_saved(
                "a decision tree, whose learner the shadow models do not reuse: audit it as a black box".into(),
            ))
        }
        Err(e) => return Err(not_saved(e.to_string())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> LearnerOptions {
        LearnerOptions {
            c: 1.0,
            standardize: false,
            max_iter: 100,
            tol: 1e-8,
            trees: 10,
            learning_rate: None,
            max_depth: Some(3),
            max_leaves: 0,
            min_samples_leaf: 20,
            min_child_weight: 1e-3,
            lambda: 0.0,
            epsilon: 1.0,
            delta: 1e-5,
            epochs: 5.0,
            expected_batch_size: 256,
            clip: 1.0,
        }
    }

    #[test]
    fn specs_carry_their_settings_and_words() {
        let d = described(LearnerKind::Gbdt, &options(), 1000).unwrap();
        let Spec::Gbdt(g) = d.spec else { panic!() };
        assert_eq!((g.n_trees, g.learning_rate, g.max_leaves), (10, 0.1, None));
        assert_eq!(
            d.settings[0].1,
            "gbdt, 10 trees, learning rate 0.1, depth 3, leaves unlimited, min rows per leaf 20, lambda 0"
        );
        // DP-SGD fixes q = 1 / ⌈1000 / 256⌉ and round(5 / q) steps from the training rows.
        let d = described(LearnerKind::DpLogistic, &options(), 1000).unwrap();
        let Spec::DpLogistic(c) = d.spec else {
            panic!()
        };
        assert_eq!((c.sampling_rate, c.steps, c.lr), (0.25, 20, 1.0));
        assert!(c.noise_multiplier > 0.0);
        // Settings that cannot be used name the setting.
        let bad = LearnerOptions {
            c: 0.0,
            ..options()
        };
        assert!(matches!(
            described(LearnerKind::Logistic, &bad, 10),
            Err(MiaError::Option { option: "c", .. })
        ));
        // δ = 0.2 is not below 1/n for 10 rows.
        let bad = LearnerOptions {
            delta: 0.2,
            ..options()
        };
        assert!(matches!(
            described(LearnerKind::DpLogistic, &bad, 10),
            Err(MiaError::Option {
                option: "delta",
                ..
            })
        ));
    }

    #[test]
    fn only_binary_models_saved_by_assay_train_are_retrained() {
        let xgb = Path::new("../../tests/reference/models/xgb_binary.json");
        assert!(!is_reusable(xgb));
        let e = saved(xgb).err().unwrap().to_string();
        assert!(e.contains("not an assay.gbdt/1 or assay.logistic/1"), "{e}");
    }
}
